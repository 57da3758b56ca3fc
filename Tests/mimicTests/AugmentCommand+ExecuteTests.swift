import Foundation
import Testing
import MimicCore
import MimicHDF5

@Suite struct AugmentExecuteTests {
    @Test func executeKeepsDemosTheSimulatorConfirms() throws {
        let dir = try TemporaryDirectory()
        let source = try AugmentCommandTests.prepared(dir)
        let out = dir.path("exec.hdf5"), two = dir.path("exec2.hdf5")
        let result = try CLI.run(["augment", source, "-o", out, "-n", "3", "--execute", "--workers", "1"])
        #expect(result.status == 0, "\(result.stderr)")
        #expect(result.stdout.contains("kept 3 successful demos"))
        #expect(try CLI.run(["augment", source, "-o", two, "-n", "3", "--execute", "--workers", "2"]).status == 0)
        #expect(try Data(contentsOf: URL(fileURLWithPath: out)) == Data(contentsOf: URL(fileURLWithPath: two)))

        let stats = try #require(try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: out + ".stats.json"))) as? [String: Any])
        for key in ["attempts", "successes", "success_rate", "failure_reasons", "seconds_per_success", "physics_steps"] {
            #expect(stats[key] != nil, "\(key)")
        }
        let reader = try RobomimicReader(path: out), original = try RobomimicReader(path: CLI.dataset("lift.hdf5"))
        let sourceDemo = try original.demo("demo_0")
        for name in reader.demoNames {
            let demo = try reader.demo(name)
            #expect(demo.attributes["mimic_kinematic"] == .bool(false))
            #expect(demo.arrays["states"]?.rowWidth == sourceDemo.arrays["states"]?.rowWidth)
            for key in ["robot0_eef_pos", "robot0_eef_quat", "robot0_gripper_qpos", "robot0_joint_pos", "cube_pos", "cube_quat"] {
                #expect(demo.obs(key)?.rows == demo.length, "\(name) obs/\(key)")
                #expect(demo.obs(key)?.dtypeName == sourceDemo.obs(key)?.dtypeName, "\(name) obs/\(key)")
            }
            // Every source key, robosuite's task vectors too: Lift's object = cube_pos, cube_quat,
            // gripper_to_cube_pos (cube - eef).
            #expect(demo.obsKeys == sourceDemo.obsKeys, "\(name)")
            let object = try #require(demo.obs("object")).doubles, cube = demo.obs("cube_pos")!.doubles
            let eef = demo.obs("robot0_eef_pos")!.doubles
            var worst = 0.0
            for t in 0..<demo.length {
                for c in 0..<3 {
                    worst = max(worst, abs(object[10 * t + c] - cube[3 * t + c]))
                    worst = max(worst, abs(object[10 * t + 7 + c] - (cube[3 * t + c] - eef[3 * t + c])))
                }
            }
            #expect(worst < 1e-12, "\(name)")
            #expect(try DatagenInfo(demo: demo, file: out) != nil)
            // next_obs is obs one step later (the source has it, so robomimic's default loader wants it).
            let obs = demo.obs("robot0_eef_pos")!.doubles, next = try #require(demo.arrays["next_obs/robot0_eef_pos"]).doubles
            #expect(Array(obs.dropFirst(3)) == Array(next.dropLast(3)))
        }
        // The simulator checker agrees with itself: every kept demo re-executes to success.
        let check = try CLI.run(["validate", "--json", out])
        let report = try #require(try JSONSerialization.jsonObject(with: Data(check.stdout.utf8)) as? [String: Any])
        #expect(report["success_rate"] as? Double == 1)
    }

    /// The file records which rule kept its demos: the end of the demo by default, any step on request;
    /// an unknown rule is a usage error.
    @Test func theSuccessRuleIsRecorded() throws {
        let dir = try TemporaryDirectory()
        let source = try AugmentCommandTests.prepared(dir)
        for (flag, rule) in [([String](), "end"), (["--success-at", "any-step"], "any-step")] {
            let out = dir.path("\(rule).hdf5")
            let result = try CLI.run(["augment", source, "-o", out, "-n", "1", "--execute", "--workers", "1"] + flag)
            #expect(result.status == 0, "\(result.stderr)")
            let generation = try #require(RobomimicReader(path: out).dataAttributes["mimic_generation"]?.stringValue)
            let record = try #require(try JSONSerialization.jsonObject(with: Data(generation.utf8)) as? [String: Any])
            #expect(record["success_at"] as? String == rule)
        }
        let bad = try CLI.run(["augment", source, "-o", dir.path("bad.hdf5"), "--execute", "--success-at", "sometimes"])
        #expect(bad.status == 64)
        #expect(bad.stderr.contains("--success-at"))
    }

    @Test func failedAttemptsAreKeptWithTheirReason() throws {
        let dir = try TemporaryDirectory()
        let source = try AugmentCommandTests.prepared(dir)
        // Wild noise on every action: most attempts miss the cube.
        let task = dir.path("noisy.json")
        try #"{"endEffectors": [{"name": "robot0", "subtasks": [{"object": "cube", "endSignal": "grasp", "actionNoise": 1.5}, {"object": "cube", "actionNoise": 1.5}]}]}"#
            .write(toFile: task, atomically: true, encoding: .utf8)
        let out = dir.path("exec.hdf5"), failed = dir.path("failed.hdf5")
        let result = try CLI.run(["augment", source, "-o", out, "-n", "2", "--execute", "--max-attempts", "4", "--task", task, "--keep-failed", failed])
        #expect(result.status == 0, "\(result.stderr)")
        let stats = try #require(try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: out + ".stats.json"))) as? [String: Any])
        let attempts = try #require(stats["attempts"] as? Int), successes = try #require(stats["successes"] as? Int)
        let failures = try RobomimicReader(path: failed)
        #expect(failures.demoNames.count == attempts - successes)
        #expect(attempts - successes > 0)
        for name in failures.demoNames {
            #expect(try failures.demo(name).attributes["mimic_failure"]?.stringValue?.isEmpty == false)
        }
    }

    @Test(arguments: [["--keep-failed", "/tmp/f.hdf5"], ["--max-attempts", "5"], ["--success-at", "any-step"]])
    func executeFlagsNeedExecute(flag: [String]) throws {
        let result = try CLI.run(["augment", CLI.dataset("lift.hdf5"), "-o", "/tmp/never.hdf5"] + flag)
        #expect(result.status == 64)
        #expect(result.stderr.contains("need --execute"))
    }

    /// Camera observations end to end: a checked Lift demo with two cameras has uint8 images of
    /// every step in obs/ and next_obs/ (the source has next_obs), env_args names the cameras, the
    /// stats time the rendering, and robomimic 0.3.0's SequenceDataset loads the image keys
    /// (Demos/verify/robomimic_load.py, in scripts/setup_robomimic.sh's venv).
    @Test func camerasAreRenderedAndRobomimicLoadsThem() throws {
        let dir = try TemporaryDirectory()
        let source = try AugmentCommandTests.prepared(dir)
        let out = dir.path("images.hdf5")
        let cameras = ["agentview", "robot0_eye_in_hand"]
        let result = try CLI.run([
            "augment", source, "-o", out, "-n", "1", "--execute", "--workers", "1", "--cameras", cameras.joined(separator: ","),
            "--image-size", "32x32",
        ])
        #expect(result.status == 0, "\(result.stderr)")
        #expect(result.stdout.contains("kept 1 successful demos"))

        let reader = try RobomimicReader(path: out)
        #expect(reader.demoNames.count == 1)
        for name in reader.demoNames {
            let demo = try reader.demo(name)
            for camera in cameras {
                for prefix in ["obs", "next_obs"] {
                    let image = try #require(demo.arrays["\(prefix)/\(camera)_image"], "\(name) \(prefix)/\(camera)_image")
                    #expect(image.shape == [demo.length, 32, 32, 3], "\(name) \(prefix)/\(camera)_image")
                    #expect(image.dtypeName == "uint8", "\(name) \(prefix)/\(camera)_image")
                }
            }
        }
        let envArgs = try #require(reader.envArgs).json
        #expect(envArgs.contains(#""camera_names":["agentview","robot0_eye_in_hand"]"#), "\(envArgs)")
        #expect(envArgs.contains(#""camera_heights":32"#) && envArgs.contains(#""camera_widths":32"#), "\(envArgs)")
        #expect(envArgs.contains(#""use_camera_obs":true"#), "\(envArgs)")

        let stats = try #require(try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: out + ".stats.json"))) as? [String: Any])
        let phases = try #require(stats["phase_seconds"] as? [String: Double])
        #expect((phases["render"] ?? 0) > 0, "\(phases)")

        let python = CLI.packageRoot.appendingPathComponent(".cache/robomimic-venv/bin/python")
        try #require(FileManager.default.isExecutableFile(atPath: python.path), "needs \(python.path): run scripts/setup_robomimic.sh")
        let load = try CLI.run(
            [CLI.packageRoot.appendingPathComponent("Demos/verify/robomimic_load.py").path, out, "--image-keys"] + cameras.map { "\($0)_image" },
            executable: python)
        #expect(load.status == 0, "\(load.stdout)\(load.stderr)")
        #expect(load.stdout.contains("image agentview_image: rgb modality, uint8 (10, 32, 32, 3) per sample"), "\(load.stdout)")
        #expect(load.stdout.contains("OK: robomimic SequenceDataset loaded"), "\(load.stdout)")
    }

    /// --cameras without --execute is a usage error; a camera the scene does not have is one error
    /// line naming it and the scene's cameras, and leaves no output.
    @Test func cameraErrors() throws {
        let dir = try TemporaryDirectory()
        let source = try AugmentCommandTests.prepared(dir)
        let kinematic = try CLI.run(["augment", source, "-o", dir.path("kinematic.hdf5"), "-n", "1", "--cameras", "agentview"])
        #expect(kinematic.status == 64, "\(kinematic.stderr)")
        #expect(kinematic.stderr.contains("--cameras"))

        let unknown = try CLI.run(["augment", source, "-o", dir.path("unknown.hdf5"), "-n", "1", "--execute", "--workers", "1", "--cameras", "agentview,topcam"])
        #expect(unknown.status == 65, "\(unknown.stderr)")
        let lines = unknown.stderr.split(separator: "\n")
        #expect(lines.count == 1 && lines.first?.hasPrefix("mimic: error: ") == true, "\(unknown.stderr)")
        #expect(unknown.stderr.contains(#"no camera named "topcam""#), "\(unknown.stderr)")
        #expect(unknown.stderr.contains("agentview") && unknown.stderr.contains("robot0_eye_in_hand") && unknown.stderr.contains("frontview"), "\(unknown.stderr)")
        #expect(dir.contents == ["prepared-lift.hdf5"], "no output and no partial file is left")
    }

    /// The GR1 humanoid end to end: prepare finds both arms of the bundled pot lift, augment
    /// executes with the built-in profile (a coordinated lift) and robosuite's WHOLE_BODY_IK, and
    /// validate confirms what it kept.
    @Test func humanoidPotLiftEndToEnd() throws {
        let dir = try TemporaryDirectory()
        let prepared = dir.path("gr1_prepared.hdf5"), out = dir.path("gr1.hdf5")
        let prepare = try CLI.run(["prepare", CLI.dataset("gr1_two_arm_lift.hdf5"), "-o", prepared])
        #expect(prepare.status == 0, "\(prepare.stderr)")
        #expect(prepare.stdout.contains("end effectors  robot0_right, robot0_left"))
        let result = try CLI.run(["augment", prepared, "-o", out, "-n", "1", "--execute", "--seed", "1", "--max-attempts", "6"])
        #expect(result.status == 0, "\(result.stderr)")
        #expect(result.stdout.contains("kept 1 successful demos"))
        let demo = try RobomimicReader(path: out).demo("demo_0")
        #expect(demo.actions?.rowWidth == 24)
        let info = try #require(try DatagenInfo(demo: demo, file: out))
        #expect(Set(info.endEffectors.map(\.name)) == ["robot0_right", "robot0_left"])
        #expect(info.endEffectors[0].gripperAction.rowWidth == 6)
        // Every observation key of the source, the 14 arm joints and both hands' 11 included.
        let source = try RobomimicReader(path: CLI.dataset("gr1_two_arm_lift.hdf5")).demo("demo_0")
        #expect(demo.obsKeys == source.obsKeys)
        #expect(demo.obs("robot0_joint_pos")?.rowWidth == 14 && demo.obs("robot0_left_gripper_qpos")?.rowWidth == 11)
        let check = try CLI.run(["validate", out, "--json"])
        #expect(check.status == 0, "\(check.stderr)")
        let report = try #require(try JSONSerialization.jsonObject(with: Data(check.stdout.utf8)) as? [String: Any])
        #expect(report["successes"] as? Int == 1)
    }

    /// Isaac Lab's layout round trip: demos executed from the prepared GR1 pot lift and written in
    /// Isaac Lab's layout are sources again, kinematic and executed (they carry MuJoCo states and
    /// model_file), and prepare takes their annotation over.
    @Test func isaacLabOutputIsASourceAgain() throws {
        let dir = try TemporaryDirectory()
        let prepared = dir.path("gr1_prepared.hdf5"), isaac = dir.path("gr1_isaac.hdf5")
        #expect(try CLI.run(["prepare", CLI.dataset("gr1_two_arm_lift.hdf5"), "-o", prepared]).status == 0)
        let first = try CLI.run(["augment", prepared, "-o", isaac, "-n", "2", "--execute", "--format", "isaaclab", "--seed", "1", "--max-attempts", "10"])
        #expect(first.status == 0, "\(first.stderr)")
        #expect(try RobomimicReader(path: isaac).format == .isaacLab)

        let kinematic = try CLI.run(["augment", isaac, "-o", dir.path("kinematic.hdf5"), "-n", "3"])
        #expect(kinematic.status == 0, "\(kinematic.stderr)")
        #expect(try RobomimicReader(path: dir.path("kinematic.hdf5")).demoNames.count == 3)
        let executed = try CLI.run(["augment", isaac, "-o", dir.path("executed.hdf5"), "-n", "1", "--execute", "--seed", "1", "--max-attempts", "6"])
        #expect(executed.status == 0, "\(executed.stderr)")
        #expect(executed.stdout.contains("kept 1 successful demos"))

        let again = dir.path("again.hdf5")
        let prepare = try CLI.run(["prepare", isaac, "-o", again])
        #expect(prepare.status == 0, "\(prepare.stderr)")
        #expect(prepare.stdout.contains("took over the Isaac Lab annotation"))
        let reader = try RobomimicReader(path: again), source = try RobomimicReader(path: isaac)
        #expect(reader.format == .robomimicDatagen)
        let demo = try reader.demo("demo_0"), info = try #require(try DatagenInfo(demo: demo, file: again))
        let original = try #require(try DatagenInfo(demo: try source.demo("demo_0"), file: isaac))
        #expect(info.endEffectors.map(\.eefPose) == original.endEffectors.map(\.eefPose))
        #expect(info.subtaskTermSignals == original.subtaskTermSignals)
        #expect(info.endEffectors.map(\.gripperAction.rowWidth) == [6, 6])
        #expect(try CLI.run(["augment", again, "-o", dir.path("from_prepared.hdf5"), "-n", "2"]).status == 0)
    }
}
