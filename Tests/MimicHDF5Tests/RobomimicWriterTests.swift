import Foundation
import Testing
import MimicCore
@testable import MimicHDF5

@Suite struct RobomimicWriterTests {
    @Test func readWriteReadIsLossless() throws {
        try withTemporaryDirectory { dir in
            let path = dir.appendingPathComponent("a.hdf5").path
            let demos = try RobomimicFixture.write(path, lengths: [5, 3])
            let reader = try RobomimicReader(path: path)
            var back: [Demo] = []
            for (original, name) in zip(demos, reader.demoNames) {
                let demo = try reader.demo(name)
                #expect(demo.arrays == original.arrays)  // every dtype kept
                #expect(demo.groupAttributes == original.groupAttributes)
                var expected = original.attributes
                expected["num_samples"] = .int(original.length)
                #expect(demo.attributes == expected)
                back.append(demo)
            }
            // And once more through the writer: the same file content.
            let copy = dir.appendingPathComponent("b.hdf5").path
            let writer = try RobomimicWriter(destination: copy, dataAttributes: reader.dataAttributes.filter { $0.key != "total" })
            for demo in back { try writer.write(demo) }
            try writer.finish(masks: reader.masks)
            let again = try RobomimicReader(path: copy)
            #expect(try again.demo("demo_1") == back[1])
            #expect(again.masks == reader.masks)
            #expect(again.dataAttributes == reader.dataAttributes)
            #expect(try Data(contentsOf: URL(fileURLWithPath: path)) == Data(contentsOf: URL(fileURLWithPath: copy)))
        }
    }

    @Test func totalAndNumSamplesAreWritten() throws {
        try withTemporaryDirectory { dir in
            let path = dir.appendingPathComponent("a.hdf5").path
            _ = try RobomimicFixture.write(path, lengths: [4, 6])
            let file = try HDF5File.open(path)
            #expect(try file.root.group("data").attributes.int("total") == 10)
            #expect(try file.root.group("data/demo_1").attributes.int("num_samples") == 6)
            #expect(try file.root.readStrings("mask/valid") == ["demo_1"])
        }
    }

    @Test func nothingAppearsUntilFinishAndAbandonLeavesNothing() throws {
        try withTemporaryDirectory { dir in
            let path = dir.appendingPathComponent("out.hdf5").path
            let writer = try RobomimicWriter(destination: path, dataAttributes: [:])
            try writer.write(RobomimicFixture.demo(0, steps: 2))
            #expect(!FileManager.default.fileExists(atPath: path))
            writer.abandon()
            #expect(try FileManager.default.contentsOfDirectory(atPath: dir.path).isEmpty)
            // A writer that goes away unfinished cleans up too.
            do {
                let other = try RobomimicWriter(destination: path, dataAttributes: [:])
                try other.write(RobomimicFixture.demo(0, steps: 2))
            }
            #expect(try FileManager.default.contentsOfDirectory(atPath: dir.path).isEmpty)
        }
    }

    @Test func finishReplacesAnExistingDestinationAndAFailureKeepsIt() throws {
        try withTemporaryDirectory { dir in
            let path = dir.appendingPathComponent("out.hdf5").path
            _ = try RobomimicFixture.write(path, lengths: [2])
            let old = try Data(contentsOf: URL(fileURLWithPath: path))
            // Unfinished writers, one abandoned and one whose partial file is gone before finish,
            // leave the old file as it was.
            let abandoned = try RobomimicWriter(destination: path, dataAttributes: [:])
            try abandoned.write(RobomimicFixture.demo(0, steps: 3))
            abandoned.abandon()
            let broken = try RobomimicWriter(destination: path, dataAttributes: [:])
            try broken.write(RobomimicFixture.demo(0, steps: 3))
            try FileManager.default.removeItem(atPath: broken.partial.path)
            #expect(throws: DatasetError.self) { try broken.finish(masks: [:]) }
            #expect(try Data(contentsOf: URL(fileURLWithPath: path)) == old)
            // A finished one replaces it.
            _ = try RobomimicFixture.write(path, lengths: [3, 1])
            #expect(try RobomimicReader(path: path).demoNames == ["demo_0", "demo_1"])
            #expect(try FileManager.default.contentsOfDirectory(atPath: dir.path) == ["out.hdf5"])
        }
    }

    @Test func duplicateDemoNamesAndMissingDirectoriesAreErrors() throws {
        try withTemporaryDirectory { dir in
            let writer = try RobomimicWriter(destination: dir.appendingPathComponent("o.hdf5").path, dataAttributes: [:])
            try writer.write(RobomimicFixture.demo(0, steps: 2))
            #expect(throws: HDF5Error.self) { try writer.write(RobomimicFixture.demo(0, steps: 2)) }
            writer.abandon()
            #expect(throws: DatasetError.self) {
                try RobomimicWriter(destination: dir.appendingPathComponent("missing/o.hdf5").path, dataAttributes: [:])
            }
        }
    }

    /// Chunks compressed on several threads and stored with H5Dwrite_chunk make the file libhdf5's
    /// own gzip filters make, byte for byte, for every element type, multi-chunk arrays with a
    /// padded edge chunk included, with and without shuffle.
    /// gzip files are the same bytes for any number of compressing threads, and hold what
    /// libhdf5's own gzip filter stores for the same datasets (read back through libhdf5's
    /// inflate), with the same filters declared.
    @Test(arguments: [true, false])
    func gzipFilesAreTheSameForAnyThreadsAndHoldLibhdf5sData(shuffle: Bool) throws {
        try withTemporaryDirectory { dir in
            var demos = (0..<3).map { RobomimicFixture.demo($0, steps: 5 + 3 * $0) }
            // Several chunks of 4 rows, the last one partly filled.
            demos[2].arrays["obs/long"] = Tensor(shape: [11, 3], float64: (0..<33).map { sin(Double($0)) })
            demos[2].arrays["obs/bytes"] = Tensor(shape: [11], storage: .uint8((0..<11).map { UInt8($0 * 7 % 256) }))
            let options = WriteOptions(chunkRows: 4, compression: .gzip(level: 5, shuffle: shuffle))
            var files: [String] = []
            for threads in [1, 3] {
                let path = dir.appendingPathComponent("threads-\(threads).hdf5").path
                let writer = try RobomimicWriter(destination: path, dataAttributes: [:], options: options)
                try writer.write(demos, threads: threads)
                try writer.finish(masks: ["train": ["demo_0"]])
                files.append(path)
            }
            #expect(try Data(contentsOf: URL(fileURLWithPath: files[0])) == Data(contentsOf: URL(fileURLWithPath: files[1])))
            // libhdf5's own filter on the same datasets.
            let reference = dir.appendingPathComponent("libhdf5.hdf5").path
            let file = try HDF5File.create(reference)
            for demo in demos {
                for (path, tensor) in demo.arrays { try file.root.write("data/\(demo.name)/\(path)", tensor, options: options) }
            }
            file.close()
            let ours = try HDF5File.open(files[0]), theirs = try HDF5File.open(reference)
            let reader = try RobomimicReader(path: files[0])
            for demo in demos {
                #expect(try reader.demo(demo.name).arrays == demo.arrays)
                for path in demo.arrays.keys {
                    let a = try ours.root.dataset("data/\(demo.name)/\(path)"), b = try theirs.root.dataset("data/\(demo.name)/\(path)")
                    #expect(try a.read() == b.read() && a.chunkShape == b.chunkShape && a.filters == b.filters, "\(path)")
                }
            }
        }
    }

    /// With `sharedStringsFrom`, a long string attribute equal across demos (robosuite's
    /// `model_file`) is stored once: the file is smaller by about all but one copy, and the
    /// demos read back the same, the long strings now fixed-length, the short ones unchanged.
    @Test func sharedStringsAreStoredOnce() throws {
        try withTemporaryDirectory { dir in
            let model = "<mujoco model=\"base\">" + String(repeating: "<geom size=\"0.1\"/>", count: 2000) + "</mujoco>"
            let demos = (0..<40).map { i in
                var demo = RobomimicFixture.demo(i, steps: 4)
                demo.attributes["model_file"] = .string(i < 30 ? model : model + " ")  // two distinct scenes
                demo.attributes["note"] = .string("demo \(i)")
                return demo
            }
            func write(_ name: String, _ options: WriteOptions) throws -> (path: String, bytes: Int) {
                let path = dir.appendingPathComponent(name).path
                let writer = try RobomimicWriter(destination: path, dataAttributes: [:], options: options)
                try writer.write(demos, threads: 1)
                try writer.finish(masks: [:])
                return (path, try FileManager.default.attributesOfItem(atPath: path)[.size] as! Int)
            }
            let inline = try write("inline.hdf5", WriteOptions())
            let shared = try write("shared.hdf5", WriteOptions(sharedStringsFrom: 1024))
            #expect(inline.bytes > 40 * model.utf8.count)
            // Smaller by (nearly) the 38 copies beyond the two distinct scenes.
            #expect(Double(inline.bytes - shared.bytes) > 0.95 * Double(38 * model.utf8.count), "\(shared.bytes) vs \(inline.bytes)")
            let reader = try RobomimicReader(path: shared.path)
            for demo in demos {
                let back = try reader.demo(demo.name)
                var expected = demo.attributes
                expected["num_samples"] = .int(demo.length)
                #expect(back.attributes == expected && back.arrays == demo.arrays, "\(demo.name)")
            }
            let file = try HDF5File.open(shared.path)
            let attributes = try file.root.group("data/demo_3").attributes
            #expect(try attributes.dtype("model_file") == .fixedString(model.utf8.count))
            #expect(try attributes.dtype("note") == .variableString)
        }
    }
}
