import Foundation
import Testing
import MimicCore
import MimicHDF5

@Suite struct MergeCommandTests {
    /// `augment ... --part i/N` into N directories, then `merge`: the files of one run of the command.
    @Test func mergedPartsAreTheWholeRun() throws {
        let dir = try TemporaryDirectory(), whole = try TemporaryDirectory(), merged = try TemporaryDirectory()
        let source = try AugmentCommandTests.prepared(dir)
        let command = ["augment", source, "-n", "11", "--shard-size", "2"]
        #expect(try CLI.run(command + ["-o", whole.url.path]).status == 0)
        var parts: [String] = []
        for i in 0..<4 {
            let part = dir.path("part\(i)")
            let result = try CLI.run(command + ["-o", part, "--part", "\(i)/4"])
            #expect(result.status == 0, "\(result.stderr)")
            parts.append(part)
        }
        let result = try CLI.run(["merge"] + parts.reversed() + ["-o", merged.url.path])
        #expect(result.status == 0, "\(result.stderr)")
        #expect(result.stdout.contains("merged 4 parts: 11 demos in 6 shards"))
        #expect(merged.contents == whole.contents.filter { $0 != "stats.json" })
        try AugmentOutputTests.expectSameRun(whole, merged)
    }

    /// A checked run split in two: each shard keeps the successes of its own attempt stream, so the
    /// merged parts keep the demos, attempts and counters of the single run.
    @Test func mergedCheckedPartsAreTheWholeCheckedRun() throws {
        let dir = try TemporaryDirectory(), whole = try TemporaryDirectory(), merged = try TemporaryDirectory()
        let source = try LiftCut.prepared(in: dir)
        let command = ["augment", source, "-n", "5", "--shard-size", "2", "--execute", "--workers", "2"]
        #expect(try CLI.run(command + ["-o", whole.url.path]).status == 0)
        for i in 0..<2 { #expect(try CLI.run(command + ["-o", dir.path("part\(i)"), "--part", "\(i)/2"]).status == 0) }
        let result = try CLI.run(["merge", dir.path("part0"), dir.path("part1"), "-o", merged.url.path])
        #expect(result.status == 0, "\(result.stderr)")
        try AugmentOutputTests.expectSameRun(whole, merged)
        let index = try RobomimicReader(path: merged.path("index.hdf5"))
        #expect(index.demoNames.count == 5)
        // Shard s took attempts s, s + 3, ...: every kept demo records its attempt.
        for name in index.demoNames {
            let demo = try index.demo(name)
            let shard = (Int(name.dropFirst(5))!) / 2
            #expect((demo.attributes["mimic_index"]?.intValue ?? -1) % 3 == shard, "\(name)")
        }
    }

    /// A missing part, an unfinished part, a part of another command or a whole run are refused,
    /// and nothing is written.
    @Test func incompleteOrMixedPartsAreRefused() throws {
        let dir = try TemporaryDirectory()
        let source = try AugmentCommandTests.prepared(dir)
        let command = ["augment", source, "-n", "6", "--shard-size", "2"]
        for i in 0..<3 { #expect(try CLI.run(command + ["-o", dir.path("p\(i)"), "--part", "\(i)/3"]).status == 0) }
        #expect(try CLI.run(command + ["-o", dir.path("other"), "--part", "2/3", "--seed", "9"]).status == 0)
        #expect(try CLI.run(command + ["-o", dir.path("whole")]).status == 0)
        let out = dir.path("out")
        let missing = try CLI.run(["merge", dir.path("p0"), dir.path("p1"), "-o", out])
        #expect(missing.status == 64 && missing.stderr.contains("missing parts: 2/3"), "\(missing.stderr)")
        let mixed = try CLI.run(["merge", dir.path("p0"), dir.path("p1"), dir.path("other"), "-o", out])
        #expect(mixed.status == 65 && mixed.stderr.contains("seed 1 → 9"), "\(mixed.stderr)")
        let wholeRun = try CLI.run(["merge", dir.path("p0"), dir.path("whole"), "-o", out])
        #expect(wholeRun.status == 65 && wholeRun.stderr.contains("is a whole run"), "\(wholeRun.stderr)")
        try FileManager.default.removeItem(atPath: dir.path("p1/shard-00001.hdf5"))
        let unfinished = try CLI.run(["merge", dir.path("p0"), dir.path("p1"), dir.path("p2"), "-o", out])
        #expect(unfinished.status == 65 && unfinished.stderr.contains("part 1/3 is not finished (0 of its 1 shards)"), "\(unfinished.stderr)")
        #expect(!FileManager.default.fileExists(atPath: out))
    }
}
