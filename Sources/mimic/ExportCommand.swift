import ArgumentParser
import Foundation
import MimicCore
import MimicHDF5

struct ExportCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "export",
        abstract: "Write a robomimic-layout dataset in another layout (Isaac Lab's HDF5).",
        discussion: """
            --to isaaclab writes what `augment --format isaaclab` writes for the same demos: datagen_info under \
            obs/ with Isaac Lab's names, `initial_state`, gzip, env_args of type 2, no masks; a demo Mimic \
            executed gets `success` and `seed` (its generation index). The source is never modified.
            """)

    @Argument(help: "A dataset in the robomimic layout (a source, a prepared file, or augment's output).")
    var source: String

    @Option(help: "The layout to write: isaaclab (Isaac Lab's HDF5DatasetFileHandler layout).")
    var to: Layout

    @Option(name: .shortAndLong, help: "The dataset to write.")
    var output: String

    /// The layouts `export` writes.
    enum Layout: String, ExpressibleByArgument, CaseIterable {
        case isaaclab
    }

    func run() async throws {
        try requireDistinct(output: output, from: source)
        let (demos, samples) = try reportingFailures { try export() }
        Console.out("exported \(demos) demos (\(samples) samples) in Isaac Lab's layout -> \(output)")
    }

    func export() throws -> (demos: Int, samples: Int) {
        let reader = try RobomimicReader(path: source)
        let first = "/data/\(reader.demoNames.first ?? "demo_0")"
        switch reader.format {
        case .robomimic, .robomimicDatagen: break
        case .isaacLab: throw DatasetError(file: source, path: first, "is already in Isaac Lab's layout; export reads the robomimic layout")
        case .robosuiteRaw: throw reader.rawRecordingError()
        }
        let writer = try RobomimicWriter(
            destination: output, dataAttributes: IsaacLabLayout.dataAttributes(reader.dataAttributes), options: IsaacLabLayout.writeOptions)
        var samples = 0
        for name in reader.demoNames {
            let demo = try reader.demo(name)
            try writer.write(IsaacLabLayout.demo(demo))
            samples += demo.length
        }
        try writer.finish(masks: [:])
        return (writer.demoCount, samples)
    }
}
