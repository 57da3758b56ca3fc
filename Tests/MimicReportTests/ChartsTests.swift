import Foundation
import MimicCore
import Testing

@testable import MimicReport

@Suite struct ChartsTests {
    /// Thinning keeps the first and last step, in order, at most the limit (plus the last).
    @Test func thinningKeepsEnds() {
        for count in [0, 1, 2, 5, 199, 200, 201, 1000, 12345] {
            let steps = Charts.thinned(count: count, limit: 200)
            #expect(steps.count <= 200)
            #expect(steps == steps.sorted() && Set(steps).count == steps.count)
            if count > 0 { #expect(steps.first == 0 && steps.last == count - 1) }
            if count <= 200 { #expect(steps.count == count) }
        }
    }

    /// Every value falls in one of the bins, the bins start at a multiple of their width, and
    /// their number is near the target.
    @Test func binsCoverEveryValue() {
        var rng = RandomStream(seed: 5)
        for _ in 0..<300 {
            let low = Int.random(in: 0...5000, using: &rng), spread = Int.random(in: 0...3000, using: &rng)
            let values = (0..<Int.random(in: 1...50, using: &rng)).map { _ in low + Int.random(in: 0...spread, using: &rng) }
            let (start, width, count) = Charts.bins(values, target: 24)
            #expect(width >= 1 && start % width == 0)
            #expect(count <= 2 * 24 + 2)
            for v in values { #expect((0..<count).contains((v - start) / width) && v >= start) }
        }
        #expect(Charts.bins([]).count == 0)
    }

    /// The length histogram draws each series as its share of demos per bin: the shares of a
    /// series sum to 100 %, and each bin's share counts its values.
    @Test func histogramSharesSumToOne() throws {
        let generated = [100, 101, 150, 150, 190], sources = [120, 130]
        let svg = Charts.lengths([("generated", generated, "#111111"), ("source", sources, "#222222")])
        let (start, width, _) = Charts.bins(generated + sources)
        for (label, values) in [("generated", generated), ("source", sources)] {
            var total = 0.0
            for match in svg.matches(of: #/<title>([a-z]+): ([0-9.]+) % of demos with ([0-9]+)–([0-9]+) steps</title>/#) where match.1 == label {
                let share = try #require(Double(match.2)), low = try #require(Int(match.3)), high = try #require(Int(match.4))
                #expect(high - low + 1 == width && (low - start) % width == 0)
                let inBin = values.filter { (low...high).contains($0) }.count
                #expect(abs(share - 100 * Double(inBin) / Double(values.count)) < 0.051)
                total += share
            }
            #expect(abs(total - 100) < 0.2, "\(label) shares sum to \(total) %")
        }
        #expect(svg.contains("share of demos"))
    }

    /// Bar charts give each row its label and value; paths draw one polyline per demo and arm view.
    @Test func barsAndPaths() {
        let bars = Charts.bars([("kept", 20, "#2f9e44"), ("no_success", 3, "#c92a2a")], valueText: { "\(Int($0))" }, axisLabel: "attempts")
        #expect(bars.contains(">kept</text>") && bars.contains(">no_success</text>") && bars.contains(">20</text>") && bars.contains(">3</text>"))
        let line = (0..<10).map { SIMD3(Double($0) * 0.01, 0.1, 1.0 - Double($0) * 0.01) }
        let paths = RunReport.Paths(
            effectors: ["robot0"], sources: [.init(demo: "demo_0", effectors: [line])],
            generated: [.init(demo: "demo_0", effectors: [line]), .init(demo: "demo_1", effectors: [line.reversed()])], generatedTotal: 2)
        let top = Charts.paths(paths, effector: 0, view: .top)
        #expect(top.matches(of: #/<polyline /#).count == 3)
        #expect(top.contains("world y (m)") && Charts.paths(paths, effector: 0, view: .side).contains("world z (m)"))
    }
}
