import ArgumentParser
import Foundation
import MimicCore
import MimicHDF5

struct PrepareCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "prepare",
        abstract: "Write a copy of a source dataset with MimicGen's datagen_info computed from what it holds.",
        discussion: """
            End effectors come from robot<K>_eef_pos / robot<K>_eef_quat(_site) observations, objects from \
            <name>_pos / <name>_quat pairs, target poses from the actions and the controller config in env_args, \
            and the grasp / release signals from the gripper command (or from --annotations). An Isaac Lab file \
            annotated by Isaac Lab Mimic keeps its annotation (obs/datagen_info) in MimicGen's names, with the \
            gripper commands from the actions' columns (--task, or env_args). The source is never modified.
            """)

    @Argument(help: "The source dataset (robomimic layout with observations, or an annotated Isaac Lab dataset).")
    var source: String

    @Option(name: .shortAndLong, help: "The prepared dataset to write.")
    var output: String

    @Option(help: "A task spec (JSON) giving end effectors, action convention or object layout.")
    var task: String?

    @Option(help: "Subtask boundaries by hand: JSON {\"demo_0\": {\"grasp\": 37}}.")
    var annotations: String?

    func run() async throws {
        try requireDistinct(output: output, from: source)
        let result = try reportingFailures { try prepare() }
        for note in result.notes { Console.warning(note) }
        if let takenOver = result.takenOver { Console.out(takenOver) }
        Console.out("prepared \(result.demos) demos (\(result.samples) samples) -> \(output)")
        Console.out(
            Console.table([
                ["end effectors", result.effectors.joined(separator: ", ")],
                ["objects", result.objects.isEmpty ? "-" : result.objects.joined(separator: ", ")],
                ["signals", result.signals.isEmpty ? "-" : result.signals.joined(separator: ", ")],
            ]).joined(separator: "\n"))
    }

    struct Result {
        var demos = 0, samples = 0
        var effectors: [String] = [], objects: [String] = [], signals: [String] = []
        var notes: [String] = []
        /// Where the datagen_info came from, when it was taken over rather than computed.
        var takenOver: String?
    }

    func prepare() throws -> Result {
        let marks = try annotations.map { try Annotations.decode(try readSmallFile($0), file: $0) }
        let reader = try RobomimicReader(path: source)
        // The built-in profile of the file's env_name names the task objects; --task overrides it.
        var spec = TaskProfiles.spec(for: reader.envArgs)
        if let path = task {
            let user = try TaskSpec.decode(try readSmallFile(path), file: path)
            spec = spec.map { $0.merged(with: user) } ?? user
        }
        switch reader.format {
        case .robomimic, .robomimicDatagen: break
        case .isaacLab:
            if marks != nil { throw ValidationError("--annotations: this Isaac Lab file carries its own annotation (obs/datagen_info), which prepare takes over") }
            return try prepareAnnotated(reader, spec: spec)
        case .robosuiteRaw: throw reader.rawRecordingError()
        }
        guard let firstName = reader.demoNames.first else {
            throw DatasetError(file: source, path: "/data", "holds no demos")
        }
        let first = try reader.demo(firstName)
        let setup = try PrepareSetup.infer(demo: first, envArgs: reader.envArgs, spec: spec, file: source)
        let format = OutputFormat(source: first, envArgs: reader.envArgs, taskName: spec?.name)
        let builder = DatagenInfoBuilder(setup: setup, annotations: marks)
        var result = Result(notes: setup.notes)
        try writeDemos(reader, format: format, into: &result) { name in
            let demo = try reader.demo(name)
            return (demo, try builder.build(demo, file: source))
        }
        result.effectors = setup.endEffectors.map(\.layout.name)
        result.objects = setup.objects.map(\.name)
        return result
    }

    /// Writes every demo of `reader` to `output` with the datagen_info `annotate` gives it (the
    /// demo as written, and its info), and counts demos, samples and signals into `result`.
    func writeDemos(
        _ reader: RobomimicReader, format: OutputFormat, into result: inout Result, annotate: (String) throws -> (Demo, DatagenInfo)
    ) throws {
        var attributes = reader.dataAttributes
        attributes["total"] = nil
        let writer = try RobomimicWriter(destination: output, dataAttributes: attributes)
        var signals = Set<String>()
        for name in reader.demoNames {
            var (demo, info) = try annotate(name)
            demo.setDatagenInfo(info, format: format)
            try writer.write(demo)
            result.demos += 1
            result.samples += demo.length
            signals.formUnion(info.subtaskTermSignals.keys)
        }
        try writer.finish(masks: reader.masks)
        result.signals = signals.sorted()
    }

    /// An Isaac Lab file annotated by Isaac Lab Mimic: its annotation (`obs/datagen_info`) is taken
    /// over as datagen_info in MimicGen's names, the gripper commands read from the actions at the
    /// columns the task spec or env_args give. Everything else of each demo is copied.
    func prepareAnnotated(_ reader: RobomimicReader, spec: TaskSpec?) throws -> Result {
        func withInfo(_ name: String) throws -> (Demo, DatagenInfo) {
            let demo = try reader.demo(name)
            guard let info = try DatagenInfo(demo: demo, file: source), info.origin == .isaacLab else {
                throw DatasetError(
                    file: source, path: DatagenInfo.Origin.isaacLab.path(demo: name),
                    "missing: prepare takes an Isaac Lab file's subtask annotation over; annotate the demos with Isaac Lab Mimic first")
            }
            return (demo, info)
        }
        guard let firstName = reader.demoNames.first else { throw DatasetError(file: source, path: "/data", "holds no demos") }
        let (first, firstInfo) = try withInfo(firstName)
        var result = Result()
        let layouts = try GenerationTask.actionLayouts(
            spec: spec, envArgs: reader.envArgs, demo: first, info: firstInfo, file: source, notes: &result.notes)
        let format = OutputFormat(source: first, envArgs: reader.envArgs, taskName: spec?.name)
        try writeDemos(reader, format: format, into: &result) { name in
            var (demo, info) = try withInfo(name)
            try info.takeGripperActions(from: demo, layouts: layouts, file: source)
            demo.arrays = demo.arrays.filter { !$0.key.hasPrefix(DatagenInfo.Origin.isaacLab.group + "/") }
            return (demo, info)
        }
        result.takenOver =
            "took over the Isaac Lab annotation (obs/datagen_info) as datagen_info, gripper_action from the actions' columns "
            + layouts.map { "\($0.name) \($0.gripperColumns.lowerBound)..<\($0.gripperColumns.upperBound)" }.joined(separator: ", ")
        result.effectors = layouts.map(\.name)
        result.objects = firstInfo.objectPoses.keys.sorted()
        return result
    }
}
