import ArgumentParser
import Foundation
import MimicHDF5
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// A kinematic sharded run's shards, written by child processes of this program.
///
/// libhdf5 serializes every call behind one lock per process, and creating its objects costs far
/// more CPU than generating a demo, so one writing process keeps one core busy however many
/// generate. Separate processes have separate locks: writer `w` of `W` runs the same `augment`
/// command with `--shard-writer w/W:F` and generates and writes shards F + w, F + w + W, ... on its
/// own, each a complete shard file landed by rename, and prints each shard's record (a manifest
/// line) on its stdout when the file has landed. The parent lands the records in shard order: the
/// manifest, `--manifest` lines and index are those of a single process; the shard files are
/// the same bytes.
///
/// A writer's stdin is a pipe the parent never writes to: when the parent ends, however it ends
/// (`kill -9` included), the writer reads end-of-file, removes its partial shard and exits. The
/// parent ends its writers the same way when one of them fails.
enum ShardWriterProcesses {
    /// `--shard-writer w/W:F`: writer `index` of `count`, which writes shards
    /// `first + index`, `first + index + count`, ... of the run's (or the part's) shards.
    struct Slot: ExpressibleByArgument, CustomStringConvertible, Equatable {
        var index: Int, count: Int, first: Int

        init(index: Int, count: Int, first: Int) {
            self.index = index
            self.count = count
            self.first = first
        }

        init?(argument: String) {
            let pieces = argument.split(separator: ":", omittingEmptySubsequences: false)
            guard pieces.count == 2, let part = RunPart(String(pieces[0])), let first = Int(pieces[1]), first >= 0 else { return nil }
            self.init(index: part.index, count: part.count, first: first)
        }

        var description: String { "\(index)/\(count):\(first)" }

        /// The shards this writer writes, of shards `..< end`.
        func shards(end: Int) -> StrideTo<Int> { stride(from: first + index, to: end, by: count) }
    }

    /// Runs `count` writers for shards `first ..< end` and calls `land` with each shard's record,
    /// in shard order, as soon as it and every shard before it have landed. `arguments` are this
    /// command's (without the program name).
    ///
    /// A writer that fails has printed its error; the others are ended, and the run ends with
    /// that writer's exit code.
    static func run(count: Int, shards: Range<Int>, arguments: [String], land: (ShardRecord) throws -> Void) throws {
        let executable = URL(fileURLWithPath: try FileManager.default.destinationOfSymbolicLink(atPath: "/proc/self/exe"))
        let events = EventQueue()
        var writers: [Writer] = []
        var running = 0
        defer {
            // Normally all have ended; after a failure the others see their stdin end and exit.
            for writer in writers { writer.release() }
            while running > 0 { if case .ended = events.take() { running -= 1 } }
        }
        for w in 0..<count {
            let slot = Slot(index: w, count: count, first: shards.lowerBound)
            writers.append(try Writer(executable: executable, arguments: arguments + ["--shard-writer", slot.description], number: w, events: events))
            running += 1
        }
        var pending: [Int: ShardRecord] = [:]
        var next = shards.lowerBound
        while running > 0 {
            switch events.take() {
            case .record(let line, let writer):
                guard let record = try? JSONDecoder().decode(ShardRecord.self, from: Data(line.utf8)),
                    let shard = shards.first(where: { ShardSet.shardName($0) == record.file })
                else {
                    throw WriterFailure("shard writer \(writer) printed \(line.debugDescription), not a shard record")
                }
                pending[shard] = record
                while let ready = pending.removeValue(forKey: next) {
                    try land(ready)
                    next += 1
                }
            case .ended(let status, let writer):
                running -= 1
                guard status == 0 else {
                    // The writer printed its error; its exit code is the run's.
                    throw status > 0 && status < 128 ? ExitCode(status) : WriterFailure("shard writer \(writer) ended with status \(status)")
                }
            }
        }
        guard next == shards.upperBound else {
            throw WriterFailure("the shard writers ended before shard \(next) landed")
        }
    }

    /// A shard writer that went wrong without saying why (a crash, a bad line): an internal error.
    struct WriterFailure: Error, CustomStringConvertible {
        var description: String
        init(_ description: String) { self.description = description }
    }

    /// In a shard writer: exits, removing the partial shard, when stdin reaches its end (the
    /// parent has ended or given up on this writer).
    static func exitWhenParentEnds() {
        let thread = Thread {
            var byte: UInt8 = 0
            while read(0, &byte, 1) > 0 {}
            PartialFile.removeAllLive()
            _exit(Interrupts.exitStatus(SIGTERM))
        }
        thread.start()
    }

    enum Event {
        case record(String, writer: Int)
        case ended(Int32, writer: Int)
    }

    /// What the writers' reading threads report to the parent, in arrival order.
    final class EventQueue: @unchecked Sendable {
        private let condition = NSCondition()
        private var events: [Event] = []

        func put(_ event: Event) {
            condition.lock()
            events.append(event)
            condition.signal()
            condition.unlock()
        }

        func take() -> Event {
            condition.lock()
            defer { condition.unlock() }
            while events.isEmpty { condition.wait() }
            return events.removeFirst()
        }
    }

    /// One writer process, and the thread that reads its stdout line by line.
    final class Writer: @unchecked Sendable {
        let process = Process()
        private let input = Pipe()

        init(executable: URL, arguments: [String], number: Int, events: EventQueue) throws {
            let output = Pipe()
            process.executableURL = executable
            process.arguments = arguments
            process.standardInput = input
            process.standardOutput = output
            try process.run()
            let process = self.process
            Thread {
                // read(2), not FileHandle.read(upToCount:), which waits for the whole count.
                let fd = output.fileHandleForReading.fileDescriptor
                var buffer = Data(), chunk = [UInt8](repeating: 0, count: 1 << 16)
                while case let n = read(fd, &chunk, chunk.count), n > 0 || (n < 0 && errno == EINTR) {
                    buffer.append(contentsOf: chunk[..<max(n, 0)])
                    while let newline = buffer.firstIndex(of: UInt8(ascii: "\n")) {
                        events.put(.record(String(decoding: buffer[buffer.startIndex..<newline], as: UTF8.self), writer: number))
                        buffer.removeSubrange(buffer.startIndex...newline)
                    }
                }
                process.waitUntilExit()
                let status = process.terminationReason == .exit ? process.terminationStatus : 128 + process.terminationStatus
                events.put(.ended(status, writer: number))
            }.start()
        }

        /// Closes the writer's stdin: a writer still working removes its partial shard and exits.
        func release() { try? input.fileHandleForWriting.close() }
    }
}
