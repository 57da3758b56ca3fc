import Foundation
import MimicCore
import Testing

@testable import MimicReport

@Suite struct SVGTests {
    /// Equal-aspect domains contain the originals and have the same units per pixel on both axes.
    @Test func equalAspectKeepsDataAndScale() {
        var rng = RandomStream(seed: 11)
        for _ in 0..<500 {
            let x0 = Double.random(in: -2...2, using: &rng), y0 = Double.random(in: -2...2, using: &rng)
            let x = (x0, x0 + Double.random(in: 0.001...3, using: &rng)), y = (y0, y0 + Double.random(in: 0.001...3, using: &rng))
            let w = Double.random(in: 100...900, using: &rng), h = Double.random(in: 100...900, using: &rng)
            let d = SVGPlot.equalAspect(x: x, y: y, width: w, height: h)
            #expect(d.x.lower <= x.0 + 1e-12 && d.x.upper >= x.1 - 1e-12 && d.y.lower <= y.0 + 1e-12 && d.y.upper >= y.1 - 1e-12)
            let ux = (d.x.upper - d.x.lower) / w, uy = (d.y.upper - d.y.lower) / h
            #expect(abs(ux - uy) <= 1e-9 * max(ux, uy))
        }
    }

    /// Every mark of data inside the domains lands inside the plot area, and an equal-aspect plot
    /// draws a unit square as a pixel square.
    @Test func marksLandInsideThePlotArea() throws {
        var plot = SVGPlot(width: 400, height: 300, xDomain: (-0.2, 0.3), yDomain: (0.8, 1.1), xLabel: "x", yLabel: "y", equalAspect: true)
        plot.point(-0.2, 0.8, marker: .dot, size: 2, color: "red")
        plot.point(0.3, 1.1, marker: .dot, size: 2, color: "red")
        plot.rect(x0: 0, y0: 0.9, x1: 0.1, y1: 1.0, fill: "blue")
        let svg = plot.svg(title: "t")
        let m = SVGPlot.margin
        for match in svg.matches(of: #/<circle cx="([-0-9.]+)" cy="([-0-9.]+)"/#) {
            let cx = try #require(Double(match.1)), cy = try #require(Double(match.2))
            #expect(cx >= m.left - 0.05 && cx <= 400 - m.right + 0.05 && cy >= m.top - 0.05 && cy <= 300 - m.bottom + 0.05)
        }
        let rect = try #require(svg.firstMatch(of: #/<rect x="[-0-9.]+" y="[-0-9.]+" width="([0-9.]+)" height="([0-9.]+)" fill="blue"/#))
        #expect(abs(try #require(Double(rect.1)) - (try #require(Double(rect.2)))) <= 0.1)
    }

    /// Labels and tooltips are escaped; the SVG has its title and axis titles.
    @Test func textIsEscaped() {
        var plot = SVGPlot(width: 300, height: 200, xDomain: (0, 1), yDomain: (0, 1), xLabel: "x <m>", yLabel: "y & z")
        plot.point(0.5, 0.5, marker: .cross, size: 3, color: "red", title: "demo_1 \"cube\"")
        plot.text("<b>", 0.5, 0.5)
        let svg = plot.svg(title: "A & B")
        #expect(svg.contains("<title>A &amp; B</title>") && svg.contains("x &lt;m&gt;") && svg.contains("y &amp; z"))
        #expect(svg.contains("demo_1 &quot;cube&quot;") && svg.contains("&lt;b&gt;") && !svg.contains("<b>"))
    }

    @Test func numbersHaveNoNegativeZero() {
        #expect(SVGPlot.number(-0.01) == "0.0")
        #expect(SVGPlot.number(-0.06) == "-0.1")
        #expect(SVGPlot.number(12.345, 2) == "12.35" || SVGPlot.number(12.345, 2) == "12.34")
    }
}
