import Foundation
import Testing
import MimicCore
@testable import MimicHDF5

@Suite struct HDF5FileTests {
    /// The descriptors this process has open on `path`, with whether each is close-on-exec.
    static func descriptors(of path: String) -> [Bool] {
        let target = URL(fileURLWithPath: path).resolvingSymlinksInPath().path
        let fds = (try? FileManager.default.contentsOfDirectory(atPath: "/proc/self/fd")) ?? []
        return fds.compactMap { name -> Bool? in
            guard let fd = Int32(name), let link = try? FileManager.default.destinationOfSymbolicLink(atPath: "/proc/self/fd/\(name)"),
                link == target
            else { return nil }
            return fcntl(fd, F_GETFD) & FD_CLOEXEC != 0
        }
    }

    @Test func filesAreOpenedCloseOnExec() throws {
        // A child process started while a file is open must not inherit it (nor its lock).
        try withTemporaryDirectory { directory in
            let path = directory.appendingPathComponent("locked.hdf5").path
            let created = try HDF5File.create(path)
            #expect(Self.descriptors(of: path) == [true])
            created.close()
            let opened = try HDF5File.open(path, writable: true)
            #expect(Self.descriptors(of: path) == [true])
            opened.close()
            #expect(Self.descriptors(of: path).isEmpty)
        }
    }

    @Test func createWriteCloseReopen() throws {
        try withTemporaryDirectory { directory in
            let path = directory.appendingPathComponent("out.hdf5").path
            let file = try HDF5File.create(path)
            #expect(file.path == path)
            #expect(file.isWritable && file.isOpen)
            #expect(file.root.path == "/")
            try file.root.write("x", Tensor(shape: [2], float64: [1, 2]))
            try file.flush()
            file.close()
            file.close()  // idempotent
            #expect(!file.isOpen)

            let reader = try HDF5File.open(path)
            #expect(!reader.isWritable)
            #expect(try reader.root.read("x") == Tensor(shape: [2], float64: [1, 2]))
            reader.close()

            let writer = try HDF5File.open(path, writable: true)
            try writer.root.write("y", Tensor(shape: [1], float32: [3]))
            writer.close()
            #expect(try HDF5File.open(path).root.children() == ["x", "y"])
        }
    }

    @Test func createTruncates() throws {
        try withTemporaryDirectory { directory in
            let path = directory.appendingPathComponent("t.hdf5").path
            let first = try HDF5File.create(path)
            try first.root.write("old", Tensor(shape: [1], float64: [1]))
            first.close()
            let second = try HDF5File.create(path)
            #expect(try second.root.children() == [])
        }
    }

    @Test func useAfterCloseThrowsInsteadOfCrashing() throws {
        try withTemporaryDirectory { directory in
            let path = directory.appendingPathComponent("c.hdf5").path
            let file = try HDF5File.create(path)
            let group = try file.root.createGroup("data")
            try group.write("a", Tensor(shape: [1], float64: [1]))
            let dataset = try group.dataset("a")
            file.close()
            let error = expectHDF5Error(.io) { _ = try group.children() }
            #expect(error?.detail == "the file is closed")
            #expect(error?.path == "/data")
            expectHDF5Error(.io) { _ = try dataset.read() }
            expectHDF5Error(.io) { _ = try file.root.children() }
            expectHDF5Error(.io) { try file.flush() }
            #expect(!file.root.exists("data"))
            #expect(!dataset.attributes.contains("x"))
            // The strong close released the file: it can be created again at once.
            let again = try HDF5File.create(path)
            #expect(try again.root.children() == [])
        }
    }

    @Test func groupsKeepTheirFileAlive() throws {
        try withTemporaryDirectory { directory in
            let path = directory.appendingPathComponent("alive.hdf5").path
            func makeGroup() throws -> HDF5Group {
                let file = try HDF5File.create(path)
                return try file.root.createGroup("data")
            }
            let group = try makeGroup()
            try group.write("v", Tensor(shape: [3], storage: .int32([1, 2, 3])))
            #expect(try group.read("v") == Tensor(shape: [3], storage: .int32([1, 2, 3])))
            #expect(group.file.isOpen)
        }
    }

    @Test func createInMissingDirectoryIsIO() throws {
        try withTemporaryDirectory { directory in
            let path = directory.appendingPathComponent("no/such/dir/x.hdf5").path
            let error = expectHDF5Error(.io) { _ = try HDF5File.create(path) }
            #expect(error?.detail.contains("does not exist") == true)
        }
    }
}
