import MimicMath
import Testing

@Suite struct DenseMatrixTests {
    /// A random well-conditioned n x n matrix: the identity times n plus uniform noise.
    static func matrix(_ n: Int, _ rng: inout SplitMix64) -> [Double] {
        (0..<n * n).map { i in (i / n == i % n ? Double(n) : 0) + .random(in: -1...1, using: &rng) }
    }

    static func product(_ a: [Double], _ b: [Double], n: Int) -> [Double] {
        var out = [Double](repeating: 0, count: n * n)
        for r in 0..<n { for c in 0..<n { for k in 0..<n { out[r * n + c] += a[r * n + k] * b[k * n + c] } } }
        return out
    }

    @Test(arguments: [1, 3, 6, 7, 12])
    func inverseTimesMatrixIsIdentity(n: Int) {
        var rng = SplitMix64(seed: UInt64(n))
        for _ in 0..<50 {
            let a = Self.matrix(n, &rng)
            var inverse = [Double](repeating: 0, count: n * n), work = [Double](repeating: 0, count: 2 * n * n)
            a.withUnsafeBufferPointer { a in
                inverse.withUnsafeMutableBufferPointer { out in
                    work.withUnsafeMutableBufferPointer { w in DenseMatrix.invert(a.baseAddress!, into: out.baseAddress!, n: n, work: w.baseAddress!) }
                }
            }
            let identity = (0..<n * n).map { $0 / n == $0 % n ? 1.0 : 0.0 }
            #expect(zip(Self.product(a, inverse, n: n), identity).allSatisfy { abs($0 - $1) < 1e-12 })
        }
    }

    /// Pivoting: a matrix with a zero on the diagonal still inverts.
    @Test func pivotsPastAZeroDiagonal() {
        let a: [Double] = [0, 1, 1, 0]
        var inverse = [Double](repeating: 0, count: 4), work = [Double](repeating: 0, count: 8)
        DenseMatrix.invert(a, into: &inverse, n: 2, work: &work)
        #expect(inverse == [0, 1, 1, 0])
        // A singular matrix gives non-finite entries, never a trap.
        DenseMatrix.invert([1, 2, 2, 4], into: &inverse, n: 2, work: &work)
        #expect(inverse.contains { !$0.isFinite })
    }

    @Test func blocksAndMatrix3Inverse() {
        let m = (0..<36).map(Double.init)
        #expect(DenseMatrix.block3(m, offset: 21, columns: 6) == Matrix3(rows: (SIMD3(21, 22, 23), SIMD3(27, 28, 29), SIMD3(33, 34, 35))))
        var rng = SplitMix64(seed: 5)
        for _ in 0..<propertyCaseCount {
            let r = rng.unitQuaternion().rotationMatrix
            let scaled = Matrix3(rows: (r.row0 * 2, r.row1 * 3, r.row2 * 0.5))
            let product = scaled * scaled.inverse
            #expect(maxAbsDifference(product, .identity) < 1e-12)
        }
    }
}
