// DenseMatrix: small dense linear algebra on row-major buffers (operational-space inertia,
// damped least squares), allocation-free: the caller owns every buffer.

/// Small dense matrices stored row-major in caller-owned buffers (`a[r * columns + c]`), as
/// MuJoCo stores them. Sizes are a few to a few dozen: the operational-space inertia of an arm
/// (6 x 6), an arm's joint-space inertia (7 x 7), a damped least-squares system (12 x 12).
public enum DenseMatrix {
    /// The inverse of the `n x n` matrix `a` into `out`, by Gauss-Jordan elimination with partial
    /// pivoting; `work` holds `2 n²` values. A singular matrix gives non-finite entries (never a trap).
    public static func invert(
        _ a: UnsafePointer<Double>, into out: UnsafeMutablePointer<Double>, n: Int,
        work w: UnsafeMutablePointer<Double>
    ) {
        let cols = 2 * n
        for r in 0..<n {
            for c in 0..<n {
                w[r * cols + c] = a[r * n + c]
                w[r * cols + n + c] = r == c ? 1 : 0
            }
        }
        reduceAugmented(w, n: n)
        for r in 0..<n { for c in 0..<n { out[r * n + c] = w[r * cols + n + c] } }
    }

    /// Reduces the `n x 2n` row-major augmented matrix `[A | B]` to `[I | A⁻¹ B]` in place.
    public static func reduceAugmented(_ w: UnsafeMutablePointer<Double>, n: Int) {
        let cols = 2 * n
        for k in 0..<n {
            var pivot = k
            var best = abs(w[k * cols + k])
            for r in (k + 1)..<max(n, k + 1) where abs(w[r * cols + k]) > best {
                best = abs(w[r * cols + k])
                pivot = r
            }
            if pivot != k {
                for c in 0..<cols {
                    let t = w[k * cols + c]
                    w[k * cols + c] = w[pivot * cols + c]
                    w[pivot * cols + c] = t
                }
            }
            let inv = 1 / w[k * cols + k]
            for c in 0..<cols { w[k * cols + c] *= inv }
            for r in 0..<n where r != k {
                let f = w[r * cols + k]
                if f != 0 { for c in 0..<cols { w[r * cols + c] -= f * w[k * cols + c] } }
            }
        }
    }

    /// The 3 x 3 block of a row-major matrix with `columns` columns whose top-left entry is at
    /// `offset` (for a 6 x 6 matrix: 0 is the top-left block, 21 the bottom-right one).
    public static func block3(_ m: UnsafePointer<Double>, offset: Int, columns: Int) -> Matrix3 {
        Matrix3(
            rows: (
                SIMD3(m[offset], m[offset + 1], m[offset + 2]),
                SIMD3(m[offset + columns], m[offset + columns + 1], m[offset + columns + 2]),
                SIMD3(m[offset + 2 * columns], m[offset + 2 * columns + 1], m[offset + 2 * columns + 2])
            ))
    }
}

extension Matrix3 {
    /// The inverse, as adjugate over determinant: `m * m.inverse ≈ identity`. A singular matrix
    /// gives non-finite entries.
    @inlinable
    public var inverse: Matrix3 {
        let c0 = cross(row1, row2), c1 = cross(row2, row0), c2 = cross(row0, row1)
        let det = (row0 * c0).sum()
        return Matrix3(columns: (c0 / det, c1 / det, c2 / det))
    }
}
