import Testing

@Suite struct MimicTests {
    @Test func helpListsTheSubcommands() throws {
        let result = try CLI.run(["--help"])
        #expect(result.status == 0)
        #expect(result.stdout.contains("inspect"))
        #expect(result.stdout.contains("prepare"))
    }

    @Test func unknownFlagIsAUsageError() throws {
        let result = try CLI.run(["inspect", "--no-such-flag", "x.hdf5"])
        #expect(result.status == 64)
        #expect(result.stderr.contains("no-such-flag"))
    }
}
