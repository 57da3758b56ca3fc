import ArgumentParser
import Foundation
import MimicCore
import MimicHDF5
import MimicSim

struct RenderCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "render",
        abstract: "Add camera images to a robosuite dataset, drawn from its recorded states (robomimic's dataset_states_to_obs).",
        discussion: """
            Each demo's scene comes from its model_file; for every recorded state, MuJoCo's renderer (offscreen, \
            OSMesa) draws the cameras as robosuite does, into obs/<camera>_image (uint8, T x H x W x 3, robosuite's \
            "opengl" orientation: bottom row first). env_args records the cameras as robosuite would. Everything \
            else is copied as it is. The source is never modified.
            """)

    @Argument(help: "A robomimic-layout dataset recorded in robosuite (states, model_file), e.g. augment's output.")
    var file: String

    @Option(name: .shortAndLong, help: "The dataset to write.")
    var output: String

    @OptionGroup var camera: CameraOptions

    @Option(help: "robosuite's models/assets directory (default: from the installed robosuite).")
    var robosuiteAssets: String?

    @Option(help: "Dataset compression: none or gzip[:level] (0-9, with shuffle); gzip:4 by default, as image datasets usually are.")
    var compression: AugmentCommand.Compression = .gzip(level: 4)

    @Option(help: "Seed of --randomize-visuals: demo_i's look depends only on the seed and i.")
    var seed: UInt64 = 1

    @Option(help: "Parallel workers (default: all cores). Output does not depend on it.")
    var workers: Int = ProcessInfo.processInfo.activeProcessorCount

    func validate() throws {
        if workers < 1 { throw ValidationError("--workers must be at least 1") }
        if camera.names.isEmpty { throw ValidationError("render needs --cameras") }
    }

    func run() async throws {
        try requireDistinct(output: output, from: file)
        let started = Date()
        let (demos, frames) = try reportingFailures { try render() }
        let seconds = Date().timeIntervalSince(started)
        Console.out(
            "rendered \(frames) frames of \(camera.names.count) camera(s) (\(demos) demos) in \(String(format: "%.1f", seconds)) s -> \(output)")
    }

    func render() throws -> (demos: Int, frames: Int) {
        let reader = try RobomimicReader(path: file)
        try reader.requireMuJoCoRecording(for: "render")
        let (width, height) = try camera.size
        var attributes = reader.dataAttributes
        if let envArgs = reader.envArgs {
            attributes["env_args"] = .string(envArgs.withCameras(camera.names, height: height, width: width, depth: camera.depth))
        }
        let writer = try RobomimicWriter(
            destination: output, dataAttributes: attributes,
            options: WriteOptions(compression: compression.options))
        let scenes = SceneCatalog(mjcf: nil, specFile: nil, assetsRoot: robosuiteAssets, file: file, loadTextures: true)
        let renderers = camera.renderers(workers: workers)
        let envArgs = reader.envArgs
        var frames = 0
        let names = reader.demoNames
        let batch = 2 * workers
        for start in stride(from: 0, to: names.count, by: batch) {
            // Read a batch and compile its scenes on this thread, draw on all workers, write in order.
            var read: [(demo: Demo, sceneIndex: Int, scene: Scene)] = []
            for name in names[start..<min(start + batch, names.count)] {
                let demo = try reader.demo(name)
                let (index, compiled) = try scenes.scene(of: demo)
                read.append((demo, index, compiled.scene))
            }
            let jobs = read
            let drawn = try parallelMap(jobs.count, workers: workers) { w, k in
                Result { () throws(DatasetError) -> Demo in
                    let (world, renderer) = try camera.renderer(renderers, worker: w, sceneIndex: jobs[k].sceneIndex, scene: jobs[k].scene, envArgs: envArgs)
                    var demo = jobs[k].demo
                    try camera.addImages(to: &demo, index: Demo.index(ofName: demo.name) ?? start + k, seed: seed, renderer: renderer, world: world, file: file)
                    return demo
                }
            }.map { try $0.get() }
            for demo in drawn {
                frames += demo.length
                try writer.write(demo)
            }
        }
        try writer.finish(masks: reader.masks)
        return (writer.demoCount, frames)
    }
}
