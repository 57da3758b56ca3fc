import Foundation

/// mimic-bench: Mimic's segment transform against numpy, and HDF5 write throughput against a raw
/// write, each measured against its reference in the same invocation.
@main
struct MimicBench {
    struct Options {
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
        var lift: String?
        var quick = false
        var liftPath: String { lift ?? URL(fileURLWithPath: benchmarksDirectory).deletingLastPathComponent().path + "/Datasets/lift.hdf5" }

        static let usage = """
            usage: mimic-bench [--quick] [--runs N] [--demos N] [--reps N] [--dir DIR]
                               [--python PATH] [--lift FILE]
              --quick          small sizes and few runs (a smoke test, not for quoting)
              --runs N         timed runs per transform measurement, median reported (21;
                               a quarter of that, at least 3, above 100k poses)
              --demos N        Lift demos per HDF5 file (200)
              --reps N         files written per HDF5 method, median reported (7)
              --dir DIR        where the HDF5 and raw files go (a new temp dir; deleted after)
              --python PATH    the Python with numpy (python3)
              --lift FILE      the Lift dataset (Datasets/lift.hdf5 of the main package)
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
                case "--runs": options.runs = try positive(flag)
                case "--demos": options.demosPerFile = try positive(flag)
                case "--reps": options.repetitions = try positive(flag)
                case "--dir": options.directory = try value(flag)
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

    /// Runs everything and prints the report; returns the exit status.
    static func run(_ options: Options) throws -> Int32 {
        var sink = 0.0
        var failures: [String] = []
        let loadAtStart = loadAverage()
        let started = Date()
        let scratch = try makeScratchDirectory(under: options.directory)
        defer { try? FileManager.default.removeItem(atPath: scratch) }

        progress("HDF5 write: reading \(options.liftPath)")
        let hdf5 = HDF5Bench(demosPerFile: options.demosPerFile, repetitions: options.repetitions, directory: scratch)
        let work = try hdf5.workload(liftPath: options.liftPath)

        // 1. Segment transform: numpy first (subprocess), then Swift.
        progress("segment transform: numpy (\(options.script))")
        let checkPoses = 200
        let expected = try writeCheckInput(path: scratch + "/check-in.f64", poses: checkPoses)
        var numpy: NumpyReport?
        do {
            // One BLAS thread: the Swift kernel runs on one core, and thread CPU time only
            // counts the calling thread.
            numpy = try NumpyReport.run(
                python: options.python, script: options.script, sizes: options.transformSizes,
                loopPoses: options.loopPoses, runs: options.runs, targetSeconds: options.targetSeconds,
                check: (scratch + "/check-in.f64", scratch + "/check-out.f64"),
                environment: ["OPENBLAS_NUM_THREADS": "1", "OMP_NUM_THREADS": "1", "MKL_NUM_THREADS": "1"])
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

        // 2. HDF5 write throughput (the demos were read first, so a missing file fails early).
        progress("HDF5 write: \(work.demos.count) demos per file")
        let hdf5Results = try hdf5.run(work, sink: &sink)

        // Report.
        let loadAtEnd = loadAverage()
        print("mimic-bench  \(ISO8601DateFormatter().string(from: started))  (\(fixed(Date().timeIntervalSince(started), 0)) s)")
        print("machine: nproc \(ProcessInfo.processInfo.activeProcessorCount), \(cpuModel()), "
              + "\(ProcessInfo.processInfo.physicalMemory >> 30) GiB; load average \(loadAtStart) at start, \(loadAtEnd) at end")
        print("config:  \(options.quick ? "--quick (a smoke test: do not quote these numbers); " : "")"
              + "Swift release build (default target CPU), single thread; "
              + (numpy.map { "python \($0.python), numpy \($0.numpy) (\($0.blas)), 1 BLAS thread" } ?? "numpy: not run"))
        print("")
        print(transformReport(swiftResults, numpy, options: options, transform: transform))
        if let numpy, let swiftVersusNumpy {
            print("check (\(checkPoses) poses, float64): Swift vs numpy max |diff| \(String(format: "%.1e", swiftVersusNumpy)); "
                  + "numpy variants among themselves \(String(format: "%.1e", numpy.variantsDisagreeBy ?? .nan))")
            if !(swiftVersusNumpy < 1e-12) { failures.append("Swift and numpy disagree by \(swiftVersusNumpy)") }
        }
        print("")
        print(hdf5Report(hdf5Results, work, options: options, directory: scratch))
        print("")
        sink += numpy?.checksum ?? 0
        print("checksum \(sink) (consumes every result; ignore)")
        for failure in failures { progress("mimic-bench: FAILED: \(failure)") }
        return failures.isEmpty ? 0 : 1
    }

    static func transformReport(_ swift: [TransformBench.Result], _ numpy: NumpyReport?,
                                options: Options, transform: TransformBench) -> String {
        var rows = [["poses", "in+out", "dtype", "implementation", "ns/pose", "min-max", "speedup vs best numpy"]]
        func row(_ poses: Int, _ dtype: String, _ name: String, _ stats: Stats) -> [String] {
            let scalar = dtype == "float64" ? 8 : 4
            let best = numpy?.best(dtype: dtype, poses: poses)
            return [String(poses), megabytes(2 * 16 * scalar * poses), dtype, name, short(stats.median),
                    short(stats.min) + "-" + short(stats.max),
                    best.map { fixed($0.stats.median / stats.median, 2) + "x" } ?? "n/a"]
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
        let runsNote = options.transformSizes.contains { $0 > 100_000 }
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

    static func hdf5Report(_ results: [HDF5Bench.Result], _ work: HDF5Bench.Workload,
                           options: Options, directory: String) -> String {
        let raw = results.first { $0.method == .raw }!
        var rows = [["writer", "MB/s wall", "min-max", "vs raw", "MB/s CPU", "min-max", "vs raw", "file MB"]]
        for result in results {
            rows.append([result.method.label,
                         short(result.rate.median), short(result.rate.min) + "-" + short(result.rate.max),
                         fixed(result.rate.median / raw.rate.median, 3),
                         short(result.cpuRate.median), short(result.cpuRate.min) + "-" + short(result.cpuRate.max),
                         fixed(result.cpuRate.median / raw.cpuRate.median, 3),
                         megabytes(result.fileBytes)])
        }
        let steps = "\(work.stepRange.lowerBound)-\(work.stepRange.upperBound) steps"
        return """
            HDF5 write  \(work.demos.count) Lift demos per file, \(megabytes(work.arrayBytes)) MB of arrays in \(work.datasets) datasets
            demos: the \(work.sourceDemos) demos of \(options.liftPath) (\(steps); actions, states, obs, next_obs, ...)
                   cycled, with datagen_info (eef/target/object poses (T,4,4), gripper, signals) as `mimic prepare` builds it;
                   the per-demo model_file attribute (MJCF text) left out.
            MB/s: array bytes (10^6) / time from create to finished file (close + rename), median of \(options.repetitions) files per
                  writer, writers interleaved. wall: elapsed time; CPU: CPU time (user + system) of the writing thread,
                  which the load of a shared machine does not inflate. vs raw: MB/s / raw MB/s.
            files go to \(directory) (\(fileSystemType(directory))): page cache, no fsync. file MB: size of the finished file.


            """ + formatTable(rows, rightAligned: [1, 2, 3, 4, 5, 6, 7])
    }

    static func megabytes(_ bytes: Int) -> String { short(Double(bytes) / 1e6) }

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
              let colon = line.firstIndex(of: ":") else { return "cpu ?" }
        return line[line.index(after: colon)...].trimmingCharacters(in: .whitespaces)
    }
}
