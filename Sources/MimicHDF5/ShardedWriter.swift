import Foundation
import MimicCore

/// Writes a run's demos, in order, into the shards of a ``ShardSet``: shard `s` holds demos
/// `s·shardSize` on, at most `shardSize` of them; each shard is a ``RobomimicWriter`` file that
/// lands (rename) when full or closed, followed by its line in the manifest;
/// ``finish()`` closes the last shard and writes the index. Only the demo being written and
/// the shard records are held, whatever the run's size.
///
/// A writer started with the records of a run's finished shards continues after them: demo
/// `i` always lands in shard `i / shardSize` with the same neighbours, so a resumed run writes
/// the files an uninterrupted one writes.
public final class ShardedWriter {
    public let set: ShardSet
    public let shardSize: Int
    let dataAttributes: [String: AttributeValue]
    let options: WriteOptions
    let masks: (Range<Int>) -> [String: [String]]
    /// The finished shards.
    public private(set) var records: [ShardRecord]
    /// The number of the first shard (not 0 in a part of a run).
    public let firstShard: Int
    /// Called with each shard's record once the shard and its manifest line have landed.
    public var onShard: ((ShardRecord) throws -> Void)?
    private var current: RobomimicWriter?
    private var currentSamples = 0

    /// - Parameters:
    ///   - records: the finished shards of the run being resumed (``ShardSet/finishedShards(firstShard:shardSize:)``), or none.
    ///   - firstShard: the number of the first shard (a part of a run starts after others).
    ///   - dataAttributes: every file's `data` attributes (`env_args`, provenance), `total` excepted.
    ///   - masks: the masks (demo names) of demos in a range of indices: a shard's, and at the end the run's.
    public init(
        set: ShardSet, shardSize: Int, records: [ShardRecord] = [], firstShard: Int = 0, dataAttributes: [String: AttributeValue],
        options: WriteOptions = .init(), masks: @escaping (Range<Int>) -> [String: [String]]
    ) {
        precondition(shardSize >= 1, "a shard holds at least one demo")
        self.set = set
        self.shardSize = shardSize
        self.records = records
        self.firstShard = firstShard
        self.dataAttributes = dataAttributes
        self.options = options
        self.masks = masks
    }

    deinit { current?.abandon() }

    /// The number of the shard being written, or next to be.
    public var shard: Int { firstShard + records.count }

    /// The index the next demo written gets (its name is `demo_<nextDemo>`).
    public var nextDemo: Int { shard * shardSize + (current?.demoCount ?? 0) }

    /// Appends `demo` (renamed `demo_<nextDemo>`); when that fills the shard, the shard lands
    /// with `execution`, an executed run's counters of the shard.
    public func write(_ demo: Demo, execution: ShardRecord.Execution? = nil) throws {
        try write([demo], threads: 1, execution: execution)
    }

    /// Appends `demos` in order (renamed `demo_<nextDemo>`, ...), each shard's slice written with
    /// ``RobomimicWriter/write(_:threads:)``; a shard that fills lands with `execution`.
    public func write(_ demos: [Demo], threads: Int, execution: ShardRecord.Execution? = nil) throws {
        var rest = demos[...]
        while !rest.isEmpty {
            let writer = try open()
            let slice = rest.prefix(shardSize - writer.demoCount)
            let first = nextDemo
            let named = slice.enumerated().map { k, demo in
                var copy = demo
                copy.name = "demo_\(first + k)"
                return copy
            }
            try writer.write(named, threads: threads)
            currentSamples += slice.reduce(0) { $0 + $1.length }
            rest = rest.dropFirst(slice.count)
            if writer.demoCount == shardSize { try closeShard(execution: execution) }
        }
    }

    /// Lands the shard being written, or an empty one when none is (an executed run's shard
    /// whose attempts all failed), with `execution`; the next demo starts the next shard.
    public func closeShard(execution: ShardRecord.Execution? = nil) throws {
        let writer = try open()
        let first = shard * shardSize, demos = writer.demoCount
        try writer.finish(masks: demos > 0 ? masks(first..<(first + demos)) : [:])
        current = nil
        try land(try set.record(ofShard: shard, shardSize: shardSize, demos: demos, samples: currentSamples, execution: execution))
    }

    /// Records shard ``shard``, written and landed elsewhere (by another process), as finished:
    /// its line joins the manifest, then ``onShard`` is called.
    public func land(_ record: ShardRecord) throws {
        precondition(current == nil && record.file == ShardSet.shardName(shard), "shards land in order")
        records.append(record)
        try set.writeManifest(records)
        try onShard?(record)
    }

    /// Lands a shard that is not full yet (the run's last), then writes the index over every
    /// finished shard with the run's masks (the shards' masks together).
    public func finish() throws {
        if current != nil { try closeShard() }
        var all: [String: [String]] = [:]
        for record in records where record.demos > 0 {
            for (key, names) in masks(record.firstDemo..<(record.lastDemo + 1)) { all[key, default: []] += names }
        }
        try set.writeIndex(records: records, dataAttributes: dataAttributes, masks: all)
    }

    /// Removes the shard being written (its partial file). Safe to call more than once.
    public func abandon() {
        current?.abandon()
        current = nil
    }

    private func open() throws -> RobomimicWriter {
        if let current { return current }
        let writer = try RobomimicWriter(destination: set.path(ShardSet.shardName(shard)), dataAttributes: dataAttributes, options: options)
        current = writer
        currentSamples = 0
        return writer
    }
}
