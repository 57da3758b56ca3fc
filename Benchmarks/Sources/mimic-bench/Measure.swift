import Foundation

/// Monotonic wall-clock time in nanoseconds.
@inline(__always)
func nowNanoseconds() -> UInt64 { DispatchTime.now().uptimeNanoseconds }

/// CPU time of the calling thread in nanoseconds (CLOCK_THREAD_CPUTIME_ID): it does not advance
/// while another process holds the core, so it measures the code rather than the machine's load.
@inline(__always)
func threadCPUNanoseconds() -> UInt64 {
    var time = timespec()
    clock_gettime(CLOCK_THREAD_CPUTIME_ID, &time)
    return UInt64(time.tv_sec) * 1_000_000_000 + UInt64(time.tv_nsec)
}

/// Kernel (system) CPU time of the calling thread in nanoseconds (getrusage RUSAGE_THREAD;
/// microsecond resolution): the part of thread CPU time spent in system calls and page faults.
func threadSystemNanoseconds() -> UInt64 {
    var usage = rusage()
    getrusage(__rusage_who_t(1), &usage)  // RUSAGE_THREAD (Glibc does not import the constant)
    return UInt64(usage.ru_stime.tv_sec) * 1_000_000_000 + UInt64(usage.ru_stime.tv_usec) * 1000
}

/// The peak resident set size of this process so far, in bytes (getrusage RUSAGE_SELF ru_maxrss,
/// which Linux gives in KiB).
func peakResidentBytes() -> Int {
    var usage = rusage()
    getrusage(RUSAGE_SELF.rawValue, &usage)
    return usage.ru_maxrss * 1024
}

/// The median, smallest and largest of a set of timed runs, in some per-item unit.
struct Stats {
    var median: Double
    var min: Double
    var max: Double
    var runs: Int
    /// Calls of the measured body per run.
    var calls: Int

    init(_ samples: [Double], calls: Int) {
        precondition(!samples.isEmpty, "no samples")
        let sorted = samples.sorted()
        let n = sorted.count
        median = n % 2 == 1 ? sorted[n / 2] : (sorted[n / 2 - 1] + sorted[n / 2]) / 2
        min = sorted[0]
        max = sorted[n - 1]
        runs = n
        self.calls = calls
    }
}

/// Times `body(calls)`, which must make `calls` calls of the operation and return a value
/// derived from their results (added to `sink`, so the work cannot be optimized away).
///
/// One warm-up call, then `calls` is calibrated so that a run lasts at least `targetSeconds`;
/// then `runs` runs are timed in thread CPU time. Returns nanoseconds per item (`items` per call).
func measure(
    items: Int, runs: Int, targetSeconds: Double, sink: inout Double,
    _ body: (Int) -> Double
) -> Stats {
    sink += body(1)
    let target = UInt64(targetSeconds * 1e9)
    var calls = 1
    while true {
        let start = threadCPUNanoseconds()
        sink += body(calls)
        let elapsed = threadCPUNanoseconds() - start
        if elapsed >= target || calls >= 1 << 24 { break }
        calls =
            elapsed < target / 8
            ? calls * 2
            : Swift.max(calls + 1, Int((Double(calls) * Double(target) / Double(Swift.max(elapsed, 1))).rounded(.up)))
    }
    var samples: [Double] = []
    for _ in 0..<runs {
        let start = threadCPUNanoseconds()
        sink += body(calls)
        let elapsed = threadCPUNanoseconds() - start
        samples.append(Double(elapsed) / Double(calls * items))
    }
    return Stats(samples, calls: calls)
}

/// A deterministic generator (SplitMix64), so every run benchmarks the same data.
struct SplitMix64 {
    var state: UInt64
    init(seed: UInt64) { state = seed }
    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
    /// Uniform in [lo, hi).
    mutating func uniform(_ lo: Double, _ hi: Double) -> Double {
        lo + (hi - lo) * Double(next() >> 11) * 0x1p-53
    }
}

/// Writes a line to standard error (progress; the report goes to standard output).
func progress(_ line: String) {
    FileHandle.standardError.write(Data((line + "\n").utf8))
}

/// Left-aligns text columns and right-aligns the ones listed in `rightAligned`.
func formatTable(_ rows: [[String]], rightAligned: Set<Int>) -> String {
    guard let columns = rows.map(\.count).max() else { return "" }
    var widths = [Int](repeating: 0, count: columns)
    for row in rows { for (i, cell) in row.enumerated() { widths[i] = max(widths[i], cell.count) } }
    return rows.map { row in
        row.enumerated().map { i, cell in
            let pad = String(repeating: " ", count: widths[i] - cell.count)
            return rightAligned.contains(i) ? pad + cell : cell + pad
        }.joined(separator: "  ").replacingOccurrences(of: "\\s+$", with: "", options: .regularExpression)
    }.joined(separator: "\n")
}

/// `value` with `digits` decimals.
func fixed(_ value: Double, _ digits: Int) -> String { String(format: "%.\(digits)f", value) }

/// A time or rate with about three significant digits.
func short(_ value: Double) -> String {
    switch abs(value) {
    case 100...: return fixed(value, 0)
    case 10...: return fixed(value, 1)
    case 1...: return fixed(value, 2)
    default: return fixed(value, 3)
    }
}
