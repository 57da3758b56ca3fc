import Testing
@testable import mimic

@Suite struct ConsoleTests {
    @Test func tableAlignsColumns() {
        let lines = Console.table([["a", "bb", "c"], ["long", "x", "y"]])
        #expect(lines == ["  a     bb  c", "  long  x   y"])
    }

    @Test func emptyTableHasNoLines() {
        #expect(Console.table([]).isEmpty)
    }
}
