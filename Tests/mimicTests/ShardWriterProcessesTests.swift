import Foundation
import Testing
import MimicHDF5

@testable import mimic

/// A kinematic sharded run written by several writer processes: the files of one process, writers
/// that end with their parent, and a failing writer that ends the run.
@Suite struct ShardWriterProcessesTests {
    @Test func slotsSplitTheShards() throws {
        let slot = try #require(ShardWriterProcesses.Slot(argument: "1/3:4"))
        #expect(slot == ShardWriterProcesses.Slot(index: 1, count: 3, first: 4))
        #expect(slot.description == "1/3:4")
        #expect(Array(slot.shards(end: 12)) == [5, 8, 11])
        // The slots of one run cover its shards once each.
        let all = (0..<3).flatMap { Array(ShardWriterProcesses.Slot(index: $0, count: 3, first: 4).shards(end: 12)) }
        #expect(all.sorted() == Array(4..<12))
        for bad in ["3/3:0", "1/2", "1/2:-1", "a/2:0", "1/2:x"] { #expect(ShardWriterProcesses.Slot(argument: bad) == nil, "\(bad)") }
    }

    /// Three writer processes write the files one process writes, byte for byte, and the
    /// manifest lines reach stdout in shard order as they land.
    @Test func writersWriteTheFilesOfOneProcess() throws {
        let dir = try TemporaryDirectory(), one = try TemporaryDirectory(), three = try TemporaryDirectory()
        let source = try AugmentCommandTests.prepared(dir)
        let command = ["augment", source, "-n", "300", "--shard-size", "40", "--compression", "gzip:2"]
        #expect(try CLI.run(command + ["-o", one.url.path, "--workers", "1"]).status == 0)
        let result = try CLI.run(command + ["-o", three.url.path, "--workers", "3", "--manifest", "-"])
        #expect(result.status == 0, "\(result.stderr)")
        try AugmentOutputTests.expectSameRun(one, three)
        #expect(result.stdout == (try String(contentsOfFile: three.path("manifest.jsonl"), encoding: .utf8)))
        #expect(result.stdout.split(separator: "\n").count == 8)
    }

    /// `kill -9` of the run: its writers see their stdin end, remove their partial shards and
    /// exit; the same command then finishes the run.
    @Test func writersEndWithTheirParent() throws {
        let dir = try TemporaryDirectory(), whole = try TemporaryDirectory(), killed = try TemporaryDirectory()
        let source = try AugmentCommandTests.prepared(dir)
        func command(_ out: TemporaryDirectory) -> [String] { ["augment", source, "-o", out.url.path, "-n", "3000", "--shard-size", "100", "--workers", "2"] }
        let run = try CLI.start(command(killed))
        var writers: [pid_t] = []
        while run.isRunning && writers.isEmpty {
            writers = killed.contents.compactMap { name in name.hasPrefix(".shard-") ? name.split(separator: "-").last.flatMap { pid_t($0) } : nil }
            if writers.isEmpty { usleep(2_000) }
        }
        kill(run.processIdentifier, SIGKILL)
        run.waitUntilExit()
        try #require(!writers.isEmpty, "the run ended before a writer was seen writing")
        let deadline = Date().addingTimeInterval(30)
        while writers.contains(where: { kill($0, 0) == 0 }) && Date() < deadline { usleep(10_000) }
        #expect(!writers.contains { kill($0, 0) == 0 }, "writer processes outlived the run")
        #expect(!killed.contents.contains { $0.contains(".partial-") }, "\(killed.contents)")
        #expect(try CLI.run(command(killed)).status == 0)
        #expect(try CLI.run(command(whole)).status == 0)
        try AugmentOutputTests.expectSameRun(whole, killed)
    }

    /// A writer that cannot land its shard prints why and ends the run with its exit code; the
    /// other writers stop and no partial file is left.
    @Test func aFailingWriterEndsTheRun() throws {
        let dir = try TemporaryDirectory(), out = try TemporaryDirectory()
        let source = try AugmentCommandTests.prepared(dir)
        let command = ["augment", source, "-o", out.url.path, "-n", "400", "--shard-size", "40", "--workers", "2"]
        #expect(try CLI.run(command).status == 0)
        // Back to two finished shards, and something in the way of shard 5.
        let manifest = try String(contentsOfFile: out.path("manifest.jsonl"), encoding: .utf8).split(separator: "\n")
        try (manifest[0] + "\n" + manifest[1] + "\n").write(toFile: out.path("manifest.jsonl"), atomically: true, encoding: .utf8)
        for name in out.contents where name.hasPrefix("shard-") && name != "shard-00000.hdf5" && name != "shard-00001.hdf5" || name == "index.hdf5" {
            try FileManager.default.removeItem(atPath: out.path(name))
        }
        try FileManager.default.createDirectory(atPath: out.path("shard-00005.hdf5/in-the-way"), withIntermediateDirectories: true)
        let result = try CLI.run(command)
        #expect(result.status == 74, "\(result.stderr)")
        let errors = result.stderr.split(separator: "\n").filter { $0.hasPrefix("mimic: error: ") }
        #expect(errors.count == 1 && errors[0].contains("shard-00005.hdf5"), "\(result.stderr)")
        #expect(!out.contents.contains { $0.contains(".partial-") || $0 == "index.hdf5" }, "\(out.contents)")
        let landed = try String(contentsOfFile: out.path("manifest.jsonl"), encoding: .utf8).split(separator: "\n")
        #expect((2...5).contains(landed.count), "\(landed)")
    }
}
