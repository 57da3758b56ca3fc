import Foundation
import MimicCore
import Synchronization

/// An output file while it is being written: `.<name>.partial-<pid>` beside its destination,
/// which becomes the destination only in `commit`, by one rename(2).
///
/// - Every partial file of the process is listed where a signal handler can read it:
///   `removeAllLive()` unlinks them all by name, without a lock or an allocation.
/// - Making one first removes, from the same directory, the partial files of processes that no
///   longer exist (a run killed with SIGKILL, or a crash): any `.<name>.partial-<pid>` whose pid
///   `kill(pid, 0)` reports as gone (ESRCH), whatever destination it was for. Files of live
///   processes (a concurrent run) stay. A process in another pid namespace writing into the same
///   directory would look gone; Mimic does not support that.
/// - `commit` fsyncs the file, renames it over the destination (an existing destination is
///   replaced atomically: readers see the old file or the new one, never a part) and fsyncs the
///   directory, so once it returns the new file survives a power loss.
public struct PartialFile {
    /// The file to produce.
    public let destination: String
    /// Where it is written meanwhile.
    public let path: String
    private let slot: LiveSlots.Slot?

    /// Reserves the partial name for `destination`; creates nothing.
    public init(destination: String) {
        self.destination = destination
        let url = URL(fileURLWithPath: destination)
        let directory = url.deletingLastPathComponent().path
        path = url.deletingLastPathComponent().appendingPathComponent(Self.name(for: url.lastPathComponent, pid: getpid())).path
        Self.removeStale(in: directory)
        slot = LiveSlots.shared.register(path)
    }

    /// `.<name>.partial-<pid>`.
    public static func name(for name: String, pid: pid_t) -> String { ".\(name).partial-\(pid)" }

    /// The pid in a partial file's name, or nil when the name is not one.
    public static func owner(ofPartialNamed name: String) -> pid_t? {
        guard name.hasPrefix("."), let marker = name.range(of: ".partial-", options: .backwards),
            marker.lowerBound > name.index(after: name.startIndex)
        else { return nil }
        let digits = name[marker.upperBound...]
        guard !digits.isEmpty, digits.allSatisfy({ $0.isASCII && $0.isNumber }), let pid = pid_t(digits), pid > 0 else { return nil }
        return pid
    }

    /// Unlinks the partial files in `directory` whose process no longer exists; returns their names.
    @discardableResult
    static func removeStale(in directory: String) -> [String] {
        guard let names = try? FileManager.default.contentsOfDirectory(atPath: directory) else { return [] }
        var removed: [String] = []
        for name in names {
            guard let pid = owner(ofPartialNamed: name), pid != getpid(), kill(pid, 0) == -1, errno == ESRCH else { continue }
            let full = URL(fileURLWithPath: directory).appendingPathComponent(name).path
            var info = stat()
            guard lstat(full, &info) == 0, info.st_mode & S_IFMT == S_IFREG else { continue }
            if unlink(full) == 0 { removed.append(name) }
        }
        return removed
    }

    /// Makes the partial file the destination: fsync, one rename(2) over the destination, fsync
    /// of the directory. On failure the partial file is removed and the destination is untouched.
    public func commit() throws(DatasetError) {
        do throws(SystemCallFailure) {
            try Self.fsyncPath(path, what: "the finished file")
            guard rename(path, destination) == 0 else { throw Self.failure("cannot move the finished file into place") }
        } catch {
            discard()
            throw DatasetError(.io, file: destination, path: "", error.detail)
        }
        release()
        // The rename is done; a directory that cannot be synced (some filesystems refuse) is not a failure.
        try? Self.fsyncPath(URL(fileURLWithPath: destination).deletingLastPathComponent().path, what: "the directory")
    }

    /// Unlinks the partial file (if it exists) and forgets it.
    public func discard() {
        unlink(path)
        release()
    }

    private func release() {
        if let slot { LiveSlots.shared.release(slot) }
    }

    /// Writes `data` to `destination` through a partial file (fsync, rename, directory fsync).
    public static func write(_ data: Data, to destination: String) throws(DatasetError) {
        let partial = PartialFile(destination: destination)
        do throws(SystemCallFailure) {
            let fd = open(partial.path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0o666)
            guard fd >= 0 else { throw failure("cannot create the file") }
            defer { close(fd) }
            guard writeAll(fd, data) else { throw failure("cannot write") }
        } catch {
            partial.discard()
            throw DatasetError(.io, file: destination, path: "", error.detail)
        }
        try partial.commit()
    }

    /// Unlinks every partial file of this process by name. Async-signal-safe: atomic loads and
    /// unlink(2) only, so a signal handler may call it while other threads are inside libhdf5.
    public static func removeAllLive() {
        LiveSlots.shared.unlinkAll()
    }

    /// Sets up what `removeAllLive` reads, so that a signal handler finds it made.
    public static func prepareForSignalHandlers() {
        _ = LiveSlots.shared
    }

    private static func fsyncPath(_ path: String, what: String) throws(SystemCallFailure) {
        let fd = open(path, O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else { throw failure("cannot open \(what) to sync it") }
        defer { close(fd) }
        guard fsync(fd) == 0 else { throw failure("cannot sync \(what)") }
    }

    /// A failed system call: `what` and errno's message.
    struct SystemCallFailure: Error {
        var detail: String
    }

    private static func failure(_ what: String) -> SystemCallFailure {
        SystemCallFailure(detail: "\(what): \(String(cString: strerror(errno)))")
    }
}

/// The paths of the live partial files, in a fixed table of atomic C-string pointers that a
/// signal handler can walk. The strings are never freed: a handler may be reading one while
/// another thread releases its slot (a few dozen bytes per output file made).
final class LiveSlots: @unchecked Sendable {  // the table is only touched through atomics
    static let shared = LiveSlots(capacity: 64)

    struct Slot {
        let index: Int
        let path: UnsafeMutablePointer<CChar>
    }

    private let slots: UnsafeMutablePointer<Atomic<UnsafeMutablePointer<CChar>?>>
    private let capacity: Int

    init(capacity: Int) {
        self.capacity = capacity
        slots = .allocate(capacity: capacity)
        for index in 0..<capacity { (slots + index).initialize(to: Atomic(nil)) }
    }

    /// Lists `path`; nil when the table is full (the file is then not removed on a signal).
    func register(_ path: String) -> Slot? {
        guard let copy = strdup(path) else { return nil }
        for index in 0..<capacity where slots[index].compareExchange(expected: nil, desired: copy, ordering: .acquiringAndReleasing).exchanged {
            return Slot(index: index, path: copy)
        }
        return nil
    }

    func release(_ slot: Slot) {
        _ = slots[slot.index].compareExchange(expected: slot.path, desired: nil, ordering: .acquiringAndReleasing)
    }

    func unlinkAll() {
        for index in 0..<capacity {
            if let path = slots[index].load(ordering: .acquiring) { unlink(path) }
        }
    }

    /// The paths listed now (for tests).
    var paths: [String] {
        (0..<capacity).compactMap { slots[$0].load(ordering: .acquiring).map { String(cString: $0) } }
    }
}

/// write(2) until every byte is written; false on an error.
private func writeAll(_ fd: Int32, _ data: Data) -> Bool {
    data.withUnsafeBytes { bytes in
        var offset = 0
        while offset < bytes.count {
            let n = write(fd, bytes.baseAddress! + offset, bytes.count - offset)
            if n < 0 && errno == EINTR { continue }
            if n <= 0 { return false }
            offset += n
        }
        return true
    }
}
