import MimicMath
import Testing

@Suite struct Vector3Tests {
    @Test func crossIsRightHandedAndOrthogonal() {
        #expect(cross(SIMD3(1, 0, 0), SIMD3(0, 1, 0)) == SIMD3(0, 0, 1))
        #expect(cross(SIMD3(0, 1, 0), SIMD3(0, 0, 1)) == SIMD3(1, 0, 0))
        var rng = SplitMix64(seed: 11)
        for _ in 0..<propertyCaseCount {
            let a = rng.vector(), b = rng.vector()
            let c = cross(a, b)
            #expect(abs(dot(c, a)) < 1e-12 * (1 + euclideanNorm(a) * euclideanNorm(c)))
            #expect(abs(dot(c, b)) < 1e-12 * (1 + euclideanNorm(b) * euclideanNorm(c)))
            #expect(maxAbsDifference(cross(b, a), -c) == 0)
            // |a × b|² + (a · b)² = |a|² |b|² (Lagrange's identity).
            let lhs = dot(c, c) + dot(a, b) * dot(a, b), rhs = dot(a, a) * dot(b, b)
            #expect(abs(lhs - rhs) < 1e-10 * (1 + rhs))
        }
    }

    @Test func normAndDot() {
        #expect(euclideanNorm(SIMD3(3, 4, 12)) == 13)
        #expect(dot(SIMD3(1, 2, 3), SIMD3(4, -5, 6)) == 12)
        #expect(!euclideanNorm(SIMD3(.nan, 0, 0)).isFinite)
    }
}
