// Matrix3: a 3x3 Double matrix, row-major, acting on column vectors (v' = M v).

/// A 3x3 matrix of `Double`, stored as three rows.
///
/// Row-major: `self[r, c]` is row `r`, column `c`, the same order as a numpy
/// `(3, 3)` array. The matrix acts on column vectors: `m * v` is `M v`.
/// As a rotation matrix it is the `rotationMatrix` of a ``Quaternion``: its
/// columns are the rotated frame's axes expressed in the outer frame
/// (`worldFromX` style).
///
/// `==` and hashing compare entries exactly.
@frozen
public struct Matrix3: Sendable, Hashable {
    /// Row 0: `(m00, m01, m02)`.
    public var row0: SIMD3<Double>
    /// Row 1: `(m10, m11, m12)`.
    public var row1: SIMD3<Double>
    /// Row 2: `(m20, m21, m22)`.
    public var row2: SIMD3<Double>

    /// A matrix from its three rows.
    @_transparent
    public init(rows: (SIMD3<Double>, SIMD3<Double>, SIMD3<Double>)) {
        row0 = rows.0
        row1 = rows.1
        row2 = rows.2
    }

    /// A matrix from its three columns (the transpose of `init(rows:)`).
    @inlinable
    public init(columns: (SIMD3<Double>, SIMD3<Double>, SIMD3<Double>)) {
        self.init(rows: columns)
        self = transpose
    }

    /// The rows as a tuple `(row0, row1, row2)`.
    public var rows: (SIMD3<Double>, SIMD3<Double>, SIMD3<Double>) {
        @_transparent get { (row0, row1, row2) }
        @_transparent set { (row0, row1, row2) = newValue }
    }

    /// The columns as a tuple `(column0, column1, column2)`.
    @inlinable
    public var columns: (SIMD3<Double>, SIMD3<Double>, SIMD3<Double>) {
        let t = transpose
        return (t.row0, t.row1, t.row2)
    }
}

// MARK: - Constants and element access
extension Matrix3 {
    /// The 3x3 identity matrix.
    @_transparent
    public static var identity: Matrix3 {
        Matrix3(rows: (SIMD3(1, 0, 0), SIMD3(0, 1, 0), SIMD3(0, 0, 1)))
    }

    /// The 3x3 zero matrix.
    @_transparent
    public static var zero: Matrix3 {
        Matrix3(rows: (.zero, .zero, .zero))
    }

    /// Entry at `row`, `column`; both must be in `0..<3` (a programmer error otherwise).
    @inlinable
    public subscript(row: Int, column: Int) -> Double {
        get {
            switch row {
            case 0: return row0[column]
            case 1: return row1[column]
            case 2: return row2[column]
            default: preconditionFailure("Matrix3 row index \(row) out of range 0..<3")
            }
        }
        set {
            switch row {
            case 0: row0[column] = newValue
            case 1: row1[column] = newValue
            case 2: row2[column] = newValue
            default: preconditionFailure("Matrix3 row index \(row) out of range 0..<3")
            }
        }
    }

    /// True if every entry is finite.
    @inlinable
    public var isFinite: Bool {
        row0.x.isFinite && row0.y.isFinite && row0.z.isFinite
            && row1.x.isFinite && row1.y.isFinite && row1.z.isFinite
            && row2.x.isFinite && row2.y.isFinite && row2.z.isFinite
    }
}

// MARK: - Algebra
extension Matrix3 {
    /// The transpose: `transpose[r, c] == self[c, r]`. For a rotation it is the inverse.
    @inlinable
    public var transpose: Matrix3 {
        Matrix3(
            rows: (
                SIMD3(row0.x, row1.x, row2.x),
                SIMD3(row0.y, row1.y, row2.y),
                SIMD3(row0.z, row1.z, row2.z)
            ))
    }

    /// The determinant, `row0 · (row1 × row2)`. It is 1 for a rotation.
    @inlinable
    public var determinant: Double {
        (row0 * cross(row1, row2)).sum()
    }

    /// Matrix-vector product `M v` (v is a column vector).
    @inlinable
    public static func * (m: Matrix3, v: SIMD3<Double>) -> SIMD3<Double> {
        SIMD3((m.row0 * v).sum(), (m.row1 * v).sum(), (m.row2 * v).sum())
    }

    /// Matrix product `A B`: `(a * b) * v == a * (b * v)`.
    @inlinable
    public static func * (a: Matrix3, b: Matrix3) -> Matrix3 {
        // Row r of A B is sum_k a[r, k] * (row k of B).
        Matrix3(
            rows: (
                a.row0.x * b.row0 + a.row0.y * b.row1 + a.row0.z * b.row2,
                a.row1.x * b.row0 + a.row1.y * b.row1 + a.row1.z * b.row2,
                a.row2.x * b.row0 + a.row2.y * b.row1 + a.row2.z * b.row2
            ))
    }
}
