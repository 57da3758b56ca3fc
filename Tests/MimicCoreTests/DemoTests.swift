import Testing
@testable import MimicCore

@Suite struct DemoTests {
    @Test func demoIndexParsesOnlyDemoUnderscoreInteger() {
        #expect(Demo.index(ofName: "demo_12") == 12)
        #expect(Demo.index(ofName: "demo_") == nil)
        #expect(Demo.index(ofName: "demo_1a") == nil)
        #expect(Demo.index(ofName: "traj_1") == nil)
    }

    @Test func sortsNumericallyLikeRobomimic() {
        #expect(Demo.sortedNames(["demo_10", "demo_2", "x", "demo_1"]) == ["demo_1", "demo_2", "demo_10", "x"])
    }

    @Test func checkedNamesSortAndRefuseOtherNamesAndRepeatedNumbers() throws {
        #expect(try Demo.checkedNames(["demo_10", "demo_2", "demo_01"], file: "f") == ["demo_01", "demo_2", "demo_10"])
        for (names, path) in [
            (["demo_0", "demo_a"], "/data/demo_a"), (["trial_3"], "/data/trial_3"),
            (["demo_1", "demo_01"], "/data/demo_1"), (["demo_-1"], "/data/demo_-1"),
            (["demo_99999999999999999999"], "/data/demo_99999999999999999999"),
        ] {
            do {
                _ = try Demo.checkedNames(names, file: "f")
                Issue.record("accepted \(names)")
            } catch {
                #expect(error.path == path)
                #expect(error.detail.contains("demo_<N>"))
            }
        }
    }

    @Test func lengthAndObsKeys() {
        var demo = Demo(name: "demo_0", attributes: ["num_samples": .int(5)])
        #expect(demo.length == 5)
        demo.arrays["actions"] = Tensor(shape: [3, 7], float64: .init(repeating: 0, count: 21))
        demo.arrays["obs/b"] = Tensor(shape: [3], float64: [0, 0, 0])
        demo.arrays["obs/a"] = Tensor(shape: [3], float64: [0, 0, 0])
        demo.arrays["obs/datagen_info/x"] = Tensor(shape: [3], float64: [0, 0, 0])
        #expect(demo.length == 3)
        #expect(demo.obsKeys == ["a", "b"])
    }

    @Test func setDatagenInfoReplacesTheOldOne() {
        var demo = Demo(name: "demo_0", arrays: ["datagen_info/stale": Tensor(shape: [1], float64: [1])])
        let info = DatagenInfo(endEffectors: [], objectPoses: [:], subtaskTermSignals: ["grasp": [0, 1]])
        demo.setDatagenInfo(info, format: OutputFormat(interfaceName: "MG_Lift"))
        #expect(demo.arrays["datagen_info/stale"] == nil)
        #expect(demo.arrays["datagen_info/subtask_term_signals/grasp"]?.storage == .int64([0, 1]))
        #expect(demo.groupAttributes["datagen_info"]?["env_interface_name"] == .string("MG_Lift"))
    }

    /// float64 arrays become float32 (rounded to the nearest float), all but those kept; other
    /// element types and everything else stay.
    @Test func narrowingToFloat32() {
        var demo = Demo(name: "demo_0")
        demo.arrays["actions"] = Tensor(shape: [2], float64: [0.1, -3.5])
        demo.arrays["states"] = Tensor(shape: [2], float64: [0.1, 2])
        demo.arrays["dones"] = Tensor(shape: [2], storage: .int64([0, 1]))
        demo.attributes["model_file"] = .string("<mujoco/>")
        let narrowed = demo.narrowedToFloat32(keeping: ["states"])
        #expect(narrowed.arrays["actions"] == Tensor(shape: [2], float32: [Float(0.1), -3.5]))
        #expect(narrowed.arrays["states"] == demo.arrays["states"] && narrowed.arrays["dones"] == demo.arrays["dones"])
        #expect(narrowed.attributes == demo.attributes && narrowed.name == demo.name)
    }
}
