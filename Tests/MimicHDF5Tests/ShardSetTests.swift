import Foundation
import Testing
import MimicCore
@testable import MimicHDF5

@Suite struct ShardSetTests {
    @Test func shardNamesArePaddedAndOrdered() {
        #expect(ShardSet.shardName(0) == "shard-00000.hdf5")
        #expect(ShardSet.shardName(42) == "shard-00042.hdf5")
        #expect(ShardSet.shardName(123_456) == "shard-123456.hdf5")
        let names = [3, 10, 200, 99_999].map(ShardSet.shardName)
        #expect(names.sorted() == names)
    }

    /// A new directory is made and records the identity; the same identity claims it again, another
    /// gets every difference; a directory with other files and no run record is refused.
    @Test func claimingADirectory() throws {
        try withTemporaryDirectory { dir in
            let set = ShardSet(directory: dir.appendingPathComponent("run/a").path)
            let identity = RunIdentity(["seed": "1", "demos": "10", "mimic": "0.1.0"])
            #expect(try set.claim(identity: identity) == [])
            #expect(FileManager.default.fileExists(atPath: set.path(ShardSet.identityName)))
            #expect(try set.claim(identity: identity) == [])
            var other = identity
            other.values["seed"] = "2"
            other.values["mimic"] = nil
            other.values["format"] = "isaaclab"
            #expect(try set.claim(identity: other) == ["format (none) → isaaclab", "mimic 0.1.0 → (none)", "seed 1 → 2"])

            let foreign = ShardSet(directory: dir.appendingPathComponent("foreign").path)
            try FileManager.default.createDirectory(atPath: foreign.directory, withIntermediateDirectories: true)
            #expect(FileManager.default.createFile(atPath: foreign.path("notes.txt"), contents: Data("x".utf8)))
            let error = try #require(throws: DatasetError.self) { try foreign.claim(identity: identity) }
            #expect(error.detail.contains("not empty"))
            #expect(throws: DatasetError.self) { try ShardSet(directory: foreign.path("notes.txt")).claim(identity: identity) }
            try Data("[1]".utf8).write(to: URL(fileURLWithPath: foreign.path(ShardSet.identityName)))
            #expect(throws: DatasetError.self) { try foreign.claim(identity: identity) }
        }
    }

    @Test func manifestLinesRoundTripAndBadLinesAreErrors() throws {
        try withTemporaryDirectory { dir in
            let set = ShardSet(directory: dir.path)
            #expect(try set.finishedShards(shardSize: 2).isEmpty)
            let record = ShardRecord(
                file: ShardSet.shardName(0), firstDemo: 0, lastDemo: 1, demos: 2, samples: 9, bytes: 4, sha256: "ab",
                execution: .init(attempts: 3, failureReasons: ["no_success": 1], physicsSteps: 70))
            #expect(record.jsonLine().contains(#""attempts":3"#) && record.jsonLine().contains(#""first_demo":0"#))
            try Data("abcd".utf8).write(to: URL(fileURLWithPath: set.path(record.file)))
            try set.writeManifest([record])
            #expect(try set.finishedShards(shardSize: 2) == [record])
            // Out of order: the second line must start at demo 2 in shard-00001.
            var wrong = record
            wrong.file = ShardSet.shardName(1)
            try set.writeManifest([record, wrong])
            #expect(throws: DatasetError.self) { try set.finishedShards(shardSize: 2) }
            try Data("{not json\n".utf8).write(to: URL(fileURLWithPath: set.path(ShardSet.manifestName)))
            #expect(throws: DatasetError.self) { try set.finishedShards(shardSize: 2) }
        }
    }

    @Test func sha256OfKnownBytes() throws {
        try withTemporaryDirectory { dir in
            let path = dir.appendingPathComponent("abc").path
            try Data("abc".utf8).write(to: URL(fileURLWithPath: path))
            #expect(try ShardSet.sha256(ofFile: path) == "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad")
            #expect(throws: DatasetError.self) { try ShardSet.sha256(ofFile: dir.appendingPathComponent("missing").path) }
        }
    }
}

@Suite struct RunPartTests {
    @Test func parsing() {
        #expect(RunPart("0/1") == RunPart(index: 0, count: 1))
        #expect(RunPart("3/4")?.description == "3/4")
        for bad in ["4/4", "-1/2", "1/0", "1", "a/b", "1/2/3", ""] { #expect(RunPart(bad) == nil, "\(bad)") }
    }

    /// For any run, the parts' shards are the run's shards, each once and in order, and their
    /// demos are the run's demos.
    @Test func partsTileTheRun() {
        var rng = SystemRandomNumberGenerator()
        for _ in 0..<500 {
            let demos = Int.random(in: 0...5000, using: &rng), size = Int.random(in: 1...300, using: &rng)
            let n = Int.random(in: 1...40, using: &rng)
            let parts = (0..<n).map { RunPart(index: $0, count: n) }
            let shards = parts.map { $0.shards(demos: demos, shardSize: size) }
            #expect(shards.flatMap { Array($0) } == Array(0..<((demos + size - 1) / size)), "\(demos) \(size) \(n)")
            #expect(parts.flatMap { Array($0.demos(demos: demos, shardSize: size)) } == Array(0..<demos), "\(demos) \(size) \(n)")
            for (part, range) in zip(parts, shards) where !range.isEmpty {
                #expect(part.demos(demos: demos, shardSize: size).lowerBound == range.lowerBound * size)
            }
        }
    }
}
