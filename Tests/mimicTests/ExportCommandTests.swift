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
}
