import MimicMath
import Testing

@Suite struct Matrix3Tests {
    /// A matrix with distinct entries 10 r + c, to catch row/column mix-ups.
    let numbered = Matrix3(rows: (SIMD3(0, 1, 2), SIMD3(10, 11, 12), SIMD3(20, 21, 22)))

    @Test func subscriptIsRowMajor() {
        for r in 0..<3 {
            for c in 0..<3 {
                #expect(numbered[r, c] == Double(10 * r + c))
            }
        }
        var m = Matrix3.zero
        m[1, 2] = 7
        #expect(m.row1 == SIMD3(0, 0, 7))
        #expect(m.rows.1 == SIMD3(0, 0, 7))
    }

    @Test func transposeAndColumns() {
        let t = numbered.transpose
        for r in 0..<3 {
            for c in 0..<3 {
                #expect(t[r, c] == numbered[c, r])
            }
        }
        #expect(t.transpose == numbered)
        #expect(Matrix3(columns: numbered.rows) == t)
        #expect(numbered.columns.0 == SIMD3(0, 10, 20))
    }

    @Test func identityIsNeutral() {
        #expect(Matrix3.identity * numbered == numbered)
        #expect(numbered * Matrix3.identity == numbered)
        #expect(Matrix3.identity * SIMD3(1, 2, 3) == SIMD3(1, 2, 3))
        #expect(Matrix3.identity.determinant == 1)
    }

    @Test func matrixVectorProduct() {
        // Row r of M dotted with v.
        #expect(numbered * SIMD3(1, 0, 0) == SIMD3(0, 10, 20))
        #expect(numbered * SIMD3(1, 2, 3) == SIMD3(8, 68, 128))
    }

    @Test func productComposesLikeFunctions() {
        var rng = SplitMix64(seed: 31)
        var worst = Worst()
        for i in 0..<propertyCaseCount {
            let a = Matrix3(rows: (rng.vector(), rng.vector(), rng.vector()))
            let b = Matrix3(rows: (rng.vector(), rng.vector(), rng.vector()))
            let v = rng.vector()
            worst.record(maxAbsDifference((a * b) * v, a * (b * v)), "case \(i)")
        }
        #expect(worst.value < 1e-12, "\(worst)")
    }

    @Test func productEntriesMatchDefinition() {
        let a = numbered
        let b = Matrix3(rows: (SIMD3(1, -2, 0.5), SIMD3(3, 0, -1), SIMD3(-4, 2, 2)))
        let c = a * b
        for r in 0..<3 {
            for col in 0..<3 {
                var sum = 0.0
                for k in 0..<3 { sum += a[r, k] * b[k, col] }
                #expect(c[r, col] == sum)
            }
        }
    }

    @Test func determinant() {
        #expect(numbered.determinant == 0)
        let diagonal = Matrix3(rows: (SIMD3(2, 0, 0), SIMD3(0, 3, 0), SIMD3(0, 0, -4)))
        #expect(diagonal.determinant == -24)
    }

    @Test func isFinite() {
        #expect(numbered.isFinite)
        var m = numbered
        m[2, 1] = .nan
        #expect(!m.isFinite)
        m[2, 1] = -.infinity
        #expect(!m.isFinite)
    }
}
