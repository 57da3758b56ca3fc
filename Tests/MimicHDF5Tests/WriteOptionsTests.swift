import Foundation
import Testing
import MimicCore
@testable import MimicHDF5

@Suite struct WriteOptionsTests {
    @Test func gzipShuffleRoundTripsEveryDType() throws {
        try withTemporaryFile { file in
            for (i, tensor) in sampleTensors(shape: [300, 7]).enumerated() {
                try file.root.write("t\(i)", tensor, options: .init(chunkRows: 64, compression: .gzip(level: 4, shuffle: true)))
                let dataset = try file.root.dataset("t\(i)")
                #expect(dataset.filters == ["shuffle", "gzip(4)"])
                #expect(dataset.isCompressed)
                #expect(dataset.chunkShape == [64, 7])
                #expect(try dataset.read() == tensor)
            }
        }
    }

    @Test func gzipWithoutShuffleAndChunkedUncompressed() throws {
        try withTemporaryFile { file in
            let t = Tensor(shape: [10, 4, 4], float64: (0..<160).map(Double.init))
            try file.root.write("gz", t, options: .init(compression: .gzip(level: 1, shuffle: false)))
            let gz = try file.root.dataset("gz")
            #expect(gz.filters == ["gzip(1)"])
            #expect(gz.chunkShape == [10, 4, 4])  // default: ~1 MiB, capped at the row count
            #expect(try gz.read() == t)
            try file.root.write("chunked", t, options: .init(chunkRows: 3))
            let chunked = try file.root.dataset("chunked")
            #expect(chunked.chunkShape == [3, 4, 4])
            #expect(!chunked.isCompressed)
            #expect(try chunked.read() == t)
        }
    }

    @Test func compressionShrinksRepetitiveData() throws {
        try withTemporaryDirectory { directory in
            let plain = directory.appendingPathComponent("plain.hdf5").path
            let packed = directory.appendingPathComponent("packed.hdf5").path
            let t = Tensor(shape: [10_000, 8], float32: (0..<80_000).map { Float($0 % 8) })
            for (path, options) in [(plain, WriteOptions()), (packed, WriteOptions.gzip)] {
                let file = try HDF5File.create(path)
                try file.root.write("x", t, options: options)
                file.close()
            }
            let size = { (p: String) in (try? FileManager.default.attributesOfItem(atPath: p)[.size] as? Int) ?? 0 }
            #expect(size(packed) * 10 < size(plain))
            #expect(try HDF5File.open(packed).root.read("x") == t)
        }
    }

    @Test func emptyAndScalarTensorsWithCompression() throws {
        try withTemporaryFile { file in
            let empty = Tensor(shape: [0, 7], float64: [])
            try file.root.write("empty", empty, options: .gzip)
            let dataset = try file.root.dataset("empty")
            #expect(dataset.shape == [0, 7])
            #expect(dataset.chunkShape == [1, 7])
            #expect(try dataset.read() == empty)
            let scalar = Tensor(shape: [], float32: [2])
            try file.root.write("scalar", scalar, options: .gzip)  // scalars cannot be chunked: contiguous
            #expect(try file.root.dataset("scalar").chunkShape == nil)
            #expect(try file.root.read("scalar") == scalar)
            let zeroWidth = Tensor(shape: [3, 0], storage: .int32([]))
            try file.root.write("zero_width", zeroWidth, options: .gzip)
            #expect(try file.root.read("zero_width") == zeroWidth)
        }
    }

    @Test func badOptionsAreInvalidData() throws {
        try withTemporaryFile { file in
            let t = Tensor(shape: [2], float64: [1, 2])
            let level = expectHDF5Error(.invalidData) { try file.root.write("x", t, options: .init(compression: .gzip(level: 12, shuffle: true))) }
            #expect(level?.detail == "gzip level must be 0...9, got 12")
            #expect(level?.path == "/x")
            expectHDF5Error(.invalidData) { try file.root.write("x", t, options: .init(chunkRows: 0)) }
            #expect(!file.root.exists("x"))
        }
    }

    @Test func defaultChunkAimsAtOneMebibyte() throws {
        let site = H5Site(file: "f", path: "/x")
        let options = WriteOptions.gzip
        #expect(try options.chunkShape(for: [100_000, 84, 84, 3], elementSize: 1, site) == [49, 84, 84, 3])
        #expect(try options.chunkShape(for: [100_000, 7], elementSize: 8, site) == [18724, 7])
        #expect(try options.chunkShape(for: [5, 7], elementSize: 8, site) == [5, 7])
        #expect(try WriteOptions().chunkShape(for: [5, 7], elementSize: 8, site) == nil)
    }
}
