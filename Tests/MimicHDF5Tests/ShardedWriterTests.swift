import Foundation
import Testing
import MimicCore
@testable import MimicHDF5

@Suite struct ShardedWriterTests {
    /// Masks as a run's: every third demo valid.
    static func masks(_ range: Range<Int>) -> [String: [String]] {
        ["train": range.filter { $0 % 3 != 1 }.map { "demo_\($0)" }, "valid": range.filter { $0 % 3 == 1 }.map { "demo_\($0)" }]
    }

    /// Writes demos `range` (RobomimicFixture demos, 2 + i % 4 steps) with shard size 3, after `records`.
    static func write(_ set: ShardSet, _ range: Range<Int>, after records: [ShardRecord] = [], finish: Bool = true) throws -> ShardedWriter {
        let writer = ShardedWriter(
            set: set, shardSize: 3, records: records, dataAttributes: ["env_args": .string(#"{"env_name": "Lift", "type": 1}"#)], masks: masks)
        for i in range { try writer.write(RobomimicFixture.demo(i, steps: 2 + i % 4), execution: .init(attempts: i % 3 + 1)) }
        if finish { try writer.finish() }
        return writer
    }

    static func bytes(_ path: String) throws -> Data { try Data(contentsOf: URL(fileURLWithPath: path)) }

    /// 7 demos in shards of 3: three complete files, each with its own demos and masks, a
    /// manifest line each with its counters, and an index that reads as one 7-demo dataset.
    @Test func shardsManifestAndIndex() throws {
        try withTemporaryDirectory { dir in
            let set = ShardSet(directory: dir.path)
            let writer = try Self.write(set, 0..<7)
            let records = try set.finishedShards(shardSize: 3)
            #expect(records == writer.records)
            #expect(records.map(\.file) == ["shard-00000.hdf5", "shard-00001.hdf5", "shard-00002.hdf5"])
            #expect(records.map(\.demos) == [3, 3, 1] && records.map(\.firstDemo) == [0, 3, 6])
            #expect(records.map { $0.execution?.attempts } == [3, 3, nil])
            for record in records {
                let path = set.path(record.file)
                #expect(record.sha256 == (try ShardSet.sha256(ofFile: path)) && record.sha256.count == 64)
                let shard = try RobomimicReader(path: path)
                #expect(shard.demoNames == (record.firstDemo...record.lastDemo).map { "demo_\($0)" })
                #expect(shard.masks == Self.masks(record.firstDemo..<(record.lastDemo + 1)))
                #expect(shard.dataAttributes["total"] == .int(record.samples))
            }
            let index = try RobomimicReader(path: set.path(ShardSet.indexName))
            #expect(index.demoNames == (0..<7).map { "demo_\($0)" })
            #expect(index.masks == Self.masks(0..<7))
            #expect(index.dataAttributes["total"] == .int(records.reduce(0) { $0 + $1.samples }))
            #expect(index.dataAttributes["env_args"] != nil)
            for i in 0..<7 {
                let demo = try index.demo("demo_\(i)")
                #expect(demo.arrays == RobomimicFixture.demo(i, steps: 2 + i % 4).arrays)
            }
        }
    }

    /// A run that stops after two shards and is resumed from the manifest writes the files an
    /// uninterrupted run writes, byte for byte.
    @Test func aResumedRunWritesTheSameFiles() throws {
        try withTemporaryDirectory { dir in
            let whole = ShardSet(directory: dir.appendingPathComponent("whole").path)
            let resumed = ShardSet(directory: dir.appendingPathComponent("resumed").path)
            for set in [whole, resumed] { try FileManager.default.createDirectory(atPath: set.directory, withIntermediateDirectories: true) }
            _ = try Self.write(whole, 0..<7)
            // Interrupted in the third shard: its partial file is abandoned.
            let first = try Self.write(resumed, 0..<7, finish: false)
            first.abandon()
            let records = try resumed.finishedShards(shardSize: 3)
            #expect(records.count == 2)
            _ = try Self.write(resumed, records.last!.lastDemo + 1..<7, after: records)
            let names = try FileManager.default.contentsOfDirectory(atPath: whole.directory).sorted()
            #expect(try FileManager.default.contentsOfDirectory(atPath: resumed.directory).sorted() == names)
            for name in names { #expect(try Self.bytes(whole.path(name)) == Self.bytes(resumed.path(name)), "\(name)") }
        }
    }

    /// Shards written elsewhere (by another process) and landed with their records make the
    /// manifest, `onShard` calls and index of shards the writer writes itself.
    @Test func shardsWrittenElsewhereLandInOrder() throws {
        try withTemporaryDirectory { dir in
            let whole = ShardSet(directory: dir.appendingPathComponent("whole").path)
            let landed = ShardSet(directory: dir.appendingPathComponent("landed").path)
            for set in [whole, landed] { try FileManager.default.createDirectory(atPath: set.directory, withIntermediateDirectories: true) }
            let written = try Self.write(whole, 0..<7)
            // Each shard's file as a writer process writes it: a whole file, landed by rename.
            for record in written.records {
                let writer = try RobomimicWriter(
                    destination: landed.path(record.file), dataAttributes: ["env_args": .string(#"{"env_name": "Lift", "type": 1}"#)])
                try writer.write(
                    (record.firstDemo...record.lastDemo).map { i in
                        var demo = RobomimicFixture.demo(i, steps: 2 + i % 4)
                        demo.name = "demo_\(i)"
                        return demo
                    }, threads: 1)
                try writer.finish(masks: Self.masks(record.firstDemo..<(record.lastDemo + 1)))
            }
            let writer = ShardedWriter(
                set: landed, shardSize: 3, dataAttributes: ["env_args": .string(#"{"env_name": "Lift", "type": 1}"#)], masks: Self.masks)
            var seen: [String] = []
            writer.onShard = { seen.append($0.file) }
            for (k, record) in written.records.enumerated() {
                let own = try landed.record(ofShard: k, shardSize: 3, demos: record.demos, samples: record.samples, execution: record.execution)
                #expect(own == record)
                try writer.land(own)
                #expect(try landed.finishedShards(shardSize: 3) == Array(written.records.prefix(k + 1)))
            }
            try writer.finish()
            #expect(seen == written.records.map(\.file))
            for name in [ShardSet.manifestName, ShardSet.indexName] + written.records.map(\.file) {
                #expect(try Self.bytes(whole.path(name)) == Self.bytes(landed.path(name)), "\(name)")
            }
        }
    }

    /// Only shards on disk with their recorded size count as finished; later ones are written again.
    @Test func aMissingOrChangedShardEndsTheFinishedOnes() throws {
        try withTemporaryDirectory { dir in
            let set = ShardSet(directory: dir.path)
            _ = try Self.write(set, 0..<7)
            let handle = try FileHandle(forWritingTo: URL(fileURLWithPath: set.path("shard-00001.hdf5")))
            try handle.seekToEnd()
            try handle.write(contentsOf: Data([0]))
            try handle.close()
            #expect(try set.finishedShards(shardSize: 3).map(\.file) == ["shard-00000.hdf5"])
            try FileManager.default.removeItem(atPath: set.path("shard-00000.hdf5"))
            #expect(try set.finishedShards(shardSize: 3).isEmpty)
        }
    }

    /// An executed run's shard may close short, or empty: shard s still starts at demo s·K, and
    /// the index and masks name only the demos there are.
    @Test func shortAndEmptyShards() throws {
        try withTemporaryDirectory { dir in
            let set = ShardSet(directory: dir.path)
            let writer = ShardedWriter(set: set, shardSize: 3, dataAttributes: [:], masks: Self.masks)
            try writer.write(RobomimicFixture.demo(0, steps: 2))
            try writer.closeShard(execution: .init(attempts: 9, failureReasons: ["no_success": 8], physicsSteps: 100))
            try writer.closeShard(execution: .init(attempts: 9, failureReasons: ["no_success": 9], physicsSteps: 90))
            #expect(writer.nextDemo == 6)
            try writer.write(RobomimicFixture.demo(6, steps: 3))
            try writer.finish()
            let records = try set.finishedShards(shardSize: 3)
            #expect(records.map(\.demos) == [1, 0, 1] && records.map(\.firstDemo) == [0, 3, 6])
            let total = records.compactMap(\.execution).reduce(ShardRecord.Execution(), +)
            #expect(total == .init(attempts: 18, failureReasons: ["no_success": 17], physicsSteps: 190))
            #expect(try RobomimicReader(path: set.path("shard-00001.hdf5")).demoNames.isEmpty)
            let index = try RobomimicReader(path: set.path(ShardSet.indexName))
            #expect(index.demoNames == ["demo_0", "demo_6"])
            #expect(index.masks == ["train": ["demo_0", "demo_6"], "valid": []])
        }
    }
}
