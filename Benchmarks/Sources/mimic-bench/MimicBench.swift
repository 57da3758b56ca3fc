import Foundation
import MimicCore
import MimicHDF5

/// mimic-bench: Mimic's segment transform against numpy, HDF5 write throughput against a raw
/// write, generation (planning against numpy, generate + write end to end), and the simulator
/// (replay and generate + execute against raw mj_step), and camera rendering (CameraRenderer against
/// robosuite's own rendering, and `mimic render` as a pass), each measured against its reference in
/// the same invocation.
@main
struct MimicBench {
    enum Section: String, CaseIterable {
        case transform, hdf5, generate, sim, render
    }

    struct Options {
        var sections = Set(Section.allCases)
        var transformSizes = [200, 2000, 1_000_000]
        var loopPoses = 2000
        var runs = 21
        var targetSeconds = 0.002
        var demosPerFile = 200
        var repetitions = 7
        var directory: String?
        var python = "python3"
        var benchmarksDirectory = URL(fileURLWithPath: #filePath)
            .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent().path
        var script: String { benchmarksDirectory + "/numpy_transform.py" }
        var planScript: String { benchmarksDirectory + "/numpy_plan.py" }
        var planDemos = 2000
        var planRuns = 7
        var numpyDemos = 300
        var numpyRuns = 5
        var checkDemos = 4
        var e2eDemos = 10_000
        var simAttempts = 40
        var simRuns = 5
        var simPasses = 3
        var robosuiteAssets: String?
        var renderSource: String?
        var renderSourcePath: String { renderSource ?? repositoryRoot + "/Datasets/stack.hdf5" }
        var renderScript: String { repositoryRoot + "/Demos/verify/robosuite_render.py" }
        var renderSizes = [84, 224]
        var renderStates = 40
        var renderDemos = 2
        var renderChunks = 5
        var renderPassDemos = 2
        var seed: UInt64 = 1
        var keep = false
        var mimic: String?
        var mimicPath: String { mimic ?? repositoryRoot + "/.build/release/mimic" }
        var lift: String?
        var simSource: String?
        var quick = false
        var liftPath: String { lift ?? repositoryRoot + "/Datasets/lift.hdf5" }
        var simSourcePath: String { simSource ?? repositoryRoot + "/Datasets/lift.hdf5" }

        static let usage = """
            usage: mimic-bench [--section LIST] [--quick] [--runs N] [--demos N] [--reps N]
                               [--plan-demos N] [--plan-runs N] [--numpy-demos N] [--e2e-demos N]
                               [--sim-source FILE] [--sim-attempts N] [--sim-runs N] [--sim-passes N]
                               [--render-source FILE] [--render-sizes LIST] [--render-states N]
                               [--render-demos N] [--render-chunks N] [--render-pass-demos N]
                               [--robosuite-assets DIR]
                               [--dir DIR] [--keep] [--python PATH] [--lift FILE] [--mimic PATH]
              --section LIST   comma-separated sections to run: transform, hdf5, generate, sim, render (all)
              --quick          small sizes and few runs (a smoke test, not for quoting)
              --runs N         timed runs per transform measurement, median reported (21;
                               a quarter of that, at least 3, above 100k poses)
              --demos N        Lift demos per HDF5 file (200)
              --reps N         files written per HDF5 method, median reported (7)
              --plan-demos N   demos per Swift planning run (2000)
              --plan-runs N    timed Swift planning runs, median reported (7; numpy: 5)
              --numpy-demos N  demos per numpy planning run (300)
              --e2e-demos N    demos generated and written end to end (10000; 100000 for the
                               issue's target: files of up to 10 GB)
              --sim-source FILE  the robosuite source of the sim section, any that `mimic augment
                               --execute` runs with a built-in profile (Datasets/lift.hdf5)
              --sim-attempts N generated demos executed in MuJoCo (EpisodeRunnerPool.run) (40)
              --sim-runs N     timed runs of the mj_step floor and of the source demo replays (5)
              --sim-passes N   timed passes over the attempts, 1 thread and all cores (3)
              --render-source FILE  the render section's robosuite dataset (Datasets/stack.hdf5)
              --render-sizes LIST  square image sizes drawn, comma-separated (84,224)
              --render-states N  states drawn per camera and configuration (40)
              --render-demos N the first N demos the drawn states are spread over (2)
              --render-chunks N  chunks the frames are timed in, one sample each (5)
              --render-pass-demos N  demos of the `mimic render` pass, at the first size (2; 0: none)
              --robosuite-assets DIR  robosuite's models/assets (default: from the installed robosuite)
              --dir DIR        where the HDF5 and raw files go (a new temp dir; deleted after)
              --keep           keep that temp dir (prepared.hdf5 and task.json, to run
                               numpy_plan.py alone)
              --python PATH    the Python with numpy (python3)
              --lift FILE      the Lift dataset of the hdf5 and generate sections (Datasets/lift.hdf5
                               of the main package)
              --mimic PATH     the mimic binary of the sharded end-to-end row and the mimic render pass
                               (.build/release/mimic of the main package: swift build -c release first)
            """

        static func parse(_ arguments: [String]) throws -> Options {
            var options = Options()
            var rest = arguments[...]
            func value(_ flag: String) throws -> String {
                guard let v = rest.popFirst() else { throw BenchError("\(flag) needs a value\n\(usage)") }
                return v
            }
            func positive(_ flag: String) throws -> Int {
                let text = try value(flag)
                guard let n = Int(text), n > 0 else { throw BenchError("\(flag) needs a positive integer, got \(text)") }
                return n
            }
            while let flag = rest.popFirst() {
                switch flag {
                case "--quick":
                    options.quick = true
                    options.transformSizes = [200, 2000, 100_000]
                    options.runs = 3
                    options.demosPerFile = 20
                    options.repetitions = 3
                    options.planDemos = 200
                    options.planRuns = 3
                    options.numpyDemos = 20
                    options.numpyRuns = 3
                    options.e2eDemos = 300
                    options.simAttempts = 4
                    options.simRuns = 2
                    options.simPasses = 1
                    options.renderSizes = [84]
                    options.renderStates = 8
                    options.renderChunks = 2
                    options.renderPassDemos = 1
                case "--runs": options.runs = try positive(flag)
                case "--demos": options.demosPerFile = try positive(flag)
                case "--reps": options.repetitions = try positive(flag)
                case "--plan-demos": options.planDemos = try positive(flag)
                case "--plan-runs": options.planRuns = try positive(flag)
                case "--numpy-demos": options.numpyDemos = try positive(flag)
                case "--e2e-demos": options.e2eDemos = try positive(flag)
                case "--sim-source": options.simSource = try value(flag)
                case "--sim-attempts": options.simAttempts = try positive(flag)
                case "--sim-runs": options.simRuns = try positive(flag)
                case "--sim-passes": options.simPasses = try positive(flag)
                case "--robosuite-assets": options.robosuiteAssets = try value(flag)
                case "--render-source": options.renderSource = try value(flag)
                case "--render-sizes":
                    let text = try value(flag)
                    let sizes = text.split(separator: ",").map { Int($0) }
                    guard !sizes.isEmpty, sizes.allSatisfy({ ($0 ?? 0) > 0 && ($0 ?? 0) <= 4096 }) else {
                        throw BenchError("--render-sizes needs comma-separated sizes in 1...4096, got \(text)")
                    }
                    options.renderSizes = sizes.map { $0! }
                case "--render-states": options.renderStates = try positive(flag)
                case "--render-demos": options.renderDemos = try positive(flag)
                case "--render-chunks": options.renderChunks = try positive(flag)
                case "--render-pass-demos":
                    let text = try value(flag)
                    guard let n = Int(text), n >= 0 else { throw BenchError("\(flag) needs a non-negative integer, got \(text)") }
                    options.renderPassDemos = n
                case "--section":
                    var sections = Set<Section>()
                    for name in try value(flag).split(separator: ",") {
                        guard let section = Section(rawValue: String(name)) else {
                            throw BenchError("unknown section \(name) (transform, hdf5, generate, sim, render)\n\(usage)")
                        }
                        sections.insert(section)
                    }
                    options.sections = sections
                case "--dir": options.directory = try value(flag)
                case "--keep": options.keep = true
                case "--mimic": options.mimic = try value(flag)
                case "--python": options.python = try value(flag)
                case "--lift": options.lift = try value(flag)
                case "-h", "--help":
                    print(usage)
                    exit(0)
                default: throw BenchError("unknown argument \(flag)\n\(usage)")
                }
            }
            return options
        }
    }

    static func main() {
        do {
            exit(try run(Options.parse(Array(CommandLine.arguments.dropFirst()))))
        } catch {
            progress("mimic-bench: \(error)")
            exit(1)
        }
    }

    /// Runs the selected sections and prints the report; returns the exit status.
    static func run(_ options: Options) throws -> Int32 {
        var sink = 0.0
        var failures: [String] = []
        let loadAtStart = loadAverage()
        let started = Date()
        let scratch = try makeScratchDirectory(under: options.directory)
        defer {
            if options.keep { progress("kept \(scratch)") } else { try? FileManager.default.removeItem(atPath: scratch) }
        }
        let sections = options.sections
        var report: [String] = []

        var hdf5Work: HDF5Bench.Workload?
        let hdf5 = HDF5Bench(demosPerFile: options.demosPerFile, repetitions: options.repetitions, directory: scratch)
        if sections.contains(.hdf5) {
            progress("HDF5 write: reading \(options.liftPath)")
            hdf5Work = try hdf5.workload(liftPath: options.liftPath)  // read first, so a missing file fails early
        }

        // 1. Segment transform: numpy first (subprocess), then Swift.
        var numpy: NumpyReport?
        if sections.contains(.transform) {
            progress("segment transform: numpy (\(options.script))")
            let checkPoses = 200
            let expected = try writeCheckInput(path: scratch + "/check-in.f64", poses: checkPoses)
            do {
                // One BLAS thread: the Swift kernel runs on one core, and thread CPU time only
                // counts the calling thread.
                numpy = try NumpyReport.run(
                    python: options.python, script: options.script, sizes: options.transformSizes,
                    loopPoses: options.loopPoses, runs: options.runs, targetSeconds: options.targetSeconds,
                    check: (scratch + "/check-in.f64", scratch + "/check-out.f64"),
                    environment: oneBLASThread)
            } catch {
                failures.append("numpy reference: \(error)")
            }
            var swiftVersusNumpy: Double?
            if numpy != nil {
                do { swiftVersusNumpy = try maxDifference(expected, fileAt: scratch + "/check-out.f64") } catch {
                    failures.append("numpy check: \(error)")
                }
            }
            progress("segment transform: Swift")
            let transform = TransformBench(sizes: options.transformSizes, runs: options.runs, targetSeconds: options.targetSeconds)
            let swiftResults = transform.run(sink: &sink)
            var text = transformReport(swiftResults, numpy, options: options, transform: transform)
            if let numpy, let swiftVersusNumpy {
                text +=
                    "\ncheck (\(checkPoses) poses, float64): Swift vs numpy max |diff| \(String(format: "%.1e", swiftVersusNumpy)); "
                    + "numpy variants among themselves \(String(format: "%.1e", numpy.variantsDisagreeBy ?? .nan))"
                if !(swiftVersusNumpy < 1e-12) { failures.append("Swift and numpy disagree by \(swiftVersusNumpy)") }
            }
            report.append(text)
            sink += numpy?.checksum ?? 0
        }

        // 2. HDF5 write throughput.
        if let work = hdf5Work {
            progress("HDF5 write: \(work.demos.count) demos per file")
            let results = try hdf5.run(work, sink: &sink)
            report.append(hdf5Report(results, work, options: options, directory: scratch))
        }

        // 3. Generation: numpy planning first (subprocess), then Swift planning, then end to end.
        var numpyPlan: NumpyPlanReport?
        if sections.contains(.generate) {
            let bench = GenerateBench()
            progress("generation: preparing \(options.liftPath)")
            let setup = try bench.setup(sourcePath: options.liftPath, directory: scratch, seed: options.seed)
            let checkPath = scratch + "/check-generated.hdf5"
            try bench.writeCheckDemos(setup, count: options.checkDemos, to: checkPath)
            progress("generation planning: numpy (\(options.planScript))")
            do {
                numpyPlan = try NumpyPlanReport.run(
                    python: options.python, script: options.planScript, prepared: setup.preparedPath, task: setup.taskPath,
                    demos: options.numpyDemos, runs: options.numpyRuns, check: checkPath, checkDemos: options.checkDemos,
                    environment: oneBLASThread)
            } catch {
                failures.append("numpy planning reference: \(error)")
            }
            if let numpyPlan {
                let worst = numpyPlan.checkDifferences.values.max() ?? .nan
                if !numpyPlan.checkProblems.isEmpty { failures.append("numpy planning check: \(numpyPlan.checkProblems.joined(separator: "; "))") }
                if !(worst < 1e-9) { failures.append("numpy planning and Swift disagree by \(worst)") }
                sink += numpyPlan.checksum
            }
            progress("generation planning: Swift, 1 thread and \(bench.workers) threads")
            var digests: [Double] = []
            let single = bench.planSingleThread(
                setup.generator, demos: options.planDemos, runs: options.planRuns,
                digests: &digests, sink: &sink)
            let parallel = try bench.planAllCores(
                setup.generator, demos: options.planDemos, runs: options.planRuns,
                expected: digests, sink: &sink)
            report.append(planReport([single, parallel], numpyPlan, setup: setup, options: options))

            // End to end with the task `mimic augment` uses (the built-in Lift profile), so that the
            // mimic binary's sharded run below writes the same demos.
            try FileManager.default.createDirectory(atPath: scratch + "/profile", withIntermediateDirectories: true)
            let profiled = try bench.setup(
                sourcePath: options.liftPath, directory: scratch + "/profile", seed: options.seed,
                spec: TaskProfiles.spec(for: try RobomimicReader(path: options.liftPath).envArgs))
            var endToEnd: [GenerateBench.EndToEndResult] = []
            for sinkKind in GenerateBench.Sink.allCases {
                progress("generation end to end: \(options.e2eDemos) demos, \(sinkKind.label)")
                let result = try bench.endToEnd(profiled, count: options.e2eDemos, sink: sinkKind, path: scratch + "/generated.hdf5")
                sink += Double(result.fileBytes)
                endToEnd.append(result)
            }
            report.append(endToEndReport(endToEnd, setup: profiled, workers: bench.workers, directory: scratch))
            if FileManager.default.isExecutableFile(atPath: options.mimicPath) {
                progress("generation end to end: \(options.e2eDemos) demos, mimic augment --shard-size (writer processes)")
                let sharded = try bench.shardedRun(
                    profiled, count: options.e2eDemos, shardSize: max(1, options.e2eDemos / 10), mimic: options.mimicPath,
                    directory: scratch + "/sharded")
                if let raw = endToEnd.first(where: { $0.sink == .raw }), sharded.steps != raw.steps {
                    failures.append("mimic augment --shard-size wrote \(sharded.steps) samples, the in-process rows \(raw.steps)")
                }
                report.append(shardedReport(sharded, endToEnd, options: options, workers: bench.workers))
            } else {
                failures.append("no mimic binary at \(options.mimicPath) for the sharded end-to-end row (swift build -c release first)")
            }
        }

        // 4. Simulator: mj_step floor, replay of the bundled demos, generate + execute.
        if sections.contains(.sim) {
            do {
                report.append(try runSim(options, directory: scratch + "/sim", failures: &failures, sink: &sink))
            } catch {
                failures.append("simulator: \(error)")
            }
        }

        // 5. Rendering: CameraRenderer against robosuite on the same frames, then mimic render as a pass.
        if sections.contains(.render) {
            do {
                report.append(try runRender(options, directory: scratch + "/render", failures: &failures, sink: &sink))
            } catch {
                failures.append("rendering: \(error)")
            }
        }

        // Report.
        let loadAtEnd = loadAverage()
        print("mimic-bench  \(ISO8601DateFormatter().string(from: started))  (\(fixed(Date().timeIntervalSince(started), 0)) s)")
        print(
            "machine: nproc \(ProcessInfo.processInfo.activeProcessorCount), \(cpuModel()), "
                + "\(ProcessInfo.processInfo.physicalMemory >> 30) GiB; load average \(loadAtStart) at start, \(loadAtEnd) at end")
        let python =
            numpy.map { "python \($0.python), numpy \($0.numpy) (\($0.blas)), 1 BLAS thread" }
            ?? numpyPlan.map { "python \($0.python), numpy \($0.numpy), 1 BLAS thread" } ?? "numpy: not run"
        print(
            "config:  \(options.quick ? "--quick (a smoke test: do not quote these numbers); " : "")"
                + "Swift release build (default target CPU); sections \(Section.allCases.filter(sections.contains).map(\.rawValue).joined(separator: ", ")); "
                + python)
        for text in report {
            print("")
            print(text)
        }
        print("")
        print("checksum \(sink) (consumes every result; ignore)")
        for failure in failures { progress("mimic-bench: FAILED: \(failure)") }
        return failures.isEmpty ? 0 : 1
    }

    static let oneBLASThread = ["OPENBLAS_NUM_THREADS": "1", "OMP_NUM_THREADS": "1", "MKL_NUM_THREADS": "1"]

    static func planReport(
        _ swift: [GenerateBench.PlanResult], _ numpy: NumpyPlanReport?,
        setup: GenerateBench.Setup, options: Options
    ) -> String {
        let best = numpy?.best
        var rows = [
            [
                "implementation", "threads", "demos/run", "steps/demo", "demos/s CPU", "min-max", "steps/s CPU",
                "demos/s wall", "min-max", "steps/s wall", "vs numpy CPU", "vs numpy wall",
            ]
        ]
        func row(_ name: String, threads: Int, demos: Int, stepsPerDemo: Double, cpu: Stats, wall: Stats) -> [String] {
            [
                name, String(threads), String(demos), fixed(stepsPerDemo, 1),
                grouped(cpu.median), grouped(cpu.min) + "-" + grouped(cpu.max), grouped(cpu.median * stepsPerDemo),
                grouped(wall.median), grouped(wall.min) + "-" + grouped(wall.max), grouped(wall.median * stepsPerDemo),
                best.map { fixed(cpu.median / $0.cpuRate.median, 1) + "x" } ?? "n/a",
                best.map { fixed(wall.median / $0.wallRate.median, 1) + "x" } ?? "n/a",
            ]
        }
        for result in swift {
            rows.append(
                row(
                    result.label, threads: result.threads, demos: result.demos, stepsPerDemo: result.stepsPerDemo,
                    cpu: result.cpuRate, wall: result.wallRate))
        }
        for result in (numpy?.results ?? []).sorted(by: { $0.cpuRate.median > $1.cpuRate.median }) {
            let name = "numpy_plan.py, \(result.loop) loop" + (result.loop == best?.loop ? " (best numpy)" : "")
            rows.append(
                row(
                    name, threads: 1, demos: result.demos, stepsPerDemo: result.stepsPerDemo,
                    cpu: result.cpuRate, wall: result.wallRate))
        }
        var check = "check: numpy not run"
        if let numpy {
            let keys = ["actions", "eef_pose", "target_pose", "object_poses", "gripper_action", "subtask_term_signals", "src_demo_labels"]
            let diffs = keys.compactMap { key in numpy.checkDifferences[key].map { "\(key) \(String(format: "%.1e", $0))" } }
            check =
                "check: both numpy loops, drawing from a port of Swift's RandomStream, vs the Swift demos 0-\(numpy.checkDemos - 1): "
                + "max |diff| " + diffs.joined(separator: ", ")
                + (numpy.checkProblems.isEmpty ? "" : "; PROBLEMS: " + numpy.checkProblems.joined(separator: "; "))
        }
        let subtasks = setup.notes.map { "       " + $0 }.joined(separator: "\n")
        return """
            Generation planning  Generator.generate(i) -> GeneratedDemo (actions + datagen_info), no file writing
            sources: the \(setup.sources.count) Lift demos of \(displayPath(options.liftPath)) (\(setup.sourceSteps.lowerBound)-\(setup.sourceSteps.upperBound) steps), prepared in-process as
                     `mimic prepare` does, loaded back as `mimic augment` does; seed \(setup.seed); no task spec, so:
            \(subtasks)
            demos/s CPU: demos / thread CPU time summed over the threads, median of \(options.planRuns) runs (numpy: \(options.numpyRuns));
                     demos/s wall: demos / elapsed time. steps/s: demos/s x mean generated steps per demo.
            all cores: DispatchQueue.concurrentPerform, worker w generates demos w, w + \(swift.last?.threads ?? 1), ...; the same demos
                     as the 1-thread run (checked). numpy_plan.py runs single-threaded (1 BLAS thread), a Python loop over
                     demos; its tracking loop in Python floats (scalar) or small numpy arrays (numpy); both timed.
            vs numpy: this row's demos/s / the best numpy's (CPU with CPU, wall with wall).

            """ + formatTable(rows, rightAligned: Set(1...11)) + "\n" + check
    }

    static func endToEndReport(
        _ results: [GenerateBench.EndToEndResult], setup: GenerateBench.Setup, workers: Int,
        directory: String
    ) -> String {
        var rows = [
            [
                "writer", "demos", "wall s", "demos/s", "s per 100k", "generate wall s", "convert+write wall s",
                "plan CPU µs/demo", "convert µs/demo", "write µs/demo", "of which kernel", "file MB",
            ]
        ]
        for r in results {
            let n = Double(r.demos)
            rows.append([
                r.sink.label, String(r.demos), fixed(r.wall, 2), grouped(n / r.wall), fixed(r.wall * 100_000 / n, 1),
                fixed(r.generateWall, 2), fixed(r.wall - r.generateWall, 2),
                short(r.planCPU * 1e6 / n), short(r.convertCPU * 1e6 / n), short(r.writeCPU * 1e6 / n),
                short(r.writeSystem * 1e6 / n), megabytes(r.fileBytes),
            ])
        }
        guard let first = results.first else { return "" }
        let n = Double(first.demos)
        var lines: [String] = []
        func perDemo(_ seconds: Double, _ r: GenerateBench.EndToEndResult) -> Double { seconds * 1e6 / Double(r.demos) }
        if let hdf5 = results.first(where: { $0.sink == .hdf5 }) {
            let plan = perDemo(hdf5.planCPU, hdf5), convert = perDemo(hdf5.convertCPU, hdf5), write = perDemo(hdf5.writeCPU, hdf5)
            let total = plan + convert + write
            var writeNote = ""
            if let bare = results.first(where: { $0.sink == .hdf5WithoutModel }) {
                writeNote += "without model_file: \(short(perDemo(bare.writeCPU, bare))) µs"
            }
            if let raw = results.first(where: { $0.sink == .raw }) {
                writeNote += (writeNote.isEmpty ? "" : "; ") + "write(2) of the same bytes: \(short(perDemo(raw.writeCPU, raw))) µs"
            }
            let phases = [
                ["phase (mimic augment's loop, row 1)", "thread", "CPU µs/demo", "share", "s per 100k demos"],
                [
                    "Generator.generate", "\(workers) workers", short(plan), percent(plan, total),
                    fixed(plan * 0.1, 1) + " CPU, " + fixed(plan * 0.1 / Double(workers), 1) + " on \(workers) cores",
                ],
                ["GeneratedDemo.demo", "writing", short(convert), percent(convert, total), fixed(convert * 0.1, 1)],
                ["RobomimicWriter.write + finish", "writing", short(write), percent(write, total), fixed(write * 0.1, 1) + "  (" + writeNote + ")"],
            ]
            lines.append("")
            lines.append(formatTable(phases, rightAligned: [2, 3]))
            lines.append("The writing thread alone needs \(fixed((convert + write) * 0.1, 1)) s of CPU per 100,000 demos, even if planning overlapped it;")
            lines.append("the issue's target, 100,000 demos in 15 s, leaves 150 µs of serial work per demo.")
        }
        let perDemoArrays = Double(first.arrayBytes) / n, perDemoAttributes = Double(first.attributeBytes) / n
        return """
            Generation end to end  \(first.demos) Lift demos generated and written to one file, as `mimic augment` does it:
                     batches of \(max(64, 32 * workers)) generated on \(workers) threads, then GeneratedDemo.demo and write, in order, on one thread
            per demo: \(fixed(Double(first.steps) / n, 1)) steps, \(fixed(Double(first.datasets) / n, 0)) datasets, \(fixed(perDemoArrays / 1000, 1)) KB of arrays \
            (actions, datagen_info, obs, src_demo_*) and \(fixed(perDemoAttributes / 1000, 1)) KB
                     of attributes, of which \(fixed(Double(first.modelFileBytes) / n / 1000, 1)) KB is model_file (the source's MJCF, which mimic augment copies into every demo)
            wall s: create to finished, renamed file (one run); generate wall: inside the parallel generate calls; convert+write:
                     the rest. CPU µs/demo: thread CPU time (plan: summed over the workers); of which kernel: the write's system
                     time (getrusage). s per 100k: wall x 100,000 / demos.
            no model_file: the same demos without the 38 KB MJCF attribute. raw write(2): the same loop as row 1, writing each
                     array and attribute value with one write(2) call to a plain file.
            files go to \(directory) (\(fileSystemType(directory))): page cache, no fsync.

            """ + formatTable(rows, rightAligned: Set(1...11)) + "\n" + lines.joined(separator: "\n")
    }

    /// The sharded run by the mimic binary next to the in-process rows: bytes/s of the same
    /// demo bytes, against the raw write(2).
    static func shardedReport(
        _ sharded: GenerateBench.ShardedResult, _ results: [GenerateBench.EndToEndResult], options: Options, workers: Int
    ) -> String {
        guard let raw = results.first(where: { $0.sink == .raw }), let one = results.first(where: { $0.sink == .hdf5 }) else { return "" }
        let bytes = Double(raw.arrayBytes + raw.attributeBytes)
        var rows = [["writer", "wall s", "demos/s", "demo bytes MB/s", "CPU s", "vs raw write(2)"]]
        func row(_ label: String, _ wall: Double, _ cpu: String) -> [String] {
            [label, fixed(wall, 2), grouped(Double(raw.demos) / wall), fixed(bytes / wall / 1e6, 1), cpu, fixed(raw.wall / wall, 2) + "x"]
        }
        rows.append(row(GenerateBench.Sink.raw.label, raw.wall, "-"))
        rows.append(row("RobomimicWriter, one process (row 1 above)", one.wall, "-"))
        rows.append(
            row(
                "mimic augment -o DIR --shard-size \(max(1, options.e2eDemos / 10)): \(workers) writer processes", sharded.wall,
                fixed(sharded.cpu, 2)))
        return """
            Sharded end to end  the same \(raw.demos) demos by `mimic augment` (\(options.mimicPath)), its shards written by one
                     writer process per core, each generating and writing whole shards with its own libhdf5; wall: the whole
                     command (index and manifest included). demo bytes: the arrays and attribute values of the demos
                     (\(megabytes(Int(bytes))) MB), the same bytes the raw write(2) row writes. vs raw: raw wall / this wall.

            """ + formatTable(rows, rightAligned: Set(1...5)) + "\n"
    }

    static func transformReport(
        _ swift: [TransformBench.Result], _ numpy: NumpyReport?,
        options: Options, transform: TransformBench
    ) -> String {
        var rows = [["poses", "in+out", "dtype", "implementation", "ns/pose", "min-max", "speedup vs best numpy"]]
        func row(_ poses: Int, _ dtype: String, _ name: String, _ stats: Stats) -> [String] {
            let scalar = dtype == "float64" ? 8 : 4
            let best = numpy?.best(dtype: dtype, poses: poses)
            return [
                String(poses), megabytes(2 * 16 * scalar * poses), dtype, name, short(stats.median),
                short(stats.min) + "-" + short(stats.max),
                best.map { fixed($0.stats.median / stats.median, 2) + "x" } ?? "n/a",
            ]
        }
        for poses in options.transformSizes {
            for dtype in ["float64", "float32"] {
                for result in swift where result.poses == poses && result.dtype == dtype {
                    rows.append(row(poses, dtype, "Swift PoseKernels.transform", result.stats))
                }
                let best = numpy?.best(dtype: dtype, poses: poses)
                let variants = (numpy?.results ?? []).filter { $0.poses == poses && $0.dtype == dtype && $0.impl != "loop" }
                for result in variants.sorted(by: { $0.stats.median < $1.stats.median }) {
                    let name = "numpy \(result.impl)" + (result.impl == best?.impl ? " (best numpy)" : "")
                    rows.append(row(poses, dtype, name, result.stats))
                }
                for result in (numpy?.results ?? []) where result.impl == "loop" && result.poses == poses && result.dtype == dtype {
                    rows.append(row(poses, dtype, "numpy per-pose loop (out[i] = W @ A[i])", result.stats))
                }
            }
        }
        let runsNote =
            options.transformSizes.contains { $0 > 100_000 }
            ? "\(options.runs) runs (\(transform.runs(forPoses: 1_000_000)) above 100k poses)" : "\(options.runs) runs"
        return """
            Segment transform  out[i] = worldFromNew * in[i]  (4x4 row-major, out of place, output preallocated)
            ns/pose: CPU time of the calling thread per pose, median of \(runsNote); a run repeats the call until it
                     takes >= \(fixed(options.targetSeconds * 1000, 0)) ms. Thread CPU time excludes the time other processes hold the core.
            speedup vs best numpy: (fastest batched numpy ns/pose) / (this ns/pose), same poses and dtype; > 1 is faster.
            numpy: matmul = np.matmul(W, A, out=out); einsum = np.einsum("ij,njk->nik", W, A, out=out);
                   rows = the kernel's 9 multiply-adds on (N, 4) row views; gemm = one BLAS GEMM on a (4, 4N) copy.

            """ + formatTable(rows, rightAligned: [0, 1, 4, 5, 6])
    }

    static func hdf5Report(
        _ results: [HDF5Bench.Result], _ work: HDF5Bench.Workload,
        options: Options, directory: String
    ) -> String {
        let raw = results.first { $0.method == .raw }!
        let serialGzip = results.first { $0.method == .gzip1Shuffle }!, parallelGzip = results.first { $0.method == .parallelGzip1Shuffle }!
        let oneThreadGzip = results.first { $0.method == .mimicGzip1Thread }!
        var rows = [["writer", "MB/s wall", "min-max", "vs raw", "MB/s CPU", "min-max", "vs raw", "file MB"]]
        for result in results {
            rows.append([
                result.method.label,
                short(result.rate.median), short(result.rate.min) + "-" + short(result.rate.max),
                fixed(result.rate.median / raw.rate.median, 3),
                short(result.cpuRate.median), short(result.cpuRate.min) + "-" + short(result.cpuRate.max),
                fixed(result.cpuRate.median / raw.cpuRate.median, 3),
                megabytes(result.fileBytes),
            ])
        }
        let steps = "\(work.stepRange.lowerBound)-\(work.stepRange.upperBound) steps"
        return """
            HDF5 write  \(work.demos.count) Lift demos per file, \(megabytes(work.arrayBytes)) MB of arrays in \(work.datasets) datasets
            demos: the \(work.sourceDemos) demos of \(displayPath(options.liftPath)) (\(steps); actions, states, obs, next_obs, ...)
                   cycled, with datagen_info (eef/target/object poses (T,4,4), gripper, signals) as `mimic prepare` builds it;
                   the per-demo model_file attribute (MJCF text) left out.
            MB/s: array bytes (10^6) / time from create to finished file (close + rename), median of \(options.repetitions) files per
                  writer, writers interleaved. wall: elapsed time; CPU: CPU time (user + system) of the writing thread,
                  which the load of a shared machine does not inflate. vs raw: MB/s / raw MB/s.
            files go to \(directory) (\(fileSystemType(directory))): page cache, no fsync. file MB: size of the finished file.
            parallel gzip vs libhdf5's gzip (wall): \(fixed(parallelGzip.rate.median / serialGzip.rate.median, 2))x on \(ProcessInfo.processInfo.activeProcessorCount) cores; \
            ChunkCodec on 1 thread: \(fixed(oneThreadGzip.rate.median / serialGzip.rate.median, 2))x (the same datasets, filters and data; \
            libdeflate's deflate bytes, not zlib's).


            """ + formatTable(rows, rightAligned: [1, 2, 3, 4, 5, 6, 7])
    }

    static func megabytes(_ bytes: Int) -> String { short(Double(bytes) / 1e6) }

    static func percent(_ part: Double, _ whole: Double) -> String { fixed(100 * part / whole, 0) + "%" }

    /// A rate to three significant digits with thousands separators (21,700; 2,150,000).
    static func grouped(_ value: Double) -> String {
        guard value.isFinite, value > 0 else { return fixed(value, 0) }
        let digits = Int(log10(value).rounded(.down)) + 1
        let unit = pow(10, Double(max(digits - 3, 0)))
        let rounded = (value / unit).rounded() * unit
        if rounded < 100 { return short(rounded) }
        var text = String(Int(rounded))
        var index = text.endIndex
        while text.distance(from: text.startIndex, to: index) > 3 {
            index = text.index(index, offsetBy: -3)
            text.insert(",", at: index)
        }
        return text
    }

    static func makeScratchDirectory(under parent: String?) throws -> String {
        let base = parent ?? NSTemporaryDirectory()
        var template = Array((URL(fileURLWithPath: base).path + "/mimic-bench-XXXXXX").utf8CString)
        guard let made = mkdtemp(&template) else { throw BenchError("cannot create a directory in \(base): errno \(errno)") }
        return String(cString: made)
    }

    static func loadAverage() -> String {
        guard let text = try? String(contentsOfFile: "/proc/loadavg", encoding: .utf8) else { return "?" }
        return text.split(separator: " ").prefix(3).joined(separator: " ")
    }

    static func cpuModel() -> String {
        guard let text = try? String(contentsOfFile: "/proc/cpuinfo", encoding: .utf8),
            let line = text.split(separator: "\n").first(where: { $0.hasPrefix("model name") }),
            let colon = line.firstIndex(of: ":")
        else { return "cpu ?" }
        return line[line.index(after: colon)...].trimmingCharacters(in: .whitespaces)
    }
}

/// The repository holding this package (Benchmarks/Sources/mimic-bench/ → the root).
let repositoryRoot = URL(fileURLWithPath: #filePath)
    .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent().path

/// A path as the reports print it: relative to the repository when inside it, so pasted output
/// carries no machine path.
func displayPath(_ path: String) -> String {
    path.hasPrefix(repositoryRoot + "/") ? String(path.dropFirst(repositoryRoot.count + 1)) : path
}
