import Foundation
import Testing
import MimicCore
@testable import MimicHDF5

@Suite struct HDF5ErrorTests {
    @Test func descriptionIsFilePathDetail() {
        let error = HDF5Error(.notFound, file: "demo.hdf5", path: "/data/demo_3", detail: "not found")
        #expect(error.description == "demo.hdf5: /data/demo_3: not found")
        #expect(HDF5Error(.io, file: "a.h5", path: "", detail: "x").description == "a.h5: /: x")
    }

    @Test func missingFileIsFileNotFound() throws {
        try withTemporaryDirectory { directory in
            let path = directory.appendingPathComponent("missing.hdf5").path
            let error = expectHDF5Error(.fileNotFound) { _ = try HDF5File.open(path) }
            #expect(error?.file == path)
            #expect(error?.path == "/")
            #expect(error?.description == "\(path): /: no such file")
        }
    }

    @Test func textFileIsNotHDF5() throws {
        try withTemporaryDirectory { directory in
            let path = directory.appendingPathComponent("notes.txt").path
            try "just some text\n".write(toFile: path, atomically: true, encoding: .utf8)
            let error = expectHDF5Error(.notHDF5) { _ = try HDF5File.open(path) }
            #expect(error?.description.contains("not an HDF5 file") == true)
            expectHDF5Error(.notHDF5) { _ = try HDF5File.open(directory.path) }
            let empty = directory.appendingPathComponent("empty.hdf5").path
            #expect(FileManager.default.createFile(atPath: empty, contents: Data()))
            expectHDF5Error(.notHDF5) { _ = try HDF5File.open(empty) }
        }
    }

    @Test func truncatedFileIsAnErrorNotACrash() throws {
        try withTemporaryDirectory { directory in
            let path = directory.appendingPathComponent("full.hdf5").path
            do {
                let file = try HDF5File.create(path)
                try file.root.write("data/demo_0/actions", Tensor(shape: [200, 7], float64: (0..<1400).map(Double.init)))
                try file.root.attributes.set("env_args", string: "{\"env_name\": \"Lift\"}")
                file.close()
            }
            let bytes = try Data(contentsOf: URL(fileURLWithPath: path))
            for length in [9, 100, 1000, bytes.count / 2, bytes.count - 1] {
                let truncated = directory.appendingPathComponent("truncated-\(length).hdf5").path
                try bytes.prefix(length).write(to: URL(fileURLWithPath: truncated))
                let error = expectHDF5Error(.notHDF5) { _ = try HDF5File.open(truncated) }
                #expect(error?.file == truncated)
                #expect(error?.detail.hasPrefix("truncated or corrupt HDF5 file") == true)
                if length >= 100 { #expect(error?.detail.contains("truncated file: eof = \(length)") == true) }
            }
        }
    }

    @Test func missingPathIsNotFoundNamingThePath() throws {
        try withTemporaryFile { file in
            _ = try file.root.createGroup("data/demo_0")
            let error = expectHDF5Error(.notFound) { _ = try file.root.read("data/demo_7/actions") }
            #expect(error?.path == "/data/demo_7/actions")
            #expect(error?.detail.contains("/data/demo_7 does not exist") == true)
            #expect(error?.file == file.path)
            let group = try file.root.group("data")
            let nested = expectHDF5Error(.notFound) { _ = try group.group("demo_1") }
            #expect(nested?.path == "/data/demo_1")
            expectHDF5Error(.notFound) { _ = try file.root.attributes.int("total") }
        }
    }

    @Test func wrongKindBothWays() throws {
        try withTemporaryFile { file in
            try file.root.write("data/demo_0/actions", Tensor(shape: [2], float64: [1, 2]))
            let asGroup = expectHDF5Error(.wrongKind) { _ = try file.root.group("data/demo_0/actions") }
            #expect(asGroup?.path == "/data/demo_0/actions")
            #expect(asGroup?.detail == "is a dataset, not a group")
            let asDataset = expectHDF5Error(.wrongKind) { _ = try file.root.dataset("data/demo_0") }
            #expect(asDataset?.detail == "is a group, not a dataset")
            expectHDF5Error(.wrongKind) { _ = try file.root.createGroup("data/demo_0/actions/x") }
            expectHDF5Error(.wrongKind) { try file.root.write("data", Tensor(shape: [1], float64: [1])) }
            let inside = expectHDF5Error(.notFound) { _ = try file.root.dataset("data/demo_0/actions/x") }
            #expect(inside?.detail.contains("is a dataset") == true)
        }
    }

    @Test func stringsReadAsNumbersIsTypeMismatch() throws {
        try withTemporaryFile { file in
            try file.root.writeStrings("mask/train", ["demo_0", "demo_1"])
            let error = expectHDF5Error(.typeMismatch) { _ = try file.root.read("mask/train") }
            #expect(error?.path == "/mask/train")
            #expect(error?.detail == "the dataset holds |S6, not numbers")
            try file.root.write("actions", Tensor(shape: [1], float32: [1]))
            expectHDF5Error(.typeMismatch) { _ = try file.root.readStrings("actions") }
        }
    }

    @Test func writingAReadOnlyFileIsIO() throws {
        try withTemporaryDirectory { directory in
            let path = directory.appendingPathComponent("ro.hdf5").path
            try HDF5File.create(path).close()
            let file = try HDF5File.open(path)
            let error = expectHDF5Error(.io) { try file.root.write("x", Tensor(shape: [1], float64: [1])) }
            #expect(error?.detail.contains("read-only") == true)
            expectHDF5Error(.io) { try file.root.attributes.set("a", int: 1) }
            expectHDF5Error(.io) { _ = try file.root.createGroup("g") }
        }
    }
}
