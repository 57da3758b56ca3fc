import Foundation
import Testing
import MimicCore
import MimicHDF5

/// Fuzz test: damaged copies of a small real dataset through every command.
///
/// The base file is a prepared 2-demo cut of Datasets/lift.hdf5 without `next_obs`, written
/// through MimicHDF5 with a mesh-free scene (`LiftCut`). `Tests/Fuzz/mutate_hdf5.py` writes 208 damaged copies of it,
/// case N from `random.Random(N)` (the same bytes on every run):
///
/// | kind | cases | damage |
/// |---|---|---|
/// | truncate | 20 | the file cut at a random offset (some at 0, 1, 8, 96, 512, 4096) |
/// | superblock | 20 | 1–3 bits flipped in the first 96 bytes |
/// | header | 20 | 1–4 bits flipped in the first 64 bytes of a random object header |
/// | raw | 18 | 1–8 bits flipped in the raw data of a random dataset |
/// | metadata | 18 | 1–4 bits flipped anywhere outside raw data (B-trees, heaps, headers) |
/// | grow | 10 | a per-step dataset made chunked with 10⁹, 2⁴⁰, 10⁷, T + 1 or ~2⁵⁹ rows, only T written |
/// | shrink | 10 | a per-step dataset cut to T − 1 rows, 0 rows, a scalar, one column, one row |
/// | retype | 16 | a per-step dataset as fixed or variable-length strings, int8, float16, bool, compound, uint64, opaque |
/// | nonfinite | 12 | NaN, +Inf or −Inf at a random element of a per-step dataset |
/// | extreme | 12 | a whole row or column of a per-step dataset set to ±1e308, 5e-324, 1e154, 0 or −1e30 (finite but absurd) |
/// | attribute | 24 | env_args, model_file, num_samples, total removed, or set to bad JSON, −5, a 4 MB string, an array, 10¹⁵, a wrong JSON type |
/// | softlink | 6 | soft links: another demo's actions (harmless), a demo to itself, obs ↔ obs_b, datagen_info to its demo, a dangling states, a demo linked twice |
/// | external | 4 | external links to a missing file (a demo, actions), into the file itself, to /dev/zero |
/// | hardcycle | 3 | a hard link from a group to its parent or itself |
/// | nesting | 3 | 40, 400 and 2000 nested groups |
/// | names | 9 | demo_a, trial_3, demo_01 beside demo_1, demo_-1, a non-ASCII digit, no demos, a dataset demo_2, data a dataset, a 23-digit N |
/// | masks | 3 | a mask naming a missing demo, a numeric mask, a mask of 10⁹ chunked strings |
///
/// What it found before the fixes, each fixed where it arose: Swift traps allocating what a
/// damaged shape claimed (a chunked 10⁹-row dataset, a flipped dimension, a 10⁹-string mask:
/// `ReadLimit`), endless recursion on a soft or hard link back to an enclosing group (`walk`),
/// an index out of range in the generator when `datagen_info/eef_pose` was not numbers (per-step
/// arrays must be numeric; `DatagenInfo` needs an end effector), and NaN or string `actions`
/// accepted.
///
/// Every copy goes through `inspect` (`--json` for odd cases), `prepare`, `augment` (kinematic,
/// `-n 2`) and `validate` (`--mode states`, `-o`), each process with a 30 s timeout (then
/// killed) and a 4 GiB address-space limit (`ulimit -v`: an allocation beyond it fails, which a
/// Swift array allocation turns into a trap). `CommandRun.problems` says what must hold: no
/// signal, no timeout, exit 65 or 74 with exactly one `mimic: error:` line, no backtrace and no
/// file left in the output directory (hidden partial files included) — or exit 0 with exactly the
/// expected output files, which read back (every demo) with `RobomimicReader`. Cases run on all
/// cores at once.
@Suite struct FuzzTests {
    struct Case: Decodable, Sendable {
        var `case`: Int
        var file: String
        var kind: String
        var detail: String
    }

    /// MuJoCo reserves (without touching) about 0.7 GB of address space for each scene's mjData.
    static let addressSpaceLimit = 4 << 30

    /// Writes the damaged copies of `base` into `dir` with the mutation script, one Python
    /// process per core, and returns the cases in order.
    static func mutate(_ base: String, into dir: URL) throws -> [Case] {
        let script = CLI.packageRoot.appendingPathComponent("Tests/Fuzz/mutate_hdf5.py").path
        let parts = max(1, ProcessInfo.processInfo.activeProcessorCount)
        let outputs = parallelRun(parts) { part in
            Result {
                try CLI.run(
                    ["python3", script, base, dir.path, "\(part)", "\(parts)"],
                    executable: URL(fileURLWithPath: "/usr/bin/env"), timeout: 120)
            }
        }
        var cases: [Case] = []
        for output in outputs {
            let result = try output.get()
            guard result.status == 0 else {
                Issue.record("mutate_hdf5.py failed (it needs python3 with h5py and numpy, scripts/setup.sh): \(result.stderr)")
                return []
            }
            for line in result.stdout.split(separator: "\n") {
                cases.append(try JSONDecoder().decode(Case.self, from: Data(line.utf8)))
            }
        }
        return cases.sorted { $0.case < $1.case }
    }

    /// `body(i)` for i in 0..<count on all cores; results in order.
    static func parallelRun<T>(_ count: Int, _ body: @Sendable (Int) -> T) -> [T] {
        let results = Results<T>(count: count)
        let workers = max(1, ProcessInfo.processInfo.activeProcessorCount)
        DispatchQueue.concurrentPerform(iterations: min(workers, count)) { w in
            for i in stride(from: w, to: count, by: workers) { results.set(i, body(i)) }
        }
        return results.values
    }

    final class Results<T>: @unchecked Sendable {
        private let lock = NSLock()
        private var slots: [T?]
        init(count: Int) { slots = Array(repeating: nil, count: count) }
        func set(_ i: Int, _ value: T) { lock.withLock { slots[i] = value } }
        var values: [T] { lock.withLock { slots.map { $0! } } }
    }

    /// Every command on one damaged copy: the problems found, each naming case and command.
    static func check(_ c: Case) -> [String] {
        var problems: [String] = []
        for command in CommandRun.all(on: c.file, out: URL(fileURLWithPath: c.file + ".out"), json: c.case % 2 == 1) {
            let out = URL(fileURLWithPath: c.file + ".out")
            do {
                try FileManager.default.createDirectory(at: out, withIntermediateDirectories: true)
                defer { try? FileManager.default.removeItem(at: out) }
                let result = try CLI.run(command.arguments, timeout: 30, addressSpaceLimit: addressSpaceLimit)
                for problem in command.problems(result, out: out) {
                    problems.append(
                        "case \(c.case) (\(c.kind): \(c.detail)) \(command.name): \(problem); stderr: \(result.stderr.prefix(300)); stdout: \(result.stdout.prefix(200))")
                }
            } catch {
                problems.append("case \(c.case) \(command.name): could not run: \(error)")
            }
        }
        return problems
    }

    @Test(.timeLimit(.minutes(5)))
    func damagedCopiesNeverCrashHangOrLeaveOutput() throws {
        let started = Date()
        let dir = try TemporaryDirectory()
        let base = try LiftCut.prepared(in: dir)
        let cases = try Self.mutate(base, into: dir.url)
        #expect(cases.count >= 200)
        #expect(Set(cases.map(\.case)) == Set(0..<cases.count))
        let problems = Self.parallelRun(cases.count) { Self.check(cases[$0]) }.flatMap { $0 }
        #expect(problems.isEmpty, "\(problems.count) problems:\n\(problems.prefix(40).joined(separator: "\n"))")
        func cpu(_ who: Int32) -> Double {
            var usage = rusage()
            getrusage(who, &usage)
            return Double(usage.ru_utime.tv_sec + usage.ru_stime.tv_sec) + Double(usage.ru_utime.tv_usec + usage.ru_stime.tv_usec) / 1e6
        }
        print(
            "fuzz: \(cases.count) cases, 4 commands each, in \(String(format: "%.1f", Date().timeIntervalSince(started))) s"
                + " (CPU: \(String(format: "%.1f", cpu(RUSAGE_CHILDREN.rawValue))) s in children, \(String(format: "%.1f", cpu(RUSAGE_SELF.rawValue))) s in the test process)")
    }
}
