import Foundation
import Testing
import MimicCore
import MimicHDF5

/// The damaged copies of real datasets a user met (issue 8), run through every command: each
/// must stop with exit 65, one `mimic: error:` line naming the file and the HDF5 path, and no
/// output. The copies are made here through MimicHDF5 from a prepared 2-demo cut of
/// Datasets/lift.hdf5 (`LiftCut`); the fuzz test (FuzzTests.swift) covers damage at random.
@Suite struct DamagedInputTests {
    enum Damage: String, CaseIterable, Sendable {
        /// `actions` claims 10⁹ × 7 rows, chunked, with no chunk written (56 GB on a 0.4 MB file).
        case billionRowActions
        /// A NaN in `actions` at row 12, column 3.
        case nanInActions
        /// `actions` stored as strings, one per row.
        case actionsAsStrings
        /// Demo groups named `demo_a` and `trial_3`.
        case groupsNotNamedDemoN
        /// `demo_1` and `demo_01`: robomimic's `int(name[5:])` gives both 1.
        case repeatedDemoNumber
    }

    /// Writes `damage` into a copy of `base` at `path`; returns what the error must say after the
    /// file name (the HDF5 path and the start of the detail).
    static func write(_ damage: Damage, from base: String, to path: String) throws -> String {
        let reader = try RobomimicReader(path: base)
        var demos = try reader.demoNames.map { try reader.demo($0) }
        var expected: String
        switch damage {
        case .nanInActions:
            var values = demos[1].actions!.doubles
            values[12 * 7 + 3] = .nan
            demos[1].arrays["actions"] = Tensor(shape: demos[1].actions!.shape, float64: values)
            expected = "/data/demo_1/actions: holds NaN at row 12, column 3"
        case .groupsNotNamedDemoN:
            demos[0].name = "demo_a"
            demos[1].name = "trial_3"
            expected = "/data/demo_a: is not named demo_<N>"
        case .repeatedDemoNumber:
            demos[0].name = "demo_01"
            expected = "/data/demo_1: has the same number as /data/demo_01 (1)"
        case .billionRowActions:
            expected = "/data/demo_0/actions: claims 56.0 GB (1000000000 x 7 float64) but the file is"
        case .actionsAsStrings:
            expected = "/data/demo_0/actions: holds strings of type |S"
        }
        var attributes = reader.dataAttributes
        attributes["total"] = nil
        let writer = try RobomimicWriter(destination: path, dataAttributes: attributes)
        for demo in demos { try writer.write(demo) }
        try writer.finish(masks: [:])
        let file = try HDF5File.open(path, writable: true)
        defer { file.close() }
        switch damage {
        case .billionRowActions:
            try file.root.createUnwritten(
                "data/demo_0/actions", shape: [1_000_000_000, 7], like: .float64([]),
                options: WriteOptions(chunkRows: 100))
        case .actionsAsStrings:
            let actions = demos[0].actions!
            try file.root.writeStrings("data/demo_0/actions", (0..<actions.rows).map { "\(actions.rows(($0)..<($0 + 1)).doubles)" })
        default: break
        }
        return expected
    }

    @Test(arguments: Damage.allCases)
    func everyCommandRefusesWithOneLineAndWritesNothing(_ damage: Damage) throws {
        let dir = try TemporaryDirectory()
        let file = dir.path("damaged.hdf5")
        let expected = try Self.write(damage, from: try LiftCut.prepared(in: dir), to: file)
        for json in [false, true] {
            let out = try TemporaryDirectory()
            for command in CommandRun.all(on: file, out: out.url, json: json) where !json || command.name == "inspect" {
                let result = try CLI.run(command.arguments, timeout: 60)
                #expect(result.status == 65, "\(command.name): \(result.stderr)")
                #expect(command.problems(result, out: out.url).isEmpty, "\(command.name): \(command.problems(result, out: out.url))")
                #expect(result.stderr.hasPrefix("mimic: error: \(file): \(expected)"), "\(command.name): \(result.stderr)")
                #expect(result.stdout.isEmpty, "\(command.name)")
            }
        }
    }

    @Test func theUndamagedCutPassesEveryCommand() throws {
        let dir = try TemporaryDirectory()
        let base = try LiftCut.prepared(in: dir)
        for index in 0..<4 {
            let out = try TemporaryDirectory()
            let command = CommandRun.all(on: base, out: out.url)[index]
            let result = try CLI.run(command.arguments, timeout: 60)
            #expect(result.status == 0, "\(command.name): \(result.stderr)")
            #expect(command.problems(result, out: out.url).isEmpty, "\(command.name): \(command.problems(result, out: out.url))")
        }
    }

    @Test func bothPipesAreReadAtOnce() throws {
        // 1 MB on stderr before anything on stdout: reading stdout first would deadlock.
        let result = try CLI.run(["-c", "head -c 1000000 /dev/zero >&2; echo done"], executable: URL(fileURLWithPath: "/bin/sh"), timeout: 30)
        #expect(!result.timedOut)
        #expect(result.stdout == "done\n")
        #expect(result.stderr.utf8.count == 1_000_000)
        let killed = try CLI.run(["-c", "exec sleep 30"], executable: URL(fileURLWithPath: "/bin/sh"), timeout: 0.5)
        #expect(killed.timedOut && killed.signal == SIGKILL)
    }
}
