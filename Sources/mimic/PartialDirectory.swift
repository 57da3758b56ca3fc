import Foundation
import MimicCore
import MimicHDF5
import Synchronization

/// An output directory while it is being written: `.<name>.partial-<pid>` beside its
/// destination (named as `PartialFile` names partial files), which becomes the destination only
/// in `commit`, by one rename(2). The destination must not exist or be an empty directory.
///
/// - Every path made inside it is registered before it is created (`register`), in a table a
///   signal handler can walk: `removeAllLive()` unlinks the files and removes the directories,
///   newest first, with atomic loads, unlink(2) and rmdir(2) only. One directory per process.
/// - Making one first removes, from the same parent, the partial directories of processes that
///   no longer exist (`kill -9`, a crash), as `PartialFile` does for files.
final class PartialDirectory {
    let destination: String
    let path: String

    /// Reserves `destination`'s partial directory and creates it; room for `capacity` paths inside.
    init(destination: String, capacity: Int) throws(DatasetError) {
        let url = URL(fileURLWithPath: destination)
        var isDirectory: ObjCBool = false
        if FileManager.default.fileExists(atPath: destination, isDirectory: &isDirectory) {
            let entries = (try? FileManager.default.contentsOfDirectory(atPath: destination)) ?? []
            guard isDirectory.boolValue, entries.isEmpty else {
                throw DatasetError(.io, file: destination, path: "", "exists and is not an empty directory; export writes a new directory (remove it or name another)")
            }
        }
        let parent = url.deletingLastPathComponent().path
        Self.removeStale(in: parent)
        self.destination = destination
        path = url.deletingLastPathComponent().appendingPathComponent(PartialFile.name(for: url.lastPathComponent, pid: getpid())).path
        guard liveTable.load(ordering: .acquiring) == nil else { preconditionFailure("one partial directory per process") }
        let table = UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>.allocate(capacity: capacity + 1)
        table.initialize(repeating: nil, count: capacity + 1)
        tableCapacity.store(capacity + 1, ordering: .relaxed)
        liveCount.store(0, ordering: .relaxed)
        liveTable.store(table, ordering: .releasing)
        register(path)
        guard mkdir(path, 0o777) == 0 else {
            let reason = String(cString: strerror(errno))
            release()
            throw DatasetError(.io, file: path, path: "", "cannot create the directory: \(reason)")
        }
    }

    /// Lists `path` (inside the directory) for removal on a signal; call it before creating it.
    /// A path beyond the capacity is not listed (the next run removes it with the directory).
    func register(_ path: String) {
        guard let table = liveTable.load(ordering: .acquiring) else { return }
        let n = liveCount.load(ordering: .relaxed)
        guard n < tableCapacity.load(ordering: .relaxed) else { return }
        table[n] = strdup(path)
        liveCount.store(n + 1, ordering: .releasing)
    }

    /// Moves the finished directory onto the destination (one rename(2)) and syncs the parent.
    func commit() throws(DatasetError) {
        guard rename(path, destination) == 0 else {
            let reason = String(cString: strerror(errno))
            discard()
            throw DatasetError(.io, file: destination, path: "", "cannot move the finished directory into place: \(reason)")
        }
        release()
        let fd = open(URL(fileURLWithPath: destination).deletingLastPathComponent().path, O_RDONLY | O_CLOEXEC)
        if fd >= 0 {
            fsync(fd)
            close(fd)
        }
    }

    /// Removes the partial directory and all it holds.
    func discard() {
        release()
        try? FileManager.default.removeItem(atPath: path)
    }

    /// Forgets the table (its strings stay allocated: a handler may be reading them).
    private func release() {
        liveCount.store(0, ordering: .releasing)
        liveTable.store(nil, ordering: .releasing)
    }

    /// Removes the partial directories in `parent` whose process no longer exists.
    static func removeStale(in parent: String) {
        guard let names = try? FileManager.default.contentsOfDirectory(atPath: parent) else { return }
        for name in names {
            guard let pid = PartialFile.owner(ofPartialNamed: name), pid != getpid(), kill(pid, 0) == -1, errno == ESRCH else { continue }
            let full = URL(fileURLWithPath: parent).appendingPathComponent(name).path
            var info = stat()
            guard lstat(full, &info) == 0, info.st_mode & S_IFMT == S_IFDIR else { continue }
            try? FileManager.default.removeItem(atPath: full)
        }
    }

    /// Removes what the live partial directory holds, newest path first, then the directory.
    /// Async-signal-safe: atomic loads, unlink(2) and rmdir(2).
    static func removeAllLive() {
        guard let table = liveTable.load(ordering: .acquiring) else { return }
        var i = liveCount.load(ordering: .acquiring) - 1
        while i >= 0 {
            if let path = table[i], unlink(path) != 0 { rmdir(path) }
            i -= 1
        }
    }

    /// Initializes what `removeAllLive` reads, so that a signal handler finds it made.
    static func prepareForSignalHandlers() {
        _ = liveTable.load(ordering: .relaxed)
        _ = liveCount.load(ordering: .relaxed)
    }
}

/// The live partial directory's paths (the directory first), as C strings.
// Atomic of a pointer: safe to share, though pointers are not Sendable.
nonisolated(unsafe) private let liveTable = Atomic<UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?>(nil)
private let liveCount = Atomic<Int>(0)
private let tableCapacity = Atomic<Int>(0)
