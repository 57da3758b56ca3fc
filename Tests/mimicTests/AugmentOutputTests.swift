import Foundation
import Testing
import MimicCore
import MimicHDF5

/// `augment -o DIR --shard-size K`: shards, manifest and index, and resuming after a crash.
@Suite struct AugmentOutputTests {
    static func bytes(_ path: String) throws -> Data { try Data(contentsOf: URL(fileURLWithPath: path)) }

    /// Every file of two run directories, byte for byte (stats.json holds times, so it is left out).
    static func expectSameRun(_ a: TemporaryDirectory, _ b: TemporaryDirectory, sourceLocation: SourceLocation = #_sourceLocation) throws {
        let names = a.contents.filter { $0 != "stats.json" }
        #expect(b.contents.filter { $0 != "stats.json" } == names, sourceLocation: sourceLocation)
        for name in names { #expect(try bytes(a.path(name)) == bytes(b.path(name)), "\(name)", sourceLocation: sourceLocation) }
    }

    /// The index of a sharded run reads as the single file of the same command: the same demos,
    /// masks and attributes, in robomimic's layout, also for h5py from another working directory.
    @Test func theIndexReadsAsTheSingleFile() throws {
        let dir = try TemporaryDirectory(), shards = try TemporaryDirectory()
        let source = try AugmentCommandTests.prepared(dir)
        let file = dir.path("one.hdf5")
        #expect(try CLI.run(["augment", source, "-o", file, "-n", "7"]).status == 0)
        let result = try CLI.run(["augment", source, "-o", shards.url.path, "-n", "7", "--shard-size", "3"])
        #expect(result.status == 0, "\(result.stderr)")
        #expect(result.stdout.contains("stats in \(shards.path("stats.json"))"))
        #expect(shards.contents == ["index.hdf5", "manifest.jsonl", "run.json", "shard-00000.hdf5", "shard-00001.hdf5", "shard-00002.hdf5", "stats.json"])
        let one = try RobomimicReader(path: file), index = try RobomimicReader(path: shards.path("index.hdf5"))
        #expect(index.demoNames == one.demoNames)
        #expect(index.masks == one.masks)
        #expect(index.dataAttributes == one.dataAttributes)
        for name in one.demoNames { #expect(try index.demo(name) == one.demo(name), "\(name)") }
        let lines = try String(contentsOfFile: shards.path("manifest.jsonl"), encoding: .utf8).split(separator: "\n")
        #expect(lines.count == 3 && lines[2].contains(#""first_demo":6"#))
        let script = """
            import h5py, os, sys
            os.chdir("/")
            f = h5py.File(sys.argv[1], "r")
            assert len(f["data"]) == 7 and f["data/demo_6/actions"].shape[1] == 7
            assert f["data"].attrs["total"] == sum(f["data"][d].attrs["num_samples"] for d in f["data"])
            print("ok", len(f["mask/train"]) + len(f["mask/valid"]))
            """
        let check = try CLI.run(["python3", "-c", script, shards.path("index.hdf5")], executable: URL(fileURLWithPath: "/usr/bin/env"))
        #expect(check.stdout.contains("ok 7"), "\(check.stderr)")
    }

    /// `kill -9` in the middle of a run, then the same command: the run goes on from its finished
    /// shards and ends with the files of an uninterrupted run. (The run is watched from this
    /// thread, not from an async task that other tests' blocking commands could keep waiting past
    /// the moment to kill.)
    @Test func aKilledRunResumesToTheSameData() throws {
        let dir = try TemporaryDirectory(), whole = try TemporaryDirectory(), killed = try TemporaryDirectory()
        let source = try AugmentCommandTests.prepared(dir)
        func command(_ out: TemporaryDirectory) -> [String] { ["augment", source, "-o", out.url.path, "-n", "1200", "--shard-size", "100", "--workers", "2"] }
        #expect(try CLI.run(command(whole)).status == 0)
        let run = try CLI.start(command(killed))
        // Killed once the first shard has landed, with another one being written (by one of the
        // run's two writer processes).
        var midRun = false
        while run.isRunning && !midRun {
            let manifest = (try? String(contentsOfFile: killed.path("manifest.jsonl"), encoding: .utf8)) ?? ""
            midRun = !manifest.isEmpty && killed.contents.contains { $0.hasPrefix(".shard-") && $0.contains(".partial-") }
            if !midRun { usleep(5_000) }
        }
        kill(run.processIdentifier, SIGKILL)
        run.waitUntilExit()
        try #require(midRun, "the run ended before it could be killed mid-shard")
        #expect(run.terminationReason == .uncaughtSignal)
        #expect(!killed.contents.contains("index.hdf5"))
        let resumed = try CLI.run(command(killed))
        #expect(resumed.status == 0, "\(resumed.stderr)")
        #expect(resumed.stderr.contains("resuming \(killed.url.path): "))
        #expect(resumed.stdout.contains("generated 1200 demos"))
        try Self.expectSameRun(whole, killed)
        // Once finished, the same command changes nothing.
        #expect(try CLI.run(command(killed)).status == 0)
        try Self.expectSameRun(whole, killed)
    }

    /// A checked run killed in its second shard keeps, when resumed, the same demos from the same
    /// attempts, with the same counters, as the uninterrupted run.
    @Test func aResumedCheckedRunKeepsTheSameDemos() throws {
        let dir = try TemporaryDirectory(), whole = try TemporaryDirectory(), cut = try TemporaryDirectory()
        let source = try LiftCut.prepared(in: dir)
        func command(_ out: TemporaryDirectory) -> [String] {
            ["augment", source, "-o", out.url.path, "-n", "5", "--shard-size", "2", "--execute", "--workers", "2"]
        }
        #expect(try CLI.run(command(whole)).status == 0)
        // Killed (SIGKILL) once its first shard has landed, while it simulates the next one.
        let run = try CLI.start(command(cut))
        var midRun = false
        while run.isRunning && !midRun {
            let manifest = (try? String(contentsOfFile: cut.path("manifest.jsonl"), encoding: .utf8)) ?? ""
            midRun = manifest.split(separator: "\n").count == 1 && cut.contents.contains { $0.hasPrefix(".shard-00001.hdf5.partial-") }
            if !midRun { usleep(2_000) }
        }
        kill(run.processIdentifier, SIGKILL)
        run.waitUntilExit()
        try #require(midRun, "the checked run ended before it could be killed in its second shard")
        let resumed = try CLI.run(command(cut))
        #expect(resumed.status == 0, "\(resumed.stderr)")
        #expect(resumed.stderr.contains("2 demos in 1 finished shards"), "\(resumed.stderr)")
        try Self.expectSameRun(whole, cut)
        let stats = { (d: TemporaryDirectory) throws -> [String: Any] in
            try #require(try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: d.path("stats.json")))) as? [String: Any])
        }
        let a = try stats(whole), b = try stats(cut)
        for key in ["attempts", "successes", "physics_steps"] { #expect(a[key] as? Int == b[key] as? Int, "\(key)") }
    }

    /// Another seed, count or source is refused, naming what differs, and nothing is written.
    @Test func anotherCommandIsRefused() throws {
        let dir = try TemporaryDirectory(), out = try TemporaryDirectory()
        let source = try AugmentCommandTests.prepared(dir)
        #expect(try CLI.run(["augment", source, "-o", out.url.path, "-n", "4", "--shard-size", "2"]).status == 0)
        let before = try out.contents.map { try Self.bytes(out.path($0)) }
        let other = try CLI.run(["augment", source, "-o", out.url.path, "-n", "4", "--shard-size", "2", "--seed", "2"])
        #expect(other.status == 64)
        #expect(other.stderr.contains("seed 1 → 2") && other.stderr.contains("another command"), "\(other.stderr)")
        #expect(try out.contents.map { try Self.bytes(out.path($0)) } == before)
        // A directory holding other files is not taken over.
        let foreign = try TemporaryDirectory()
        #expect(FileManager.default.createFile(atPath: foreign.path("notes.txt"), contents: Data("x".utf8)))
        let refused = try CLI.run(["augment", source, "-o", foreign.url.path, "-n", "4", "--shard-size", "2"])
        #expect(refused.status == 65 && refused.stderr.contains("not empty"), "\(refused.stderr)")
        #expect(foreign.contents == ["notes.txt"])
    }

    /// `--manifest -` streams each shard's manifest line on stdout as it lands (the summary goes
    /// to stderr); `--manifest FILE` appends them to a file.
    @Test func theManifestFollowsTheRun() throws {
        let dir = try TemporaryDirectory(), a = try TemporaryDirectory(), b = try TemporaryDirectory()
        let source = try AugmentCommandTests.prepared(dir)
        let streamed = try CLI.run(["augment", source, "-o", a.url.path, "-n", "5", "--shard-size", "2", "--manifest", "-"])
        #expect(streamed.status == 0, "\(streamed.stderr)")
        #expect(streamed.stdout == (try String(contentsOfFile: a.path("manifest.jsonl"), encoding: .utf8)))
        #expect(streamed.stdout.split(separator: "\n").count == 3 && streamed.stderr.contains("generated 5 demos"))
        let file = dir.path("lines.jsonl")
        try Data("earlier\n".utf8).write(to: URL(fileURLWithPath: file))
        #expect(try CLI.run(["augment", source, "-o", b.url.path, "-n", "5", "--shard-size", "2", "--manifest", file]).status == 0)
        #expect(try String(contentsOfFile: file, encoding: .utf8) == "earlier\n" + String(contentsOfFile: b.path("manifest.jsonl"), encoding: .utf8))
    }

    /// A `--manifest -` reader that goes away ends the run with one error line and exit code 74,
    /// no partial file left; the same command then resumes it.
    @Test func aManifestReaderThatGoesAwayEndsTheRun() throws {
        let dir = try TemporaryDirectory(), out = try TemporaryDirectory(), whole = try TemporaryDirectory()
        let source = try AugmentCommandTests.prepared(dir)
        let command = ["augment", source, "-n", "2000", "--shard-size", "100"]
        let run = Process()
        run.executableURL = CLI.binary
        run.arguments = command + ["-o", out.url.path, "--manifest", "-"]
        let lines = Pipe(), errors = Pipe()
        run.standardOutput = lines
        run.standardError = errors
        try run.run()
        // The reader takes the first line, then closes the pipe.
        var first = Data()
        while !first.contains(UInt8(ascii: "\n")), let chunk = try lines.fileHandleForReading.read(upToCount: 1), !chunk.isEmpty { first += chunk }
        try lines.fileHandleForReading.close()
        let message = String(decoding: errors.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        run.waitUntilExit()
        #expect(String(decoding: first, as: UTF8.self).contains(#""file":"shard-00000.hdf5""#))
        #expect(run.terminationReason == .exit && run.terminationStatus == 74, "\(message)")
        let errorLines = message.split(separator: "\n").filter { $0.hasPrefix("mimic: error: ") }
        #expect(errorLines.count == 1 && errorLines[0].contains("has its reader gone?"), "\(message)")
        #expect(!out.contents.contains { $0.contains(".partial-") }, "\(out.contents)")
        #expect(try CLI.run(command + ["-o", out.url.path]).status == 0)
        #expect(try CLI.run(command + ["-o", whole.url.path]).status == 0)
        try Self.expectSameRun(whole, out)
    }

    /// `--compression gzip:LEVEL` and `--float32`, as h5py sees them; the run records both.
    @Test func compressionAndFloat32() throws {
        let dir = try TemporaryDirectory(), out = try TemporaryDirectory()
        let source = try AugmentCommandTests.prepared(dir)
        let result = try CLI.run(["augment", source, "-o", out.url.path, "-n", "3", "--shard-size", "2", "--compression", "gzip:1", "--float32"])
        #expect(result.status == 0, "\(result.stderr)")
        let script = """
            import h5py, sys
            f = h5py.File(sys.argv[1], "r")
            a = f["data/demo_2/actions"]
            assert a.compression == "gzip" and a.compression_opts == 1 and a.shuffle and a.dtype == "float32", (a.compression, a.dtype)
            assert f["data/demo_0/datagen_info/eef_pose"].dtype == "float32"
            print("ok")
            """
        let check = try CLI.run(["python3", "-c", script, out.path("index.hdf5")], executable: URL(fileURLWithPath: "/usr/bin/env"))
        #expect(check.stdout.contains("ok"), "\(check.stderr)")
        let identity = try String(contentsOfFile: out.path("run.json"), encoding: .utf8)
        #expect(identity.contains(#""compression" : "gzip:1""#) && identity.contains(#""float32" : "true""#))
        for bad in ["gzip:10", "lz4", "gzip:"] {
            let refused = try CLI.run(["augment", source, "-o", dir.path("x.hdf5"), "--compression", bad])
            #expect(refused.status == 64, "\(bad)")
        }
    }

    /// `--share-model-file`: each demo's model_file is there for h5py (as bytes) and for Mimic,
    /// which reads and checks the demos in MuJoCo as from the file written without it; the file
    /// stores each scene once. Chunked datasets have a fixed shape.
    @Test func sharedModelFile() throws {
        let dir = try TemporaryDirectory()
        let size = { (path: String) in (try FileManager.default.attributesOfItem(atPath: path)[.size] as? Int) ?? 0 }
        func pair(_ source: String, _ flags: [String]) throws -> (inline: String, shared: String) {
            let inline = dir.path("inline-\(flags.count).hdf5"), shared = dir.path("shared-\(flags.count).hdf5")
            #expect(try CLI.run(["augment", source, "-o", inline] + flags).status == 0)
            let result = try CLI.run(["augment", source, "-o", shared, "--share-model-file"] + flags)
            #expect(result.status == 0, "\(result.stderr)")
            let a = try RobomimicReader(path: inline), b = try RobomimicReader(path: shared)
            for name in a.demoNames { #expect(try a.demo(name) == b.demo(name), "\(name)") }
            return (inline, shared)
        }
        // 30 kinematic demos of the few source scenes: each scene stored once.
        let kinematic = try pair(try AugmentCommandTests.prepared(dir), ["-n", "30", "--compression", "gzip"])
        // The same bytes a second later: no HDF5 object records a time (the shared-message
        // table's superblock extension included).
        Thread.sleep(forTimeInterval: 1.1)
        let again = dir.path("again.hdf5")
        #expect(try CLI.run(["augment", try AugmentCommandTests.prepared(dir), "-o", again, "--share-model-file", "-n", "30", "--compression", "gzip"]).status == 0)
        #expect(try AugmentOutputTests.bytes(again) == AugmentOutputTests.bytes(kinematic.shared))
        let reader = try RobomimicReader(path: kinematic.inline)
        let scenes = Set(try reader.demoNames.map { try reader.demo($0).modelXML ?? "" })
        let model = try #require(scenes.first)
        // Smaller by (nearly) every copy of a scene but the first.
        #expect(try Double(size(kinematic.inline) - size(kinematic.shared)) > 0.95 * Double((30 - scenes.count) * model.utf8.count))
        let script = """
            import h5py, sys
            a, b = h5py.File(sys.argv[1], "r"), h5py.File(sys.argv[2], "r")
            for d in a["data"]:
                assert isinstance(a["data"][d].attrs["model_file"], str)
                assert b["data"][d].attrs["model_file"].decode() == a["data"][d].attrs["model_file"]
                assert b["data"][d]["actions"].maxshape == b["data"][d]["actions"].shape
            print("ok")
            """
        let check = try CLI.run(["python3", "-c", script, kinematic.inline, kinematic.shared], executable: URL(fileURLWithPath: "/usr/bin/env"))
        #expect(check.stdout.contains("ok"), "\(check.stderr)")
        // Executed demos, checked again in MuJoCo from their states and shared scenes.
        let executed = try pair(try LiftCut.prepared(in: dir), ["-n", "3", "--execute"])
        func results(_ file: String) throws -> String {
            let run = try CLI.run(["validate", file, "--mode", "states", "--json"])
            #expect(run.status == 0, "\(run.stderr)")
            let object = try JSONSerialization.jsonObject(with: Data(run.stdout.utf8)) as? [String: Any]
            let list = try #require(object?["results"])
            return String(decoding: try JSONSerialization.data(withJSONObject: list, options: [.sortedKeys]), as: UTF8.self)
        }
        #expect(try results(executed.shared) == results(executed.inline))
    }

    @Test(arguments: [
        (["--shard-size", "0"], "--shard-size must be"), (["--shard-size", "2", "--execute", "--keep-failed", "/tmp/f.hdf5"], "--keep-failed"),
        (["--part", "0/2"], "--part needs --shard-size"), (["--manifest", "-"], "--manifest needs --shard-size"),
        (["--shard-size", "2", "--part", "2/2"], "--part"),
    ])
    func badShardOptionsAreUsageErrors(flags: [String], message: String) throws {
        let result = try CLI.run(["augment", CLI.dataset("lift.hdf5"), "-o", "/tmp/never-a-dir"] + flags)
        #expect(result.status == 64)
        #expect(result.stderr.contains(message), "\(result.stderr)")
    }
}
