import Foundation

/// Runs numpy_transform.py in a subprocess and reads its JSON report.
struct NumpyReport {
    struct Result {
        var impl: String
        var dtype: String
        var poses: Int
        var stats: Stats
    }

    var python: String
    var numpy: String
    var blas: String
    var results: [Result]
    var checksum: Double
    /// Largest disagreement between the numpy variants on the check input.
    var variantsDisagreeBy: Double?

    /// The fastest batched variant (not the per-pose loop) for `dtype` and `poses`.
    func best(dtype: String, poses: Int) -> Result? {
        results.filter { $0.dtype == dtype && $0.poses == poses && $0.impl != "loop" }
            .min { $0.stats.median < $1.stats.median }
    }

    static func run(
        python: String, script: String, sizes: [Int], loopPoses: Int, runs: Int,
        targetSeconds: Double, check: (input: String, output: String),
        environment extra: [String: String]
    ) throws -> NumpyReport {
        let object = try runPythonJSON(
            python: python, script: script,
            arguments: [
                "--sizes", sizes.map(String.init).joined(separator: ","),
                "--loop-poses", String(loopPoses),
                "--runs", String(runs),
                "--target-ms", String(targetSeconds * 1000),
                "--check", check.input, check.output,
            ],
            environment: extra)
        guard let rows = object["results"] as? [[String: Any]] else { throw BenchError("\(script) printed no results") }
        var results: [Result] = []
        for row in rows {
            guard let impl = row["impl"] as? String, let dtype = row["dtype"] as? String,
                let poses = row["poses"] as? Int, let median = row["ns_per_pose"] as? Double,
                let low = row["min"] as? Double, let high = row["max"] as? Double,
                let count = row["runs"] as? Int, let calls = row["calls"] as? Int
            else {
                throw BenchError("\(script): malformed result \(row)")
            }
            var stats = Stats([median], calls: calls)
            stats.min = low
            stats.max = high
            stats.runs = count
            results.append(Result(impl: impl, dtype: dtype, poses: poses, stats: stats))
        }
        let checkReport = object["check"] as? [String: Any]
        return NumpyReport(
            python: object["python"] as? String ?? "?", numpy: object["numpy"] as? String ?? "?",
            blas: object["blas"] as? String ?? "?", results: results,
            checksum: object["checksum"] as? Double ?? 0,
            variantsDisagreeBy: checkReport?["max_abs_diff_between_variants"] as? Double)
    }
}

/// Runs `python script arguments...` with `environment` added to this process's, its stderr passed
/// through, and returns the JSON object it prints on stdout.
func runPythonJSON(python: String, script: String, arguments: [String], environment extra: [String: String]) throws -> [String: Any] {
    let process = Process()
    process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
    process.arguments = [python, script] + arguments
    process.environment = ProcessInfo.processInfo.environment.merging(extra) { _, new in new }
    let stdout = Pipe()
    process.standardOutput = stdout
    process.standardError = FileHandle.standardError
    try process.run()
    let data = stdout.fileHandleForReading.readDataToEndOfFile()
    process.waitUntilExit()
    guard process.terminationReason == .exit, process.terminationStatus == 0 else {
        throw BenchError("\(python) \(script) failed (status \(process.terminationStatus))")
    }
    guard let object = try JSONSerialization.jsonObject(with: data) as? [String: Any] else {
        throw BenchError("\(script) printed no JSON report")
    }
    return object
}

/// Runs numpy_plan.py (the numpy version of generation planning) and reads its JSON report.
struct NumpyPlanReport {
    struct Result {
        /// The tracking loop version: `scalar` (Python floats) or `numpy` (small arrays per step).
        var loop: String
        var demos: Int
        var stepsPerDemo: Double
        /// Demos per second of thread CPU time and of elapsed time, per run.
        var cpuRate: Stats
        var wallRate: Stats
    }

    var python: String
    var numpy: String
    var results: [Result]
    var checksum: Double
    /// Largest |numpy - Swift| per array kind over the checked demos, and any shape mismatches.
    var checkDifferences: [String: Double]
    var checkDemos: Int
    var checkProblems: [String]

    /// The version with the most demos per CPU second.
    var best: Result? { results.max { $0.cpuRate.median < $1.cpuRate.median } }

    static func run(
        python: String, script: String, prepared: String, task: String, demos: Int, runs: Int,
        check: String, checkDemos: Int, environment: [String: String]
    ) throws -> NumpyPlanReport {
        let object = try runPythonJSON(
            python: python, script: script,
            arguments: [
                "--prepared", prepared, "--task", task, "--demos", String(demos), "--runs", String(runs),
                "--check", check, "--check-demos", String(checkDemos),
            ],
            environment: environment)
        guard let rows = object["results"] as? [[String: Any]] else { throw BenchError("\(script) printed no results") }
        var results: [Result] = []
        for row in rows {
            guard let loop = row["loop"] as? String, let runs = row["runs"] as? [[String: Any]], !runs.isEmpty else {
                throw BenchError("\(script): malformed result \(row)")
            }
            var cpu: [Double] = [], wall: [Double] = []
            var demos = 0, steps = 0
            for run in runs {
                guard let d = run["demos"] as? Int, let s = run["steps"] as? Int,
                    let c = run["cpu_s"] as? Double, let w = run["wall_s"] as? Double
                else {
                    throw BenchError("\(script): malformed run \(run)")
                }
                demos = d
                steps = s
                cpu.append(Double(d) / c)
                wall.append(Double(d) / w)
            }
            results.append(
                Result(
                    loop: loop, demos: demos, stepsPerDemo: Double(steps) / Double(max(demos, 1)),
                    cpuRate: Stats(cpu, calls: demos), wallRate: Stats(wall, calls: demos)))
        }
        let check = object["check"] as? [String: Any]
        return NumpyPlanReport(
            python: object["python"] as? String ?? "?", numpy: object["numpy"] as? String ?? "?",
            results: results, checksum: object["checksum"] as? Double ?? 0,
            checkDifferences: check?["max_abs_diff"] as? [String: Double] ?? [:],
            checkDemos: check?["demos"] as? Int ?? 0,
            checkProblems: check?["problems"] as? [String] ?? ["no check report"])
    }
}
