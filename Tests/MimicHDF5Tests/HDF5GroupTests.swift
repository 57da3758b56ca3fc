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
