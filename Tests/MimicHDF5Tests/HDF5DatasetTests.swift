import Testing
import MimicCore
@testable import MimicHDF5

@Suite struct HDF5DatasetTests {
    @Test func describesShapeDTypeAndLayout() throws {
        try withTemporaryFile { file in
            try file.root.write("poses", Tensor(shape: [5, 4, 4], float64: Array(repeating: 0.5, count: 80)))
            let poses = try file.root.dataset("poses")
            #expect(poses.path == "/poses")
            #expect(poses.shape == [5, 4, 4])
            #expect(poses.rows == 5)
            #expect(poses.count == 80)
            #expect(poses.dtype == .float64)
            #expect(poses.chunkShape == nil)
            #expect(poses.filters == [])
            #expect(!poses.isCompressed)

            try file.root.write("scalar", Tensor(shape: [], storage: .int64([42])))
            let scalar = try file.root.dataset("scalar")
            #expect(scalar.shape == [])
            #expect(scalar.rows == 0 && scalar.count == 1)
            #expect(try scalar.read() == Tensor(shape: [], storage: .int64([42])))
        }
    }

    @Test func datasetAttributes() throws {
        try withTemporaryFile { file in
            try file.root.write("obs/rgb", Tensor(shape: [1, 2, 2, 3], storage: .uint8(Array(repeating: 255, count: 12))))
            let rgb = try file.root.dataset("obs/rgb")
            try rgb.attributes.set("channels", string: "rgb")
            #expect(try file.root.dataset("obs/rgb").attributes.string("channels") == "rgb")
            #expect(try rgb.attributes.names() == ["channels"])
        }
    }

    @Test func numericOrNotAndSizeCheck() throws {
        try withTemporaryFile { file in
            try file.root.write("n", Tensor(shape: [2], float64: [1, 2]))
            try file.root.writeStrings("s", ["a", "b"])
            #expect(try file.root.dataset("n").isNumeric)
            #expect(try !file.root.dataset("s").isNumeric)
            try file.root.dataset("n").checkSize()
            try file.root.createUnwritten("big", shape: [1 << 30, 2], like: .uint8([]), options: WriteOptions(chunkRows: 64))
            expectHDF5Error(.invalidData) { try file.root.dataset("big").checkSize() }
        }
    }
}
