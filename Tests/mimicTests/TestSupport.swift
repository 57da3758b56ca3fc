import Foundation
import MimicCore
import MimicHDF5

/// Runs the built `mimic` executable and collects what it printed.
enum CLI {
    struct Output {
        var status: Int32
        var stdout: String
        var stderr: String
        /// The signal that ended the process, if one did (then `status` is meaningless).
        var signal: Int32?
        /// Whether the process was killed for running longer than the timeout.
        var timedOut = false
    }

    /// The `mimic` binary next to the test bundle (SwiftPM puts both in the products directory).
    static let binary: URL = {
        let runner = URL(fileURLWithPath: CommandLine.arguments[0]).resolvingSymlinksInPath()
        var dir = runner.deletingLastPathComponent()
        for _ in 0..<4 {
            let candidate = dir.appendingPathComponent("mimic")
            if FileManager.default.isExecutableFile(atPath: candidate.path) { return candidate }
            dir = dir.deletingLastPathComponent()
        }
        return packageRoot.appendingPathComponent(".build/debug/mimic")
    }()

    static let packageRoot = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()

    static func dataset(_ name: String) -> String { packageRoot.appendingPathComponent("Datasets/\(name)").path }

    /// Runs `mimic` (or `executable`) with `arguments` and collects what it printed.
    ///
    /// - Parameters:
    ///   - timeout: seconds after which the process is killed (SIGKILL) and `timedOut` is set.
    ///   - addressSpaceLimit: bytes of address space the process may map (`ulimit -v`, through
    ///     `/bin/sh`, which `exec`s the program): an allocation beyond it fails.
    static func run(_ arguments: [String], executable: URL = binary, timeout: TimeInterval? = nil,
                    addressSpaceLimit: Int? = nil) throws -> Output {
        let process = Process()
        if let addressSpaceLimit {
            process.executableURL = URL(fileURLWithPath: "/bin/sh")
            process.arguments = ["-c", "ulimit -v \(addressSpaceLimit / 1024) && exec \"$0\" \"$@\"", executable.path] + arguments
        } else {
            process.executableURL = executable
            process.arguments = arguments
        }
        let out = Pipe(), err = Pipe()
        process.standardOutput = out
        process.standardError = err
        try process.run()
        let timedOut = Flag(), finished = Flag()
        if let timeout {
            let pid = process.processIdentifier
            DispatchQueue.global().asyncAfter(deadline: .now() + timeout) {
                if !finished.isSet {
                    timedOut.set()
                    kill(pid, SIGKILL)
                }
            }
        }
        // Read both pipes to their ends at once: a child that fills one while the other is being
        // read would otherwise block forever.
        let errData = Box<Data>()
        let errHandle = err.fileHandleForReading
        let reader = DispatchGroup()
        DispatchQueue.global().async(group: reader) { errData.value = errHandle.readDataToEndOfFile() }
        let outData = out.fileHandleForReading.readDataToEndOfFile()
        reader.wait()
        process.waitUntilExit()
        finished.set()
        let signaled = process.terminationReason == .uncaughtSignal
        return Output(status: signaled ? -1 : process.terminationStatus, stdout: String(decoding: outData, as: UTF8.self),
                      stderr: String(decoding: errData.value ?? Data(), as: UTF8.self),
                      signal: signaled ? process.terminationStatus : nil, timedOut: timedOut.isSet)
    }

    /// A value one thread writes and another reads after synchronizing (a DispatchGroup wait).
    final class Box<T>: @unchecked Sendable {
        var value: T?
    }

    /// A flag set from one thread and read from another.
    final class Flag: @unchecked Sendable {
        private let lock = NSLock()
        private var value = false
        func set() { lock.withLock { value = true } }
        var isSet: Bool { lock.withLock { value } }
    }
}

/// A fresh temporary directory, removed when the value is deinitialized.
final class TemporaryDirectory {
    let url: URL
    init() throws {
        url = FileManager.default.temporaryDirectory.appendingPathComponent("mimic-tests-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
    }
    deinit { try? FileManager.default.removeItem(at: url) }
    func path(_ name: String) -> String { url.appendingPathComponent(name).path }
    var contents: [String] { (try? FileManager.default.contentsOfDirectory(atPath: url.path))?.sorted() ?? [] }
}

/// Writes a small robomimic file from demos built in memory (for bad-input cases).
func writeDataset(_ path: String, demos: [Demo], envArgs: String? = nil) throws {
    var attributes: [String: AttributeValue] = [:]
    if let envArgs { attributes["env_args"] = .string(envArgs) }
    let writer = try RobomimicWriter(destination: path, dataAttributes: attributes)
    for demo in demos { try writer.write(demo) }
    try writer.finish(masks: [:])
}
