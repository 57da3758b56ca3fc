import Foundation

/// A linear map from data values (`domain`) to pixel coordinates (`range`), as a plot axis uses
/// it. The range may run backwards (an SVG y axis grows downwards, so a plot's y range is
/// `(bottom, top)`).
public struct LinearScale: Sendable, Equatable {
    public var domain: (lower: Double, upper: Double)
    public var range: (start: Double, end: Double)

    /// A scale over `domain`; a domain of zero width (one value) is widened around its value so
    /// that it still has a middle to draw at.
    public init(domain: (lower: Double, upper: Double), range: (start: Double, end: Double)) {
        let (lower, upper) = (min(domain.lower, domain.upper), max(domain.lower, domain.upper))
        if upper - lower > 0 {
            self.domain = (lower, upper)
        } else {
            let half = Swift.max(abs(lower) * 0.05, 0.5)
            self.domain = (lower - half, lower + half)
        }
        self.range = range
    }

    /// The pixel coordinate of `value`.
    public func callAsFunction(_ value: Double) -> Double {
        range.start + (value - domain.lower) / (domain.upper - domain.lower) * (range.end - range.start)
    }

    /// Data units per pixel.
    public var unitsPerPixel: Double { (domain.upper - domain.lower) / abs(range.end - range.start) }

    /// About `target` round tick values inside the domain: multiples of a step of 1, 2 or 5
    /// times a power of ten.
    public func ticks(target: Int = 5) -> Ticks { Ticks(domain: domain, target: target) }

    /// The domain widened outwards to the next multiples of its tick step, so that the axis
    /// starts and ends at a tick (widening can make the step larger, so until it stays the same).
    public static func niceDomain(_ domain: (lower: Double, upper: Double), target: Int = 5) -> (lower: Double, upper: Double) {
        var nice = LinearScale(domain: domain, range: (0, 1)).domain
        for _ in 0..<8 {
            let step = Ticks.step(span: nice.upper - nice.lower, target: target)
            let wider = ((nice.lower / step + Ticks.slack).rounded(.down) * step, (nice.upper / step - Ticks.slack).rounded(.up) * step)
            if wider == nice { break }
            nice = wider
        }
        return nice
    }

    public static func == (a: LinearScale, b: LinearScale) -> Bool { a.domain == b.domain && a.range == b.range }
}

/// The tick values of an axis and their labels.
public struct Ticks: Sendable, Equatable {
    public let step: Double
    public let values: [Double]

    init(domain: (lower: Double, upper: Double), target: Int) {
        let step = Self.step(span: domain.upper - domain.lower, target: target)
        let first = (domain.lower / step - Self.slack).rounded(.up), last = (domain.upper / step + Self.slack).rounded(.down)
        self.step = step
        values = first <= last ? (0...Int(last - first)).map { (first + Double($0)) * step } : []
    }

    /// How far (in steps) a value may miss a multiple of the step by rounding and still count as one.
    static let slack = 1e-9

    /// The smallest step of 1, 2 or 5 times a power of ten at least `span / target`.
    static func step(span: Double, target: Int) -> Double {
        let raw = span / Double(max(target, 1))
        let power = pow(10, (log10(raw)).rounded(.down))
        return [1.0, 2, 5, 10].map { $0 * power }.first { $0 >= raw * (1 - 1e-12) } ?? 10 * power
    }

    /// Digits after the decimal point that tell the ticks apart.
    public var decimals: Int { max(0, Int(-(log10(step) + 1e-9).rounded(.down))) }

    /// Each tick as text with ``decimals`` digits (no `-0`).
    public var labels: [String] {
        values.map { value in
            let text = String(format: "%.\(decimals)f", value)
            return Double(text) == 0 ? String(format: "%.\(decimals)f", 0.0) : text
        }
    }
}
