import Foundation
import Testing
import MimicCore
import MimicHDF5
import MimicMath

@Suite struct PrepareCommandTests {
    static func sha(_ path: String) throws -> Data {
        // Content equality is enough to show the input was not modified.
        try Data(contentsOf: URL(fileURLWithPath: path))
    }

    @Test func preparesLiftWithoutTouchingTheSource() throws {
        let dir = try TemporaryDirectory()
        let source = CLI.dataset("lift.hdf5"), out = dir.path("prepared.hdf5")
        let before = try Self.sha(source)
        let result = try CLI.run(["prepare", source, "-o", out])
        #expect(result.status == 0, "\(result.stderr)")
        #expect(result.stdout.contains("prepared 10 demos"))
        #expect(try Self.sha(source) == before)
        #expect(dir.contents == ["prepared.hdf5"])  // no temporary file left behind

        let reader = try RobomimicReader(path: out)
        let original = try RobomimicReader(path: source)
        #expect(reader.demoNames == original.demoNames)
        #expect(reader.masks == original.masks)
        for name in reader.demoNames {
            let demo = try reader.demo(name), src = try original.demo(name)
            // Everything the source had is passed through unchanged.
            for (path, tensor) in src.arrays { #expect(demo.arrays[path] == tensor, "\(name)/\(path)") }
            #expect(demo.modelXML == src.modelXML)
            let info = try #require(try DatagenInfo(demo: demo, file: out))
            let eef = info.endEffectors[0]
            let pos = src.obs("robot0_eef_pos")!.doubles
            for t in 0..<demo.length {
                #expect(simd3Distance(eef.eefPose[t].position, SIMD3(pos[3 * t], pos[3 * t + 1], pos[3 * t + 2])) < 1e-12)
            }
            // The commanded target stays near the next measured pose (the controller tracks it).
            var worst = 0.0
            for t in 0..<(demo.length - 1) { worst = max(worst, simd3Distance(eef.targetPose[t].position, eef.eefPose[t + 1].position)) }
            #expect(worst < 0.05)
            #expect(info.subtaskTermSignals["grasp"].flatMap(DatagenInfo.firstRise) != nil)
            #expect(demo.groupAttributes["datagen_info"]?["env_interface_name"] == .string("MG_Lift"))
        }
    }

    @Test func outputLoadsInH5py() throws {
        let dir = try TemporaryDirectory()
        let out = dir.path("prepared.hdf5")
        #expect(try CLI.run(["prepare", CLI.dataset("lift.hdf5"), "-o", out]).status == 0)
        let script = """
            import h5py, json, sys
            f = h5py.File(sys.argv[1], "r")
            demos = sorted(f["data"].keys(), key=lambda n: int(n[5:]))
            assert f["data"].attrs["total"] == sum(f["data"][d].attrs["num_samples"] for d in demos)
            json.loads(f["data"].attrs["env_args"])
            d = f["data"][demos[0]]
            assert d["datagen_info/eef_pose"].shape == (d.attrs["num_samples"], 4, 4)
            assert [m.decode() for m in f["mask/train"][:]]
            print("ok", len(demos))
            """
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = ["python3", "-c", script, out]
        let pipe = Pipe()
        process.standardOutput = pipe
        try process.run()
        let text = String(decoding: pipe.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        process.waitUntilExit()
        #expect(process.terminationStatus == 0)
        #expect(text.hasPrefix("ok 10"))
    }

    /// An annotated Isaac Lab file: the annotation becomes MimicGen's datagen_info, gripper_action
    /// the actions' hand columns; everything else is copied.
    @Test func takesAnIsaacLabAnnotationOver() throws {
        let dir = try TemporaryDirectory()
        let source = dir.path("isaac.hdf5"), out = dir.path("prepared.hdf5")
        let task = try IsaacLabFixture.write(source)
        let result = try CLI.run(["prepare", source, "-o", out, "--task", task])
        #expect(result.status == 0, "\(result.stderr)")
        #expect(result.stdout.contains("took over the Isaac Lab annotation (obs/datagen_info) as datagen_info"))
        #expect(result.stdout.contains("end effectors  left, right"))
        let reader = try RobomimicReader(path: out), original = try RobomimicReader(path: source)
        #expect(reader.format == .robomimicDatagen)
        for name in original.demoNames {
            let demo = try reader.demo(name), src = try original.demo(name)
            let info = try #require(try DatagenInfo(demo: demo, file: out))
            #expect(info.origin == .mimicGen)
            #expect(info.endEffectors[0].gripperAction.doubles == (0..<src.length).flatMap { t in (14..<25).map { src.actions!.doubles[t * 36 + $0] } })
            #expect(info.subtaskTermSignals["grasp_left"] == (0..<src.length).map { $0 >= 20 ? 1 : 0 })
            #expect(!demo.arrays.keys.contains { $0.hasPrefix("obs/datagen_info/") })
            for (path, tensor) in src.arrays where !path.hasPrefix("obs/datagen_info/") { #expect(demo.arrays[path] == tensor, "\(path)") }
        }
        let augment = try CLI.run(["augment", out, "-o", dir.path("gen.hdf5"), "-n", "2", "--task", task])
        #expect(augment.status == 0, "\(augment.stderr)")

        let annotations = dir.path("marks.json")
        try #"{"demo_0": {"grasp": 3}}"#.write(toFile: annotations, atomically: true, encoding: .utf8)
        #expect(try CLI.run(["prepare", source, "-o", dir.path("never.hdf5"), "--task", task, "--annotations", annotations]).status == 64)
        let missing = try CLI.run(["prepare", source, "-o", dir.path("never.hdf5")])
        #expect(missing.status == 65)
        #expect(missing.stderr.contains("/data/demo_0/actions: has no known column layout"))
    }

    @Test func unwritableOutputIsAnIOErrorNamingIt() throws {
        let result = try CLI.run(["prepare", CLI.dataset("lift.hdf5"), "-o", "/nonexistent-dir/out.hdf5"])
        #expect(result.status == 74)
        #expect(result.stderr.hasPrefix("mimic: error: /nonexistent-dir/out.hdf5: "))
    }

    @Test func refusesToWriteOverItsInput() throws {
        let source = CLI.dataset("lift.hdf5")
        let result = try CLI.run(["prepare", source, "-o", source])
        #expect(result.status == 64)
    }

    /// Each bad input gives exit 65 (74 for I/O), one line naming the file and the path, and no output file.
    @Test(arguments: BadInput.allCases)
    func badInputIsReportedAndWritesNothing(_ bad: BadInput) throws {
        let dir = try TemporaryDirectory()
        let input = try bad.make(in: dir)
        var args = ["prepare", input.source, "-o", dir.path("out.hdf5")]
        if let task = input.task { args += ["--task", task] }
        let before = dir.contents
        let result = try CLI.run(args)
        #expect(result.status == bad.exitCode, "\(bad): \(result.stderr)")
        let lines = result.stderr.split(separator: "\n")
        #expect(lines.count == 1, "\(bad): \(result.stderr)")
        #expect(result.stderr.contains(input.named), "\(bad): \(result.stderr)")
        #expect(result.stderr.contains(bad.path), "\(bad): \(result.stderr)")
        #expect(dir.contents == before, "\(bad) left \(dir.contents)")
    }
}

func simd3Distance(_ a: SIMD3<Double>, _ b: SIMD3<Double>) -> Double { ((a - b) * (a - b)).sum().squareRoot() }

enum BadInput: String, CaseIterable, CustomTestStringConvertible {
    case missingFile, notHDF5, truncated, noDataGroup, differentLengths, nanPose, nonUnitQuaternion, zeroLength, integerActions, unknownSpecKey

    var testDescription: String { rawValue }

    var exitCode: Int32 { self == .missingFile ? 74 : 65 }

    /// The HDF5 path (or JSON key) the message must name.
    var path: String {
        switch self {
        case .missingFile, .notHDF5, .truncated: return "/"
        case .noDataGroup: return "/data"
        case .differentLengths: return "/data/demo_0/obs/robot0_eef_pos"
        case .nanPose: return "/data/demo_0/obs/cube_pos"
        case .nonUnitQuaternion: return "/data/demo_0/obs/robot0_eef_quat"
        case .zeroLength: return "/data/demo_0/actions"
        case .integerActions: return "/data/demo_0/actions"
        case .unknownSpecKey: return "endEffector"
        }
    }

    struct Made { var source: String; var task: String?; var named: String }

    func make(in dir: TemporaryDirectory) throws -> Made {
        let source = dir.path("in.hdf5")
        let lift = CLI.dataset("lift.hdf5")
        func liftDemo() throws -> (Demo, String?) {
            let reader = try RobomimicReader(path: lift)
            return (try reader.demo(reader.demoNames[0]), reader.envArgs?.json)
        }
        func write(_ change: (inout Demo) -> Void) throws -> Made {
            var (demo, env) = try liftDemo()
            demo.name = "demo_0"
            change(&demo)
            try writeDataset(source, demos: [demo], envArgs: env)
            return Made(source: source, named: source)
        }
        switch self {
        case .missingFile:
            return Made(source: dir.path("absent.hdf5"), named: dir.path("absent.hdf5"))
        case .notHDF5:
            try "just text\n".write(toFile: source, atomically: true, encoding: .utf8)
            return Made(source: source, named: source)
        case .truncated:
            let bytes = try Data(contentsOf: URL(fileURLWithPath: lift))
            try bytes.prefix(bytes.count / 3).write(to: URL(fileURLWithPath: source))
            return Made(source: source, named: source)
        case .noDataGroup:
            let file = try HDF5File.create(source)
            try file.root.write("other", Tensor(shape: [1], float64: [1]))
            file.close()
            return Made(source: source, named: source)
        case .differentLengths:
            return try write { $0.arrays["obs/robot0_eef_pos"] = $0.arrays["obs/robot0_eef_pos"]!.rows(0..<5) }
        case .nanPose:
            return try write { demo in
                var v = demo.arrays["obs/cube_pos"]!.doubles
                v[4] = .infinity
                demo.arrays["obs/cube_pos"] = Tensor(shape: demo.arrays["obs/cube_pos"]!.shape, float64: v)
            }
        case .nonUnitQuaternion:
            return try write { demo in
                let t = demo.arrays["obs/robot0_eef_quat"]!
                demo.arrays["obs/robot0_eef_quat"] = Tensor(shape: t.shape, float64: t.doubles.map { $0 * 2 })
            }
        case .zeroLength:
            return try write { demo in for (k, v) in demo.arrays { demo.arrays[k] = v.rows(0..<0) } }
        case .integerActions:
            return try write { demo in
                let t = demo.arrays["actions"]!
                demo.arrays["actions"] = Tensor(shape: t.shape, storage: .int64(t.doubles.map { Int64($0.rounded()) }))
            }
        case .unknownSpecKey:
            try FileManager.default.copyItem(atPath: lift, toPath: source)
            let task = dir.path("task.json")
            try #"{"endEffector": []}"#.write(toFile: task, atomically: true, encoding: .utf8)
            return Made(source: source, task: task, named: task)
        }
    }
}
