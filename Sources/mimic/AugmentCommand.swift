import ArgumentParser
import Foundation
import MimicCore
import MimicHDF5
import MimicSim

struct AugmentCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "augment",
        abstract: "Generate new demos from prepared source demos (MimicGen's algorithm).",
        discussion: """
            The source must carry datagen_info (run `mimic prepare` first, or use a MimicGen-prepared file) \
            or Isaac Lab Mimic's annotation (obs/datagen_info; give the action columns in --task unless env_args has the controllers). \
            The task comes from --task, else --mimicgen-config, else the built-in profile of the file's env_name, \
            else it is inferred from the data. Without --execute the demos are kinematic candidates: the end \
            effector is assumed to reach what each action commands. With --execute every attempt runs closed \
            loop in MuJoCo with robosuite's controllers, and -n counts the successful ones.
            """)

    @Argument(help: "A prepared source dataset (robomimic layout with datagen_info) or an annotated Isaac Lab dataset.")
    var source: String

    @Option(name: .shortAndLong, help: "The dataset to write (a directory of shards with --shard-size).")
    var output: String

    @Option(
        help: """
            Write -o as a directory of shards of this many demos (shard-00000.hdf5, ...), a manifest.jsonl line per \
            finished shard, and index.hdf5 linking them all; the same command resumes an interrupted run.
            """)
    var shardSize: Int?

    @Option(
        help: """
            With --shard-size: write only part i of N (i/N, 0 ≤ i < N), a contiguous stretch of whole shards; \
            `mimic merge` joins the parts' directories into the whole run.
            """)
    var part: RunPart?

    @Option(name: .short, help: "How many demos to generate (default: the MimicGen config's num_trials, else 100).")
    var n: Int?

    @Option(help: "A task spec (JSON, docs/task-spec.md); its fields override the built-in profile.")
    var task: String?

    @Option(help: "A MimicGen experiment config (JSON) to take subtasks, switches and seed from.")
    var mimicgenConfig: String?

    @Option(help: "Run seed; demo i depends only on the inputs, the seed and i (default: the config's, else 1).")
    var seed: UInt64?

    @Option(help: "Parallel workers (default: all cores). Output does not depend on it.")
    var workers: Int = ProcessInfo.processInfo.activeProcessorCount

    @Option(help: "Fraction of demos listed in mask/valid (the rest in mask/train).")
    var validFraction: Double = 0.1

    @Option(help: "Output layout: robomimic (default), or isaaclab (Isaac Lab's HDF5DatasetFileHandler layout, gzip, datagen_info under obs/).")
    var format: OutputLayout = .robomimic

    @Option(help: "Dataset compression: none or gzip[:level] (0-9, default 4, with shuffle) (default: none for robomimic, gzip for isaaclab).")
    var compression: Compression?

    @Flag(help: "Store float64 arrays as float32 (half the size), all but the simulator states.")
    var float32 = false

    @Flag(
        help: """
            Store each demo's model_file (robosuite's MJCF scene, ~40 KB) once per distinct scene instead of once per demo: \
            a fixed-length string attribute HDF5 shares between demos (h5py reads it as bytes, not str).
            """)
    var shareModelFile = false

    @Option(help: "With --shard-size: also append each manifest line, as its shard lands, to this file, or to stdout for - (the summary then goes to stderr).")
    var manifest: String?

    /// A writer process of a sharded kinematic run (``ShardWriterProcesses``), started by the run itself.
    @Option(help: .hidden)
    var shardWriter: ShardWriterProcesses.Slot?

    @Flag(help: "Execute every generated demo in MuJoCo (closed loop, robosuite's controllers) and keep the successful ones.")
    var execute = false

    @Option(help: "With --execute: attempts at most (default 20 × -n).")
    var maxAttempts: Int?

    @Option(help: "With --execute: also write the failed attempts, with their reason, to this file.")
    var keepFailed: String?

    @Option(help: "With --execute: end an attempt this many control steps (at least 1) after success (default: run the whole plan).")
    var stopAfterSuccess: Int?

    @Option(
        help: """
            With --execute, when an attempt is kept: end (default: the success test also holds in its last recorded state, \
            so no kept demo drops the object after succeeding) or any-step (it held after some action, as MimicGen and Isaac Lab Mimic keep).
            """)
    var successAt: SuccessRule?

    @Option(help: "With --execute: robosuite's models/assets directory (default: from the installed robosuite).")
    var robosuiteAssets: String?

    @Option(help: "Also write the run's HTML report here (what `mimic report` writes).")
    var report: String?

    /// With --execute: cameras rendered into each kept demo.
    @OptionGroup(title: "Cameras (with --execute)") var camera: CameraOptions

    func validate() throws {
        if let n, n < 1 { throw ValidationError("-n must be at least 1") }
        if let maxAttempts, maxAttempts < 1 { throw ValidationError("--max-attempts must be at least 1") }
        if let stopAfterSuccess, stopAfterSuccess < 1 {
            throw ValidationError("--stop-after-success must be at least 1: the state after the success step must be recorded")
        }
        if !execute, maxAttempts != nil || keepFailed != nil || stopAfterSuccess != nil || successAt != nil || robosuiteAssets != nil {
            throw ValidationError("--max-attempts, --keep-failed, --stop-after-success, --success-at and --robosuite-assets need --execute")
        }
        if !execute, camera.cameras != nil || camera.depth {
            throw ValidationError("--cameras and --depth need --execute: images are drawn at the states the simulator recorded")
        }
        if camera.depth, camera.cameras == nil { throw ValidationError("--depth needs --cameras") }
        if workers < 1 { throw ValidationError("--workers must be at least 1") }
        if let shardSize, shardSize < 1 { throw ValidationError("--shard-size must be at least 1") }
        if shardSize != nil, keepFailed != nil { throw ValidationError("--keep-failed writes one file; it does not combine with --shard-size") }
        if part != nil, shardSize == nil { throw ValidationError("--part needs --shard-size: a part is a stretch of whole shards") }
        if manifest != nil, shardSize == nil { throw ValidationError("--manifest needs --shard-size: its lines describe shards") }
        if shardWriter != nil, shardSize == nil || execute { throw ValidationError("--shard-writer is a kinematic sharded run's own") }
        if report != nil, part != nil { throw ValidationError("--report describes a whole run; run `mimic report` on the merged run instead of --part") }
        if !(0..<1).contains(validFraction) { throw ValidationError("--valid-fraction must be in [0, 1)") }
    }

    func run() async throws {
        try requireDistinct(output: output, from: source)
        if let keepFailed {
            try requireDistinct(output: keepFailed, from: source)
            try requireDistinct(output: keepFailed, from: output)
        }
        if let report {
            for path in [source, output, keepFailed].compactMap({ $0 }) { try requireDistinct(output: report, from: path) }
        }
        if shardWriter != nil {
            ShardWriterProcesses.exitWhenParentEnds()
            _ = try reportingFailures { try augment() }
            return
        }
        let summary = try reportingFailures { try augment() }
        // With the manifest on stdout, stdout holds manifest lines only.
        let toStderr = manifest == "-"
        func say(_ line: String) { if toStderr { Console.note(line) } else { Console.out(line) } }
        if execute {
            say(
                "kept \(summary.demos) successful demos (\(summary.samples) samples) of \(summary.attempts) attempts: success rate \(String(format: "%.1f", 100 * Double(summary.demos) / Double(max(summary.attempts, 1)))) %, \(String(format: "%.2f", summary.seconds)) s, \(String(format: "%.3f", summary.seconds / Double(max(summary.demos, 1)))) s per kept demo -> \(output)"
            )
            if summary.demos < summary.wanted {
                Console.warning("only \(summary.demos) of \(summary.wanted) demos succeeded within --max-attempts \(summary.attempts)")
            }
            say("checked in MuJoCo \(mujocoVersion); stats in \(statsPath)")
        } else {
            say(
                "generated \(summary.demos) demos (\(summary.samples) samples) in \(String(format: "%.2f", summary.seconds)) s, \(ProgressBar.rate(Double(summary.demos) / max(summary.seconds, 1e-9))) demos/s -> \(output)"
            )
            say("kinematic candidates (not yet checked in a simulator); stats in \(statsPath)")
        }
        if let report {
            try reportingFailures { try ReportCommand.writeReport(run: output, output: report, failed: keepFailed, task: task) }
            say("report -> \(report)")
        }
    }

    /// OUT.stats.json beside a file; DIR/stats.json in a shard directory.
    var statsPath: String { shardSize != nil ? ShardSet(directory: output).path("stats.json") : output + ".stats.json" }

    struct Summary {
        var demos = 0, samples = 0, seconds = 0.0
        var wanted = 0, attempts = 0, physicsSteps = 0
        var failureReasons: [String: Int] = [:]
    }

    func augment() throws -> Summary {
        let started = Date()
        let reader = try RobomimicReader(path: source)
        guard !reader.demoNames.isEmpty else { throw DatasetError(file: source, path: "/data", "holds no demos") }
        if execute { try reader.requireMuJoCoRecording(for: "augment --execute") }

        // The task: built-in profile < MimicGen config < --task.
        var spec = TaskProfiles.spec(for: reader.envArgs) ?? TaskSpec()
        var runSeed: UInt64 = 1
        var count = 100
        if let path = mimicgenConfig {
            let config = try MimicGenConfig(json: try readSmallFile(path), file: path)
            spec = spec.merged(with: config.spec)
            if let s = config.seed { runSeed = s }
            if let t = config.trials { count = t }
            if !config.ignoredKeys.isEmpty {
                Console.warning("\(path): not used by Mimic: \(config.ignoredKeys.joined(separator: ", "))")
            }
        }
        if let path = task { spec = spec.merged(with: try TaskSpec.decode(try readSmallFile(path), file: path)) }
        if let seed { runSeed = seed }
        if let n { count = n }

        // Sources: every demo with its datagen_info.
        let demos = try reader.demoNames.map { try reader.demo($0) }
        var notes: [String] = []
        let generator = try Generator.make(demos: demos, envArgs: reader.envArgs, spec: spec, seed: runSeed, file: source, notes: &notes)
        for note in notes { Console.warning(note) }
        let sources = generator.sources
        let format = OutputFormat(source: demos[0], envArgs: reader.envArgs, taskName: spec.name)
        if execute {
            return try executeRun(
                generator: generator, spec: spec, reader: reader, demos: demos, format: format, count: count,
                runSeed: runSeed, started: started)
        }

        let attributes = try outputAttributes(reader: reader, spec: spec, runSeed: runSeed, count: count, kinematic: true)
        let masks = masks(count: count, seed: runSeed)
        let share = part.map { $0.demos(demos: count, shardSize: shardSize ?? count) } ?? 0..<count
        /// Demos `range`, generated on `threads` threads, in the output's layout, in batches.
        func generated(_ range: Range<Int>, threads: Int, _ body: ([Demo], _ samples: Int) throws -> Void) throws {
            let batch = max(64, 32 * threads)
            for start in stride(from: range.lowerBound, to: range.upperBound, by: batch) {
                let results = Self.generate(generator, range: start..<min(start + batch, range.upperBound), workers: threads)
                let demos = results.map { generated in
                    layout(
                        generated.demo(
                            name: "demo_\(generated.index)", format: format, runSeed: runSeed,
                            modelXML: sources[generated.sourceDemos[0].first ?? 0].modelXML))
                }
                try body(demos, results.reduce(0) { $0 + $1.length })
            }
        }
        if let slot = shardWriter, let shardSize {
            try writeShards(slot, shardSize: shardSize, share: share, attributes: attributes, masks: masks) { range, body in
                try generated(range, threads: 1, body)
            }
            return Summary()
        }
        let (writer, finished) = try openOutput(attributes: attributes, masks: masks, share: share) {
            try runIdentity(runSeed: runSeed, count: count)
        }
        var summary = Summary()
        summary.demos = finished.reduce(0) { $0 + $1.demos }
        summary.samples = finished.reduce(0) { $0 + $1.samples }
        let progress = ProgressBar(total: share.count, unit: "demos")
        let rest = share.lowerBound + summary.demos..<share.upperBound
        if case .shards(let sharded) = writer, let shardSize, case let shards = sharded.shard..<((rest.upperBound + shardSize - 1) / shardSize),
            min(workers, shards.count) >= 2
        {
            try ShardWriterProcesses.run(count: min(workers, shards.count), shards: shards, arguments: Array(CommandLine.arguments.dropFirst())) {
                try sharded.land($0)
                summary.demos += $0.demos
                summary.samples += $0.samples
                progress.update(summary.demos)
            }
        } else {
            try generated(rest, threads: workers) { demos, samples in
                try writer.write(demos, threads: workers)
                summary.demos += demos.count
                summary.samples += samples
                progress.update(summary.demos)
            }
        }
        progress.finish()
        try writer.finish(demos: count, masks: masks)
        summary.seconds = Date().timeIntervalSince(started)
        try writeStats(summary, seed: runSeed, extra: ["kinematic": true])
        return summary
    }

    /// The output's `data` attributes: the source's (`env_args`, ...) plus `mimic_generation`, a
    /// JSON record of how the file was made.
    func outputAttributes(reader: RobomimicReader, spec: TaskSpec, runSeed: UInt64, count: Int, kinematic: Bool) throws -> [String: AttributeValue] {
        var attributes = reader.dataAttributes
        attributes["total"] = nil
        var provenance: [String: Any] = [
            "tool": "mimic", "version": Mimic.configuration.version, "command": "augment",
            "source": URL(fileURLWithPath: source).lastPathComponent, "seed": runSeed, "demos": count,
            "kinematic": kinematic, "task": spec.name ?? reader.envArgs?.envName ?? "inferred",
        ]
        if !kinematic { provenance["success_at"] = (successAt ?? .end).rawValue }
        attributes["mimic_generation"] = .string(
            String(decoding: try JSONSerialization.data(withJSONObject: provenance, options: [.sortedKeys, .withoutEscapingSlashes]), as: UTF8.self))
        return attributes
    }

    /// The layouts `--format` writes.
    enum OutputLayout: String, ExpressibleByArgument, CaseIterable {
        case robomimic, isaaclab
    }

    /// The `data` attributes and dataset options of a file in the `--format` layout.
    /// (`--compression` replaces the layout's own.)
    func layoutFile(_ attributes: [String: AttributeValue]) -> ([String: AttributeValue], WriteOptions) {
        var (dataAttributes, options) =
            switch format {
            case .robomimic: (attributes, WriteOptions())
            case .isaaclab: (IsaacLabLayout.dataAttributes(attributes), IsaacLabLayout.writeOptions)
            }
        if let compression { options.compression = compression.options }
        if shareModelFile { options.sharedStringsFrom = Self.sharedStringsFrom }
        return (dataAttributes, options)
    }

    /// A writer for `path` in the `--format` layout.
    func makeWriter(_ path: String, attributes: [String: AttributeValue]) throws -> RobomimicWriter {
        let (dataAttributes, options) = layoutFile(attributes)
        return try RobomimicWriter(destination: path, dataAttributes: dataAttributes, options: options)
    }

    /// `--share-model-file`: string attributes this long or longer are shared (model_file; not
    /// the short provenance strings).
    static let sharedStringsFrom = 1024

    /// `demo` in the `--format` layout.
    /// (with `--float32`, float64 arrays but `states` narrowed).
    func layout(_ demo: Demo) -> Demo {
        let narrowed = float32 ? demo.narrowedToFloat32(keeping: ["states"]) : demo
        switch format {
        case .robomimic: return narrowed
        case .isaaclab: return IsaacLabLayout.demo(narrowed)
        }
    }

    /// `--compression`: none, or gzip[:level] with the shuffle filter.
    enum Compression: ExpressibleByArgument, Equatable, CustomStringConvertible {
        case none
        case gzip(level: Int)

        init?(argument: String) {
            if argument == "none" {
                self = .none
                return
            }
            let pieces = argument.split(separator: ":", maxSplits: 1, omittingEmptySubsequences: false)
            guard pieces.first == "gzip" else { return nil }
            guard pieces.count == 2 else {
                self = .gzip(level: 4)
                return
            }
            guard let level = Int(pieces[1]), (0...9).contains(level) else { return nil }
            self = .gzip(level: level)
        }

        var description: String {
            switch self {
            case .none: return "none"
            case .gzip(let level): return "gzip:\(level)"
            }
        }

        var options: WriteOptions.Compression {
            switch self {
            case .none: return .none
            case .gzip(let level): return .gzip(level: level, shuffle: true)
            }
        }
    }

    /// Writes OUT.stats.json (through a partial file, like the dataset).
    func writeStats(_ summary: Summary, seed: UInt64, extra: [String: Any]) throws {
        var stats: [String: Any] = [
            "demos": summary.demos, "samples": summary.samples, "seconds": summary.seconds,
            "demos_per_second": Double(summary.demos) / max(summary.seconds, 1e-9), "seed": seed,
            "workers": workers, "source": source, "output": output,
        ]
        stats.merge(extra) { _, new in new }
        let data = try JSONSerialization.data(withJSONObject: stats, options: [.sortedKeys, .prettyPrinted, .withoutEscapingSlashes])
        try PartialFile.write(data, to: statsPath)
    }

    /// Generates demos `range` on `workers` threads; results in index order.
    static func generate(_ generator: Generator, range: Range<Int>, workers: Int) -> [GeneratedDemo] {
        parallelMap(range.count, workers: workers) { _, k in generator.generate(range.lowerBound + k) }
    }

    /// Indices of the demos listed in mask/valid: `round(count * fraction)` of them, chosen by a
    /// shuffle seeded from the run seed (the same for any number of workers).
    static func validDemos(count: Int, fraction: Double, seed: UInt64) -> Set<Int> {
        var rng = RandomStream(seed: seed, stream: UInt64.max)
        var indices = Array(0..<count)
        indices.shuffle(using: &rng)
        return Set(indices.prefix(Int((Double(count) * fraction).rounded())))
    }
}

extension SuccessRule: ExpressibleByArgument {}
