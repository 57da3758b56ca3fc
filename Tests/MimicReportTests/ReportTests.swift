import MimicCore
import Testing

@testable import MimicReport

@Suite struct ReportTests {
    /// A sample is at most `limit` distinct indices in range, ascending, the same every time,
    /// including the first demo; all of them when there are few.
    @Test func sampleIsEvenBoundedAndStable() {
        for count in [0, 1, 5, 150, 151, 2000, 1_000_000] {
            for limit in [1, 150, 2000] {
                let sample = DemoSample.indices(count: count, limit: limit)
                #expect(sample.count == min(count, limit))
                #expect(sample == sample.sorted() && Set(sample).count == sample.count)
                #expect(sample.allSatisfy { (0..<count).contains($0) })
                if count > 0 { #expect(sample.first == 0) }
                #expect(sample == DemoSample.indices(count: count, limit: limit))
                if count > limit, limit > 1 {
                    let gaps = zip(sample, sample.dropFirst()).map { $1 - $0 }
                    #expect(gaps.max()! - gaps.min()! <= 1, "gaps of an even sample differ by at most one")
                }
            }
        }
    }

    /// Regions around the profile's reference point, or around each source's placement; none without a placement.
    @Test func regionsFromAPlacement() throws {
        let lift = try #require(TaskProfiles.spec(forEnvName: "Lift")?.placement)
        let regions = RunReport.Region.regions(of: lift, sources: [])
        #expect(regions == [RunReport.Region(object: "cube", x: -0.03...0.03, y: -0.03...0.03)])
        var around = lift
        around.around = .source
        let sources = [
            RunReport.ObjectPosition(object: "cube", demo: "demo_0", x: 0.1, y: 0.2),
            RunReport.ObjectPosition(object: "cube", demo: "demo_1", x: -0.1, y: 0),
            RunReport.ObjectPosition(object: "other", demo: "demo_0", x: 5, y: 5),
        ]
        let aroundRegions = RunReport.Region.regions(of: around, sources: sources)
        #expect(aroundRegions.count == 2)
        #expect(abs(aroundRegions[0].x.lowerBound - 0.07) < 1e-12 && abs(aroundRegions[0].y.upperBound - 0.23) < 1e-12)
        #expect(RunReport.Region.regions(of: nil, sources: sources).isEmpty)
    }

    @Test func successRate() {
        var header = RunReport.Header(
            source: "s", output: "o", task: "t", robots: [], seed: nil, workers: nil, demos: 20, samples: 100, attempts: 23, kinematic: false,
            mujoco: nil, seconds: nil)
        #expect(abs(header.successRate! - 20.0 / 23) < 1e-12)
        header.attempts = nil
        #expect(header.successRate == nil)
    }
}
