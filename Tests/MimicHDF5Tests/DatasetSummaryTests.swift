import Foundation
import Testing
import MimicCore
@testable import MimicHDF5

@Suite struct DatasetSummaryTests {
    @Test func summarizesLengthsKeysMasksAndSignals() throws {
        try withTemporaryDirectory { dir in
            let path = dir.appendingPathComponent("a.hdf5").path
            _ = try RobomimicFixture.write(path, lengths: [4, 6, 8])
            let summary = try RobomimicReader(path: path).summary()
            #expect(summary.lengths == [4, 6, 8])
            #expect(summary.samples == 18)
            #expect(summary.actionDim == 7)
            #expect(summary.envName == "Lift")
            #expect(summary.keys.first { $0.path == "obs/robot0_eef_pos" }?.dtype == "float32")
            #expect(summary.keys.first { $0.path == "actions" }?.shape == [4, 7])
            #expect(summary.masks["train"]?.count == 2)
            let info = try #require(summary.datagenInfo)
            #expect(info.signals == ["grasp"])
            // The fixture's grasp rises at T / 2.
            #expect(info.firstRise.map { $0.steps["grasp"] ?? nil } == [2, 3, 4])
        }
    }

    @Test func refusesWhatTheOtherCommandsRefuse() throws {
        try withTemporaryDirectory { dir in
            let path = dir.appendingPathComponent("a.hdf5").path
            _ = try RobomimicFixture.write(path, lengths: [4, 6])
            let file = try HDF5File.open(path, writable: true)
            try file.root.write("data/demo_1/datagen_info/subtask_term_signals/grasp", Tensor(shape: [6], float64: [0, 0, .nan, 1, 1, 1]))
            file.close()
            do {
                _ = try RobomimicReader(path: path).summary()
                Issue.record("summarized a NaN signal")
            } catch let error as DatasetError {
                #expect(error.path == "/data/demo_1/datagen_info/subtask_term_signals/grasp")
                #expect(error.detail.contains("row 2"))
            }
        }
    }
}
