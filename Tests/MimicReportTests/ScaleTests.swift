import Foundation
import MimicCore
import Testing

@testable import MimicReport

@Suite struct ScaleTests {
    /// Random domains of every magnitude: lower bound and width from 1e-4 to 1e4.
    static func domains(_ n: Int, seed: UInt64) -> [(lower: Double, upper: Double)] {
        var rng = RandomStream(seed: seed)
        return (0..<n).map { _ in
            let lower = Double.random(in: -1...1, using: &rng) * pow(10, Double.random(in: -4...4, using: &rng))
            return (lower, lower + pow(10, Double.random(in: -4...4, using: &rng)))
        }
    }

    /// The scale maps the domain's ends to the range's ends (a y range may run backwards) and
    /// is monotonic and linear (the midpoint of two values maps to the midpoint of their pixels).
    @Test func mapsEndsAndInverts() {
        var rng = RandomStream(seed: 7)
        for domain in Self.domains(500, seed: 1) {
            let scale = LinearScale(domain: domain, range: (300, 20))
            #expect(abs(scale(domain.lower) - 300) < 1e-6)
            #expect(abs(scale(domain.upper) - 20) < 1e-6)
            let a = Double.random(in: domain.lower...domain.upper, using: &rng), b = Double.random(in: domain.lower...domain.upper, using: &rng)
            #expect((a < b) == (scale(a) > scale(b)) || a == b)
            #expect(abs(scale((a + b) / 2) - (scale(a) + scale(b)) / 2) < 1e-6)
        }
    }

    /// Ticks lie inside the domain, a step apart, every multiple of the step in it; the step is
    /// 1, 2 or 5 times a power of ten, at least span / target and at most 2.5 times it; the
    /// labels are distinct.
    @Test func ticksAreRoundAndInside() {
        for domain in Self.domains(1000, seed: 2) {
            for target in [3, 5, 8] {
                let ticks = LinearScale(domain: domain, range: (0, 1)).ticks(target: target)
                let span = domain.upper - domain.lower
                let mantissa = ticks.step / pow(10, log10(ticks.step).rounded(.down))
                #expect([1, 2, 5, 10].contains { abs(mantissa - $0) < 1e-9 }, "step \(ticks.step)")
                let raw = span / Double(target)
                #expect(ticks.step >= raw * (1 - 1e-12) && ticks.step <= 2.5 * raw * (1 + 1e-12))
                let whole = span / ticks.step
                #expect(ticks.values.count >= Int(whole) && ticks.values.count <= Int(whole) + 1, "\(ticks.values.count) ticks for \(domain)")
                for value in ticks.values { #expect(value >= domain.lower - 1e-9 * span && value <= domain.upper + 1e-9 * span) }
                for (a, b) in zip(ticks.values, ticks.values.dropFirst()) { #expect(abs(b - a - ticks.step) < 1e-9 * ticks.step * 100) }
                #expect(Set(ticks.labels).count == ticks.labels.count, "labels \(ticks.labels)")
                // ticks are multiples of the step
                for value in ticks.values { #expect(abs(value / ticks.step - (value / ticks.step).rounded()) < 1e-6) }
            }
        }
    }

    /// A nice domain contains the original one and starts and ends on a tick.
    @Test func niceDomainContainsAndEndsOnTicks() {
        for domain in Self.domains(500, seed: 3) {
            let nice = LinearScale.niceDomain(domain)
            #expect(nice.lower <= domain.lower && nice.upper >= domain.upper)
            let ticks = LinearScale(domain: nice, range: (0, 1)).ticks()
            let span = nice.upper - nice.lower
            #expect(abs((ticks.values.first ?? .nan) - nice.lower) < 1e-9 * span)
            #expect(abs((ticks.values.last ?? .nan) - nice.upper) < 1e-9 * span)
            #expect(ticks.values.count >= 2)
        }
    }

    /// A domain of one value is widened around it; labels never read `-0`.
    @Test func degenerateDomainAndNegativeZero() {
        let scale = LinearScale(domain: (2, 2), range: (0, 100))
        #expect(scale.domain.lower < 2 && scale.domain.upper > 2)
        #expect(abs(scale(2) - 50) < 1e-9)
        let ticks = LinearScale(domain: (-1e-17, 1), range: (0, 1)).ticks()
        #expect(!ticks.labels.contains { $0.hasPrefix("-0") && Double($0) == 0 })
        #expect(LinearScale(domain: (-0.3, 0.3), range: (0, 1)).ticks().labels == ["-0.2", "0.0", "0.2"])
        #expect(LinearScale(domain: (-0.3, 0.3), range: (0, 1)).ticks(target: 6).labels == ["-0.3", "-0.2", "-0.1", "0.0", "0.1", "0.2", "0.3"])
    }
}
