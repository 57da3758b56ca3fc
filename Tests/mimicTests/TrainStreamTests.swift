import Foundation
import Testing

/// Demos/train: `MimicShardStream` (mimic_stream.py), a PyTorch dataset that follows a sharded
/// `mimic augment` run as its shards land, and train_bc.py, which trains a policy on it while
/// the run goes on.
@Suite struct TrainStreamTests {
    static let demos = CLI.packageRoot.appendingPathComponent("Demos/train").path
    static let env = URL(fileURLWithPath: "/usr/bin/env")

    /// python3 with torch, h5py and numpy, or the test stops here, naming what installs them.
    static func requireTorch() throws {
        let check = try CLI.run(["python3", "-c", "import torch, h5py, numpy"], executable: env, timeout: 120)
        try #require(check.status == 0, "Demos/train needs python3 with torch, h5py and numpy (scripts/setup.sh installs CPU torch): \(check.stderr)")
    }

    /// A word for `sh`, quoted.
    static func quoted(_ word: String) -> String { "'" + word.replacingOccurrences(of: "'", with: #"'\''"#) + "'" }

    /// The JSON lines of a file.
    static func jsonLines(_ path: String) throws -> [[String: Any]] {
        try String(contentsOfFile: path, encoding: .utf8).split(separator: "\n").map {
            try #require(try JSONSerialization.jsonObject(with: Data($0.utf8)) as? [String: Any], "\($0)")
        }
    }

    /// `mimic augment --execute ... --manifest - | train_bc.py - ...` on a prepared Lift (the
    /// cut one, whose scene compiles in milliseconds): the trainer's first batch comes from the
    /// first shard while the run is still going (its index not written, shards still to come),
    /// and by the end it has trained on every step of every demo of every shard exactly once in
    /// each of its two epochs (two DataLoader workers share the shards). The pipeline starts
    /// mimic once the trainer is ready (torch imported, its record file open), so that python's
    /// start-up, seconds on a loaded machine, is not part of the race: what races is the
    /// stream's turn-around on a landed shard (about 0.1 s) against the rest of the run, seven
    /// more shards of checked simulation (5 s on a quiet machine, 20 s on a loaded one).
    @Test func trainingStartsOnTheFirstShardWhileTheRunGoesOn() throws {
        try Self.requireTorch()
        let dir = try TemporaryDirectory()
        let source = try LiftCut.prepared(in: dir)
        let run = dir.path("run"), record = dir.path("steps.jsonl"), shards = 8
        let mimic = [CLI.binary.path, "augment", source, "-o", run, "-n", String(2 * shards), "--shard-size", "2", "--execute", "--workers", "1", "--manifest", "-"]
        let trainer = [
            "python3", Self.demos + "/train_bc.py", "-", "--root", run, "--obs-keys", "robot0_eef_pos", "object", "--seq-length", "4",
            "--batch-size", "16", "--shuffle-buffer", "64", "--epochs", "2", "--workers", "2", "--print-every", "20", "--record", record,
        ]
        let q = { (words: [String]) in words.map(Self.quoted).joined(separator: " ") }
        // mimic waits (at most a minute) for the trainer's record file; `timeout` ends the whole
        // pipeline, DataLoader workers included, should anything hang.
        let script = """
            ready() { i=0; while [ ! -e \(Self.quoted(record)) ] && [ $i -lt 1200 ]; do sleep 0.05; i=$((i + 1)); done; }
            { ready; \(q(mimic)) 2>\(Self.quoted(dir.path("mimic.err"))); echo $? >\(Self.quoted(dir.path("mimic.status"))); } | \(q(trainer))
            """
        let result = try CLI.run(["timeout", "-k", "5", "110", "sh", "-c", script], executable: Self.env, timeout: 120)
        let mimicErr = (try? String(contentsOfFile: dir.path("mimic.err"), encoding: .utf8)) ?? ""
        #expect(result.status == 0, "\(result.stderr)\n\(result.stdout)")
        #expect((try? String(contentsOfFile: dir.path("mimic.status"), encoding: .utf8)) == "0\n", "\(mimicErr)")
        #expect(mimicErr.contains("kept \(2 * shards) successful demos"), "\(mimicErr)")
        #expect(result.stdout.contains("done: ") && result.stdout.contains(" 2 epochs, \(shards) shards"), "\(result.stdout)")

        let manifest = try Self.jsonLines(run + "/manifest.jsonl")
        try #require(manifest.count == shards, "\(manifest)")
        let steps = try Self.jsonLines(record)
        let first = try #require(steps.first)
        let landed = try #require(first["landed"] as? Int), indexWritten = try #require(first["index"] as? Bool)
        let firstItems = try #require(first["items"] as? [[Any]])
        #expect(landed < shards && !indexWritten, "the first batch came after the run had ended: \(landed) of \(shards) shards landed, index \(indexWritten)")
        #expect(Set(firstItems.compactMap { $0.first as? String }) == ["shard-00000.hdf5"])

        // Every step of every demo, once per epoch: each demo's steps 0..<T for some T, each
        // shard's demos those of its manifest line, their steps adding up to its samples.
        for epoch in 0..<2 {
            var count: [String: [String: [Int: Int]]] = [:]
            for step in steps where step["epoch"] as? Int == epoch {
                for item in try #require(step["items"] as? [[Any]]) {
                    let shard = try #require(item[0] as? String), demo = try #require(item[1] as? String), t = try #require(item[2] as? Int)
                    count[shard, default: [:]][demo, default: [:]][t, default: 0] += 1
                }
            }
            #expect(count.keys.sorted() == manifest.compactMap { $0["file"] as? String }, "epoch \(epoch)")
            for line in manifest {
                let file = try #require(line["file"] as? String), firstDemo = try #require(line["first_demo"] as? Int)
                let demos = try #require(line["demos"] as? Int), samples = try #require(line["samples"] as? Int)
                let seen = count[file] ?? [:]
                #expect(seen.keys.sorted() == (firstDemo..<firstDemo + demos).map { "demo_\($0)" }.sorted(), "epoch \(epoch), \(file)")
                #expect(seen.values.reduce(0) { $0 + $1.count } == samples, "epoch \(epoch), \(file)")
                let gaps = seen.filter { $0.value.keys.sorted() != Array(0..<$0.value.count) }.keys.sorted()
                let twice = seen.filter { !$0.value.values.allSatisfy { $0 == 1 } }.keys.sorted()
                #expect(gaps.isEmpty, "epoch \(epoch), \(file): steps missing in \(gaps)")
                #expect(twice.isEmpty, "epoch \(epoch), \(file): steps trained on more than once in \(twice)")
            }
        }
    }

    /// The samples of a finished run are robomimic's windows of the shards' data, read here with
    /// h5py: seq_length steps from every step, the last step repeated past a demo's end, float32;
    /// two DataLoader workers yield each once; the shuffle is the seed's; the masks split the
    /// demos; the pipe of a resumed run, which names only its own shards, yields them all; a
    /// damaged shard is refused by its SHA-256; a pipe that ends before the run wrote its index
    /// raises RunEndedEarly after the shards it listed.
    @Test func samplesAreTheWindowsOfTheShards() throws {
        try Self.requireTorch()
        let dir = try TemporaryDirectory(), run = try TemporaryDirectory()
        let source = try AugmentCommandTests.prepared(dir)
        let augment = try CLI.run(["augment", source, "-o", run.url.path, "-n", "10", "--shard-size", "3"])
        #expect(augment.status == 0, "\(augment.stderr)")
        let check = try CLI.run(
            ["timeout", "-k", "5", "100", "python3", "-c", Self.windowsScript, Self.demos, run.url.path], executable: Self.env, timeout: 110)
        #expect(check.status == 0, "\(check.stderr)")
        let report = try #require(try JSONSerialization.jsonObject(with: Data(check.stdout.utf8)) as? [String: Any], "\(check.stdout)")
        let manifest = try Self.jsonLines(run.path("manifest.jsonl"))
        #expect(manifest.count == 4)
        #expect(report["samples"] as? Int == manifest.reduce(0) { $0 + (($1["samples"] as? Int) ?? 0) }, "\(report)")
        #expect(report["shards"] as? Int == 4, "\(report)")
        // Every Lift demo is longer than a window of 12: 11 windows of each run past its end.
        #expect(report["padded"] as? Int == 10 * 11, "\(report)")
    }

    /// A directory that does not exist yet and a named pipe (`--manifest FIFO`), both followed
    /// while a run writes them: each yields every sample of the run once and ends with the run.
    @Test func followsADirectoryAndANamedPipeWhileTheRunWrites() throws {
        try Self.requireTorch()
        let dir = try TemporaryDirectory()
        let source = try AugmentCommandTests.prepared(dir)
        let check = try CLI.run(
            ["timeout", "-k", "5", "100", "python3", "-c", Self.followScript, Self.demos, CLI.binary.path, source, dir.url.path],
            executable: Self.env, timeout: 110)
        #expect(check.status == 0, "\(check.stderr)")
        let report = try #require(try JSONSerialization.jsonObject(with: Data(check.stdout.utf8)) as? [String: Any], "\(check.stdout)")
        let manifest = try Self.jsonLines(dir.path("run/manifest.jsonl"))
        #expect(manifest.count == 20 && report["shards"] as? Int == 20, "\(report)")
        #expect(report["samples"] as? Int == manifest.reduce(0) { $0 + (($1["samples"] as? Int) ?? 0) }, "\(report)")
    }

    static let windowsScript = #"""
        import json, os, shutil, sys, tempfile
        import h5py, numpy as np, torch
        from torch.utils.data import DataLoader
        sys.path.insert(0, sys.argv[1])
        from mimic_stream import MimicShardStream, RunEndedEarly

        root, L, keys = sys.argv[2], 12, ["robot0_eef_pos", "cube_quat"]
        manifest = [json.loads(line) for line in open(os.path.join(root, "manifest.jsonl"))]

        def key(x):
            return (x["shard"], x["demo"], int(x["index"]))

        # Every window of every demo, read with h5py: steps t .. t+L-1, the last step repeated past the end.
        expected, padded = {}, 0
        for record in manifest:
            with h5py.File(os.path.join(root, record["file"]), "r") as f:
                for name in f["data"]:
                    demo = f["data"][name]
                    actions, T = demo["actions"][()], demo["actions"].shape[0]
                    for t in range(T):
                        rows = [min(t + i, T - 1) for i in range(L)]
                        padded += t + L > T
                        expected[(record["file"], name, t)] = (actions[rows], {k: demo["obs"][k][()][rows] for k in keys}, T)

        samples = list(MimicShardStream(root, obs_keys=keys, seq_length=L))
        assert len(samples) == len({key(x) for x in samples}) == len(expected), (len(samples), len(expected))
        for x in samples:
            actions, obs, T = expected[key(x)]
            assert x["actions"].dtype == torch.float32 and x["actions"].shape == (L, actions.shape[1])
            assert np.array_equal(x["actions"].numpy(), actions.astype(np.float32)), key(x)
            for k in keys:
                assert x["obs"][k].dtype == torch.float32 and np.array_equal(x["obs"][k].numpy(), obs[k].astype(np.float32)), (key(x), k)
            assert x["pad_mask"].tolist() == [x["index"] + i < T for i in range(L)]
        order = [key(x) for x in samples]
        assert order == sorted(order, key=lambda k: (k[0], int(k[1][5:]), k[2])), "manifest order, then demos, then steps"

        # Two DataLoader workers: each sample once.
        loader = DataLoader(MimicShardStream(root, obs_keys=keys, seq_length=L), batch_size=None, num_workers=2)
        assert sorted(key(x) for x in loader) == sorted(order), "two workers yield every sample once"

        # The shuffle: the same seed and epoch give the same order, another epoch another.
        def shuffled(epoch):
            s = MimicShardStream(root, obs_keys=keys, shuffle_buffer=100, seed=5)
            s.set_epoch(epoch)
            return [key(x) for x in s]
        a, b, c = shuffled(0), shuffled(0), shuffled(1)
        assert a == b and a != c and a != order and sorted(a) == sorted(order)

        # The masks: train and valid split the demos as the run's masks say.
        train = {key(x)[:2] for x in MimicShardStream(root, obs_keys=keys, filter_key="train")}
        valid = {key(x)[:2] for x in MimicShardStream(root, obs_keys=keys, filter_key="valid")}
        with h5py.File(os.path.join(root, "index.hdf5"), "r") as f:
            valid_names = {n.decode() for n in f["mask/valid"][()]}
        assert valid_names and {d for _, d in valid} == valid_names
        assert not (train & valid) and train | valid == {k[:2] for k in order}

        # Lines through a pipe from a resumed run, which prints only the shards it lands: the
        # ones landed before come from the run's manifest, in order.
        read, write = os.pipe()
        with open(read, "rb") as pipe:
            stream = MimicShardStream(pipe, root=root, obs_keys=keys, seq_length=L)
        with open(write, "w") as f:
            f.writelines(json.dumps(r) + "\n" for r in manifest[2:])
        assert [key(x) for x in stream] == order, "a resumed run's pipe"

        # A damaged shard is refused before use; the one before it was yielded.
        copy = tempfile.mkdtemp()
        for name in os.listdir(root):
            shutil.copy(os.path.join(root, name), copy)
        damaged = manifest[1]["file"]
        with open(os.path.join(copy, damaged), "r+b") as f:
            f.seek(-8, 2)
            f.write(b"\xff" * 8)
        got = []
        try:
            for x in MimicShardStream(copy, obs_keys=keys):
                got.append(x["shard"])
            raise AssertionError("a damaged shard was read")
        except ValueError as error:
            assert "SHA-256" in str(error) and damaged in str(error), error
        assert set(got) == {manifest[0]["file"]}, set(got)

        # Manifest lines through a pipe, for a run that left no index: every shard, then RunEndedEarly.
        os.remove(os.path.join(copy, "index.hdf5"))
        read, write = os.pipe()
        with open(read, "rb") as pipe:
            stream = MimicShardStream(pipe, root=copy, obs_keys=keys, verify=False)
        with open(write, "w") as f:
            f.writelines(json.dumps(r) + "\n" for r in manifest)
        got = []
        try:
            for x in stream:
                got.append(key(x))
            raise AssertionError("an unfinished run ended quietly")
        except RunEndedEarly:
            pass
        assert sorted(got) == sorted(order)
        shutil.rmtree(copy)
        print(json.dumps({"samples": len(samples), "padded": padded, "shards": len({k[0] for k in order})}))
        """#

    static let followScript = #"""
        import json, os, subprocess, sys, threading
        sys.path.insert(0, sys.argv[1])
        from mimic_stream import MimicShardStream

        mimic, source, work = sys.argv[2:5]
        root, fifo = os.path.join(work, "run"), os.path.join(work, "lines")
        os.mkfifo(fifo)
        keys = ["robot0_eef_pos", "cube_pos"]
        # Both made before the run starts: the directory does not exist yet, and mimic's open of
        # the named pipe waits for this reader.
        by_dir = MimicShardStream(root, obs_keys=keys, poll_interval=0.02, idle_timeout=60)
        by_fifo = MimicShardStream(fifo, root=root, obs_keys=keys)
        run = subprocess.Popen([mimic, "augment", source, "-o", root, "-n", "300", "--shard-size", "15", "--workers", "1", "--manifest", fifo],
                               stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
        seen = {}

        def read(name, stream):
            seen[name] = [(x["shard"], x["demo"], int(x["index"])) for x in stream]

        threads = [threading.Thread(target=read, args=item) for item in [("dir", by_dir), ("fifo", by_fifo)]]
        for t in threads:
            t.start()
        for t in threads:
            t.join(90)
        assert run.wait(60) == 0, run.stderr.read()
        manifest = [json.loads(line) for line in open(os.path.join(root, "manifest.jsonl"))]
        total = sum(r["samples"] for r in manifest)
        assert sorted(seen) == ["dir", "fifo"], "a stream did not end"
        for name, items in seen.items():
            assert len(items) == len(set(items)) == total, (name, len(items), len(set(items)), total)
            assert sorted({k[0] for k in items}) == [r["file"] for r in manifest], name
        print(json.dumps({"shards": len(manifest), "samples": total}))
        """#
}
