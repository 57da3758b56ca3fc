import Foundation
import Testing

/// Interrupted runs leave nothing: signals sent to a running `mimic augment --execute`.
@Suite struct InterruptsTests {
    /// A run started in the background, its stderr going to the file `log`.
    struct Running {
        let process = Process()
        let log: String
        let logHandle: FileHandle

        init(_ arguments: [String], log: String) throws {
            self.log = log
            guard FileManager.default.createFile(atPath: log, contents: nil) else { throw CocoaError(.fileWriteUnknown) }
            process.executableURL = CLI.binary
            process.arguments = arguments
            process.standardOutput = FileHandle.nullDevice
            logHandle = try FileHandle(forWritingTo: URL(fileURLWithPath: log))
            process.standardError = logHandle
            try process.run()
        }

        var pid: pid_t { process.processIdentifier }
        var stderr: String { (try? String(contentsOfFile: log, encoding: .utf8)) ?? "" }

        /// The size of the run's partial file for `name` in `dir`; nil while there is none.
        func partialSize(of name: String, in dir: TemporaryDirectory) -> Int? {
            (try? FileManager.default.attributesOfItem(atPath: dir.path(".\(name).partial-\(pid)")))?[.size] as? Int
        }

        /// Polls `condition` until it holds (true), or the run ends or a generous deadline passes
        /// (false): the run loads and compiles its scene first, and writes demos a batch at a time.
        /// Sleeps between polls without holding a thread the other tests need; the condition is
        /// tested before the deadline, so a poll that other tests kept waiting still sees the run.
        func waitUntil(_ condition: () -> Bool) async throws -> Bool {
            let deadline = Date().addingTimeInterval(600)
            while process.isRunning {
                if condition() { return true }
                if Date() >= deadline { return false }
                try await Task.sleep(for: .milliseconds(20))
            }
            return false
        }

        /// Sends `signal` and waits for the run to end (SIGKILL after a generous deadline, so a
        /// run that ignores the signal fails the test instead of hanging it).
        func stop(with signal: Int32) async throws {
            kill(pid, signal)
            let deadline = Date().addingTimeInterval(120)
            while process.isRunning && Date() < deadline { try await Task.sleep(for: .milliseconds(20)) }
            if process.isRunning {
                Issue.record("the run did not end after signal \(signal)")
                kill(pid, SIGKILL)
            }
            process.waitUntilExit()
            try? logHandle.close()
        }
    }

    /// An augment run with --execute long enough never to end on its own during a test.
    static func augment(_ source: String, into out: TemporaryDirectory, extra: [String] = []) -> [String] {
        ["augment", source, "-o", out.path("out.hdf5"), "-n", "1000", "--execute", "--workers", "2"] + extra
    }

    /// Fewer bytes than one Lift demo: a partial file this long holds demos.
    static let oneDemo = 64 * 1024

    @Test func sigtermRemovesBothPartialOutputsAndExits143() async throws {
        let dir = try TemporaryDirectory(), out = try TemporaryDirectory()
        let source = try AugmentCommandTests.prepared(dir)
        let run = try Running(Self.augment(source, into: out, extra: ["--keep-failed", out.path("failed.hdf5")]), log: dir.path("stderr"))
        // Mid-run: both files made and a batch of demos written, the workers in MuJoCo.
        try #require(
            try await run.waitUntil {
                run.partialSize(of: "failed.hdf5", in: out) != nil && (run.partialSize(of: "out.hdf5", in: out) ?? 0) >= Self.oneDemo
            }, "\(run.stderr)")
        try await run.stop(with: SIGTERM)
        #expect(run.process.terminationReason == .exit)
        #expect(run.process.terminationStatus == 143, "\(run.stderr)")
        #expect(run.stderr.contains("interrupted"))
        #expect(out.contents == [])
    }

    @Test func sigintRemovesThePartialOutputAndExits130() async throws {
        let dir = try TemporaryDirectory(), out = try TemporaryDirectory()
        let source = try AugmentCommandTests.prepared(dir)
        let run = try Running(Self.augment(source, into: out), log: dir.path("stderr"))
        // As early as can be: the output file just made.
        try #require(try await run.waitUntil { run.partialSize(of: "out.hdf5", in: out) != nil }, "\(run.stderr)")
        try await run.stop(with: SIGINT)
        #expect(run.process.terminationReason == .exit)
        #expect(run.process.terminationStatus == 130, "\(run.stderr)")
        #expect(out.contents == [])
    }

    @Test func aLaterRunRemovesThePartialFileOfAKilledRun() async throws {
        let dir = try TemporaryDirectory(), out = try TemporaryDirectory()
        let source = try AugmentCommandTests.prepared(dir)
        let run = try Running(Self.augment(source, into: out), log: dir.path("stderr"))
        try #require(try await run.waitUntil { (run.partialSize(of: "out.hdf5", in: out) ?? 0) >= Self.oneDemo }, "\(run.stderr)")
        try await run.stop(with: SIGKILL)  // no handler runs: the partial file, with its demos, stays
        let stale = ".out.hdf5.partial-\(run.pid)"
        #expect(out.contents == [stale])
        // A partial file of a live process (this test's) must survive.
        let live = ".other.hdf5.partial-\(getpid())"
        #expect(FileManager.default.createFile(atPath: out.path(live), contents: Data("x".utf8)))

        let again = try CLI.run(["prepare", CLI.dataset("lift.hdf5"), "-o", out.path("again.hdf5")])
        #expect(again.status == 0, "\(again.stderr)")
        #expect(out.contents == [live, "again.hdf5"].sorted())
    }
}
