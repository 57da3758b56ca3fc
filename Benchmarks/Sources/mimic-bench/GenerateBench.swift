import Foundation
import MimicCore
import MimicHDF5
import MimicMath

/// Generation benchmarks on the bundled Lift demos: planning throughput of `Generator.generate`
/// (one thread and all cores) next to numpy_plan.py, and generating and writing N demos end to
/// end through `RobomimicWriter`, next to a raw write(2) of the same bytes.
struct GenerateBench {
    /// The source demos prepared in-process (as `mimic prepare` does), written to a prepared file
    /// and loaded back the way `mimic augment` loads its source.
    struct Setup {
        var preparedPath: String
        /// The prepared demos as `mimic augment` reads them, in the generator's order.
        var demos: [Demo]
        /// The resolved task as JSON, for numpy_plan.py.
        var taskPath: String
        var generator: Generator
        var sources: [SourceDemo]
        var format: OutputFormat
        var dataAttributes: [String: AttributeValue]
        var seed: UInt64
        /// What task resolution said (the inferred subtasks).
        var notes: [String]
        var sourceSteps: ClosedRange<Int>

        /// `generated` as `mimic augment` writes it (with the source's MJCF as `model_file`, unless `modelFile` is false).
        func demo(_ generated: GeneratedDemo, modelFile: Bool = true) -> Demo {
            generated.demo(
                name: "demo_\(generated.index)", format: format, runSeed: seed,
                modelXML: modelFile ? sources[generated.sourceDemos[0].first ?? 0].modelXML : nil)
        }
    }

    var workers = ProcessInfo.processInfo.activeProcessorCount

    // MARK: - Setup

    /// Prepares `sourcePath` into `directory`/prepared.hdf5 and builds the generator from it, the
    /// way `mimic prepare` and `mimic augment` do with the task `spec` (nil: none, so the subtasks
    /// are inferred from the data).
    func setup(sourcePath: String, directory: String, seed: UInt64, spec: TaskSpec? = nil) throws -> Setup {
        let prepared = directory + "/prepared.hdf5"
        do {  // mimic prepare
            let reader = try RobomimicReader(path: sourcePath)
            guard let first = reader.demoNames.first else { throw BenchError("\(sourcePath) holds no demos") }
            let setup = try PrepareSetup.infer(demo: try reader.demo(first), envArgs: reader.envArgs, spec: spec, file: sourcePath)
            let builder = DatagenInfoBuilder(setup: setup)
            var attributes = reader.dataAttributes
            attributes["total"] = nil
            let writer = try RobomimicWriter(destination: prepared, dataAttributes: attributes)
            let format = OutputFormat(source: try reader.demo(first), envArgs: reader.envArgs, taskName: spec?.name)
            for name in reader.demoNames {
                var demo = try reader.demo(name)
                demo.setDatagenInfo(try builder.build(demo, file: sourcePath), format: format)
                try writer.write(demo)
            }
            try writer.finish(masks: reader.masks)
        }

        // mimic augment.
        let reader = try RobomimicReader(path: prepared)
        let demos = try reader.demoNames.map { try reader.demo($0) }
        var notes: [String] = []
        let generator = try Generator.make(demos: demos, envArgs: reader.envArgs, spec: spec ?? TaskSpec(), seed: seed, file: prepared, notes: &notes)
        let task = generator.task
        let sources = generator.sources
        var attributes = reader.dataAttributes
        attributes["total"] = nil
        let provenance: [String: Any] = ["tool": "mimic-bench", "command": "augment", "seed": seed, "kinematic": true]
        attributes["mimic_generation"] = .string(String(decoding: try JSONSerialization.data(withJSONObject: provenance, options: [.sortedKeys]), as: UTF8.self))

        let taskPath = directory + "/task.json"
        try JSONSerialization.data(withJSONObject: Self.taskJSON(task, seed: seed), options: [.sortedKeys, .prettyPrinted])
            .write(to: URL(fileURLWithPath: taskPath))
        let lengths = sources.map(\.length)
        return Setup(
            preparedPath: prepared, demos: demos, taskPath: taskPath, generator: generator, sources: sources,
            format: OutputFormat(source: demos[0], envArgs: reader.envArgs, taskName: spec?.name),
            dataAttributes: attributes, seed: seed, notes: notes, sourceSteps: lengths.min()!...lengths.max()!)
    }

    /// The resolved task as numpy_plan.py reads it: action layout, subtasks and switches.
    static func taskJSON(_ task: GenerationTask, seed: UInt64) -> [String: Any] {
        let effectors: [[String: Any]] = task.effectors.map { effector in
            let layout = effector.layout
            var out: [String: Any] = [
                "name": layout.name,
                "pose_columns": [layout.poseColumns.lowerBound, layout.poseColumns.upperBound],
                "gripper_columns": [layout.gripperColumns.lowerBound, layout.gripperColumns.upperBound],
                "frame_xyzw": {
                    let q = layout.worldFromActionFrame.rotation; return [q.x, q.y, q.z, q.w]
                }(),
            ]
            switch layout.convention {
            case .oscDelta(let s):
                out["convention"] = "oscDelta"
                out["scaling"] = ["input_min": s.inputMin, "input_max": s.inputMax, "output_min": s.outputMin, "output_max": s.outputMax]
            case .oscAbsolute: out["convention"] = "oscAbsolute"
            case .absoluteWXYZ: out["convention"] = "absoluteWXYZ"
            case .absoluteXYZW: out["convention"] = "absoluteXYZW"
            }
            out["subtasks"] = effector.subtasks.map { s -> [String: Any] in
                [
                    "object": s.object ?? NSNull(), "end_signal": s.endSignal ?? NSNull(), "end_offset": s.endOffset,
                    "selection": s.selection.rawValue, "nn_k": s.nnK, "action_noise": s.actionNoise,
                    "interpolation_steps": s.interpolationSteps, "fixed_steps": s.fixedSteps,
                    "noise_during_interpolation": s.noiseDuringInterpolation, "speed": s.speed,
                ]
            }
            return out
        }
        return [
            "seed": seed, "action_width": task.actionWidth, "effectors": effectors,
            "placement": task.placement == nil ? NSNull() : "set" as Any,
            "select_per_subtask": task.selectPerSubtask, "transform_first_robot_pose": task.transformFirstRobotPose,
            "interpolate_from_last_target_pose": task.interpolateFromLastTargetPose,
        ]
    }

    /// Writes demos 0 ..< count as `mimic augment` would, for numpy_plan.py --check.
    func writeCheckDemos(_ setup: Setup, count: Int, to path: String) throws {
        let writer = try RobomimicWriter(destination: path, dataAttributes: setup.dataAttributes)
        for i in 0..<count { try writer.write(setup.demo(setup.generator.generate(i))) }
        try writer.finish(masks: [:])
    }

    // MARK: - Planning throughput

    struct PlanResult {
        var label: String
        var threads: Int
        var demos: Int
        /// Mean generated steps per demo.
        var stepsPerDemo: Double
        /// Demos per second of thread CPU time (summed over threads), per run.
        var cpuRate: Stats
        /// Demos per second of elapsed time, per run.
        var wallRate: Stats
    }

    /// `runs` runs of `generate(0 ..< demos)` on one thread, after an untimed pass that records
    /// every demo's digest (for the all-cores check).
    func planSingleThread(_ generator: Generator, demos: Int, runs: Int, digests: inout [Double], sink: inout Double) -> PlanResult {
        digests = (0..<demos).map { Self.digest(generator.generate($0)) }
        var cpuRates: [Double] = [], wallRates: [Double] = []
        var steps = 0
        for _ in 0..<runs {
            steps = 0
            let start = nowNanoseconds(), cpuStart = threadCPUNanoseconds()
            for i in 0..<demos {
                let demo = generator.generate(i)
                steps += demo.length
                sink += demo.actions[demo.actions.count - 1]
            }
            let cpu = threadCPUNanoseconds() - cpuStart, wall = nowNanoseconds() - start
            cpuRates.append(Double(demos) * 1e9 / Double(cpu))
            wallRates.append(Double(demos) * 1e9 / Double(wall))
        }
        return PlanResult(
            label: "Swift Generator.generate, 1 thread", threads: 1, demos: demos,
            stepsPerDemo: Double(steps) / Double(demos),
            cpuRate: Stats(cpuRates, calls: demos), wallRate: Stats(wallRates, calls: demos))
    }

    /// `runs` runs of `generate(0 ..< demos)` spread over all cores (DispatchQueue.concurrentPerform,
    /// worker w takes indices w, w + workers, ...), after an untimed run whose demos must match
    /// the single-thread ones (`expected` digests).
    func planAllCores(_ generator: Generator, demos: Int, runs: Int, expected: [Double], sink: inout Double) throws -> PlanResult {
        let workers = self.workers
        var cpuRates: [Double] = [], wallRates: [Double] = []
        var steps = 0
        for run in -1..<runs {
            let slots = WorkerSlots(workers: workers, demos: demos)
            let check = run < 0
            let start = nowNanoseconds()
            DispatchQueue.concurrentPerform(iterations: workers) { w in
                let cpuStart = threadCPUNanoseconds()
                var steps = 0
                for i in stride(from: w, to: demos, by: workers) {
                    let demo = generator.generate(i)
                    steps += demo.length
                    slots.digests[i] = check ? Self.digest(demo) : demo.actions[demo.actions.count - 1]
                }
                slots.cpu[w] = threadCPUNanoseconds() - cpuStart
                slots.steps[w] = steps
            }
            let wall = nowNanoseconds() - start
            if check {
                guard Array(slots.digests) == expected else {
                    throw BenchError("demos generated on \(workers) threads differ from the single-thread ones")
                }
                continue
            }
            steps = slots.steps.reduce(0, +)
            cpuRates.append(Double(demos) * 1e9 / Double(slots.cpu.reduce(0, +)))
            wallRates.append(Double(demos) * 1e9 / Double(wall))
            sink += slots.digests.reduce(0, +)
        }
        return PlanResult(
            label: "Swift Generator.generate, all cores", threads: workers, demos: demos,
            stepsPerDemo: Double(steps) / Double(demos),
            cpuRate: Stats(cpuRates, calls: demos), wallRate: Stats(wallRates, calls: demos))
    }

    /// A number that changes with every value of a generated demo's actions and poses.
    static func digest(_ demo: GeneratedDemo) -> Double {
        var d = 0.0
        for (k, v) in demo.actions.enumerated() { d += v * Double(k % 7 + 1) }
        for e in demo.info.endEffectors { d += e.targetPose.matrices.reduce(0, +) }
        for track in demo.info.objectPoses.values { d += track.matrices.reduce(0, +) }
        return d
    }

    // MARK: - End to end

    enum Sink: CaseIterable {
        case hdf5, hdf5WithoutModel, raw
        var label: String {
            switch self {
            case .hdf5: return "RobomimicWriter (mimic augment's loop)"
            case .hdf5WithoutModel: return "RobomimicWriter, no model_file attribute"
            case .raw: return "raw write(2) of the same bytes as row 1"
            }
        }
    }

    struct EndToEndResult {
        var sink: Sink
        var demos: Int
        var steps: Int
        /// From creating the file to the finished, renamed file.
        var wall: Double
        /// Elapsed time inside the parallel generate calls.
        var generateWall: Double
        /// Thread CPU time of Generator.generate, summed over the workers.
        var planCPU: Double
        /// Thread CPU time of GeneratedDemo.demo (on the writing thread).
        var convertCPU: Double
        /// Thread CPU time of writing: RobomimicWriter.write + finish, or write(2) + close + rename.
        var writeCPU: Double
        /// The kernel's part of `writeCPU` (system calls, page cache).
        var writeSystem: Double
        /// Bytes of array data, and of attribute values (model_file, mimic_scene, ...).
        var arrayBytes: Int
        var attributeBytes: Int
        var modelFileBytes: Int
        var datasets: Int
        var fileBytes: Int
    }

    /// Generates and writes `count` demos to one file the way `mimic augment` does: batches of
    /// max(64, 32 * workers) generated on all cores, then converted and written in index order on
    /// this thread; train/valid masks at the end.
    func endToEnd(_ setup: Setup, count: Int, sink: Sink, path: String) throws -> EndToEndResult {
        var result = EndToEndResult(
            sink: sink, demos: count, steps: 0, wall: 0, generateWall: 0, planCPU: 0, convertCPU: 0,
            writeCPU: 0, writeSystem: 0, arrayBytes: 0, attributeBytes: 0, modelFileBytes: 0, datasets: 0, fileBytes: 0)
        let workers = self.workers
        let start = nowNanoseconds()
        var cpu = threadCPUNanoseconds()
        var system = threadSystemNanoseconds()
        var writer: RobomimicWriter?
        var fd: Int32 = -1
        let partial = path + ".partial"
        switch sink {
        case .hdf5, .hdf5WithoutModel: writer = try RobomimicWriter(destination: path, dataAttributes: setup.dataAttributes)
        case .raw:
            fd = open(partial, O_WRONLY | O_CREAT | O_TRUNC, 0o644)
            guard fd >= 0 else { throw BenchError("cannot create \(partial): errno \(errno)") }
        }
        var writeCPU = threadCPUNanoseconds() - cpu
        var writeSystem = threadSystemNanoseconds() - system
        var convertCPU: UInt64 = 0, planCPU: UInt64 = 0, generateWall: UInt64 = 0
        let batch = max(64, 32 * workers)
        var first = 0
        while first < count {
            let size = min(batch, count - first)
            let generateStart = nowNanoseconds()
            let slots = BatchSlots(count: size, workers: workers)
            let base = first
            DispatchQueue.concurrentPerform(iterations: min(workers, size)) { w in
                let cpuStart = threadCPUNanoseconds()
                for k in stride(from: w, to: size, by: workers) { slots.store(setup.generator.generate(base + k), at: k) }
                slots.cpu[w] = threadCPUNanoseconds() - cpuStart
            }
            generateWall += nowNanoseconds() - generateStart
            planCPU += slots.cpu.reduce(0, +)
            for generated in slots.values {
                cpu = threadCPUNanoseconds()
                let demo = setup.demo(generated, modelFile: sink != .hdf5WithoutModel)
                let afterConvert = threadCPUNanoseconds()
                system = threadSystemNanoseconds()
                convertCPU += afterConvert - cpu
                switch sink {
                case .hdf5, .hdf5WithoutModel: try writer!.write(demo)
                case .raw: try Self.rawWrite(demo, fd: fd, path: partial)
                }
                writeCPU += threadCPUNanoseconds() - afterConvert
                writeSystem += threadSystemNanoseconds() - system
                result.steps += generated.length
                result.arrayBytes += demo.arrays.values.reduce(0) { $0 + byteCount($1) }
                let attributes =
                    demo.attributes.values.map(Self.attributeByteCount).reduce(0, +)
                    + demo.groupAttributes.values.flatMap(\.values).map(Self.attributeByteCount).reduce(0, +)
                result.attributeBytes += attributes
                result.modelFileBytes += demo.attributes["model_file"].map(Self.attributeByteCount) ?? 0
                result.datasets += demo.arrays.count
            }
            first += size
        }
        cpu = threadCPUNanoseconds()
        system = threadSystemNanoseconds()
        switch sink {
        case .hdf5, .hdf5WithoutModel:
            // mask/valid: 10% of the demos by a seeded shuffle, as mimic augment picks them.
            var rng = RandomStream(seed: setup.seed, stream: UInt64.max)
            var order = Array(0..<count)
            order.shuffle(using: &rng)
            let valid = Set(order.prefix(Int((Double(count) * 0.1).rounded())))
            let names = (0..<count).map { "demo_\($0)" }
            try writer!.finish(masks: [
                "train": names.indices.filter { !valid.contains($0) }.map { names[$0] },
                "valid": names.indices.filter { valid.contains($0) }.map { names[$0] },
            ])
        case .raw:
            guard close(fd) == 0, rename(partial, path) == 0 else { throw BenchError("cannot finish \(path): errno \(errno)") }
        }
        writeCPU += threadCPUNanoseconds() - cpu
        writeSystem += threadSystemNanoseconds() - system
        result.wall = Double(nowNanoseconds() - start) / 1e9
        result.generateWall = Double(generateWall) / 1e9
        result.planCPU = Double(planCPU) / 1e9
        result.convertCPU = Double(convertCPU) / 1e9
        result.writeCPU = Double(writeCPU) / 1e9
        result.writeSystem = Double(writeSystem) / 1e9
        result.fileBytes = (try FileManager.default.attributesOfItem(atPath: path)[.size] as? NSNumber)?.intValue ?? 0
        try FileManager.default.removeItem(atPath: path)
        return result
    }

    /// The sharded run of the same demos by the `mimic` binary at `mimic`: `mimic augment
    /// PREPARED -o DIR -n count --seed S --shard-size shardSize`, whose shards are written by
    /// writer processes (one per core). Wall time of the whole command; CPU of it and its
    /// writers (getrusage of children); steps as its stats.json counts them.
    func shardedRun(_ setup: Setup, count: Int, shardSize: Int, mimic: String, directory: String) throws -> ShardedResult {
        try? FileManager.default.removeItem(atPath: directory)
        var before = rusage()
        getrusage(RUSAGE_CHILDREN.rawValue, &before)
        let start = nowNanoseconds()
        let process = Process()
        process.executableURL = URL(fileURLWithPath: mimic)
        process.arguments = [
            "augment", setup.preparedPath, "-o", directory, "-n", String(count), "--seed", String(setup.seed), "--shard-size", String(shardSize),
            "--workers", String(workers),
        ]
        process.standardOutput = FileHandle.nullDevice
        let errors = Pipe()
        process.standardError = errors
        try process.run()
        let message = errors.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        let wall = Double(nowNanoseconds() - start) / 1e9
        guard process.terminationStatus == 0 else {
            throw BenchError("\(mimic) augment failed: \(String(decoding: message, as: UTF8.self))")
        }
        var after = rusage()
        getrusage(RUSAGE_CHILDREN.rawValue, &after)
        func seconds(_ t: timeval) -> Double { Double(t.tv_sec) + Double(t.tv_usec) / 1e6 }
        let cpu = seconds(after.ru_utime) - seconds(before.ru_utime) + seconds(after.ru_stime) - seconds(before.ru_stime)
        let stats = try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: directory + "/stats.json"))) as? [String: Any]
        let names = try FileManager.default.contentsOfDirectory(atPath: directory)
        let bytes = try names.reduce(0) { sum, name in
            sum + ((try FileManager.default.attributesOfItem(atPath: directory + "/" + name)[.size] as? NSNumber)?.intValue ?? 0)
        }
        try FileManager.default.removeItem(atPath: directory)
        return ShardedResult(wall: wall, cpu: cpu, steps: stats?["samples"] as? Int ?? -1, directoryBytes: bytes)
    }

    struct ShardedResult {
        var wall: Double
        var cpu: Double
        var steps: Int
        var directoryBytes: Int
    }

    /// The demo's bytes, one write(2) per array (in the writer's order) and per attribute value.
    static func rawWrite(_ demo: Demo, fd: Int32, path: String) throws {
        func put(_ bytes: UnsafeRawBufferPointer) throws {
            var offset = 0
            while offset < bytes.count {
                let written = write(fd, bytes.baseAddress! + offset, bytes.count - offset)
                guard written > 0 else { throw BenchError("write to \(path) failed: errno \(errno)") }
                offset += written
            }
        }
        for (_, value) in demo.attributes.sorted(by: { $0.key < $1.key }) { try withAttributeBytes(value, put) }
        for (_, tensor) in demo.arrays.sorted(by: { $0.key < $1.key }) { try withBytes(tensor, put) }
        for (_, values) in demo.groupAttributes.sorted(by: { $0.key < $1.key }) {
            for (_, value) in values.sorted(by: { $0.key < $1.key }) { try withAttributeBytes(value, put) }
        }
    }

    static func attributeByteCount(_ value: AttributeValue) -> Int { withAttributeBytes(value) { $0.count } }

    /// The bytes of an attribute's value as HDF5 stores them (strings without a terminator).
    static func withAttributeBytes<R>(_ value: AttributeValue, _ body: (UnsafeRawBufferPointer) throws -> R) rethrows -> R {
        switch value {
        case .int(let v): return try Swift.withUnsafeBytes(of: Int64(v)) { try body($0) }
        case .double(let v): return try Swift.withUnsafeBytes(of: v) { try body($0) }
        case .bool(let v): return try Swift.withUnsafeBytes(of: UInt8(v ? 1 : 0)) { try body($0) }
        case .string(let v): return try Array(v.utf8).withUnsafeBytes { try body($0) }
        case .ints(let v): return try v.map(Int64.init).withUnsafeBytes { try body($0) }
        case .doubles(let v): return try v.withUnsafeBytes { try body($0) }
        }
    }
}

/// Per-worker CPU times and steps, and per-demo digests, filled at distinct indices by worker threads.
final class WorkerSlots: @unchecked Sendable {
    var cpu: UnsafeMutableBufferPointer<UInt64>
    var steps: UnsafeMutableBufferPointer<Int>
    var digests: UnsafeMutableBufferPointer<Double>
    init(workers: Int, demos: Int) {
        cpu = .allocate(capacity: workers)
        cpu.initialize(repeating: 0)
        steps = .allocate(capacity: workers)
        steps.initialize(repeating: 0)
        digests = .allocate(capacity: demos)
        digests.initialize(repeating: 0)
    }
    deinit {
        cpu.deallocate()
        steps.deallocate()
        digests.deallocate()
    }
}

/// One batch of generated demos and the workers' CPU times, filled at distinct indices by worker threads.
final class BatchSlots: @unchecked Sendable {
    private let buffer: UnsafeMutableBufferPointer<GeneratedDemo?>
    let cpu: UnsafeMutableBufferPointer<UInt64>
    init(count: Int, workers: Int) {
        buffer = .allocate(capacity: count)
        buffer.initialize(repeating: nil)
        cpu = .allocate(capacity: workers)
        cpu.initialize(repeating: 0)
    }
    deinit {
        buffer.deinitialize()
        buffer.deallocate()
        cpu.deallocate()
    }
    func store(_ value: GeneratedDemo, at index: Int) { buffer[index] = value }
    var values: [GeneratedDemo] { buffer.map { $0! } }
}
