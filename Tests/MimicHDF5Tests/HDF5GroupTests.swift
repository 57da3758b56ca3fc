import Foundation
import Testing
import MimicCore
@testable import MimicHDF5

@Suite struct HDF5GroupTests {
    @Test func nestedCreationExistsAndKind() throws {
        try withTemporaryFile { file in
            let obs = try file.root.createGroup("data/demo_0/obs")
            #expect(obs.path == "/data/demo_0/obs")
            try obs.write("eef_pos", Tensor(shape: [3, 3], float64: Array(repeating: 0, count: 9)))
            #expect(file.root.exists("data"))
            #expect(file.root.exists("data/demo_0/obs/eef_pos"))
            #expect(file.root.exists("/data/demo_0"))
            #expect(!file.root.exists("data/demo_1/obs"))
            #expect(!file.root.exists("data/demo_0/obs/eef_pos/x"))  // through a dataset: false, no error
            #expect(file.root.exists(""))
            #expect(file.root.kind(of: "data/demo_0") == .group)
            #expect(file.root.kind(of: "data/demo_0/obs/eef_pos") == .dataset)
            #expect(file.root.kind(of: "data/nothing") == nil)
            let demo = try file.root.group("data/demo_0")
            #expect(demo.path == "/data/demo_0")
            #expect(demo.kind(of: "obs") == .group)
            #expect(try demo.group("obs").path == "/data/demo_0/obs")
            #expect(try demo.group("/data").path == "/data")  // absolute from a subgroup
            #expect(try demo.dataset("obs/eef_pos").path == "/data/demo_0/obs/eef_pos")
            // createGroup of an existing group opens it.
            #expect(try file.root.createGroup("data/demo_0").path == "/data/demo_0")
        }
    }

    @Test func writeCreatesIntermediateGroups() throws {
        try withTemporaryFile { file in
            try file.root.write("data/demo_5/next_obs/joint_pos", Tensor(shape: [2, 7], float32: Array(repeating: 1, count: 14)))
            #expect(file.root.kind(of: "data/demo_5/next_obs") == .group)
            #expect(try file.root.group("data/demo_5").children() == ["next_obs"])
        }
    }

    @Test func childrenListsNames() throws {
        try withTemporaryFile { file in
            let data = try file.root.createGroup("data")
            for i in [2, 0, 10, 1] { _ = try data.createGroup("demo_\(i)") }
            try data.write("stats", Tensor(shape: [1], float64: [0]))
            #expect(Set(try data.children()) == ["demo_0", "demo_1", "demo_2", "demo_10", "stats"])
            #expect(try file.root.children() == ["data"])
            #expect(try data.group("demo_0").children() == [])
        }
    }

    @Test func childrenOfALargeGroupListEveryNameInNameOrder() throws {
        try withTemporaryDirectory { dir in
            let path = dir.appendingPathComponent("large.hdf5").path
            let names = try LargeGroupFile.write(path)
            // HDF5's name order is strcmp's (bytes): demo_10 before demo_2, Z before a.
            let expected = names.sorted { $0.utf8.lexicographicallyPrecedes($1.utf8) }
            let file = try HDF5File.open(path)
            defer { file.close() }
            let children = try file.root.group("data").children()
            #expect(children.count == LargeGroupFile.links)
            #expect(children == expected)
            #expect(children.prefix(3) == ["Z_last_created", "demo_0", "demo_1"])
            #expect(Array(children[3...5]) == ["demo_10", "demo_100", "demo_1000"])
        }
    }

    @Test func childrenOfADamagedLargeGroupFailNamingFileAndGroup() throws {
        try withTemporaryDirectory { dir in
            let path = dir.appendingPathComponent("large.hdf5").path
            _ = try LargeGroupFile.write(path)
            let original = try Data(contentsOf: URL(fileURLWithPath: path))
            func childrenError(_ kind: HDF5Error.Kind, linkCount: UInt64? = nil, corruptNameIndex: Bool = false) throws -> HDF5Error? {
                var bytes = [UInt8](original)
                if let linkCount { try LargeGroupFile.setLinkCount(linkCount, in: &bytes) }
                if corruptNameIndex { try LargeGroupFile.corruptNameIndex(in: &bytes) }
                try Data(bytes).write(to: URL(fileURLWithPath: path))
                let file = try HDF5File.open(path)
                defer { file.close() }
                let data = try file.root.group("data")
                let error = expectHDF5Error(kind) { _ = try data.children() }
                #expect(error?.file == path)
                #expect(error?.path == "/data")
                return error
            }
            // A count no file of this size holds: refused before room is reserved for it.
            let huge = try childrenError(.invalidData, linkCount: 1 << 40)
            #expect(huge?.detail.hasPrefix("claims 8.8 TB (1099511627776 links) but the file is") == true)
            // A count that disagrees with the links the group lists, either way.
            let more = try childrenError(.invalidData, linkCount: UInt64(LargeGroupFile.links + 1))
            #expect(more?.detail == "lists 20000 links but H5Gget_info counts 20001 (damaged file?)")
            let fewer = try childrenError(.invalidData, linkCount: UInt64(LargeGroupFile.links - 1))
            #expect(fewer?.detail == "lists more than the 19999 links H5Gget_info counts (damaged file?)")
            // A damaged name index: HDF5's own error, from the one listing call.
            let damaged = try childrenError(.io, corruptNameIndex: true)
            #expect(damaged?.detail.hasPrefix("H5Literate failed: ") == true)
        }
    }

    @Test func writeReplacesAnExistingDataset() throws {
        try withTemporaryFile { file in
            try file.root.write("data/x", Tensor(shape: [3], float64: [1, 2, 3]))
            try file.root.write("data/x", Tensor(shape: [2, 2], storage: .int16([1, 2, 3, 4])))
            let dataset = try file.root.dataset("data/x")
            #expect(dataset.dtype == .int16)
            #expect(try dataset.read() == Tensor(shape: [2, 2], storage: .int16([1, 2, 3, 4])))
        }
    }

    @Test func copyBetweenFilesKeepsDataAndAttributes() throws {
        try withTemporaryDirectory { directory in
            let source = try HDF5File.create(directory.appendingPathComponent("src.hdf5").path)
            let demo = try source.root.createGroup("data/demo_0")
            try demo.attributes.set("num_samples", int: 3)
            try demo.write("actions", Tensor(shape: [3, 2], float32: [1, 2, 3, 4, 5, 6]), options: .gzip)
            try demo.write("states", Tensor(shape: [3], float64: [7, 8, 9]))
            try demo.dataset("states").attributes.set("unit", string: "rad")

            let output = try HDF5File.create(directory.appendingPathComponent("dst.hdf5").path)
            let data = try output.root.createGroup("data")
            try source.root.group("data").copy("demo_0", to: data, as: "demo_7")
            try demo.copy("states", to: output.root, as: "passthrough/states")
            source.close()

            let copied = try data.group("demo_7")
            #expect(try copied.attributes.int("num_samples") == 3)
            #expect(try copied.read("actions") == Tensor(shape: [3, 2], float32: [1, 2, 3, 4, 5, 6]))
            #expect(try copied.dataset("actions").filters == ["shuffle", "gzip(4)"])
            #expect(try copied.dataset("states").attributes.string("unit") == "rad")
            #expect(try output.root.read("passthrough/states") == Tensor(shape: [3], float64: [7, 8, 9]))

            let exists = expectHDF5Error(.invalidData) { try data.copy("demo_7", to: data, as: "demo_7") }
            #expect(exists?.path == "/data/demo_7")
            expectHDF5Error(.notFound) { try data.copy("demo_99", to: data, as: "demo_8") }
            // Copy within one file.
            try data.copy("demo_7", to: output.root, as: "backup/demo_7")
            #expect(try output.root.group("backup/demo_7").children() == ["actions", "states"])
        }
    }

    @Test func walkListsGroupsAndDatasetsInOrderFollowingLinks() throws {
        try withTemporaryFile { file in
            let demo = try file.root.createGroup("data/demo_0")
            try demo.write("obs/b", Tensor(shape: [2], float64: [0, 1]))
            try demo.write("obs/a", Tensor(shape: [2], float64: [0, 1]))
            try demo.write("actions", Tensor(shape: [2, 1], float64: [0, 1]))
            try demo.createSoftLink("again", to: "/data/demo_0/obs/a")  // the same dataset twice is fine
            let paths = try demo.walk().map { entry -> String in
                switch entry {
                case .group(let path, _): return path + "/"
                case .dataset(let path, let dataset): return path + (dataset.shape == [2] ? "" : "!")
                }
            }
            #expect(paths == ["actions!", "again", "obs/", "obs/a", "obs/b"])
            #expect(try demo.members().map(\.name) == ["actions", "again", "obs"])
            #expect(try demo.members().map(\.kind) == [.dataset, .dataset, .group])
        }
    }

    @Test func walkRefusesCyclesDanglingLinksAndDeepNesting() throws {
        try withTemporaryFile { file in
            let demo = try file.root.createGroup("data/demo_0")
            try demo.write("obs/a", Tensor(shape: [2], float64: [0, 1]))
            try demo.group("obs").createSoftLink("up", to: "/data")
            let cycle = expectHDF5Error(.invalidData) { _ = try demo.walk() }
            #expect(cycle?.path == "/data/demo_0/obs/up/demo_0")
            #expect(cycle?.detail.contains("cycle") == true)

            let other = try file.root.createGroup("data/demo_1")
            try other.createSoftLink("states", to: "/nowhere")
            let dangling = expectHDF5Error(.notFound) { _ = try other.walk() }
            #expect(dangling?.path == "/data/demo_1/states")
            expectHDF5Error(.notFound) { _ = try other.members() }

            _ = try file.root.createGroup("deep/" + Array(repeating: "n", count: 5).joined(separator: "/"))
            #expect(try file.root.group("deep").walk(maxDepth: 5).count == 5)
            let deep = expectHDF5Error(.invalidData) { _ = try file.root.group("deep").walk(maxDepth: 3) }
            #expect(deep?.detail == "is nested more than 3 groups deep")
            expectHDF5Error(.invalidData) { _ = try file.root.group("deep").walk(maxEntries: 2) }
        }
    }

    @Test func createUnwrittenReadsAsZerosAndStoresNothing() throws {
        try withTemporaryFile { file in
            try file.root.createUnwritten("x", shape: [1000, 3], like: .float32([]), options: WriteOptions(chunkRows: 10))
            let x = try file.root.dataset("x")
            #expect(x.shape == [1000, 3] && x.dtype == .float32 && x.chunkShape == [10, 3])
            #expect(try x.withID { (id) throws(HDF5Error) in H5.storageSize(id) } == 0)
            #expect(try x.read() == Tensor(shape: [1000, 3], float32: .init(repeating: 0, count: 3000)))
        }
    }
}

/// A file whose `/data` group holds `links` links (dense link storage: a fractal heap of link
/// messages indexed by a v2 B-tree of name hashes), and the damage tests make to it.
enum LargeGroupFile {
    static let links = 20_000

    /// Writes the file: `demo_<N>` groups in a shuffled order, then a soft link named so that it
    /// sorts first. Returns the link names in creation order.
    static func write(_ path: String) throws -> [String] {
        var generator = SystemRandomNumberGenerator()
        let names = (0..<links - 1).map { "demo_\($0)" }.shuffled(using: &generator) + ["Z_last_created"]
        let file = try HDF5File.create(path)
        defer { file.close() }
        let data = try file.root.createGroup("data")
        for name in names.dropLast() { _ = try data.createNewGroup(name) }
        try data.createSoftLink("Z_last_created", to: "/data/demo_0")
        return names
    }

    /// Sets the number of links the header of `/data`'s name index counts (what H5Gget_info
    /// reports for dense storage: the total records of the v2 B-tree), with a valid checksum.
    static func setLinkCount(_ count: UInt64, in bytes: inout [UInt8]) throws {
        // v2 B-tree header, 8-byte offsets and lengths: the type at byte 5 (5: link names), the
        // total number of records at byte 26, the checksum of bytes 0..<34 at 34.
        let headers = offsets(of: "BTHD", in: bytes).filter { start in
            start + 38 <= bytes.count && bytes[start + 5] == 5 && littleEndian(bytes, at: start + 26, size: 8) == UInt64(links)
        }
        let start = try #require(headers.count == 1 ? headers.first : nil, "one name index of \(links) links")
        try #require(littleEndian(bytes, at: start + 34, size: 4) == UInt64(lookup3(bytes[start..<start + 34])))
        for i in 0..<8 { bytes[start + 26 + i] = UInt8(truncatingIfNeeded: count >> (8 * UInt64(i))) }
        let checksum = lookup3(bytes[start..<start + 34])
        for i in 0..<4 { bytes[start + 34 + i] = UInt8(truncatingIfNeeded: checksum >> (8 * UInt32(i))) }
    }

    /// Overwrites the records of every B-tree leaf (`/data`'s name index) without fixing their
    /// checksums.
    static func corruptNameIndex(in bytes: inout [UInt8]) throws {
        let leaves = offsets(of: "BTLF", in: bytes)
        try #require(!leaves.isEmpty)
        for start in leaves { for i in 6..<16 { bytes[start + i] ^= 0x5A } }
    }

    static func offsets(of signature: String, in bytes: [UInt8]) -> [Int] {
        let pattern = Array(signature.utf8)
        return (0...(bytes.count - pattern.count)).filter { i in bytes[i..<i + pattern.count].elementsEqual(pattern) }
    }

    static func littleEndian(_ bytes: [UInt8], at start: Int, size: Int) -> UInt64 {
        (0..<size).reduce(UInt64(0)) { value, i in value | UInt64(bytes[start + i]) << (8 * UInt64(i)) }
    }

    /// Bob Jenkins' lookup3 `hashlittle` with initial value 0: the checksum of HDF5's metadata
    /// blocks (H5_checksum_lookup3).
    static func lookup3(_ bytes: ArraySlice<UInt8>) -> UInt32 {
        func rot(_ x: UInt32, _ k: UInt32) -> UInt32 { (x << k) | (x >> (32 - k)) }
        let data = Array(bytes)
        func word(_ i: Int) -> UInt32 {
            (0..<4).reduce(UInt32(0)) { value, j in i + j < data.count ? value | UInt32(data[i + j]) << (8 * UInt32(j)) : value }
        }
        var a = 0xdead_beef &+ UInt32(truncatingIfNeeded: data.count)
        var b = a, c = a
        var offset = 0, length = data.count
        while length > 12 {
            a &+= word(offset)
            b &+= word(offset + 4)
            c &+= word(offset + 8)
            a &-= c; a ^= rot(c, 4); c &+= b
            b &-= a; b ^= rot(a, 6); a &+= c
            c &-= b; c ^= rot(b, 8); b &+= a
            a &-= c; a ^= rot(c, 16); c &+= b
            b &-= a; b ^= rot(a, 19); a &+= c
            c &-= b; c ^= rot(b, 4); b &+= a
            offset += 12
            length -= 12
        }
        if length == 0 { return c }
        a &+= word(offset)  // the last 1...12 bytes, zero-padded
        b &+= word(offset + 4)
        c &+= word(offset + 8)
        c ^= b; c &-= rot(b, 14)
        a ^= c; a &-= rot(c, 11)
        b ^= a; b &-= rot(a, 25)
        c ^= b; c &-= rot(b, 16)
        a ^= c; a &-= rot(c, 4)
        b ^= a; b &-= rot(a, 14)
        c ^= b; c &-= rot(b, 24)
        return c
    }
}
