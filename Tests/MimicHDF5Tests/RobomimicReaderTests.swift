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

    static func write(_ path: String, _ demo: Demo, envArgs: String) throws {
        let writer = try RobomimicWriter(destination: path, dataAttributes: ["env_args": .string(envArgs)])
        try writer.write(demo)
        try writer.finish(masks: [:])
    }

    /// Mimic's datagen_info makes a file robomimic+datagen_info, even with Isaac Lab's env_args
    /// and states tree (a prepared Isaac Lab file); Isaac Lab's annotation alone makes it Isaac Lab's.
    @Test func datagenInfoDecidesTheFormatBeforeIsaacLabSigns() throws {
        try withTemporaryDirectory { dir in
            let path = dir.appendingPathComponent("a.hdf5").path
            var demo = RobomimicFixture.demo(0, steps: 4)
            demo.arrays["states"] = nil
            demo.arrays["states/articulation/robot/joint_position"] = Tensor(shape: [4, 2], float32: .init(repeating: 0, count: 8))
            let isaac = #"{"env_name": "Isaac-PickPlace-GR1T2-Abs-v0", "type": 2}"#
            try Self.write(path, demo, envArgs: isaac)
            #expect(try RobomimicReader(path: path).format == .robomimicDatagen)
            demo.arrays["obs/datagen_info/subtask_term_signals/grasp"] = demo.arrays.removeValue(forKey: "datagen_info/subtask_term_signals/grasp")
            demo.groupAttributes = [:]
            try Self.write(path, demo, envArgs: isaac)
            #expect(try RobomimicReader(path: path).format == .isaacLab)
        }
    }

    /// validate and augment --execute need a MuJoCo recording: Isaac Sim's states tree, or an
    /// Isaac Lab file without model_file, is refused naming the path.
    @Test func mujocoRecordingIsRequiredWhereDemosRunInMuJoCo() throws {
        try withTemporaryDirectory { dir in
            let path = dir.appendingPathComponent("a.hdf5").path
            let isaac = #"{"env_name": "Isaac-PickPlace-GR1T2-Abs-v0", "type": 2}"#
            var demo = RobomimicFixture.demo(0, steps: 4)
            demo.arrays["datagen_info/subtask_term_signals/grasp"] = nil
            demo.groupAttributes = [:]
            try Self.write(path, demo, envArgs: #"{"env_name": "Lift", "type": 1}"#)
            try RobomimicReader(path: path).requireMuJoCoRecording(for: "validate")
            try Self.write(path, demo, envArgs: isaac)
            try RobomimicReader(path: path).requireMuJoCoRecording(for: "validate")
            demo.attributes["model_file"] = nil
            try Self.write(path, demo, envArgs: isaac)
            #expect(throws: DatasetError.self) { try RobomimicReader(path: path).requireMuJoCoRecording(for: "validate") }
            demo.arrays["states"] = nil
            demo.arrays["states/rigid_object/object/root_pose"] = Tensor(shape: [4, 7], float32: .init(repeating: 0, count: 28))
            try Self.write(path, demo, envArgs: isaac)
            do {
                try RobomimicReader(path: path).requireMuJoCoRecording(for: "validate")
                Issue.record("accepted Isaac Sim states")
            } catch let error as DatasetError {
                #expect(error.path == "/data/demo_0/states" && error.detail.contains("validate runs demos in MuJoCo"))
            }
        }
    }

    /// A raw robosuite recording (states and model_file, no obs) is recognized, and the error for
    /// commands that need observations names the file and the first demo's obs.
    @Test func rawRecordingIsRecognizedAndItsErrorNamesTheObservations() throws {
        try withTemporaryDirectory { dir in
            let path = dir.appendingPathComponent("raw.hdf5").path
            var demo = RobomimicFixture.demo(0, steps: 4)
            demo.arrays = demo.arrays.filter { !$0.key.hasPrefix("obs/") && !$0.key.hasPrefix("datagen_info/") }
            demo.groupAttributes = [:]
            demo.attributes["model_file"] = .string("<mujoco/>")
            try Self.write(path, demo, envArgs: #"{"env_name": "Lift", "type": 1}"#)
            let reader = try RobomimicReader(path: path)
            #expect(reader.format == .robosuiteRaw)
            let error = reader.rawRecordingError()
            #expect(error.file == path && error.path == "/data/demo_0/obs" && error.detail.hasPrefix("missing: a raw robosuite recording"))
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

    /// Writes `demos` (fixture demos unless given) with `change` applied to the open file, and
    /// returns the error the reader (init, then every demo) reports.
    static func readerError(
        _ demos: [Demo] = [RobomimicFixture.demo(0, steps: 4), RobomimicFixture.demo(1, steps: 4)],
        masks: [String: [String]] = [:], _ change: (HDF5File) throws -> Void = { _ in }
    ) throws -> DatasetError? {
        try withTemporaryDirectory { dir in
            let path = dir.appendingPathComponent("a.hdf5").path
            let writer = try RobomimicWriter(destination: path, dataAttributes: [:])
            for demo in demos { try writer.write(demo) }
            try writer.finish(masks: masks)
            let file = try HDF5File.open(path, writable: true)
            try change(file)
            file.close()
            do {
                let reader = try RobomimicReader(path: path)
                for name in reader.demoNames { _ = try reader.demo(name) }
                return nil
            } catch let error as DatasetError {
                return error
            } catch let error as HDF5Error {
                return DatasetError(file: error.file, path: error.path, error.detail)
            }
        }
    }

    @Test func demoGroupsMustBeDemoNWithDistinctN() throws {
        var a = RobomimicFixture.demo(0, steps: 3), b = RobomimicFixture.demo(1, steps: 3)
        a.name = "demo_a"
        b.name = "trial_3"
        let names = try Self.readerError([a, b])
        #expect(names?.path == "/data/demo_a")
        #expect(names?.detail.contains("demo_<N>") == true)
        b.name = "demo_01"
        a.name = "demo_1"
        #expect(try Self.readerError([a, b])?.detail.contains("same number") == true)
        let dataset = try Self.readerError { file in try file.root.write("data/notes", Tensor(shape: [1], float64: [0])) }
        #expect(dataset?.path == "/data/notes")
    }

    @Test func masksMustNameDemosOfTheFile() throws {
        let error = try Self.readerError(masks: ["train": ["demo_0", "demo_7"]])
        #expect(error?.path == "/mask/train")
        #expect(error?.detail.contains("demo_7") == true)
    }

    @Test func perStepArraysMustBeNumericAndActionsAndStatesFinite() throws {
        let strings = try Self.readerError { file in try file.root.writeStrings("data/demo_1/actions", ["a", "b", "c", "d"]) }
        #expect(strings?.path == "/data/demo_1/actions")
        #expect(strings?.detail.contains("strings") == true)
        var nan = RobomimicFixture.demo(0, steps: 4)
        nan.arrays["actions"] = Tensor(shape: [4, 7], float64: (0..<28).map { $0 == 2 * 7 + 5 ? .nan : 0 })
        let finite = try Self.readerError([nan])
        #expect(finite?.description.hasSuffix("/data/demo_0/actions: holds NaN at row 2, column 5; every value must be finite") == true)
        // Strings that are not per-step data are side data: skipped.
        #expect(try Self.readerError { file in try file.root.writeStrings("data/demo_0/notes", ["x"]) } == nil)
    }

    @Test func absurdSizesAreRefusedBeforeLengthsAndBeforeReading() throws {
        let error = try Self.readerError { file in
            try file.root.createUnwritten(
                "data/demo_0/actions", shape: [1_000_000_000, 7], like: .float64([]),
                options: WriteOptions(chunkRows: 64))
        }
        #expect(error?.path == "/data/demo_0/actions")
        #expect(error?.detail.hasPrefix("claims 56.0 GB (1000000000 x 7 float64) but the file is") == true)
    }

    @Test func lengthsAreCheckedFromShapesAlone() throws {
        try withTemporaryDirectory { dir in
            let path = dir.appendingPathComponent("a.hdf5").path
            var demo = RobomimicFixture.demo(0, steps: 4)
            demo.attributes["num_samples"] = .int(4)
            let writer = try RobomimicWriter(destination: path, dataAttributes: [:])
            try writer.write(demo)
            try writer.finish(masks: [:])
            let file = try HDF5File.open(path, writable: true)
            try file.root.group("data/demo_0").attributes.set("num_samples", int: 9)
            file.close()
            let reader = try RobomimicReader(path: path)
            #expect(throws: DatasetError.self) { _ = try reader.layout(of: "demo_0") }
        }
    }

    @Test func aDataGroupClaimingAbsurdlyManyDemosIsRefusedBeforeListingThem() throws {
        try withTemporaryDirectory { dir in
            let path = dir.appendingPathComponent("a.hdf5").path
            _ = try LargeGroupFile.write(path)
            var bytes = [UInt8](try Data(contentsOf: URL(fileURLWithPath: path)))
            try LargeGroupFile.setLinkCount(1 << 40, in: &bytes)
            try Data(bytes).write(to: URL(fileURLWithPath: path))
            let error = expectHDF5Error(.invalidData) { _ = try RobomimicReader(path: path) }
            #expect(error?.file == path)
            #expect(error?.path == "/data")
            #expect(error?.detail.contains("(1099511627776 links)") == true)
        }
    }

    @Test func linkCyclesAndDanglingLinksAreRefused() throws {
        let cycle = try Self.readerError { file in try file.root.group("data/demo_0/datagen_info").createSoftLink("loop", to: "/data/demo_0") }
        #expect(cycle?.detail.contains("cycle") == true)
        let dangling = try Self.readerError { file in try file.root.group("data").createSoftLink("demo_2", to: "/nowhere") }
        #expect(dangling?.path == "/data/demo_2")
    }
}
