import Foundation

/// The report's plots, each an inline SVG string built from plain values.
public enum Charts {
    /// Colours: sources, generated demos, failed attempts, and one per object.
    public static let sourceColor = "#e8590c", generatedColor = "#1971c2", failedColor = "#c92a2a"
    public static let objectColors = ["#1971c2", "#2f9e44", "#9c36b5", "#f08c00", "#0c8599", "#d6336c", "#5c7cfa", "#74b816"]

    /// Most points a path is drawn with (longer paths keep every k-th step and their last).
    public static let maxPathPoints = 200

    /// Which steps of a path of `count` steps are drawn: every k-th, and the last.
    public static func thinned(count: Int, limit: Int = maxPathPoints) -> [Int] {
        guard count > limit else { return Array(0..<count) }
        let stride = (count + limit - 2) / (limit - 1)
        var steps = Array(Swift.stride(from: 0, to: count, by: stride))
        if steps.last != count - 1 { steps.append(count - 1) }
        return steps
    }

    /// One view of end-effector `effector`'s paths: world x against world y (`.top`) or z (`.side`),
    /// equal scales. Generated paths thin and translucent, failed ones red, sources thick with a
    /// ring where they start.
    public enum View: Sendable { case top, side }

    public static func paths(_ paths: RunReport.Paths, effector e: Int, view: View, width: Double = 440, height: Double = 350) -> String {
        let axis: (SIMD3<Double>) -> (x: Double, y: Double) = view == .top ? { ($0.x, $0.y) } : { ($0.x, $0.z) }
        func track(_ path: RunReport.DemoPath) -> [(x: Double, y: Double)] {
            guard e < path.effectors.count else { return [] }
            let positions = path.effectors[e]
            return thinned(count: positions.count).map { axis(positions[$0]) }
        }
        let groups = [paths.generated, paths.failed, paths.sources].map { $0.map(track) }
        let all = groups.joined().joined()
        let xs = all.map(\.x), ys = all.map(\.y)
        var plot = SVGPlot(
            width: width, height: height, xDomain: (xs.min() ?? 0, xs.max() ?? 1), yDomain: (ys.min() ?? 0, ys.max() ?? 1),
            xLabel: "world x (m)", yLabel: view == .top ? "world y (m)" : "world z (m)", equalAspect: true)
        let opacity = paths.generated.count > 50 ? 0.25 : 0.45
        for line in groups[0] { plot.polyline(line, stroke: generatedColor, width: 1, opacity: opacity) }
        for line in groups[1] { plot.polyline(line, stroke: failedColor, width: 1.2, opacity: 0.7) }
        for (line, source) in zip(groups[2], paths.sources) {
            plot.polyline(line, stroke: sourceColor, width: 1.8, opacity: 0.85)
            if let start = line.first { plot.point(start.x, start.y, marker: .ring, size: 3.5, color: sourceColor, title: "\(source.demo) start") }
        }
        let name = paths.effectors.indices.contains(e) ? paths.effectors[e] : "end effector \(e)"
        return plot.svg(title: "\(name) end-effector paths, \(view == .top ? "top view (x-y)" : "side view (x-z)")")
    }

    /// Initial object positions (x-y, equal scales) with the reset regions as dashed rectangles:
    /// generated demos as dots, failed attempts as crosses, sources as diamonds, coloured by object.
    public static func placements(_ p: RunReport.Placements, objects: [String], width: Double = 560, height: Double = 420) -> String {
        let points = p.generated + p.failed + p.sources
        let xs = points.map(\.x) + p.regions.flatMap { [$0.x.lowerBound, $0.x.upperBound] }
        let ys = points.map(\.y) + p.regions.flatMap { [$0.y.lowerBound, $0.y.upperBound] }
        var plot = SVGPlot(
            width: width, height: height, xDomain: (xs.min() ?? 0, xs.max() ?? 1), yDomain: (ys.min() ?? 0, ys.max() ?? 1),
            xLabel: "world x (m)", yLabel: "world y (m)", equalAspect: true)
        func color(_ object: String) -> String { objectColors[(objects.firstIndex(of: object) ?? 0) % objectColors.count] }
        for region in p.regions {
            plot.rect(
                x0: region.x.lowerBound, y0: region.y.lowerBound, x1: region.x.upperBound, y1: region.y.upperBound, fill: color(region.object),
                stroke: color(region.object), opacity: 0.07, dash: "5 3", title: "\(region.object) reset region")
        }
        let size = p.generated.count > 500 ? 1.6 : 2.4
        for o in p.generated {
            plot.point(o.x, o.y, marker: .dot, size: size, color: color(o.object), opacity: 0.6, title: "\(o.demo) \(o.object)")
        }
        for o in p.failed { plot.point(o.x, o.y, marker: .cross, size: 3.5, color: failedColor, title: "\(o.demo) \(o.object) (failed)") }
        for o in p.sources { plot.point(o.x, o.y, marker: .diamond, size: 5.5, color: color(o.object), title: "source \(o.demo) \(o.object)") }
        return plot.svg(title: "Initial object positions, top view (x-y)")
    }

    /// A horizontal bar per row (label, value), the value printed after the bar.
    public static func bars(
        _ rows: [(label: String, value: Double, color: String)], valueText: (Double) -> String, axisLabel: String, width: Double = 560
    )
        -> String
    {
        let rowHeight = 26.0
        let labelWidth = min(220, 24 + 7 * Double(rows.map(\.label.count).max() ?? 0))
        let height = SVGPlot.margin.top + SVGPlot.margin.bottom + rowHeight * Double(max(rows.count, 1))
        let top = rows.map(\.value).max() ?? 1
        var plot = SVGPlot(
            width: width, height: height, xDomain: (0, top > 0 ? top * 1.18 : 1), yDomain: (0, Double(max(rows.count, 1))),
            xLabel: axisLabel, yLabel: "", niceDomains: false, leftMargin: labelWidth)
        plot.yTicks = false
        for (i, row) in rows.enumerated() {
            let y0 = Double(rows.count - i) - 0.18, y1 = Double(rows.count - i - 1) + 0.18
            plot.rect(x0: 0, y0: y0, x1: row.value, y1: y1, fill: row.color, title: "\(row.label): \(valueText(row.value))")
            plot.text(row.label, 0, Double(rows.count - i) - 0.5, dx: -8, dy: 4, anchor: "end")
            plot.text(valueText(row.value), row.value, Double(rows.count - i) - 0.5, dx: 5, dy: 4, color: "#333", bold: true)
        }
        return plot.svg(title: axisLabel)
    }

    /// Bins for a histogram of integer `values`: an integer width of 1, 2 or 5 times a power of
    /// ten giving about `target` bins, starting at a multiple of it.
    public static func bins(_ values: [Int], target: Int = 24) -> (start: Int, width: Int, count: Int) {
        guard let low = values.min(), let high = values.max() else { return (0, 1, 0) }
        let width = max(1, Int(Ticks.step(span: Double(high - low + 1), target: target).rounded(.up)))
        let start = Int((Double(low) / Double(width)).rounded(.down)) * width
        return (start, width, (high - start) / width + 1)
    }

    /// Histogram of episode lengths: each series as the share of its demos per bin (so a sample
    /// of generated demos and a few sources compare), drawn as bars side by side in each bin.
    public static func lengths(_ series: [(label: String, values: [Int], color: String)], width: Double = 720, height: Double = 300) -> String {
        let shown = series.filter { !$0.values.isEmpty }
        let (start, binWidth, count) = bins(shown.flatMap(\.values))
        var shares: [[Double]] = []
        for s in shown {
            var counts = [Int](repeating: 0, count: count)
            for v in s.values { counts[(v - start) / binWidth] += 1 }
            shares.append(counts.map { Double($0) / Double(s.values.count) })
        }
        let top = shares.joined().max() ?? 1
        var plot = SVGPlot(
            width: width, height: height, xDomain: (Double(start), Double(start + count * binWidth)), yDomain: (0, max(top, 0.01)),
            xLabel: "episode length (steps)", yLabel: "share of demos")
        let slot = Double(binWidth) * 0.9 / Double(max(shown.count, 1))
        for (k, s) in shown.enumerated() {
            for (bin, share) in shares[k].enumerated() where share > 0 {
                let x0 = Double(start + bin * binWidth) + Double(binWidth) * 0.05 + slot * Double(k)
                plot.rect(
                    x0: x0, y0: 0, x1: x0 + slot, y1: share, fill: s.color, opacity: 0.85,
                    title: "\(s.label): \(HTML.percent(share)) of demos with \(start + bin * binWidth)–\(start + (bin + 1) * binWidth - 1) steps")
            }
        }
        return plot.svg(title: "Episode lengths")
    }
}
