import ArgumentParser
import Foundation
import MimicCore
import MimicHDF5

struct ExportCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "export",
        abstract: "Write a robomimic-layout dataset in another layout (Isaac Lab's HDF5, LeRobot v2.1).",
        discussion: """
            --to isaaclab writes what `augment --format isaaclab` writes for the same demos: datagen_info under \
            obs/ with Isaac Lab's names, `initial_state`, gzip, env_args of type 2, no masks; a demo Mimic \
            executed gets `success` and `seed` (its generation index).

            --to lerobot writes a LeRobot v2.1 dataset directory with GR00T's meta/modality.json: a parquet file \
            per demo (observation.state, action, ...) and an H.264 mp4 per demo and camera (obs/<camera>_image, \
            turned upright), encoded by ffmpeg on all cores (docs/export.md). The source may be a sharded run's \
            directory (its index.hdf5). The source is never modified.
            """)

    @Argument(help: "A dataset in the robomimic layout (a source, a prepared file, or augment's output).")
    var source: String

    @Option(help: "The layout to write: isaaclab (Isaac Lab's HDF5DatasetFileHandler layout) or lerobot (a LeRobot v2.1 directory).")
    var to: Layout

    @Option(name: .shortAndLong, help: "The dataset to write (for lerobot, a directory that does not exist or is empty).")
    var output: String

    @Option(help: "lerobot: frames per second of the demos (robosuite's control rate is 20). Default 20.")
    var fps: Int?

    @Option(help: "lerobot: the task instruction every episode gets. Default: env_args' env_name.")
    var task: String?

    @Option(help: "lerobot: observations that make observation.state, comma-separated, in order. Default: joint positions, eef pose and gripper per arm.")
    var stateKeys: String?

    @Option(help: "lerobot: videos encoded at once (ffmpeg processes). Default: the number of cores.")
    var workers: Int?

    /// The layouts `export` writes.
    enum Layout: String, ExpressibleByArgument, CaseIterable {
        case isaaclab
        case lerobot
    }

    func validate() throws {
        if to == .isaaclab, fps != nil || task != nil || stateKeys != nil || workers != nil {
            throw ValidationError("--fps, --task, --state-keys and --workers apply to --to lerobot")
        }
        if let fps, fps < 1 { throw ValidationError("--fps must be at least 1") }
        if let workers, workers < 1 { throw ValidationError("--workers must be at least 1") }
    }

    func run() async throws {
        try requireDistinct(output: output, from: source)
        switch to {
        case .isaaclab:
            let (demos, samples) = try reportingFailures { try export() }
            Console.out("exported \(demos) demos (\(samples) samples) in Isaac Lab's layout -> \(output)")
        case .lerobot:
            let result = try reportingFailures { try exportLeRobot() }
            Console.out(
                "exported \(result.episodes) episodes (\(result.frames) frames, \(result.videos) videos) in LeRobot v2.1's layout -> \(output)")
        }
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
