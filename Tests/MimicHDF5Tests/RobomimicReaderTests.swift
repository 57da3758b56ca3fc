import Foundation
import Testing
import MimicCore
@testable import MimicHDF5

@Suite struct RobomimicReaderTests {
    @Test func readsHeaderMasksAndSortsDemosNumerically() throws {
        try withTemporaryDirectory { dir in
            let path = dir.appendingPathComponent("a.hdf5").path
            _ = try RobomimicFixture.write(path, lengths: Array(repeating: 2, count: 12))
            let reader = try RobomimicReader(path: path)
            #expect(reader.demoNames.prefix(3) == ["demo_0", "demo_1", "demo_2"])
            #expect(reader.demoNames.last == "demo_11")
            #expect(reader.envArgs?.envName == "Lift")
            #expect(reader.masks["valid"] == ["demo_11"])
            #expect(reader.format == .robomimicDatagen)
        }
    }

    @Test func unequalStepCountsNameTheArray() throws {
        try withTemporaryDirectory { dir in
            let path = dir.appendingPathComponent("a.hdf5").path
            var demo = RobomimicFixture.demo(0, steps: 4)
            demo.arrays["obs/robot0_eef_pos"] = demo.arrays["obs/robot0_eef_pos"]!.rows(0..<3)
            let writer = try RobomimicWriter(destination: path, dataAttributes: [:])
            try writer.write(demo)
            try writer.finish(masks: [:])
            let reader = try RobomimicReader(path: path)
            do {
                _ = try reader.demo("demo_0")
                Issue.record("accepted arrays of different lengths")
            } catch let error as DatasetError {
                #expect(error.path == "/data/demo_0/obs/robot0_eef_pos")
            }
        }
    }

    @Test func fileWithoutDataGroupIsAnError() throws {
        try withTemporaryDirectory { dir in
            let path = dir.appendingPathComponent("a.hdf5").path
            let file = try HDF5File.create(path)
            try file.root.write("x", Tensor(shape: [1], float64: [1]))
            file.close()
            #expect(throws: DatasetError.self) { try RobomimicReader(path: path) }
        }
    }
}
