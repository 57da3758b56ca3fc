import Foundation
import Testing
import MimicCore
import MimicHDF5

@Suite struct ExportCommandTests {
    /// Walks two HDF5 files with h5py and prints `same` when every group, dataset (shape, dtype,
    /// values, compression and shuffle) and attribute is equal, else the first difference.
    static let compare = """
        import h5py, numpy as np, sys
        def walk(f):
            out = {}
            f.visititems(lambda n, o: out.__setitem__(n, o))
            return out
        def attrs(o):
            return {k: (v.tolist() if isinstance(v, np.ndarray) else v) for k, v in o.attrs.items()}
        a, b = h5py.File(sys.argv[1], "r"), h5py.File(sys.argv[2], "r")
        wa, wb = walk(a), walk(b)
        if wa.keys() != wb.keys(): sys.exit(f"paths differ: {sorted(wa.keys() ^ wb.keys())[:5]}")
        if attrs(a) != attrs(b): sys.exit("root attributes differ")
        for n in wa:
            x, y = wa[n], wb[n]
            if attrs(x) != attrs(y): sys.exit(f"{n}: attributes differ")
            if isinstance(x, h5py.Dataset):
                if (x.shape, x.dtype, x.compression, x.compression_opts, x.shuffle) != (y.shape, y.dtype, y.compression, y.compression_opts, y.shuffle):
                    sys.exit(f"{n}: storage differs")
                if not np.array_equal(x[()], y[()]): sys.exit(f"{n}: values differ")
        print("same", len(wa))
        """

    static func python(_ arguments: [String]) throws -> CLI.Output {
        try CLI.run(["python3"] + arguments, executable: URL(fileURLWithPath: "/usr/bin/env"))
    }

    /// augment's robomimic output, exported, is what `augment --format isaaclab` writes for the
    /// same run: kept demos (success true) and --keep-failed ones (success false) alike (seed 4:
    /// attempt 0 fails, attempt 1 is kept, whatever the number of workers).
    @Test func exportEqualsAugmentsIsaacLabOutput() throws {
        let dir = try TemporaryDirectory()
        let prepared = try AugmentCommandTests.prepared(dir, "two_arm_handover.hdf5")
        for format in ["robomimic", "isaaclab"] {
            let run = try CLI.run([
                "augment", prepared, "-o", dir.path("\(format).hdf5"), "--keep-failed", dir.path("\(format)_failed.hdf5"), "--format", format,
                "-n", "1", "--execute", "--seed", "4", "--max-attempts", "2",
            ])
            #expect(run.status == 0, "\(run.stderr)")
        }
        for name in ["", "_failed"] {
            let exported = dir.path("exported\(name).hdf5"), source = dir.path("robomimic\(name).hdf5")
            let before = try Data(contentsOf: URL(fileURLWithPath: source))
            let export = try CLI.run(["export", source, "--to", "isaaclab", "-o", exported])
            #expect(export.status == 0, "\(export.stderr)")
            #expect(export.stdout.hasPrefix("exported ") && export.stdout.contains("in Isaac Lab's layout -> \(exported)"))
            #expect(try Data(contentsOf: URL(fileURLWithPath: source)) == before)
            let same = try Self.python(["-c", Self.compare, exported, dir.path("isaaclab\(name).hdf5")])
            #expect(same.stdout.hasPrefix("same"), "\(name): \(same.stderr)")
            let reader = try RobomimicReader(path: exported)
            #expect(reader.format == .isaacLab)
            let successes = try reader.demoNames.map { try reader.demo($0).attributes["success"] }
            #expect(!successes.isEmpty && successes.allSatisfy { $0 == .bool(name.isEmpty) }, "\(name)")
        }
    }

    /// A file already in Isaac Lab's layout is one line naming it, exit 65, and no output.
    @Test func refusesAFileInIsaacLabsLayout() throws {
        let dir = try TemporaryDirectory()
        let prepared = try AugmentCommandTests.prepared(dir)
        let isaac = dir.path("isaac.hdf5")
        #expect(try CLI.run(["augment", prepared, "-o", isaac, "-n", "2", "--format", "isaaclab"]).status == 0)
        let result = try CLI.run(["export", isaac, "--to", "isaaclab", "-o", dir.path("again.hdf5")])
        #expect(result.status == 65)
        #expect(result.stderr == "mimic: error: \(isaac): /data/demo_0: is already in Isaac Lab's layout; export reads the robomimic layout\n")
        #expect(!FileManager.default.fileExists(atPath: dir.path("again.hdf5")))
    }

    @Test func refusesToOverwriteItsInput() throws {
        let dir = try TemporaryDirectory()
        let prepared = try AugmentCommandTests.prepared(dir)
        let result = try CLI.run(["export", prepared, "--to", "isaaclab", "-o", prepared])
        #expect(result.status == 64)
        #expect(result.stderr.contains("is the input file"))
    }

    // MARK: --to lerobot

    /// The python of scripts/setup_lerobot.sh's venv, with lerobot 0.3.3, or the test stops naming the script.
    static func lerobotPython() throws -> URL {
        let python = CLI.packageRoot.appendingPathComponent(".cache/lerobot-venv/bin/python")
        try #require(FileManager.default.isExecutableFile(atPath: python.path), "needs \(python.path): run scripts/setup_lerobot.sh")
        return python
    }

    static let lerobotLoad = CLI.packageRoot.appendingPathComponent("Demos/verify/lerobot_load.py").path

    /// The first `demos` demos of Datasets/lift.hdf5 without next_obs, with two cameras of 84 × 84
    /// frames (smooth patterns, darker at the bottom of the picture, as robosuite stores them:
    /// bottom row first).
    static func liftWithCameras(_ path: String, demos: Int) throws {
        let reader = try RobomimicReader(path: CLI.dataset("lift.hdf5"))
        var out: [Demo] = []
        for name in reader.demoNames.prefix(demos) {
            var demo = try reader.demo(name)
            demo.arrays = demo.arrays.filter { !$0.key.hasPrefix("next_obs/") }
            let steps = demo.length, side = 84
            for (k, camera) in ["agentview", "robot0_eye_in_hand"].enumerated() {
                var pixels = [UInt8](repeating: 0, count: steps * side * side * 3)
                for t in 0..<steps {
                    for y in 0..<side {
                        for x in 0..<side {
                            for c in 0..<3 {
                                let wave = 127 + 60 * sin(Double(x) / 9 + Double(t) / 6 + Double(c + k)) + 60 * cos(Double(y) / 13 - Double(c))
                                pixels[((t * side + y) * side + x) * 3 + c] = UInt8(wave * (0.5 + 0.5 * Double(y) / Double(side)))
                            }
                        }
                    }
                }
                demo.arrays["obs/\(camera)_image"] = Tensor(shape: [steps, side, side, 3], storage: .uint8(pixels))
            }
            out.append(demo)
        }
        try writeDataset(path, demos: out, envArgs: reader.envArgs?.json)
    }

    /// Two Lift demos with two cameras: LeRobotDataset (lerobot 0.3.3, pyav) reads every frame;
    /// state slices and actions equal the source's, decoded frames are the source's turned
    /// upright within H.264's loss; modality.json passes GR00T's schema. The source is unchanged,
    /// nothing but the output is left beside it, and a second export into the same, now
    /// non-empty, directory is one line and exit 74.
    @Test func lerobotWithCamerasLoadsInLeRobot() throws {
        let python = try Self.lerobotPython()
        let dir = try TemporaryDirectory()
        let source = dir.path("lift_cameras.hdf5"), out = dir.path("lerobot")
        try Self.liftWithCameras(source, demos: 2)
        let before = try Data(contentsOf: URL(fileURLWithPath: source))
        let export = try CLI.run(["export", source, "--to", "lerobot", "-o", out, "--task", "lift the red cube", "--fps", "20"])
        #expect(export.status == 0, "\(export.stderr)")
        #expect(export.stdout.hasPrefix("exported 2 episodes (") && export.stdout.contains(" frames, 4 videos) in LeRobot v2.1's layout -> \(out)"))
        #expect(try Data(contentsOf: URL(fileURLWithPath: source)) == before)
        #expect(dir.contents == ["lerobot", "lift_cameras.hdf5"])
        let check = try CLI.run([Self.lerobotLoad, out, "--source", source, "--frames", "0"], executable: python, timeout: 300)
        #expect(check.status == 0 && check.stdout.hasSuffix("OK\n"), "\(check.stdout)\n\(check.stderr)")
        #expect(check.stdout.contains("observation.images.agentview: mean abs diff"), "\(check.stdout)")
        let tasks = try String(contentsOfFile: out + "/meta/tasks.jsonl", encoding: .utf8)
        #expect(tasks.hasPrefix("{\"task_index\": 0, \"task\": \"lift the red cube\"}\n"))

        let again = try CLI.run(["export", source, "--to", "lerobot", "-o", out])
        #expect(again.status == 74)
        #expect(again.stderr == "mimic: error: \(out): /: exists and is not an empty directory; export writes a new directory (remove it or name another)\n")
    }

    /// The GR1 (no cameras): modality.json slices the state per arm and hand and the action per
    /// arm pose (absolute axis-angle) and per hand (6 commands each); LeRobotDataset reads it.
    @Test func lerobotGR1WithoutCameras() throws {
        let python = try Self.lerobotPython()
        let dir = try TemporaryDirectory()
        let source = CLI.dataset("gr1_two_arm_handover.hdf5"), out = dir.path("gr1")
        let export = try CLI.run(["export", source, "--to", "lerobot", "-o", out])
        #expect(export.status == 0, "\(export.stderr)")
        #expect(export.stdout.contains(" 0 videos) in LeRobot v2.1's layout"))
        let modality = try #require(
            try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: out + "/meta/modality.json"))) as? [String: [String: [String: Any]]])
        let action = try #require(modality["action"])
        for arm in ["right", "left"] {
            #expect(action["robot0_\(arm)_eef_rot"]?["rotation_type"] as? String == "axis_angle" && action["robot0_\(arm)_eef_rot"]?["absolute"] as? Bool == true)
            let hand = try #require(action["robot0_\(arm)_gripper"])
            #expect((hand["end"] as? Int ?? 0) - (hand["start"] as? Int ?? 0) == 6)
            #expect(modality["state"]?["robot0_\(arm)_eef_quat"]?["rotation_type"] as? String == "quaternion")
            #expect(modality["state"]?["robot0_\(arm)_gripper_qpos"] != nil)
        }
        #expect(modality["video"]?.isEmpty == true)
        #expect(!FileManager.default.fileExists(atPath: out + "/videos"))
        let check = try CLI.run([Self.lerobotLoad, out, "--source", source], executable: python, timeout: 300)
        #expect(check.status == 0 && check.stdout.hasSuffix("OK\n"), "\(check.stdout)\n\(check.stderr)")
    }

    /// A demo unlike the first is one line naming the file, the HDF5 path and the expectation,
    /// exit 65, and no output directory or partial directory is left.
    @Test func lerobotRefusesADemoUnlikeTheFirst() throws {
        let dir = try TemporaryDirectory()
        let reader = try RobomimicReader(path: CLI.dataset("lift.hdf5"))
        var demos = try reader.demoNames.prefix(2).map { try reader.demo($0) }
        demos[1].arrays["obs/robot0_gripper_qpos"] = Tensor(shape: [demos[1].length, 1], float64: Array(repeating: 0, count: demos[1].length))
        let source = dir.path("bad.hdf5")
        try writeDataset(source, demos: demos, envArgs: reader.envArgs?.json)
        let result = try CLI.run(["export", source, "--to", "lerobot", "-o", dir.path("out")])
        #expect(result.status == 65)
        #expect(
            result.stderr == "mimic: error: \(source): /data/demo_1/obs/robot0_gripper_qpos: is [\(demos[1].length), 1], expected (\(demos[1].length), 2) like the first demo\n")
        #expect(dir.contents == ["bad.hdf5"])
    }
}
