import MimicCore
import Testing

@Suite struct DurationSecondsTests {
    @Test(arguments: [0.0, 1e-9, 0.25, 1.5, 3600.125, -2.75])
    func secondsRoundTrip(_ value: Double) {
        let duration = Duration.nanoseconds(Int64((value * 1e9).rounded()))
        #expect(abs(duration.seconds - value) < 1e-12)
    }

    @Test func componentsAdd() {
        #expect(Duration.seconds(2).seconds == 2)
        #expect((Duration.seconds(1) + .milliseconds(500)).seconds == 1.5)
    }
}
