import Foundation
import Testing

/// Demos/ray/launch.py on a real Ray cluster started on this machine: its parts, merged, are the
/// files of a single run; a part that fails is run again and resumes from its finished shards;
/// a part that fails for good ends the launcher with one error line, and the same command then
/// resumes.
@Suite struct RayLauncherTests {
    static let launcher = CLI.packageRoot.appendingPathComponent("Demos/ray/launch.py").path

    @Test func partsOnRayMergeToTheWholeRun() throws {
        let dir = try TemporaryDirectory(), whole = try TemporaryDirectory(), merged = try TemporaryDirectory()
        let source = try AugmentCommandTests.prepared(dir)
        let command = [source, "-n", "40", "--shard-size", "5"]
        let single = try CLI.run(["augment"] + command + ["-o", whole.url.path])
        #expect(single.status == 0, "\(single.stderr)")

        let cluster = try RayCluster.start(cpus: 2)
        defer { cluster.stop() }
        func launch(_ work: String, _ out: String, environment: [String] = [], retries: Int = 2) throws -> CLI.Output {
            try CLI.run(
                environment + ["python3", Self.launcher, CLI.binary.path] + command
                    + ["--parts", "4", "--work", work, "-o", out, "--retries", String(retries), "--address", cluster.address],
                executable: URL(fileURLWithPath: "/usr/bin/env"), timeout: 120)
        }

        // Part 2's first attempt fails for real (a full device takes its manifest line after its
        // first shard, exit 74); the launcher runs it again, and the retry resumes from that shard.
        let result = try launch(dir.path("work"), merged.url.path, environment: ["MIMIC_LAUNCH_FAIL_ONCE=2"])
        #expect(result.status == 0, "\(result.stderr)")
        #expect(result.stdout.contains("merged 4 parts: 40 demos in 8 shards"), "\(result.stdout)")
        #expect(result.stdout.contains("1 retried"), "\(result.stdout)")
        #expect(result.stderr.contains("part 2/4: attempt 1 failed (exit 74"), "\(result.stderr)")
        #expect(result.stderr.contains("part 2/4: done on"), "\(result.stderr)")
        #expect(result.stderr.contains("attempt 2 (resumed: 5 demos in 1 finished shards)"), "\(result.stderr)")
        try AugmentOutputTests.expectSameRun(whole, merged)

        // Without retries the failing part fails the launch: one error line, nothing merged; the
        // same command then finishes what is left and merges.
        let again = try TemporaryDirectory(), mergedAgain = try TemporaryDirectory()
        let failed = try launch(again.path("work"), mergedAgain.url.path, environment: ["MIMIC_LAUNCH_FAIL_ONCE=1"], retries: 0)
        #expect(failed.status == 1)
        let errors = failed.stderr.split(separator: "\n").filter { $0.hasPrefix("launch.py: error: ") }
        #expect(errors.count == 1 && errors[0].contains("part 1/4 failed after 1 attempt (exit 74"), "\(failed.stderr)")
        #expect(mergedAgain.contents.isEmpty)
        let resumed = try launch(again.path("work"), mergedAgain.url.path, retries: 0)
        #expect(resumed.status == 0, "\(resumed.stderr)")
        let partOne = resumed.stderr.split(separator: "\n").filter { $0.hasPrefix("part 1/4: done on") }
        #expect(partOne.count == 1 && partOne[0].hasSuffix("attempt 1 (resumed: 5 demos in 1 finished shards)"), "\(resumed.stderr)")
        try AugmentOutputTests.expectSameRun(whole, mergedAgain)
    }
}

/// A one-node Ray cluster for a test: `ray start --head --block` as a child process, with its own
/// port and temporary directory. `stop()` ends it by its process id (SIGTERM: it stops the Ray
/// processes it started, and only those), where `ray stop` would stop every Ray on the machine.
final class RayCluster {
    let process: Process
    let address: String
    let directory: String

    /// Starts the cluster and waits until it accepts drivers.
    static func start(cpus: Int, timeout: TimeInterval = 60) throws -> RayCluster {
        let env = URL(fileURLWithPath: "/usr/bin/env")
        let check = try CLI.run(["python3", "-c", "import ray; print(ray.__version__)"], executable: env)
        try #require(check.status == 0, "Demos/ray/launch.py needs python3 with ray (scripts/setup.sh installs ray==2.40.0): \(check.stderr)")
        let freePort = try CLI.run(
            ["python3", "-c", "import socket; s = socket.socket(); s.bind(('127.0.0.1', 0)); print(s.getsockname()[1])"], executable: env)
        let port = try #require(Int(freePort.stdout.trimmingCharacters(in: .whitespacesAndNewlines)), "\(freePort.stderr)")
        // A short directory: Ray's Unix sockets live under it, and their paths may not exceed 107 bytes.
        let directory = "/tmp/ray-\(UUID().uuidString.prefix(8))"
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        let log = directory + "/start.log"
        try #require(FileManager.default.createFile(atPath: log, contents: nil), "cannot create \(log)")
        let process = Process()
        process.executableURL = env
        // `python3 -m ray.scripts.scripts` is the `ray` command of the python3 that runs the
        // launcher. A child inherits the signals the test runner's thread blocks, SIGTERM among
        // them: `ray start` is exec'd with none blocked, so that `stop()` can end it.
        process.arguments = [
            "RAY_USAGE_STATS_ENABLED=0", "python3", "-c",
            "import os, signal, sys; signal.pthread_sigmask(signal.SIG_SETMASK, []); os.execvp(sys.argv[1], sys.argv[1:])",
            "python3", "-m", "ray.scripts.scripts", "start", "--head", "--block", "--port=\(port)",
            "--num-cpus=\(cpus)", "--temp-dir=\(directory)", "--include-dashboard=false", "--disable-usage-stats",
        ]
        let handle = try FileHandle(forWritingTo: URL(fileURLWithPath: log))
        process.standardOutput = handle
        process.standardError = handle
        try process.run()
        let cluster = RayCluster(process: process, address: "127.0.0.1:\(port)", directory: directory)
        let deadline = Date().addingTimeInterval(timeout)
        while true {
            let text = (try? String(contentsOfFile: log, encoding: .utf8)) ?? ""
            if text.contains("will now block forever") { return cluster }
            if !process.isRunning || Date() > deadline {
                cluster.stop()
                throw RayStartFailure(log: text)
            }
            Thread.sleep(forTimeInterval: 0.25)
        }
    }

    init(process: Process, address: String, directory: String) {
        self.process = process
        self.address = address
        self.directory = directory
    }

    /// SIGTERM to `ray start --block`, which stops the Ray processes it started and exits. The
    /// raylet's agents and workers leave once they see the raylet gone (they read its log in
    /// the temporary directory as they go, so that is removed only after them). All of them are
    /// in the process group of `ray start` (Foundation starts a child in a group of its own):
    /// whatever of it is left after 30 s is killed (SIGKILL) by that group's id.
    func stop() {
        let group = process.processIdentifier
        let deadline = Date().addingTimeInterval(30)
        if process.isRunning {
            process.terminate()
            while process.isRunning && Date() < deadline { Thread.sleep(forTimeInterval: 0.1) }
            if process.isRunning { kill(-group, SIGKILL) }
            process.waitUntilExit()
        }
        while kill(-group, 0) == 0 && Date() < deadline { Thread.sleep(forTimeInterval: 0.1) }
        if kill(-group, 0) == 0 { kill(-group, SIGKILL) }
        try? FileManager.default.removeItem(atPath: directory)
    }

    struct RayStartFailure: Error, CustomStringConvertible {
        var log: String
        var description: String { "ray start did not come up:\n\(log)" }
    }
}
