import Foundation
import Testing
import MimicCore
@testable import MimicHDF5

@Suite struct PartialFileTests {
    /// A pid no process can have: above Linux's PID_MAX_LIMIT (4194304), so kill(2) says ESRCH.
    static let deadPID: pid_t = 2_000_000_000

    func touch(_ dir: URL, _ name: String) {
        #expect(FileManager.default.createFile(atPath: dir.appendingPathComponent(name).path, contents: Data("x".utf8)))
    }

    @Test func namesCarryTheDestinationAndThePid() {
        #expect(PartialFile.name(for: "out.hdf5", pid: 42) == ".out.hdf5.partial-42")
        #expect(PartialFile.owner(ofPartialNamed: ".out.hdf5.partial-42") == 42)
        #expect(PartialFile.owner(ofPartialNamed: ".a.partial-1.partial-7") == 7)
        for other in [
            "out.hdf5.partial-42", ".partial-42", ".out.hdf5.partial-", ".out.hdf5.partial-4x", ".out.hdf5.partial--3",
            ".out.hdf5.partial-0", ".out.hdf5.partial-99999999999", ".out.hdf5",
        ] {
            #expect(PartialFile.owner(ofPartialNamed: other) == nil, "\(other)")
        }
    }

    @Test func partialFilesOfGoneProcessesAreRemovedAndOthersKept() throws {
        try withTemporaryDirectory { dir in
            let dead = Self.deadPID, mine = getpid()
            // Stale, for this destination and for another one (a run's --keep-failed or stats file).
            touch(dir, ".out.hdf5.partial-\(dead)")
            touch(dir, ".failed.hdf5.stats.json.partial-\(dead)")
            // Kept: a live process's, names that are not Mimic's, a directory.
            let kept = [".out.hdf5.partial-\(mine)", "out.hdf5.partial-\(dead)", ".out.hdf5.partial-\(dead)x", "out.hdf5", ".dir.partial-\(dead)"]
            for name in kept.dropLast() { touch(dir, name) }
            try FileManager.default.createDirectory(at: dir.appendingPathComponent(kept.last!), withIntermediateDirectories: false)

            let partial = PartialFile(destination: dir.appendingPathComponent("new.hdf5").path)
            defer { partial.discard() }
            #expect(try FileManager.default.contentsOfDirectory(atPath: dir.path).sorted() == kept.sorted())
        }
    }

    @Test func writeReplacesTheDestinationAndLeavesNothingElse() throws {
        try withTemporaryDirectory { dir in
            let destination = dir.appendingPathComponent("stats.json").path
            try PartialFile.write(Data("old".utf8), to: destination)
            try PartialFile.write(Data("new".utf8), to: destination)
            #expect(FileManager.default.contents(atPath: destination) == Data("new".utf8))
            #expect(try FileManager.default.contentsOfDirectory(atPath: dir.path) == ["stats.json"])
            #expect(throws: DatasetError.self) { try PartialFile.write(Data(), to: dir.appendingPathComponent("missing/x.json").path) }
        }
    }

    @Test func aFailedCommitLeavesTheDestinationUntouched() throws {
        try withTemporaryDirectory { dir in
            // The destination is a directory with content: rename(2) of a file onto it fails.
            let destination = dir.appendingPathComponent("out.hdf5")
            try FileManager.default.createDirectory(at: destination, withIntermediateDirectories: false)
            touch(destination, "inside")
            let partial = PartialFile(destination: destination.path)
            touch(dir, URL(fileURLWithPath: partial.path).lastPathComponent)
            do throws(DatasetError) {
                try partial.commit()
                Issue.record("the commit should fail")
            } catch {
                #expect(error.kind == .io)
                #expect(error.detail.contains("cannot move the finished file into place"), "\(error)")
            }
            #expect(try FileManager.default.contentsOfDirectory(atPath: dir.path) == ["out.hdf5"])
            #expect(try FileManager.default.contentsOfDirectory(atPath: destination.path) == ["inside"])
            #expect(!LiveSlots.shared.paths.contains(partial.path))
        }
    }

    @Test func livePartialFilesAreListedUntilCommittedOrDiscarded() throws {
        try withTemporaryDirectory { dir in
            let a = PartialFile(destination: dir.appendingPathComponent("a").path)
            let b = PartialFile(destination: dir.appendingPathComponent("b").path)
            #expect(LiveSlots.shared.paths.contains(a.path) && LiveSlots.shared.paths.contains(b.path))
            touch(dir, URL(fileURLWithPath: a.path).lastPathComponent)
            try a.commit()
            b.discard()
            #expect(!LiveSlots.shared.paths.contains(a.path) && !LiveSlots.shared.paths.contains(b.path))
        }
    }

    @Test func unlinkAllRemovesTheListedFilesByName() throws {
        try withTemporaryDirectory { dir in
            // A table of its own: the shared one lists the files of tests running alongside.
            let table = LiveSlots(capacity: 2)
            let paths = ["a", "b", "c"].map { dir.appendingPathComponent($0).path }
            for path in paths { #expect(FileManager.default.createFile(atPath: path, contents: Data())) }
            let first = try #require(table.register(paths[0]))
            #expect(table.register(paths[1]) != nil)
            #expect(table.register(paths[2]) == nil)  // full
            table.release(first)
            table.unlinkAll()
            #expect(try FileManager.default.contentsOfDirectory(atPath: dir.path).sorted() == ["a", "c"])
        }
    }
}
