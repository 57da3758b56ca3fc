import ArgumentParser
import Foundation
import MimicCore
import MimicHDF5

struct MergeCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "merge",
        abstract: "Join the parts of a sharded run (augment --part i/N) into the whole run.",
        discussion: """
            Every part of one command (the same source, seed, -n, --shard-size and options) must be given, each \
            finished. OUT gets the parts' shards (hard links, or copies across file systems), one manifest and one \
            index: the files a single run of the command writes. The parts are not modified.
            """)

    @Argument(help: "The parts' directories (augment -o DIR --shard-size K --part i/N), in any order.")
    var parts: [String]

    @Option(name: .shortAndLong, help: "The directory of the whole run.")
    var output: String

    func validate() throws {
        if parts.isEmpty { throw ValidationError("give the directories of the run's parts") }
    }

    func run() async throws {
        for part in parts { try requireDistinct(output: output, from: part) }
        let (demos, shards) = try reportingFailures { try merge() }
        Console.out("merged \(parts.count) parts: \(demos) demos in \(shards) shards -> \(output)")
    }

    func merge() throws -> (demos: Int, shards: Int) {
        // Each part's identity, and which part it is.
        var byIndex: [Int: (set: ShardSet, identity: RunIdentity, part: RunPart)] = [:]
        var whole: RunIdentity?
        for directory in parts {
            let set = ShardSet(directory: directory)
            let runFile = set.path(ShardSet.identityName)
            guard var identity = try set.identity() else {
                throw DatasetError(file: runFile, path: "", "is missing; give directories written by augment --shard-size K --part i/N")
            }
            guard let text = identity.values["part"], let part = RunPart(text) else {
                throw DatasetError(file: runFile, path: "part", "is missing: \(directory) is a whole run, not a part")
            }
            identity.values["part"] = nil
            if let whole, whole != identity {
                throw DatasetError(
                    file: runFile, path: "", "is a part of another command than \(parts[0]) (\(whole.differences(to: identity).joined(separator: "; ")))")
            }
            whole = identity
            if let earlier = byIndex[part.index] {
                throw DatasetError(file: runFile, path: "part", "\(part) is also \(earlier.set.directory)")
            }
            if let other = byIndex.values.first, other.part.count != part.count {
                throw DatasetError(file: runFile, path: "part", "is \(part), but \(other.set.directory) is \(other.part)")
            }
            byIndex[part.index] = (set, identity, part)
        }
        guard let whole, let count = byIndex.values.first?.part.count else { return (0, 0) }
        let missing = (0..<count).filter { byIndex[$0] == nil }
        if !missing.isEmpty {
            throw ValidationError("missing parts: \(missing.map { "\($0)/\(count)" }.joined(separator: ", ")); give every part of the run")
        }
        guard let demos = whole.values["demos"].flatMap(Int.init), let shardSize = whole.values["shard_size"].flatMap(Int.init) else {
            throw DatasetError(file: byIndex[0]!.set.path(ShardSet.identityName), path: "", "has no demos and shard_size")
        }

        // Every part finished: its shards cover its share.
        var shards: [(record: ShardRecord, set: ShardSet)] = []
        var masks: [String: [String]] = [:]
        var dataAttributes: [String: AttributeValue]?
        for i in 0..<count {
            let (set, _, part) = byIndex[i]!
            let mine = part.shards(demos: demos, shardSize: shardSize)
            let finished = try set.finishedShards(firstShard: mine.lowerBound, shardSize: shardSize)
            let index = set.path(ShardSet.indexName)
            guard finished.count == mine.count, mine.isEmpty || FileManager.default.fileExists(atPath: index) else {
                throw DatasetError(
                    file: set.directory, path: "", "part \(part) is not finished (\(finished.count) of its \(mine.count) shards); run its command again to finish it")
            }
            shards += finished.map { ($0, set) }
            if finished.contains(where: { $0.demos > 0 }) {
                let reader = try RobomimicReader(path: index)
                for (key, names) in reader.masks { masks[key, default: []] += names }
                if dataAttributes == nil { dataAttributes = reader.dataAttributes.filter { $0.key != "total" } }
            }
        }

        // The whole run: its identity, the shards, the manifest and the index.
        let out = ShardSet(directory: output)
        let differences = try out.claim(identity: whole)
        if !differences.isEmpty { throw RunMismatch(directory: output, differences: differences) }
        for shard in shards { try out.adopt(shard.record, from: shard.set) }
        let records = shards.map(\.record)
        try out.writeManifest(records)
        try out.writeIndex(records: records, dataAttributes: dataAttributes ?? [:], masks: masks)
        return (records.reduce(0) { $0 + $1.demos }, records.count)
    }
}
