import Testing
@testable import mimic

@Suite struct ProgressBarTests {
    @Test func ratesAndDurationsReadWell() {
        #expect(ProgressBar.rate(1234.4) == "1234")
        #expect(ProgressBar.rate(12.34) == "12.3")
        #expect(ProgressBar.duration(42.4) == "42s")
        #expect(ProgressBar.duration(125) == "2m05s")
        #expect(ProgressBar.duration(.infinity) == "-")
    }
}
