import Crypto
import Foundation
import MimicCore

/// One finished shard, as a line of `manifest.jsonl`.
public struct ShardRecord: Codable, Equatable, Sendable {
    /// The shard's file name in the run directory (`shard-00000.hdf5`).
    public var file: String
    /// Indices of its first and last demo (`demo_<first>` ... `demo_<last>`).
    public var firstDemo: Int
    public var lastDemo: Int
    public var demos: Int
    public var samples: Int
    /// Size and SHA-256 of the file.
    public var bytes: Int
    public var sha256: String
    /// An executed run's counters of this shard: its attempts, the failed ones by reason, and
    /// the physics steps simulated. Nil for kinematic runs.
    public var execution: Execution?

    public struct Execution: Codable, Equatable, Sendable {
        public var attempts: Int
        public var failureReasons: [String: Int]
        public var physicsSteps: Int

        public init(attempts: Int = 0, failureReasons: [String: Int] = [:], physicsSteps: Int = 0) {
            self.attempts = attempts
            self.failureReasons = failureReasons
            self.physicsSteps = physicsSteps
        }

        /// The counters of two stretches of a run together.
        public static func + (a: Execution, b: Execution) -> Execution {
            Execution(
                attempts: a.attempts + b.attempts, failureReasons: a.failureReasons.merging(b.failureReasons, uniquingKeysWith: +),
                physicsSteps: a.physicsSteps + b.physicsSteps)
        }

        enum CodingKeys: String, CodingKey {
            case attempts, failureReasons = "failure_reasons", physicsSteps = "physics_steps"
        }
    }

    enum CodingKeys: String, CodingKey {
        case file, firstDemo = "first_demo", lastDemo = "last_demo", demos, samples, bytes, sha256, execution
    }

    /// The manifest line: JSON with sorted keys, no newline.
    public func jsonLine() -> String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        return String(decoding: (try? encoder.encode(self)) ?? Data(), as: UTF8.self)
    }
}

/// A run written as shards into a directory:
///
/// - `shard-00000.hdf5`, `shard-00001.hdf5`, ...: each a complete file of the run's layout with
///   consecutive demos, shard `s` from `demo_<s·K>` for a shard size K (numbered across the run;
///   an executed run's shard may hold fewer than K), its masks restricted to them; written under
///   a partial name and renamed when closed (``PartialFile``).
/// - `manifest.jsonl`: one ``ShardRecord`` per finished shard, in order; replaced whole (partial
///   file, rename) each time a shard lands, so it never holds a part of a line.
/// - `run.json`: what made the run (``RunIdentity``), so that the same command resumes it and
///   another one is refused.
/// - `index.hdf5`, written when the run ends: `data/demo_<i>` are HDF5 external links into the
///   shards, with the run's `data` attributes, `total` and masks: one dataset for h5py and
///   robomimic.
public struct ShardSet: Sendable {
    public let directory: String

    public init(directory: String) { self.directory = directory }

    public static let manifestName = "manifest.jsonl"
    public static let indexName = "index.hdf5"
    public static let identityName = "run.json"

    /// `shard-<n>.hdf5`, n zero-padded to 5 digits.
    public static func shardName(_ n: Int) -> String {
        let digits = String(n)
        return "shard-" + String(repeating: "0", count: max(0, 5 - digits.count)) + digits + ".hdf5"
    }

    public func path(_ name: String) -> String { URL(fileURLWithPath: directory).appendingPathComponent(name).path }

    // MARK: Identity

    /// Creates the directory and records `identity`, or checks a directory made before: it must
    /// be empty, or hold a run with the same identity. Returns the differences from the recorded
    /// identity (empty when the run may go on or start).
    ///
    /// - Throws: ``DatasetError`` `.io` when the directory cannot be made or read, `.invalidData`
    ///   when it holds something other than a Mimic run or an unreadable `run.json`.
    public func claim(identity: RunIdentity) throws(DatasetError) -> [String] {
        let manager = FileManager.default
        var isDirectory: ObjCBool = false
        if manager.fileExists(atPath: directory, isDirectory: &isDirectory) {
            guard isDirectory.boolValue else {
                throw DatasetError(.io, file: directory, path: "", "exists and is not a directory; sharded output (--shard-size) goes into a directory")
            }
            if let recorded = try self.identity() { return recorded.differences(to: identity) }
            let entries = (try? manager.contentsOfDirectory(atPath: directory)) ?? []
            if entries.contains(where: { PartialFile.owner(ofPartialNamed: $0) == nil }) {
                throw DatasetError(
                    file: directory, path: "", "is not empty and holds no \(Self.identityName); Mimic writes a sharded run only into a new or empty directory")
            }
        } else {
            do {
                try manager.createDirectory(atPath: directory, withIntermediateDirectories: true)
            } catch {
                throw DatasetError(.io, file: directory, path: "", "cannot create the directory: \(error.localizedDescription)")
            }
        }
        try PartialFile.write(identity.json(), to: path(Self.identityName))
        return []
    }

    /// The identity `run.json` records; nil when there is none.
    public func identity() throws(DatasetError) -> RunIdentity? {
        let file = path(Self.identityName)
        guard let data = FileManager.default.contents(atPath: file) else { return nil }
        return try RunIdentity(json: data, file: file)
    }

    /// Makes `record`'s shard of `other` a shard of this set: a hard link (the same file, no
    /// copy), or a copy through a partial file where the two are on different file systems.
    public func adopt(_ record: ShardRecord, from other: ShardSet) throws(DatasetError) {
        let source = other.path(record.file), destination = path(record.file)
        unlink(destination)
        if link(source, destination) == 0 { return }
        guard let data = FileManager.default.contents(atPath: source) else {
            throw DatasetError(.io, file: source, path: "", "cannot read the shard to copy it")
        }
        try PartialFile.write(data, to: destination)
    }

    // MARK: Manifest

    /// The finished shards, in order: the manifest's records whose file is there with its recorded
    /// size, up to the first that is not (later shards are written again). A part of a run starts
    /// at its first shard (``RunPart``).
    ///
    /// - Throws: ``DatasetError`` for a manifest line that is not a shard record, or records out of order.
    public func finishedShards(firstShard: Int = 0, shardSize: Int) throws(DatasetError) -> [ShardRecord] {
        let file = path(Self.manifestName)
        guard let data = FileManager.default.contents(atPath: file) else { return [] }
        let decoder = JSONDecoder()
        var records: [ShardRecord] = []
        for (number, line) in String(decoding: data, as: UTF8.self).split(separator: "\n").enumerated() {
            let record: ShardRecord
            do {
                record = try decoder.decode(ShardRecord.self, from: Data(line.utf8))
            } catch {
                throw DatasetError(file: file, path: "line \(number + 1)", "is not a shard record: \(error)")
            }
            let shard = firstShard + records.count
            let name = Self.shardName(shard), expected = shard * shardSize
            guard record.file == name, record.firstDemo == expected, record.lastDemo - record.firstDemo + 1 == record.demos,
                (0...shardSize).contains(record.demos)
            else {
                throw DatasetError(
                    file: file, path: "line \(number + 1)",
                    "expected \(name) from demo \(expected), found \(record.file) with demos \(record.firstDemo)...\(record.lastDemo)")
            }
            var info = stat()
            guard stat(path(record.file), &info) == 0, Int(info.st_size) == record.bytes else { break }
            records.append(record)
        }
        return records
    }

    /// The record of shard `shard`, just landed with `demos` demos from `demo_<shard·shardSize>`
    /// and `samples` samples: its file's size and SHA-256 read from the disk.
    public func record(
        ofShard shard: Int, shardSize: Int, demos: Int, samples: Int, execution: ShardRecord.Execution? = nil
    ) throws(DatasetError) -> ShardRecord {
        let file = Self.shardName(shard)
        var info = stat()
        guard stat(path(file), &info) == 0 else { throw DatasetError(.io, file: path(file), path: "", "the shard just written is missing") }
        let first = shard * shardSize
        return ShardRecord(
            file: file, firstDemo: first, lastDemo: first + demos - 1, demos: demos, samples: samples, bytes: Int(info.st_size),
            sha256: try Self.sha256(ofFile: path(file)), execution: execution)
    }

    /// Replaces the manifest with `records` (one JSON line each).
    public func writeManifest(_ records: [ShardRecord]) throws(DatasetError) {
        let text = records.map { $0.jsonLine() + "\n" }.joined()
        try PartialFile.write(Data(text.utf8), to: path(Self.manifestName))
    }

    // MARK: Index

    /// Writes `index.hdf5`: `data` with `dataAttributes` and `total`, `data/demo_<i>` external
    /// links into the shards of `records`, and `masks` (demo names) under `mask/`.
    public func writeIndex(records: [ShardRecord], dataAttributes: [String: AttributeValue], masks: [String: [String]]) throws {
        let destination = path(Self.indexName)
        let partial = PartialFile(destination: destination)
        do {
            let file = try HDF5File.create(partial.path)
            do {
                let data = try file.root.createGroup("data")
                var attributes = dataAttributes
                attributes["total"] = .int(records.reduce(0) { $0 + $1.samples })
                for (name, value) in attributes.sorted(by: { $0.key < $1.key }) { try data.attributes.set(name, value: value) }
                for record in records where record.demos > 0 {
                    for i in record.firstDemo...record.lastDemo {
                        try data.createExternalLink("demo_\(i)", file: record.file, path: "/data/demo_\(i)")
                    }
                }
                for (key, names) in masks.sorted(by: { $0.key < $1.key }) { try file.root.writeStrings("mask/\(key)", names) }
                try file.flush()
            } catch {
                file.close()
                throw error
            }
            file.close()
        } catch {
            partial.discard()
            throw error
        }
        try partial.commit()
    }

    // MARK: Checksums

    /// The SHA-256 of the file at `path`, hex, read in 4 MiB blocks.
    public static func sha256(ofFile path: String) throws(DatasetError) -> String {
        guard let handle = FileHandle(forReadingAtPath: path) else {
            throw DatasetError(.io, file: path, path: "", "cannot open the file to checksum it")
        }
        defer { try? handle.close() }
        var hash = SHA256()
        while true {
            let block: Data?
            do { block = try handle.read(upToCount: 4 << 20) } catch {
                throw DatasetError(.io, file: path, path: "", "cannot read the file to checksum it: \(error.localizedDescription)")
            }
            guard let block, !block.isEmpty else { break }
            hash.update(data: block)
        }
        return hash.finalize().map { String(format: "%02x", $0) }.joined()
    }
}

/// What made a run, as `run.json` records it: named values (Mimic's version, the source's
/// checksum, the seed, the options that change the output). A run directory is resumed only by
/// a command with the same identity.
public struct RunIdentity: Equatable, Sendable {
    public var values: [String: String]

    public init(_ values: [String: String]) { self.values = values }

    /// Reads `run.json`.
    public init(json data: Data, file: String) throws(DatasetError) {
        guard let object = try? JSONSerialization.jsonObject(with: data) as? [String: String] else {
            throw DatasetError(file: file, path: "", "is not a run record (a JSON object of strings)")
        }
        values = object
    }

    public func json() -> Data {
        (try? JSONSerialization.data(withJSONObject: values, options: [.sortedKeys, .prettyPrinted, .withoutEscapingSlashes])) ?? Data()
    }

    /// One phrase per value that differs, `name: recorded → now` (sorted by name).
    public func differences(to other: RunIdentity) -> [String] {
        Set(values.keys).union(other.values.keys).sorted().compactMap { key in
            let a = values[key], b = other.values[key]
            return a == b ? nil : "\(key) \(a ?? "(none)") → \(b ?? "(none)")"
        }
    }
}

/// Part `index` of `count` of a sharded run (`--part i/N`): a contiguous stretch of whole shards,
/// so that the parts together write exactly the shards of the whole run.
public struct RunPart: Equatable, Sendable, CustomStringConvertible {
    public var index: Int
    public var count: Int

    public init(index: Int, count: Int) {
        precondition(count >= 1 && (0..<count).contains(index), "part \(index) of \(count)")
        self.index = index
        self.count = count
    }

    /// `i/N` with 0 ≤ i < N; nil otherwise.
    public init?(_ text: String) {
        let pieces = text.split(separator: "/", omittingEmptySubsequences: false)
        guard pieces.count == 2, let i = Int(pieces[0]), let n = Int(pieces[1]), n >= 1, (0..<n).contains(i) else { return nil }
        self.init(index: i, count: n)
    }

    public var description: String { "\(index)/\(count)" }

    /// The shards of this part in a run of `demos` demos, `shardSize` per shard: shards
    /// ⌊i·S/N⌋ ..< ⌊(i+1)·S/N⌋ of the S = ⌈demos / shardSize⌉.
    public func shards(demos: Int, shardSize: Int) -> Range<Int> {
        let total = (demos + shardSize - 1) / shardSize
        return (index * total / count)..<((index + 1) * total / count)
    }

    /// The demo indices of this part's shards.
    public func demos(demos: Int, shardSize: Int) -> Range<Int> {
        let shards = shards(demos: demos, shardSize: shardSize)
        return min(demos, shards.lowerBound * shardSize)..<min(demos, shards.upperBound * shardSize)
    }
}
