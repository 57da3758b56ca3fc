import Foundation
import MimicCore
import MimicHDF5

/// Runs the built `mimic` executable and collects what it printed.
enum CLI {
    struct Output {
        var status: Int32
        var stdout: String
        var stderr: String
        /// The signal that ended the process, if one did (then `status` is meaningless).
        var signal: Int32?
        /// Whether the process was killed for running longer than the timeout.
        var timedOut = false
    }

    /// The `mimic` binary next to the test bundle (SwiftPM puts both in the products directory).
    static let binary: URL = {
        let runner = URL(fileURLWithPath: CommandLine.arguments[0]).resolvingSymlinksInPath()
        var dir = runner.deletingLastPathComponent()
        for _ in 0..<4 {
            let candidate = dir.appendingPathComponent("mimic")
            if FileManager.default.isExecutableFile(atPath: candidate.path) { return candidate }
            dir = dir.deletingLastPathComponent()
        }
        return packageRoot.appendingPathComponent(".build/debug/mimic")
    }()

    static let packageRoot = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()

    static func dataset(_ name: String) -> String { packageRoot.appendingPathComponent("Datasets/\(name)").path }

    /// Starts `mimic` with `arguments` in the background, what it prints thrown away: for tests
    /// that watch or kill a run.
    static func start(_ arguments: [String]) throws -> Process {
        let process = Process()
        process.executableURL = binary
        process.arguments = arguments
        process.standardOutput = FileHandle.nullDevice
        process.standardError = FileHandle.nullDevice
        try process.run()
        return process
    }

    /// Runs `mimic` (or `executable`) with `arguments` and collects what it printed.
    ///
    /// - Parameters:
    ///   - timeout: seconds after which the process is killed (SIGKILL) and `timedOut` is set.
    ///   - addressSpaceLimit: bytes of address space the process may map (`ulimit -v`, through
    ///     `/bin/sh`, which `exec`s the program): an allocation beyond it fails.
    static func run(
        _ arguments: [String], executable: URL = binary, timeout: TimeInterval? = nil,
        addressSpaceLimit: Int? = nil
    ) throws -> Output {
        let process = Process()
        if let addressSpaceLimit {
            process.executableURL = URL(fileURLWithPath: "/bin/sh")
            process.arguments = ["-c", "ulimit -v \(addressSpaceLimit / 1024) && exec \"$0\" \"$@\"", executable.path] + arguments
        } else {
            process.executableURL = executable
            process.arguments = arguments
        }
        let out = Pipe(), err = Pipe()
        process.standardOutput = out
        process.standardError = err
        try process.run()
        let timedOut = Flag(), finished = Flag()
        if let timeout {
            let pid = process.processIdentifier
            DispatchQueue.global().asyncAfter(deadline: .now() + timeout) {
                if !finished.isSet {
                    timedOut.set()
                    kill(pid, SIGKILL)
                }
            }
        }
        // Read both pipes to their ends at once: a child that fills one while the other is being
        // read would otherwise block forever.
        let errData = Box<Data>()
        let errHandle = err.fileHandleForReading
        let reader = DispatchGroup()
        DispatchQueue.global().async(group: reader) { errData.value = errHandle.readDataToEndOfFile() }
        let outData = out.fileHandleForReading.readDataToEndOfFile()
        reader.wait()
        process.waitUntilExit()
        finished.set()
        let signaled = process.terminationReason == .uncaughtSignal
        return Output(
            status: signaled ? -1 : process.terminationStatus, stdout: String(decoding: outData, as: UTF8.self),
            stderr: String(decoding: errData.value ?? Data(), as: UTF8.self),
            signal: signaled ? process.terminationStatus : nil, timedOut: timedOut.isSet)
    }

    /// A value one thread writes and another reads after synchronizing (a DispatchGroup wait).
    final class Box<T>: @unchecked Sendable {
        var value: T?
    }

    /// A flag set from one thread and read from another.
    final class Flag: @unchecked Sendable {
        private let lock = NSLock()
        private var value = false
        func set() { lock.withLock { value = true } }
        var isSet: Bool { lock.withLock { value } }
    }
}

/// A fresh temporary directory, removed when the value is deinitialized.
final class TemporaryDirectory {
    let url: URL
    init() throws {
        url = FileManager.default.temporaryDirectory.appendingPathComponent("mimic-tests-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
    }
    deinit { try? FileManager.default.removeItem(at: url) }
    func path(_ name: String) -> String { url.appendingPathComponent(name).path }
    var contents: [String] { (try? FileManager.default.contentsOfDirectory(atPath: url.path))?.sorted() ?? [] }
}

/// Writes a small robomimic file from demos built in memory (for bad-input cases).
func writeDataset(_ path: String, demos: [Demo], envArgs: String? = nil) throws {
    var attributes: [String: AttributeValue] = [:]
    if let envArgs { attributes["env_args"] = .string(envArgs) }
    let writer = try RobomimicWriter(destination: path, dataAttributes: attributes)
    for demo in demos { try writer.write(demo) }
    try writer.finish(masks: [:])
}

/// Small copies of the bundled Lift dataset for the damaged-input and fuzz tests.
enum LiftCut {
    /// Writes the first `demos` demos of Datasets/lift.hdf5 to `raw` through MimicHDF5, without
    /// `next_obs` (half the datasets, as fast to read as can be) and all with the first demo's
    /// scene with its meshes and textures left out (MuJoCo then compiles it in milliseconds, not
    /// a second, and once for all demos; their states restore in it), and prepares it with
    /// `mimic prepare` into the returned path beside it.
    static func prepared(in dir: TemporaryDirectory, demos: Int = 2) throws -> String {
        let reader = try RobomimicReader(path: CLI.dataset("lift.hdf5"))
        let raw = dir.path("lift_cut_raw.hdf5"), prepared = dir.path("lift_cut.hdf5")
        var attributes = reader.dataAttributes
        attributes["total"] = nil
        let writer = try RobomimicWriter(destination: raw, dataAttributes: attributes)
        let names = Array(reader.demoNames.prefix(demos))
        let scene = try reader.demo(names[0]).modelXML.map { AttributeValue.string(withoutMeshes($0)) }
        for name in names {
            var demo = try reader.demo(name)
            demo.attributes["model_file"] = scene
            demo.arrays = demo.arrays.filter { !$0.key.hasPrefix("next_obs/") }
            try writer.write(demo)
        }
        try writer.finish(masks: ["train": Array(names.dropLast()), "valid": Array(names.suffix(1))])
        let result = try CLI.run(["prepare", raw, "-o", prepared])
        guard result.status == 0 else { throw DatasetError(file: raw, path: "/", "prepare failed: \(result.stderr)") }
        try FileManager.default.removeItem(atPath: raw)
        return prepared
    }

    /// robosuite's MJCF without mesh and texture files: mesh geoms become 1 cm spheres.
    static func withoutMeshes(_ xml: String) -> String {
        xml.replacing(#/<(mesh|texture) [^>]*/>/#, with: "")
            .replacing(#/type="mesh"/#, with: #"type="sphere" size="0.01""#)
            .replacing(#/ (mesh|texture)="[^"]*"/#, with: "")
    }
}

/// One run of a command on a possibly damaged input, and what must hold of it.
struct CommandRun {
    var name: String
    var arguments: [String]
    /// The files the command writes into its output directory when it succeeds.
    var outputs: [String]

    /// inspect, prepare, augment (kinematic, 2 demos) and validate (recorded states, with -o) on
    /// `file`, each writing into `out`; every run uses one worker.
    static func all(on file: String, out: URL, json: Bool = false) -> [CommandRun] {
        let o = { (name: String) in out.appendingPathComponent(name).path }
        return [
            CommandRun(name: "inspect", arguments: ["inspect", file] + (json ? ["--json"] : []), outputs: []),
            CommandRun(name: "prepare", arguments: ["prepare", file, "-o", o("p.hdf5")], outputs: ["p.hdf5"]),
            CommandRun(
                name: "augment", arguments: ["augment", file, "-o", o("a.hdf5"), "-n", "2", "--workers", "1", "--seed", "1"],
                outputs: ["a.hdf5", "a.hdf5.stats.json"]),
            CommandRun(
                name: "validate", arguments: ["validate", file, "--mode", "states", "-o", o("v.hdf5"), "--workers", "1"],
                outputs: ["v.hdf5"]),
        ]
    }

    /// What is wrong with `result`, a run of this command whose output directory is `out`: a
    /// signal, a timeout, an exit code other than 0, 65 or 74, anything but exactly one
    /// `mimic: error:` line on failure (and none on success), a backtrace, files left behind by
    /// a failure (hidden partial files included), or an output that does not read back.
    func problems(_ result: CLI.Output, out: URL) -> [String] {
        var problems: [String] = []
        if result.timedOut { problems.append("timed out") }
        if let signal = result.signal { problems.append("died of signal \(signal)") }
        let lines = result.stderr.split(separator: "\n", omittingEmptySubsequences: true)
        let errors = lines.filter { $0.hasPrefix("mimic: error: ") }
        if result.stderr.contains("Fatal error") || result.stderr.contains("Backtrac") || result.stderr.contains("Program crashed") {
            problems.append("printed a crash report")
        }
        let files = ((try? FileManager.default.contentsOfDirectory(atPath: out.path)) ?? []).sorted()
        switch result.status {
        case 0:
            if !errors.isEmpty { problems.append("exit 0 with an error line") }
            if files != outputs.sorted() { problems.append("exit 0 left \(files), expected \(outputs.sorted())") }
            for name in outputs where name.hasSuffix(".hdf5") && files.contains(name) {
                if let problem = Self.unreadable(out.appendingPathComponent(name).path) { problems.append("output \(name): \(problem)") }
            }
        case 65, 74:
            if errors.count != 1 { problems.append("\(errors.count) error lines, expected one") }
            if !files.isEmpty { problems.append("exit \(result.status) left \(files)") }
        default:
            if result.signal == nil { problems.append("exit \(result.status)") }
        }
        return problems
    }

    /// Why the file at `path` is not a valid robomimic file Mimic reads back, or nil.
    static func unreadable(_ path: String) -> String? {
        do {
            let reader = try RobomimicReader(path: path)
            guard !reader.demoNames.isEmpty else { return "no demos" }
            for name in reader.demoNames { _ = try reader.demo(name) }
            return nil
        } catch {
            return "\(error)"
        }
    }
}

/// A file in the shape Isaac Lab's `HDF5DatasetFileHandler` writes after Isaac Lab Mimic's
/// annotation, written with h5py as Isaac Lab does (gzip, numpy bools, float32): two GR1T2-style
/// demos with 36-D actions (left pos + quat w,x,y,z, right pos + quat, 22 hand joints), `states`
/// and `initial_state` as Isaac Sim's articulation / rigid-object trees, no MuJoCo scene, and
/// env_args of type 2. The left hand reaches `object` and lifts it; the hand columns differ at
/// every step of every demo.
enum IsaacLabFixture {
    /// What can be broken: `target` drops target_eef_pose/right, `shape` stores object_pose/object as (T, 16).
    enum Damage: String, CaseIterable { case none, target, shape }

    static let steps = 40

    /// The action columns, as a `--task` spec gives them.
    static let task = """
        {"action": {"convention": "absoluteWXYZ"},
         "endEffectors": [
          {"name": "left", "poseColumns": [0, 7], "gripperColumns": [14, 25],
           "subtasks": [{"object": "object", "endSignal": "grasp_left"}, {"object": "object"}]},
          {"name": "right", "poseColumns": [7, 14], "gripperColumns": [25, 36], "subtasks": [{"object": null}]}]}
        """

    /// Writes the file to `path` and the task spec beside it; returns the spec's path.
    @discardableResult
    static func write(_ path: String, damage: Damage = .none) throws -> String {
        let result = try CLI.run(["python3", "-c", script, path, damage.rawValue], executable: URL(fileURLWithPath: "/usr/bin/env"))
        guard result.status == 0 else { throw DatasetError(file: path, path: "/", "the Isaac Lab fixture needs python3 with h5py and numpy: \(result.stderr)") }
        let spec = path + ".task.json"
        try task.write(toFile: spec, atomically: true, encoding: .utf8)
        return spec
    }

    static let script = """
        import h5py, json, sys
        import numpy as np
        path, damage = sys.argv[1], sys.argv[2]
        T, G = \(steps), 20

        def pose(p, yaw):
            m = np.eye(4, dtype=np.float32)
            m[:3, :3] = [[np.cos(yaw), -np.sin(yaw), 0], [np.sin(yaw), np.cos(yaw), 0], [0, 0, 1]]
            m[:3, 3] = p
            return m

        def write(group, key, value):  # HDF5DatasetFileHandler.write_episode: dicts are groups
            if isinstance(value, dict):
                sub = group.create_group(key)
                for k, v in value.items():
                    write(sub, k, v)
            else:
                group.create_dataset(key, data=value, compression="gzip")

        def robot(n):
            return {k: np.zeros((n, w), np.float32) for k, w in
                    [("joint_position", 54), ("joint_velocity", 54), ("root_pose", 7), ("root_velocity", 6)]}

        def body(n):
            return {"root_pose": np.zeros((n, 7), np.float32), "root_velocity": np.zeros((n, 6), np.float32)}

        f = h5py.File(path, "w")
        data = f.create_group("data")
        data.attrs["total"] = 0
        data.attrs["env_args"] = json.dumps({"env_name": "Isaac-PickPlace-GR1T2-Abs-v0", "type": 2})
        for d in range(2):
            obj, yaw = np.array([0.3 + 0.05 * d, 0.1 * d, 1.0]), 0.1 * d
            left, right = np.array([0.1, 0.3, 1.2]), np.array([0.1, -0.3, 1.2])
            eef, objects = {"left": [], "right": []}, []
            for s in range(T + 1):
                p = left + min(s, G) / G * (obj - left) + [0, 0, 0.01 * max(0, s - G)]
                eef["left"].append(pose(p, yaw))
                eef["right"].append(pose(right + [0.001 * s, 0, 0], 0))
                objects.append(pose(obj if s <= G else p, yaw))
            actions = np.zeros((T, 36), dtype=np.float32)
            for s in range(T):
                actions[s, 0:3], actions[s, 3:7] = eef["left"][s + 1][:3, 3], [np.cos(yaw / 2), 0, 0, np.sin(yaw / 2)]
                actions[s, 7:10], actions[s, 10:14] = eef["right"][s + 1][:3, 3], [1, 0, 0, 0]
                actions[s, 14:36] = 100 * d + s + 0.01 * np.arange(22)
            info = {
                "eef_pose": {k: np.stack(v[:T]) for k, v in eef.items()},
                "target_eef_pose": {k: np.stack(v[1:]) for k, v in eef.items()},
                "object_pose": {"object": np.stack(objects[:T])},
                "subtask_term_signals": {"grasp_left": np.arange(T) >= G, "idle_right": np.zeros(T, dtype=bool)},
            }
            if damage == "target":
                del info["target_eef_pose"]["right"]
            if damage == "shape":
                info["object_pose"]["object"] = info["object_pose"]["object"].reshape(T, 16)
            demo = data.create_group(f"demo_{d}")
            demo.attrs["num_samples"], demo.attrs["seed"], demo.attrs["success"] = T, d, True
            write(demo, "actions", actions)
            write(demo, "obs", {"left_eef_pos": actions[:, 0:3], "robot_joint_pos": np.zeros((T, 54), np.float32), "datagen_info": info})
            write(demo, "initial_state", {"articulation": {"robot": robot(1)}, "rigid_object": {"object": body(1)}})
            write(demo, "states", {"articulation": {"robot": robot(T)}, "rigid_object": {"object": body(T)}})
            data.attrs["total"] += T
        f.close()
        """
}
