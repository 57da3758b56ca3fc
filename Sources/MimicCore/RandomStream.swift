import Foundation

/// A seeded random number generator (xoshiro256**), one per generated demo: demo i draws from
/// `RandomStream(seed: runSeed, stream: i)`, so what it gets depends on (seed, i) alone and never
/// on how many workers run or in which order.
public struct RandomStream: RandomNumberGenerator, Sendable {
    private var s: (UInt64, UInt64, UInt64, UInt64)

    /// Seeds the four words from SplitMix64 over `seed` and `stream`.
    public init(seed: UInt64, stream: UInt64 = 0) {
        var x = seed ^ (stream &* 0x9E37_79B9_7F4A_7C15) ^ 0xD1B5_4A32_D192_ED03
        func splitmix() -> UInt64 {
            x &+= 0x9E37_79B9_7F4A_7C15
            var z = x
            z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
            z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
            return z ^ (z >> 31)
        }
        s = (splitmix(), splitmix(), splitmix(), splitmix())
    }

    public mutating func next() -> UInt64 {
        let result = rotl(s.1 &* 5, 7) &* 9
        let t = s.1 << 17
        s.2 ^= s.0
        s.3 ^= s.1
        s.1 ^= s.2
        s.0 ^= s.3
        s.2 ^= t
        s.3 = rotl(s.3, 45)
        return result
    }

    private func rotl(_ x: UInt64, _ k: UInt64) -> UInt64 { (x << k) | (x >> (64 - k)) }

    /// Uniform in [lo, hi] (lo when the range is empty).
    public mutating func uniform(_ lo: Double, _ hi: Double) -> Double {
        guard hi > lo else { return lo }
        return lo + (hi - lo) * Double(next() >> 11) * 0x1p-53
    }

    /// Uniform integer in [lo, hi].
    public mutating func integer(_ lo: Int, _ hi: Int) -> Int {
        guard hi > lo else { return lo }
        return Int.random(in: lo...hi, using: &self)
    }

    /// Standard normal (Box-Muller).
    public mutating func normal() -> Double {
        let u1 = max(Double(next() >> 11) * 0x1p-53, 0x1p-60)
        let u2 = Double(next() >> 11) * 0x1p-53
        return (-2 * log(u1)).squareRoot() * cos(2 * .pi * u2)
    }
}
