import Foundation
import Testing
import MimicCore
import MimicHDF5
import MimicSim

@Suite struct ValidateCommandTests {
    static func json(_ args: [String]) throws -> [String: Any] {
        let result = try CLI.run(["validate", "--json"] + args)
        #expect(result.status == 0, "\(result.stderr)")
        return try #require(try JSONSerialization.jsonObject(with: Data(result.stdout.utf8)) as? [String: Any])
    }

    @Test(arguments: ["execute", "states"])
    func everyBundledLiftDemoSucceeds(mode: String) throws {
        let report = try Self.json([CLI.dataset("lift.hdf5"), "--mode", mode])
        #expect(report["demos"] as? Int == 10)
        #expect(report["successes"] as? Int == 10)
        #expect(report["success_rate"] as? Double == 1)
        let results = try #require(report["results"] as? [[String: Any]])
        #expect(results.allSatisfy { $0["first_success_step"] is Int })
    }

    @Test func brokenDemosFailWithAReasonAndMasksSayWhich() throws {
        let dir = try TemporaryDirectory()
        let source = dir.path("lift_broken.hdf5")
        let reader = try RobomimicReader(path: CLI.dataset("lift.hdf5"))
        var demos = try reader.demoNames.prefix(3).map { try reader.demo($0) }
        // demo_1 never closes the gripper: the cube cannot be lifted.
        var actions = demos[1].actions!.doubles
        for t in 0..<demos[1].length { actions[t * 7 + 6] = -1 }
        demos[1].arrays["actions"] = Tensor(shape: demos[1].actions!.shape, float64: actions)
        try writeDataset(source, demos: demos, envArgs: reader.envArgs?.json)
        let out = dir.path("checked.hdf5")
        let report = try Self.json([source, "-o", out])
        #expect(report["successes"] as? Int == 2)
        let results = try #require(report["results"] as? [[String: Any]])
        #expect(results[1]["success"] as? Bool == false)
        #expect((results[1]["failure"] as? String)?.contains("never held") == true)
        let checked = try RobomimicReader(path: out)
        #expect(checked.masks["successful"] == ["demo_0", "demo_2"])
        #expect(checked.masks["failed"] == ["demo_1"])
        #expect(try checked.demo("demo_1").actions == demos[1].actions)
        // The human summary says the same.
        let human = try CLI.run(["validate", source])
        #expect(human.stdout.contains("2 successful, success rate 66.7 %"))
    }

    @Test func fileWithoutEnvArgsOrSceneIsBadInput() throws {
        let dir = try TemporaryDirectory()
        let reader = try RobomimicReader(path: CLI.dataset("lift.hdf5"))
        let demo = try reader.demo("demo_0")
        let noEnv = dir.path("no_env.hdf5")
        try writeDataset(noEnv, demos: [demo])
        let result = try CLI.run(["validate", noEnv])
        #expect(result.status == 65)
        #expect(result.stderr.contains("env_args"))
        var noScene = demo
        noScene.attributes["model_file"] = nil
        let path = dir.path("no_scene.hdf5")
        try writeDataset(path, demos: [noScene], envArgs: reader.envArgs?.json)
        let second = try CLI.run(["validate", path])
        #expect(second.status == 65)
        #expect(second.stderr.contains("/data/demo_0.attrs[model_file]"))
    }

    /// Isaac Lab's own files come from Isaac Sim: nothing to run in MuJoCo, said in one line.
    @Test func isaacSimRecordingIsBadInput() throws {
        let dir = try TemporaryDirectory()
        let source = dir.path("isaac.hdf5")
        try IsaacLabFixture.write(source)
        let result = try CLI.run(["validate", source])
        #expect(result.status == 65)
        #expect(result.stderr.hasPrefix("mimic: error: \(source): /data/demo_0/states: is Isaac Sim's state tree"), "\(result.stderr)")
        #expect(result.stderr.split(separator: "\n").count == 1)
    }

    @Test func aTaskSpecCanReplaceTheSuccessCheck() throws {
        let dir = try TemporaryDirectory()
        let task = dir.path("task.json")
        // The cube would have to rise to 2 m: no demo does.
        try #"{"success": {"lifted": {"object": "cube_main", "above": 2.0}}}"#.write(toFile: task, atomically: true, encoding: .utf8)
        let report = try Self.json([CLI.dataset("lift.hdf5"), "--task", task, "--mode", "states"])
        #expect(report["successes"] as? Int == 0)
    }

    /// A demo without model_file runs in the scene a task spec names (relative to the spec);
    /// a spec naming a missing file is bad input that names the spec.
    @Test func aTaskSpecCanNameTheScene() throws {
        let dir = try TemporaryDirectory()
        let reader = try RobomimicReader(path: CLI.dataset("lift.hdf5"))
        var demo = try reader.demo("demo_0")
        let xml = try #require(demo.modelXML)
        try RobosuiteAssets.remapping(xml, to: try RobosuiteAssets.installed())
            .write(toFile: dir.path("lift_scene.xml"), atomically: true, encoding: .utf8)
        demo.attributes["model_file"] = nil
        let path = dir.path("no_scene.hdf5")
        try writeDataset(path, demos: [demo], envArgs: reader.envArgs?.json)
        try #"{"mjcf": "lift_scene.xml"}"#.write(toFile: dir.path("task.json"), atomically: true, encoding: .utf8)
        let report = try Self.json([path, "--task", dir.path("task.json")])
        #expect(report["successes"] as? Int == 1)

        try #"{"mjcf": "nowhere.xml"}"#.write(toFile: dir.path("bad.json"), atomically: true, encoding: .utf8)
        let bad = try CLI.run(["validate", path, "--task", dir.path("bad.json")])
        #expect(bad.status == 74)
        #expect(bad.stderr.contains("bad.json") && bad.stderr.contains("nowhere.xml"))
    }

    /// The bundled GR1 pot lift, recorded in robosuite with WHOLE_BODY_IK: every demo succeeds by
    /// its actions and by its states.
    @Test(arguments: ["execute", "states"]) func humanoidDemosSucceed(mode: String) throws {
        let report = try Self.json([CLI.dataset("gr1_two_arm_lift.hdf5"), "--mode", mode])
        #expect(report["demos"] as? Int == 6)
        #expect(report["successes"] as? Int == 6)
    }
}
