import Foundation

/// One plot drawn as inline SVG: a rectangular area with x and y axes (grid lines at round
/// ticks, tick labels, axis titles) and the marks added to it in data units.
public struct SVGPlot: Sendable {
    public let width: Double
    public let height: Double
    public let x: LinearScale
    public let y: LinearScale
    public let xLabel: String
    public let yLabel: String
    /// Which axes get tick labels: a category axis (bar charts) labels its own rows.
    public var xTicks = true, yTicks = true
    private var marks: [String] = []

    /// Pixels around the plot area for tick labels and axis titles (the left one can be wider,
    /// for a bar chart's row labels).
    public static let margin = (left: 56.0, right: 14.0, top: 10.0, bottom: 42.0)

    /// A plot of `width` × `height` pixels whose axes span `xDomain` and `yDomain` (widened to
    /// round ticks); with `equalAspect` one data unit is as long on both axes (a top or side view
    /// of a workspace), the shorter domain widened about its middle.
    public init(
        width: Double, height: Double, xDomain: (lower: Double, upper: Double), yDomain: (lower: Double, upper: Double),
        xLabel: String, yLabel: String, equalAspect: Bool = false, niceDomains: Bool = true, leftMargin: Double = margin.left
    ) {
        var m = Self.margin
        m.left = leftMargin
        let area = (width: width - m.left - m.right, height: height - m.top - m.bottom)
        var xd = niceDomains ? LinearScale.niceDomain(xDomain) : xDomain
        var yd = niceDomains ? LinearScale.niceDomain(yDomain) : yDomain
        if equalAspect { (xd, yd) = Self.equalAspect(x: xd, y: yd, width: area.width, height: area.height) }
        self.width = width
        self.height = height
        self.x = LinearScale(domain: xd, range: (m.left, m.left + area.width))
        self.y = LinearScale(domain: yd, range: (m.top + area.height, m.top))
        self.xLabel = xLabel
        self.yLabel = yLabel
    }

    /// Domains that contain `x` and `y` and have the same units per pixel on a `width` × `height`
    /// area: the one with fewer units per pixel is widened about its middle.
    public static func equalAspect(
        x: (lower: Double, upper: Double), y: (lower: Double, upper: Double), width: Double, height: Double
    ) -> (x: (lower: Double, upper: Double), y: (lower: Double, upper: Double)) {
        let sx = LinearScale(domain: x, range: (0, width)), sy = LinearScale(domain: y, range: (0, height))
        let unit = max(sx.unitsPerPixel, sy.unitsPerPixel)
        func widened(_ d: (lower: Double, upper: Double), _ pixels: Double) -> (lower: Double, upper: Double) {
            let middle = (d.lower + d.upper) / 2, half = unit * pixels / 2
            return (middle - half, middle + half)
        }
        return (widened(sx.domain, width), widened(sy.domain, height))
    }

    // MARK: Marks (data units)

    /// A line through `points`.
    public mutating func polyline(_ points: [(x: Double, y: Double)], stroke: String, width: Double, opacity: Double = 1, dash: String? = nil) {
        guard points.count > 1 else { return }
        let coordinates = points.map { "\(Self.number(x($0.x))),\(Self.number(y($0.y)))" }.joined(separator: " ")
        marks.append(
            #"<polyline points="\#(coordinates)" fill="none" stroke="\#(stroke)" stroke-width="\#(Self.number(width))""#
                + (opacity < 1 ? #" stroke-opacity="\#(Self.number(opacity, 2))""# : "")
                + (dash.map { #" stroke-dasharray="\#($0)""# } ?? "") + #" stroke-linejoin="round"/>"#)
    }

    /// The shapes a point can be drawn as.
    public enum Marker: Sendable { case dot, diamond, cross, ring }

    /// A marker of `size` pixels (radius) at (`px`, `py`), with `title` as its tooltip.
    public mutating func point(_ px: Double, _ py: Double, marker: Marker, size: Double, color: String, opacity: Double = 1, title: String? = nil) {
        let cx = x(px), cy = y(py)
        let (tag, shape): (String, String)
        switch marker {
        case .dot:
            (tag, shape) = ("circle", #"cx="\#(Self.number(cx))" cy="\#(Self.number(cy))" r="\#(Self.number(size))" fill="\#(color)""#)
        case .ring:
            (tag, shape) = (
                "circle", #"cx="\#(Self.number(cx))" cy="\#(Self.number(cy))" r="\#(Self.number(size))" fill="white" stroke="\#(color)" stroke-width="2""#
            )
        case .diamond:
            let corners = [(cx, cy - size), (cx + size, cy), (cx, cy + size), (cx - size, cy)].map { "\(Self.number($0.0)),\(Self.number($0.1))" }
            (tag, shape) = ("polygon", #"points="\#(corners.joined(separator: " "))" fill="\#(color)" stroke="white" stroke-width="1""#)
        case .cross:
            let a = Self.number(cx - size), b = Self.number(cx + size), t = Self.number(cy - size), u = Self.number(cy + size)
            (tag, shape) = ("path", #"d="M\#(a),\#(t)L\#(b),\#(u)M\#(a),\#(u)L\#(b),\#(t)" stroke="\#(color)" stroke-width="2""#)
        }
        let alpha = opacity < 1 ? #" opacity="\#(Self.number(opacity, 2))""# : ""
        marks.append("<\(tag) \(shape)\(alpha)" + (title.map { "><title>\(HTML.escape($0))</title></\(tag)>" } ?? "/>"))
    }

    /// A rectangle with corners (`x0`, `y0`) and (`x1`, `y1`).
    public mutating func rect(
        x0: Double, y0: Double, x1: Double, y1: Double, fill: String, stroke: String? = nil, opacity: Double = 1, dash: String? = nil, title: String? = nil
    ) {
        let left = min(x(x0), x(x1)), top = min(y(y0), y(y1))
        let w = abs(x(x1) - x(x0)), h = abs(y(y1) - y(y0))
        var element = #"<rect x="\#(Self.number(left))" y="\#(Self.number(top))" width="\#(Self.number(w))" height="\#(Self.number(h))" fill="\#(fill)""#
        if opacity < 1 { element += #" fill-opacity="\#(Self.number(opacity, 2))""# }
        if let stroke { element += #" stroke="\#(stroke)" stroke-width="1.5""# }
        if let dash { element += #" stroke-dasharray="\#(dash)""# }
        element += title.map { "><title>\(HTML.escape($0))</title></rect>" } ?? "/>"
        marks.append(element)
    }

    /// Text at (`px`, `py`) in data units, moved by (`dx`, `dy`) pixels.
    public mutating func text(
        _ text: String, _ px: Double, _ py: Double, dx: Double = 0, dy: Double = 0, anchor: String = "start", color: String = "#222", bold: Bool = false
    ) {
        marks.append(
            #"<text x="\#(Self.number(x(px) + dx))" y="\#(Self.number(y(py) + dy))" text-anchor="\#(anchor)" fill="\#(color)""#
                + (bold ? #" font-weight="bold""# : "") + ">\(HTML.escape(text))</text>")
    }

    // MARK: Output

    /// The plot as an `<svg>` element (fixed pixel size, a `viewBox`, and `title` for screen readers).
    public func svg(title: String) -> String {
        let left = x.range.start, right = x.range.end, top = y.range.end, bottom = y.range.start
        var parts: [String] = []
        parts.append(
            #"<svg width="\#(Self.number(width, 0))" height="\#(Self.number(height, 0))" viewBox="0 0 \#(Self.number(width, 0)) \#(Self.number(height, 0))" role="img" font-family="DejaVu Sans, Helvetica, Arial, sans-serif" font-size="11">"#
        )
        parts.append("<title>\(HTML.escape(title))</title>")
        parts.append(
            #"<rect x="\#(Self.number(left))" y="\#(Self.number(top))" width="\#(Self.number(right - left))" height="\#(Self.number(bottom - top))" fill="\#(Self.paper)" stroke="\#(Self.frame)"/>"#
        )
        if xTicks {
            let ticks = x.ticks()
            for (value, label) in zip(ticks.values, ticks.labels) {
                let px = Self.number(x(value))
                parts.append(#"<line x1="\#(px)" y1="\#(Self.number(top))" x2="\#(px)" y2="\#(Self.number(bottom))" stroke="\#(Self.grid)"/>"#)
                parts.append(#"<text x="\#(px)" y="\#(Self.number(bottom + 14))" text-anchor="middle" fill="\#(Self.tickText)">\#(label)</text>"#)
            }
        }
        if yTicks {
            let ticks = y.ticks()
            for (value, label) in zip(ticks.values, ticks.labels) {
                let py = Self.number(y(value))
                parts.append(#"<line x1="\#(Self.number(left))" y1="\#(py)" x2="\#(Self.number(right))" y2="\#(py)" stroke="\#(Self.grid)"/>"#)
                parts.append(#"<text x="\#(Self.number(left - 5))" y="\#(Self.number(y(value) + 4))" text-anchor="end" fill="\#(Self.tickText)">\#(label)</text>"#)
            }
        }
        parts += marks
        parts.append(
            #"<text x="\#(Self.number((left + right) / 2))" y="\#(Self.number(height - 8))" text-anchor="middle" fill="\#(Self.labelText)">\#(HTML.escape(xLabel))</text>"#)
        if !yLabel.isEmpty {
            let cy = Self.number((top + bottom) / 2)
            parts.append(
                #"<text x="14" y="\#(cy)" text-anchor="middle" fill="\#(Self.labelText)" transform="rotate(-90 14 \#(cy))">\#(HTML.escape(yLabel))</text>"#)
        }
        parts.append("</svg>")
        return parts.joined(separator: "\n")
    }

    /// Colours of the plot area, its frame, grid lines, tick labels and axis titles.
    static let paper = "#fbfbfc", frame = "#c8ccd2", grid = "#e3e6ea", tickText = "#555", labelText = "#333"

    /// A coordinate with `decimals` digits (one by default: a tenth of a pixel), no `-0`.
    public static func number(_ value: Double, _ decimals: Int = 1) -> String {
        let text = String(format: "%.\(decimals)f", value)
        return text.hasPrefix("-") && Double(text) == 0 ? String(text.dropFirst()) : text
    }
}
