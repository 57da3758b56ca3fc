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

    static func run(python: String, script: String, sizes: [Int], loopPoses: Int, runs: Int,
                    targetSeconds: Double, check: (input: String, output: String),
                    environment extra: [String: String]) throws -> NumpyReport {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = [python, script,
                             "--sizes", sizes.map(String.init).joined(separator: ","),
                             "--loop-poses", String(loopPoses),
                             "--runs", String(runs),
                             "--target-ms", String(targetSeconds * 1000),
                             "--check", check.input, check.output]
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
        guard let object = try JSONSerialization.jsonObject(with: data) as? [String: Any],
              let rows = object["results"] as? [[String: Any]] else {
            throw BenchError("\(script) printed no JSON report")
        }
        var results: [Result] = []
        for row in rows {
            guard let impl = row["impl"] as? String, let dtype = row["dtype"] as? String,
                  let poses = row["poses"] as? Int, let median = row["ns_per_pose"] as? Double,
                  let low = row["min"] as? Double, let high = row["max"] as? Double,
                  let count = row["runs"] as? Int, let calls = row["calls"] as? Int else {
                throw BenchError("\(script): malformed result \(row)")
            }
            var stats = Stats([median], calls: calls)
            stats.min = low
            stats.max = high
            stats.runs = count
            results.append(Result(impl: impl, dtype: dtype, poses: poses, stats: stats))
        }
        let checkReport = object["check"] as? [String: Any]
        return NumpyReport(python: object["python"] as? String ?? "?", numpy: object["numpy"] as? String ?? "?",
                           blas: object["blas"] as? String ?? "?", results: results,
                           checksum: object["checksum"] as? Double ?? 0,
                           variantsDisagreeBy: checkReport?["max_abs_diff_between_variants"] as? Double)
    }
}
