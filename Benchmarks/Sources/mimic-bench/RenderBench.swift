import Foundation
import MimicCore
import MimicHDF5
import MimicSim

/// Camera rendering: MimicSim's `CameraRenderer` (MuJoCo's renderer on an OSMesa context, llvmpipe)
/// drawing recorded states of a robosuite source, on one worker (with and without culling) and on
/// all cores (one renderer per worker), against robosuite 1.5.2 drawing the same frames with the
/// same GL backend in the same run (`Demos/verify/robosuite_render.py --time`, which first checks
/// that its images equal Mimic's); then `mimic render` end to end as a separate pass.
struct RenderBench {
    static let cameras = ["agentview", "robot0_eye_in_hand"]

    var workers = ProcessInfo.processInfo.activeProcessorCount
    /// States drawn per camera and configuration, spread evenly over the rows of the first
    /// `sourceDemos` demos.
    var states: Int
    var sourceDemos: Int
    /// The frames are timed in this many consecutive chunks, one sample each; the configurations
    /// take turns chunk by chunk, so a slow spell of a shared machine falls on all of them.
    var chunks: Int

    struct Setup {
        var sourcePath: String
        var dataAttributes: [String: AttributeValue]
        var envArgs: EnvArgs?
        /// The first demos of the source, their scenes (compiled with textures) and their states.
        var demos: [Demo]
        var scenes: [Scene]
        var states: [[Double]]
        /// The drawn states: (demo, row), in order.
        var picks: [(demo: Int, row: Int)]
        var compileSeconds: Double
    }

    func setup(sourcePath: String, assetsRoot: String?) throws -> Setup {
        let reader = try RobomimicReader(path: sourcePath)
        try reader.requireMuJoCoRecording(for: "mimic-bench --section render")
        let started = nowNanoseconds()
        let catalog = SceneCatalog(mjcf: nil, specFile: nil, assetsRoot: assetsRoot, file: sourcePath, loadTextures: true)
        var demos: [Demo] = [], scenes: [Scene] = [], states: [[Double]] = [], rows: [Int] = []
        for name in reader.demoNames.prefix(sourceDemos) {
            let demo = try reader.demo(name)
            guard let recorded = demo.arrays["states"], recorded.shape.count == 2, recorded.rows > 0 else {
                throw BenchError("\(sourcePath): /data/\(name)/states missing or empty")
            }
            demos.append(demo)
            scenes.append(try catalog.scene(of: demo).compiled.scene)
            states.append(recorded.doubles)
            rows.append(recorded.rows)
        }
        // `states` rows spread evenly over all rows of the demos, in order.
        let total = rows.reduce(0, +)
        var picks: [(demo: Int, row: Int)] = []
        for i in 0..<min(self.states, total) {
            var row = i * total / min(self.states, total)
            var d = 0
            while row >= rows[d] {
                row -= rows[d]
                d += 1
            }
            picks.append((d, row))
        }
        return Setup(
            sourcePath: sourcePath, dataAttributes: reader.dataAttributes, envArgs: reader.envArgs, demos: demos, scenes: scenes,
            states: states, picks: picks, compileSeconds: Double(nowNanoseconds() - started) / 1e9)
    }

    /// Per worker, per demo: a world and one renderer per camera. Each worker touches only its own.
    final class Renderers: @unchecked Sendable {
        let worlds: [[SimWorld]]
        let renderers: [[[CameraRenderer]]]
        let setup: Setup

        init(_ setup: Setup, workers: Int, width: Int, height: Int) throws {
            self.setup = setup
            var worlds: [[SimWorld]] = [], renderers: [[[CameraRenderer]]] = []
            for _ in 0..<workers {
                worlds.append(try setup.scenes.map { try SimWorld(scene: $0) })
                renderers.append(
                    try setup.scenes.map { scene in
                        try RenderBench.cameras.map { camera in
                            try CameraRenderer(
                                scene: scene, cameras: [camera], width: width, height: height, depth: false,
                                collisionGeoms: setup.envArgs?.renderCollisionMesh ?? false, visualGeoms: setup.envArgs?.renderVisualMesh ?? true)
                        }
                    })
            }
            self.worlds = worlds
            self.renderers = renderers
        }

        var frames: Int { setup.picks.count * RenderBench.cameras.count }

        /// Frame f: camera f % cameras at pick f / cameras, drawn by `worker`'s renderer.
        func draw(worker: Int, frame: Int) throws(DatasetError) -> [UInt8] {
            let pick = setup.picks[frame / RenderBench.cameras.count]
            let renderer = renderers[worker][pick.demo][frame % RenderBench.cameras.count]
            let size = setup.scenes[pick.demo].stateSize
            return try setup.states[pick.demo].withUnsafeBufferPointer { (all) throws(DatasetError) in
                try renderer.render(
                    states: UnsafeBufferPointer(rebasing: all[(pick.row * size)..<((pick.row + 1) * size)]), rows: 1,
                    in: worlds[worker][pick.demo], file: setup.sourcePath, path: "/data/\(setup.demos[pick.demo].name)/states")[0].rgb
            }
        }

        func setCull(_ cull: Bool, worker: Int) {
            for perDemo in renderers[worker] { for renderer in perDemo { renderer.cull = cull } }
        }
    }

    enum Configuration: CaseIterable {
        case oneWorker, oneWorkerNoCull, allWorkers
    }

    /// Milliseconds per frame, one sample per chunk (and, on one worker, per frame).
    struct Timing {
        var wall: Stats
        var cpu: Stats
        /// Per-frame medians (one worker only).
        var frameWall: Double?
        var frameCPU: Double?
    }

    struct SizeResult {
        var width: Int
        var height: Int
        var frames: Int
        var setupSeconds: Double
        var timings: [Configuration: Timing]
        /// The one-worker, culled images, per frame.
        var images: [[UInt8]]
        /// Frames whose image differs from the one-worker, culled one.
        var noCullDiffering: Int
        var allWorkersDiffering: Int
    }

    /// Draws every frame once per configuration after an untimed frame per renderer.
    func measure(_ setup: Setup, width: Int, height: Int, sink: inout Double) throws -> SizeResult {
        let started = nowNanoseconds()
        let set = try Renderers(setup, workers: workers, width: width, height: height)
        for w in 0..<workers {
            for (d, perDemo) in set.renderers[w].enumerated() {
                for (c, _) in perDemo.enumerated() {
                    guard let first = setup.picks.firstIndex(where: { $0.demo == d }) else { continue }
                    sink += Double(try set.draw(worker: w, frame: first * Self.cameras.count + c).first ?? 0)
                }
            }
        }
        let setupSeconds = Double(nowNanoseconds() - started) / 1e9
        let frames = set.frames
        let configurations = Configuration.allCases
        var images = [Configuration: [[UInt8]]]()
        for configuration in configurations { images[configuration] = [[UInt8]](repeating: [], count: frames) }
        var wall: [Configuration: [Double]] = [:], cpu: [Configuration: [Double]] = [:]
        var frameWall: [Configuration: [Double]] = [:], frameCPU: [Configuration: [Double]] = [:]
        let chunkCount = max(1, min(chunks, frames))
        for chunk in 0..<chunkCount {
            let range = (chunk * frames / chunkCount)..<((chunk + 1) * frames / chunkCount)
            for k in 0..<configurations.count {
                let configuration = configurations[(chunk + k) % configurations.count]
                let start = nowNanoseconds(), cpuStart = processCPUNanoseconds()
                switch configuration {
                case .oneWorker, .oneWorkerNoCull:
                    set.setCull(configuration == .oneWorker, worker: 0)
                    for f in range {
                        let frameStart = nowNanoseconds(), frameCPUStart = processCPUNanoseconds()
                        images[configuration]![f] = try set.draw(worker: 0, frame: f)
                        frameWall[configuration, default: []].append(Double(nowNanoseconds() - frameStart) / 1e6)
                        frameCPU[configuration, default: []].append(Double(processCPUNanoseconds() - frameCPUStart) / 1e6)
                    }
                    set.setCull(true, worker: 0)
                case .allWorkers:
                    let indices = Array(range)
                    let drawn = parallelMap(indices.count, workers: workers) { w, k in
                        Result { () throws(DatasetError) -> [UInt8] in try set.draw(worker: w, frame: indices[k]) }
                    }
                    for (k, result) in drawn.enumerated() { images[configuration]![indices[k]] = try result.get() }
                }
                let n = Double(range.count)
                wall[configuration, default: []].append(Double(nowNanoseconds() - start) / 1e6 / n)
                cpu[configuration, default: []].append(Double(processCPUNanoseconds() - cpuStart) / 1e6 / n)
            }
        }
        var timings: [Configuration: Timing] = [:]
        for configuration in configurations {
            timings[configuration] = Timing(
                wall: Stats(wall[configuration]!, calls: 1), cpu: Stats(cpu[configuration]!, calls: 1),
                frameWall: frameWall[configuration].map { Stats($0, calls: 1).median },
                frameCPU: frameCPU[configuration].map { Stats($0, calls: 1).median })
        }
        let reference = images[.oneWorker]!
        func differing(_ configuration: Configuration) -> Int { zip(images[configuration]!, reference).filter { $0 != $1 }.count }
        for image in reference { sink += Double(image[image.count / 2]) }
        return SizeResult(
            width: width, height: height, frames: frames, setupSeconds: setupSeconds, timings: timings, images: reference,
            noCullDiffering: differing(.oneWorkerNoCull), allWorkersDiffering: differing(.allWorkers))
    }
}

/// CPU time of the whole process in nanoseconds (CLOCK_PROCESS_CPUTIME_ID): llvmpipe rasterizes on
/// threads of its own, so the drawing thread's CPU time would miss most of a frame. Python's
/// `time.process_time`, which robosuite_render.py reports, is the same clock.
func processCPUNanoseconds() -> UInt64 {
    var time = timespec()
    clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &time)
    return UInt64(time.tv_sec) * 1_000_000_000 + UInt64(time.tv_nsec)
}

extension RenderBench {
    /// The drawn states with `result`'s images, as a robomimic file (states, model_file,
    /// obs/<camera>_image, env_args naming the cameras) that robosuite_render.py compares against.
    func writeComparison(_ setup: Setup, _ result: SizeResult, to path: String) throws {
        var attributes = setup.dataAttributes
        if let envArgs = setup.envArgs {
            attributes["env_args"] = .string(envArgs.withCameras(Self.cameras, height: result.height, width: result.width, depth: false))
        }
        let writer = try RobomimicWriter(destination: path, dataAttributes: attributes)
        for (d, demo) in setup.demos.enumerated() {
            let picked = setup.picks.indices.filter { setup.picks[$0].demo == d }
            guard !picked.isEmpty else { continue }
            let size = setup.scenes[d].stateSize
            var states: [Double] = []
            for p in picked { states += setup.states[d][(setup.picks[p].row * size)..<((setup.picks[p].row + 1) * size)] }
            var arrays = ["states": Tensor(shape: [picked.count, size], float64: states)]
            for (c, camera) in Self.cameras.enumerated() {
                let bytes = picked.flatMap { result.images[$0 * Self.cameras.count + c] }
                arrays["obs/\(camera)_image"] = Tensor(shape: [picked.count, result.height, result.width, 3], storage: .uint8(bytes))
            }
            try writer.write(Demo(name: demo.name, attributes: demo.attributes.filter { $0.key == "model_file" }, arrays: arrays))
        }
        try writer.finish(masks: [:])
    }

    struct RobosuiteResult {
        /// The script's per-frame medians (ms).
        var frameWall: Double
        var frameCPU: Double
        /// ms per frame per chunk of the same frames as Mimic's chunks.
        var wall: Stats
        var cpu: Stats
        var frames: Int
        /// Per camera: mean |diff| in levels and the fraction of values that differ.
        var check: [(camera: String, meanDifference: Double, differing: Double)]
        var passed: Bool
        var seconds: Double
    }

    /// robosuite_render.py on `file` with --time: robosuite 1.5.2 built from the file's env_args,
    /// each state set, its camera observations compared with the file's images, then each camera
    /// drawn again alone and timed.
    func robosuite(python: String, script: String, file: String, json: String, chunks: Int) throws -> RobosuiteResult {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = [python, script, file, "--time", "--json", json]
        process.standardOutput = FileHandle.standardError
        let started = nowNanoseconds()
        try process.run()
        process.waitUntilExit()
        let seconds = Double(nowNanoseconds() - started) / 1e9
        guard process.terminationReason == .exit, [0, 1].contains(process.terminationStatus),
            let object = try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: json))) as? [String: Any],
            let perFrame = object["robosuite_frame_ms"] as? [[Double]], !perFrame.isEmpty,
            let medians = object["robosuite_ms_per_frame"] as? [String: Double],
            let cameras = object["cameras"] as? [String: [String: Any]]
        else {
            throw BenchError("\(script) \(file) failed (status \(process.terminationStatus)) or wrote no timings")
        }
        let frames = perFrame.count
        let chunkCount = max(1, min(chunks, frames))
        var wall: [Double] = [], cpu: [Double] = []
        for chunk in 0..<chunkCount {
            let slice = perFrame[(chunk * frames / chunkCount)..<((chunk + 1) * frames / chunkCount)]
            wall.append(slice.map { $0[0] }.reduce(0, +) / Double(slice.count))
            cpu.append(slice.map { $0[1] }.reduce(0, +) / Double(slice.count))
        }
        let check = Self.cameras.map { camera in
            (
                camera, cameras[camera]?["mean_abs_diff"] as? Double ?? .nan,
                cameras[camera]?["fraction_of_values_differing"] as? Double ?? .nan
            )
        }
        return RobosuiteResult(
            frameWall: medians["wall"] ?? .nan, frameCPU: medians["cpu"] ?? .nan, wall: Stats(wall, calls: 1), cpu: Stats(cpu, calls: 1),
            frames: frames, check: check, passed: process.terminationStatus == 0, seconds: seconds)
    }

    struct PassResult {
        var demos: Int
        var states: Int
        var width: Int
        var height: Int
        var workers: Int
        var wall: Double
        /// CPU seconds of the mimic process (getrusage RUSAGE_CHILDREN).
        var cpu: Double
        var frames: Int { states * RenderBench.cameras.count }
        /// Frames of the pass's file compared with the in-process images of the same states, and
        /// how many differ (nil: not compared).
        var compared: Int?
        var differing: Int?
    }

    /// `mimic render` of the source's first `demos` demos (copied to a file of their own), as a
    /// separate pass: the whole command, from reading to the finished file.
    func renderPass(
        mimic: String, setup: Setup, demos: Int, width: Int, height: Int, directory: String, reference: SizeResult?
    ) throws -> PassResult {
        let reader = try RobomimicReader(path: setup.sourcePath)
        let source = directory + "/render-pass-source.hdf5", output = directory + "/render-pass-rendered.hdf5"
        let writer = try RobomimicWriter(destination: source, dataAttributes: reader.dataAttributes)
        var states = 0
        for name in reader.demoNames.prefix(demos) {
            let demo = try reader.demo(name)
            states += demo.arrays["states"]?.rows ?? 0
            try writer.write(demo)
        }
        try writer.finish(masks: [:])
        let process = Process()
        process.executableURL = URL(fileURLWithPath: mimic)
        process.arguments = [
            "render", source, "-o", output, "--cameras", Self.cameras.joined(separator: ","), "--image-size", "\(width)x\(height)",
            "--workers", String(workers),
        ]
        process.standardOutput = FileHandle.nullDevice
        let errors = Pipe()
        process.standardError = errors
        var before = rusage()
        getrusage(RUSAGE_CHILDREN.rawValue, &before)
        let started = nowNanoseconds()
        try process.run()
        let message = errors.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        let wall = Double(nowNanoseconds() - started) / 1e9
        guard process.terminationReason == .exit, process.terminationStatus == 0 else {
            throw BenchError("\(mimic) render failed: \(String(decoding: message, as: UTF8.self))")
        }
        var after = rusage()
        getrusage(RUSAGE_CHILDREN.rawValue, &after)
        func seconds(_ t: timeval) -> Double { Double(t.tv_sec) + Double(t.tv_usec) / 1e6 }
        let cpu = seconds(after.ru_utime) - seconds(before.ru_utime) + seconds(after.ru_stime) - seconds(before.ru_stime)
        var result = PassResult(demos: min(demos, reader.demoNames.count), states: states, width: width, height: height, workers: workers, wall: wall, cpu: cpu)
        // The pass's images at the states the in-process configurations drew, where both have them.
        if let reference, reference.width == width, reference.height == height {
            let rendered = try RobomimicReader(path: output)
            var compared = 0, differing = 0
            let imageBytes = width * height * 3
            for d in 0..<min(demos, setup.demos.count) {
                let demo = try rendered.demo(setup.demos[d].name)
                for (c, camera) in Self.cameras.enumerated() {
                    guard case .uint8(let bytes)? = demo.arrays["obs/\(camera)_image"]?.storage else {
                        throw BenchError("\(output): /data/\(setup.demos[d].name)/obs/\(camera)_image missing or not uint8")
                    }
                    for (p, pick) in setup.picks.enumerated() where pick.demo == d {
                        compared += 1
                        if Array(bytes[(pick.row * imageBytes)..<((pick.row + 1) * imageBytes)]) != reference.images[p * Self.cameras.count + c] {
                            differing += 1
                        }
                    }
                }
            }
            result.compared = compared
            result.differing = differing
        }
        try? FileManager.default.removeItem(atPath: source)
        try? FileManager.default.removeItem(atPath: output)
        return result
    }
}
