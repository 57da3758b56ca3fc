import ArgumentParser
import Foundation
import MimicCore
import MimicHDF5

/// Where `augment` writes its demos: one file (`-o FILE`), or a directory of shards
/// (`-o DIR --shard-size K`) that a rerun of the same command resumes.
enum AugmentOutput {
    case file(RobomimicWriter)
    case shards(ShardedWriter)

    /// Appends the next demo; `execution` is an executed run's counters of the shard so far.
    func write(_ demo: Demo, execution: ShardRecord.Execution?) throws {
        switch self {
        case .file(let writer): try writer.write(demo)
        case .shards(let writer): try writer.write(demo, execution: execution)
        }
    }

    /// Appends kinematic demos in order, gzip chunks compressed on `threads` threads.
    func write(_ demos: [Demo], threads: Int) throws {
        switch self {
        case .file(let writer): try writer.write(demos, threads: threads)
        case .shards(let writer): try writer.write(demos, threads: threads)
        }
    }

    /// Ends an executed run's shard that is not full (the file has no shards).
    func closeShard(execution: ShardRecord.Execution) throws {
        if case .shards(let writer) = self { try writer.closeShard(execution: execution) }
    }

    /// Ends the run: the file gets the masks of its `demos` and lands; the shards land and the index is written.
    func finish(demos: Int, masks: (Range<Int>) -> [String: [String]]) throws {
        switch self {
        case .file(let writer): try writer.finish(masks: masks(0..<demos))
        case .shards(let writer): try writer.finish()
        }
    }
}

extension AugmentCommand {
    /// What a run was made by, for `run.json`: a rerun resumes the run only when all of it is the same.
    func runIdentity(runSeed: UInt64, count: Int) throws -> RunIdentity {
        var values: [String: String] = [
            "mimic": Mimic.configuration.version, "source_sha256": try ShardSet.sha256(ofFile: source),
            "seed": String(runSeed), "demos": String(count), "format": format.rawValue, "execute": String(execute),
            "shard_size": shardSize.map(String.init) ?? "", "valid_fraction": String(validFraction),
        ]
        if let part { values["part"] = part.description }
        if let compression { values["compression"] = compression.description }
        if float32 { values["float32"] = "true" }
        if shareModelFile { values["share_model_file"] = "true" }
        if let task { values["task_sha256"] = try ShardSet.sha256(ofFile: task) }
        if let mimicgenConfig { values["mimicgen_config_sha256"] = try ShardSet.sha256(ofFile: mimicgenConfig) }
        if execute {
            values["max_attempts"] = String(maxAttempts ?? 20 * count)
            values["stop_after_success"] = stopAfterSuccess.map(String.init) ?? "none"
            values["success_at"] = (successAt ?? .end).rawValue
            values["robosuite_assets"] = robosuiteAssets ?? "installed robosuite"
        }
        return RunIdentity(values)
    }

    /// Opens the output: a new file, or the shard directory (created, or resumed when it holds
    /// finished shards of the same command) for the demos `share` of the run (all of them, or a
    /// `--part`'s, which starts a shard). Returns the finished shards' records.
    func openOutput(
        attributes: [String: AttributeValue], masks: @escaping (Range<Int>) -> [String: [String]], share: Range<Int>,
        identity: () throws -> RunIdentity
    ) throws -> (AugmentOutput, [ShardRecord]) {
        guard let shardSize else { return (.file(try makeWriter(output, attributes: attributes)), []) }
        let (dataAttributes, options) = layoutFile(attributes)
        let set = ShardSet(directory: output)
        let differences = try set.claim(identity: try identity())
        if !differences.isEmpty {
            throw RunMismatch(directory: output, differences: differences)
        }
        let firstShard = share.lowerBound / shardSize
        let records = try set.finishedShards(firstShard: firstShard, shardSize: shardSize)
        if !records.isEmpty {
            Console.note("resuming \(output): \(records.reduce(0) { $0 + $1.demos }) demos in \(records.count) finished shards")
        }
        let writer = ShardedWriter(
            set: set, shardSize: shardSize, records: records, firstShard: firstShard, dataAttributes: dataAttributes, options: options,
            masks: masks)
        if let manifest { writer.onShard = try Self.manifestFollower(manifest) }
        return (.shards(writer), records)
    }

    /// As a shard writer (``ShardWriterProcesses``): writes the slot's shards of `share` (run
    /// `generate` gives their demos, in batches) and prints each one's record when it has landed.
    func writeShards(
        _ slot: ShardWriterProcesses.Slot, shardSize: Int, share: Range<Int>, attributes: [String: AttributeValue],
        masks: (Range<Int>) -> [String: [String]], generate: (Range<Int>, ([Demo], Int) throws -> Void) throws -> Void
    ) throws {
        let (dataAttributes, options) = layoutFile(attributes)
        let set = ShardSet(directory: output)
        for shard in slot.shards(end: (share.upperBound + shardSize - 1) / shardSize) {
            let range = shard * shardSize..<min((shard + 1) * shardSize, share.upperBound)
            let writer = try RobomimicWriter(destination: set.path(ShardSet.shardName(shard)), dataAttributes: dataAttributes, options: options)
            var samples = 0
            try generate(range) { demos, count in
                try writer.write(demos, threads: 1)
                samples += count
            }
            try writer.finish(masks: masks(range))
            Console.out(try set.record(ofShard: shard, shardSize: shardSize, demos: range.count, samples: samples).jsonLine())
        }
    }

    /// `--manifest`: each landed shard's line on stdout (`-`), or appended to a file (or a named
    /// pipe). A reader that has gone (EPIPE: SIGPIPE is ignored, `Interrupts`) ends the run with
    /// an I/O error; the landed shards stay for a rerun to resume.
    static func manifestFollower(_ destination: String) throws -> (ShardRecord) throws -> Void {
        let handle: FileHandle
        if destination == "-" {
            handle = FileHandle.standardOutput
        } else {
            let fd = open(destination, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0o666)
            guard fd >= 0 else { throw DatasetError(.io, file: destination, path: "", "cannot open the manifest to append to it") }
            handle = FileHandle(fileDescriptor: fd, closeOnDealloc: true)
        }
        let name = destination == "-" ? "stdout" : destination
        return { record in
            do { try handle.write(contentsOf: Data((record.jsonLine() + "\n").utf8)) } catch {
                throw DatasetError(
                    .io, file: name, path: "",
                    "cannot write the manifest line of \(record.file) (\(error.localizedDescription)): has its reader gone? The landed shards stay; the same command resumes the run"
                )
            }
        }
    }

    /// The masks of demos in a range of indices of a run of `count` demos: mask/train and
    /// mask/valid (robomimic layout; Isaac Lab files have none). The valid ones are `validDemos`
    /// of the whole run, so a shard's masks are the run's, restricted to its demos.
    func masks(count: Int, seed: UInt64) -> (Range<Int>) -> [String: [String]] {
        guard format == .robomimic else { return { _ in [:] } }
        let valid = Self.validDemos(count: count, fraction: validFraction, seed: seed)
        return { range in
            [
                "train": range.filter { !valid.contains($0) }.map { "demo_\($0)" },
                "valid": range.filter { valid.contains($0) }.map { "demo_\($0)" },
            ]
        }
    }
}

/// A run directory made by another command: printed as one line, exit code 64.
struct RunMismatch: Error, CustomStringConvertible {
    var directory: String
    var differences: [String]
    var description: String {
        "\(directory): holds a run made by another command (\(differences.joined(separator: "; "))); rerun the same command to resume it, or write to another directory"
    }
}

extension RunPart: ExpressibleByArgument {
    public init?(argument: String) { self.init(argument) }
}
