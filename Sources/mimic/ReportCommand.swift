import ArgumentParser
import Foundation
import MimicCore
import MimicHDF5
import MimicReport

struct ReportCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "report",
        abstract: "Write one self-contained HTML page about a generation run (docs/report.md).",
        discussion: """
            RUN is what `mimic augment` wrote: OUT.hdf5 (with OUT.hdf5.stats.json beside it) or a shard directory. \
            The page shows the run's settings and counts, source and generated end-effector paths, object placements \
            against the task's reset region, success and failure reasons, episode lengths, time per phase and sample \
            camera frames. With thousands of demos it draws an evenly spread sample and says so. Nothing is fetched: \
            the plots are inline SVG, the frames inline PNG.
            """)

    @Argument(help: ArgumentHelp("An augment output file (OUT.hdf5 with OUT.hdf5.stats.json) or a sharded run directory.", valueName: "run"))
    var runPath: String

    @Option(name: .shortAndLong, help: "The HTML page to write.")
    var output: String

    @Option(help: "The source dataset to compare with (default: the source the run's stats name).")
    var source: String?

    @Option(help: "The failed attempts the run kept (augment --keep-failed FILE): their placements, paths and reasons.")
    var failed: String?

    @Option(help: "A task spec (JSON) whose placement region replaces the built-in profile's (the --task the run used).")
    var task: String?

    func run() throws {
        try reportingFailures {
            try Self.writeReport(run: runPath, output: output, source: source, failed: failed, task: task)
        }
        Console.out("report of \(runPath) -> \(output)")
    }

    /// Reads the run `run` (an augment output file with its stats, or a shard directory) and
    /// writes its report to `output` (atomically). `augment --report` calls this after a run.
    ///
    /// - Parameters:
    ///   - source: the source dataset (default: the one the stats name; a missing one is noted on the page).
    ///   - failed: a `--keep-failed` file of the run.
    ///   - task: a task spec file whose fields override the built-in profile (its placement region).
    /// - Throws: `DatasetError` / `HDF5Error` naming the file and path (exit 65 or 74 through
    ///   `reportingFailures`), `ValidationError` when `output` names an input.
    static func writeReport(run: String, output: String, source: String? = nil, failed: String? = nil, task: String? = nil) throws {
        let input = try RunInput(run)
        let stats = try RunStats.read(input.statsPath)
        let sourcePath = source ?? stats.source
        for path in [run, input.statsPath, sourcePath, failed].compactMap({ $0 }) { try requireDistinct(output: output, from: path) }
        let report = try ReportReader(input: input, stats: stats, sourcePath: sourcePath, sourceGiven: source != nil, failed: failed, task: task).read()
        let html = ReportPage.html(report, generator: "mimic \(Mimic.configuration.version)")
        try PartialFile.write(Data(html.utf8), to: output)
    }

    /// How many demos a report reads at most: every one's length and placement from a sample of
    /// `sampled`, the end-effector paths of `paths` of them, frames from `frameDemos`.
    static let sampled = 2000, paths = 150, frameDemos = 2, failedExamples = 8
}

/// A run on disk: one file or a shard directory, and a way to reach its k-th demo.
struct RunInput {
    let path: String
    let statsPath: String
    /// The shards of a sharded run, in order (empty for one file).
    let shards: [ShardRecord]
    let shardSet: ShardSet?
    /// The one file's reader (nil for a sharded run).
    let file: RobomimicReader?
    /// Demos in the run.
    let count: Int

    init(_ path: String) throws {
        self.path = path
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory) else {
            throw DatasetError(.io, file: path, path: "", "missing: expected an augment output file or a shard directory")
        }
        guard isDirectory.boolValue else {
            statsPath = path + ".stats.json"
            shards = []
            shardSet = nil
            let reader = try RobomimicReader(path: path)
            file = reader
            count = reader.demoNames.count
            return
        }
        let set = ShardSet(directory: path)
        let runFile = set.path(ShardSet.identityName)
        guard let identity = try set.identity() else {
            throw DatasetError(.io, file: runFile, path: "", "missing: a shard directory written by augment --shard-size has run.json")
        }
        guard let demos = identity.values["demos"].flatMap(Int.init), let shardSize = identity.values["shard_size"].flatMap(Int.init), shardSize > 0
        else {
            throw DatasetError(file: runFile, path: "", "has no demos and shard_size: expected the identity of a sharded augment run")
        }
        var firstShard = 0
        if let text = identity.values["part"] {
            guard let part = RunPart(text) else { throw DatasetError(file: runFile, path: "part", "is \(text), expected i/N") }
            firstShard = part.shards(demos: demos, shardSize: shardSize).lowerBound
        }
        statsPath = set.path("stats.json")
        shardSet = set
        shards = try set.finishedShards(firstShard: firstShard, shardSize: shardSize)
        file = nil
        count = shards.reduce(0) { $0 + $1.demos }
    }

    /// At most `limit` demo positions, spread evenly over the run (``DemoSample``); in a run of
    /// more than ``maxShards`` shards, spread over that many shards spread evenly, as opening a
    /// shard costs a listing of its demos.
    func sample(limit: Int) -> [Int] {
        guard shards.count > Self.maxShards else { return DemoSample.indices(count: count, limit: limit) }
        var starts: [Int] = []
        var start = 0
        for shard in shards {
            starts.append(start)
            start += shard.demos
        }
        let pool = DemoSample.indices(count: shards.count, limit: Self.maxShards).flatMap { starts[$0]..<(starts[$0] + shards[$0].demos) }
        return DemoSample.indices(count: pool.count, limit: limit).map { pool[$0] }
    }

    /// Most shards a report opens.
    static let maxShards = 4

    /// Visits demos `indices` (ascending positions in the run) with the reader of the file that
    /// holds each and its name; a shard's file is open only while its demos are visited.
    func forEach(_ indices: [Int], _ body: (RobomimicReader, String) throws -> Void) throws {
        if let file {
            for k in indices { try body(file, file.demoNames[k]) }
            return
        }
        guard let shardSet else { return }
        var shard = 0, start = 0
        var reader: RobomimicReader?
        for k in indices {
            while k >= start + shards[shard].demos {
                start += shards[shard].demos
                shard += 1
                reader = nil
            }
            if reader == nil { reader = try RobomimicReader(path: shardSet.path(shards[shard].file)) }
            try body(reader!, "demo_\(shards[shard].firstDemo + k - start)")
        }
    }

    /// The run's `data` attributes (`env_args`, `mimic_generation`): the file's, or the first shard's.
    func dataAttributes() throws -> [String: AttributeValue] {
        if let file { return file.dataAttributes }
        guard let shardSet, let first = shards.first else { return [:] }
        return try RobomimicReader(path: shardSet.path(first.file)).dataAttributes
    }
}

/// What `augment` wrote to its stats JSON (older runs lack some fields).
struct RunStats: Decodable {
    var demos: Int
    var samples: Int
    var seconds: Double?
    var seed: UInt64?
    var workers: Int?
    var source: String
    var output: String?
    var kinematic: Bool?
    var attempts: Int?
    var failureReasons: [String: Int]?
    var mujoco: String?
    var phaseSeconds: [String: Double]?

    enum CodingKeys: String, CodingKey {
        case demos, samples, seconds, seed, workers, source, output, kinematic, attempts, mujoco
        case failureReasons = "failure_reasons", phaseSeconds = "phase_seconds"
    }

    static func read(_ path: String) throws -> RunStats {
        guard let data = FileManager.default.contents(atPath: path) else {
            throw DatasetError(.io, file: path, path: "", "missing: the run's stats (augment writes OUT.stats.json beside OUT, stats.json in a shard directory)")
        }
        do {
            return try JSONDecoder().decode(RunStats.self, from: data)
        } catch let DecodingError.keyNotFound(key, _) {
            throw DatasetError(file: path, path: key.stringValue, "missing: expected augment's stats JSON")
        } catch let DecodingError.typeMismatch(_, context), let DecodingError.valueNotFound(_, context) {
            throw DatasetError(file: path, path: context.codingPath.map(\.stringValue).joined(separator: "."), "has the wrong type: \(context.debugDescription)")
        } catch {
            throw DatasetError(file: path, path: "", "is not augment's stats JSON: \(error)")
        }
    }
}

/// Reads what a report shows from a run, its source and its failed attempts.
struct ReportReader {
    let input: RunInput
    let stats: RunStats
    let sourcePath: String
    /// Whether the source was named on the command line (then it must be readable).
    let sourceGiven: Bool
    let failed: String?
    let task: String?

    /// What one demo contributes.
    struct DemoFacts {
        var length: Int
        var placement: [RunReport.ObjectPosition]
        var path: RunReport.DemoPath?
        var effectors: [String]
        var failure: String?
    }

    func read() throws -> RunReport {
        var notes: [String] = []
        let attributes = try input.dataAttributes()
        let envArgs = try attributes["env_args"]?.stringValue.map { try EnvArgs(json: $0, file: input.path) }
        var spec = TaskProfiles.spec(for: envArgs)
        if let task {
            let override = try TaskSpec.decode(try readSmallFile(task), file: task)
            spec = spec?.merged(with: override) ?? override
        }
        let generation = attributes["mimic_generation"]?.stringValue.flatMap { try? JSONSerialization.jsonObject(with: Data($0.utf8)) as? [String: Any] }
        let taskName = (generation?["task"] as? String) ?? spec?.name ?? envArgs?.envName ?? "unknown task"

        // Generated demos: a sample for lengths and placements, a smaller one for paths and frames.
        let sample = input.sample(limit: ReportCommand.sampled)
        let withPath = Set(DemoSample.indices(count: sample.count, limit: ReportCommand.paths).map { sample[$0] })
        var generated: [DemoFacts] = []
        var effectors: [String] = []
        var pathIndices: [Int] = []
        try input.forEach(sample) { reader, name in
            let k = sample[generated.count]
            let facts = try Self.facts(reader, name, path: withPath.contains(k))
            if effectors.isEmpty { effectors = facts.effectors }
            generated.append(facts)
            if withPath.contains(k) { pathIndices.append(k) }
        }
        let frameIndices = DemoSample.indices(count: pathIndices.count, limit: ReportCommand.frameDemos).map { pathIndices[$0] }
        var cameras: [String: [RunReport.Frame]] = [:]
        try input.forEach(frameIndices) { reader, name in
            for (camera, frames) in try Self.frames(reader, name) { cameras[camera, default: []] += frames }
        }

        // Sources: the ones the stats name, unless the file is gone.
        var sources: [DemoFacts] = []
        if sourceGiven || FileManager.default.fileExists(atPath: sourcePath) {
            let reader = try RobomimicReader(path: sourcePath)
            for k in DemoSample.indices(count: reader.demoNames.count, limit: ReportCommand.paths) {
                sources.append(try Self.facts(reader, reader.demoNames[k], path: true))
            }
        } else {
            notes.append("The source \(sourcePath) named in the run's stats was not found, so no source demos are drawn (give it with --source).")
        }

        // Failed attempts kept with --keep-failed.
        var failedFacts: [DemoFacts] = []
        var failedCount: Int?
        if let failed {
            let reader = try RobomimicReader(path: failed)
            failedCount = reader.demoNames.count
            for k in DemoSample.indices(count: reader.demoNames.count, limit: ReportCommand.paths) {
                failedFacts.append(try Self.facts(reader, reader.demoNames[k], path: true))
            }
        }

        let sourcePositions = sources.flatMap(\.placement)
        let header = RunReport.Header(
            source: sourcePath, output: input.path, task: taskName, robots: envArgs?.robots ?? [], seed: stats.seed, workers: stats.workers,
            demos: stats.demos, samples: stats.samples, attempts: stats.kinematic == false ? stats.attempts : nil,
            kinematic: stats.kinematic ?? (generation?["kinematic"] as? Bool ?? true), mujoco: stats.mujoco, seconds: stats.seconds,
            shards: input.shardSet == nil ? nil : input.shards.count)
        return RunReport(
            header: header,
            paths: RunReport.Paths(
                effectors: effectors, sources: sources.compactMap(\.path), generated: generated.compactMap(\.path), generatedTotal: input.count,
                failed: failedFacts.compactMap(\.path)),
            placements: RunReport.Placements(
                regions: RunReport.Region.regions(of: spec?.placement, sources: sourcePositions), aroundSource: spec?.placement?.around == .source,
                sources: sourcePositions, generated: generated.flatMap(\.placement), generatedTotal: input.count,
                failed: failedFacts.flatMap(\.placement)),
            outcome: RunReport.Outcome(
                failureReasons: stats.failureReasons ?? [:],
                failedExamples: failedFacts.prefix(ReportCommand.failedExamples).compactMap { f in f.failure.map { (f.path?.demo ?? "", $0) } },
                failedKept: failedCount),
            lengths: RunReport.Lengths(generated: generated.map(\.length), generatedTotal: input.count, sources: sources.map(\.length)),
            phaseSeconds: stats.phaseSeconds.map { $0.map { (phase: $0.key, seconds: $0.value) } },
            cameras: cameras.keys.sorted().map { RunReport.CameraFrames(camera: $0, frames: cameras[$0]!) },
            notes: notes)
    }

    /// Demo `name`'s length, initial object placement (`mimic_scene`, else the objects' first
    /// poses in datagen_info) and, with `path`, its end-effector positions (datagen_info).
    /// Without `path`, a demo with `num_samples` and `mimic_scene` (what augment writes) is read
    /// from these attributes alone, its datasets unopened.
    static func facts(_ reader: RobomimicReader, _ name: String, path: Bool) throws -> DemoFacts {
        if !path {
            let attributes = try reader.data.group(name).attributes
            if attributes.contains("num_samples") && attributes.contains("mimic_scene") {
                let where_ = "/data/\(name).attrs[num_samples]"
                guard let length = try attributes.value("num_samples").intValue, length >= 0 else {
                    throw DatasetError(file: reader.path, path: where_, "expected a non-negative integer")
                }
                var facts = DemoFacts(length: length, placement: [], path: nil, effectors: [], failure: nil)
                facts.placement = try placement(try attributes.value("mimic_scene").stringValue, reader: reader, name: name)
                return facts
            }
        }
        let layout = try reader.layout(of: name)
        let length = layout.datasets.first { $0.path == "actions" }?.dataset.rows ?? layout.demo.attributes["num_samples"]?.intValue ?? 0
        var facts = DemoFacts(length: length, placement: [], path: nil, effectors: [], failure: layout.demo.attributes["mimic_failure"]?.stringValue)
        facts.placement = try placement(layout.demo.attributes["mimic_scene"]?.stringValue, reader: reader, name: name)
        guard path || facts.placement.isEmpty else { return facts }
        var demo = layout.demo
        for (rel, dataset) in layout.datasets where rel.hasPrefix("datagen_info/") || rel.hasPrefix("obs/datagen_info/") {
            demo.arrays[rel] = try dataset.read()
        }
        guard let info = try DatagenInfo(demo: demo, file: reader.path) else { return facts }
        facts.effectors = info.endEffectors.map(\.name)
        if path {
            facts.path = RunReport.DemoPath(
                demo: name, effectors: info.endEffectors.map { e in e.eefPose.poses.map { SIMD3($0.position.x, $0.position.y, $0.position.z) } })
        }
        if facts.placement.isEmpty {
            for (object, track) in info.objectPoses.sorted(by: { $0.key < $1.key }) where track.count > 0 {
                let p = track[0].position
                facts.placement.append(RunReport.ObjectPosition(object: object, demo: name, x: p.x, y: p.y))
            }
        }
        return facts
    }

    /// The initial object positions of `mimic_scene` (JSON: object → x, y, z, qx, qy, qz, qw), by object name.
    static func placement(_ scene: String?, reader: RobomimicReader, name: String) throws -> [RunReport.ObjectPosition] {
        guard let scene else { return [] }
        let where_ = "/data/\(name).attrs[mimic_scene]"
        guard let poses = try? JSONDecoder().decode([String: [Double]].self, from: Data(scene.utf8)) else {
            throw DatasetError(file: reader.path, path: where_, "is not a JSON object of object → [x, y, z, qx, qy, qz, qw]")
        }
        return try poses.sorted(by: { $0.key < $1.key }).map { object, pose in
            guard pose.count == 7, pose.allSatisfy(\.isFinite) else {
                throw DatasetError(file: reader.path, path: where_, "has \(object): \(pose), expected 7 finite numbers")
            }
            return RunReport.ObjectPosition(object: object, demo: name, x: pose[0], y: pose[1])
        }
    }

    /// The first, middle and last frame of every camera of demo `name`: `obs/<camera>_image`,
    /// uint8 (T, H, W, 3), stored bottom row first.
    static func frames(_ reader: RobomimicReader, _ name: String) throws -> [(camera: String, frames: [RunReport.Frame])] {
        let layout = try reader.layout(of: name)
        var cameras: [(camera: String, frames: [RunReport.Frame])] = []
        for (rel, dataset) in layout.datasets where rel.hasPrefix("obs/") && rel.hasSuffix("_image") {
            let shape = dataset.shape
            guard shape.count == 4, shape[3] == 3, shape[0] > 0, shape[1] > 0, shape[2] > 0 else {
                throw DatasetError(file: reader.path, path: dataset.path, "has shape \(shape), expected (T, H, W, 3) RGB frames")
            }
            guard case .uint8(let bytes) = try dataset.read().storage else {
                throw DatasetError(file: reader.path, path: dataset.path, "holds \(dataset.dtype), expected uint8 RGB frames")
            }
            let (t, height, width) = (shape[0], shape[1], shape[2])
            let frame = height * width * 3
            let steps = Array(Set([0, t / 2, t - 1])).sorted()
            let camera = String(rel.dropFirst("obs/".count).dropLast("_image".count))
            cameras.append(
                (
                    camera,
                    steps.map { s in
                        RunReport.Frame(
                            demo: name, step: s, image: RGBImage(openGLRows: Array(bytes[(s * frame)..<((s + 1) * frame)]), width: width, height: height))
                    }
                ))
        }
        return cameras
    }
}
