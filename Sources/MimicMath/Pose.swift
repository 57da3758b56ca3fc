// Pose: a rigid transform (rotation then translation), worldFromX style.

/// A rigid transform `p' = R p + t`: a rotation followed by a translation.
///
/// Read a pose named `worldFromHand` as "takes hand-frame coordinates to world-frame
/// coordinates": its ``position`` is the hand origin in the world frame (metres) and its
/// ``rotation`` turns hand-frame axes into world-frame axes. Poses compose like the
/// matrices they stand for: `worldFromObject * objectFromHand == worldFromHand`.
///
/// As a 4x4 homogeneous matrix (``init(matrix:)-(Collection<Double>)``, ``matrix``,
/// ``writeMatrix(into:)-(UnsafeMutablePointer<Double>)``) the layout is row-major, the
/// order of a numpy `(4, 4)` array and of the `eef_pose` / `object_poses` datasets of
/// MimicGen: `[R t; 0 0 0 1]`, so entries 3, 7 and 11 are `t` and 12...15 are `0 0 0 1`.
///
/// `==` and hashing compare components exactly (and so treat `rotation` and
/// `-rotation` as different values).
@frozen
public struct Pose: Sendable, Hashable {
    /// The translation `t`: the origin of the inner frame in the outer frame, in metres.
    public var position: SIMD3<Double>
    /// The rotation `R` from the inner frame to the outer frame, a unit quaternion.
    public var rotation: Quaternion

    /// A pose from its translation and rotation.
    @_transparent
    public init(position: SIMD3<Double>, rotation: Quaternion) {
        self.position = position
        self.rotation = rotation
    }

    /// The identity transform: zero translation, identity rotation.
    @_transparent
    public static var identity: Pose {
        Pose(position: .zero, rotation: .identity)
    }

    /// True if every component of the position and rotation is finite.
    @inlinable
    public var isFinite: Bool {
        position.x.isFinite && position.y.isFinite && position.z.isFinite && rotation.isFinite
    }
}

// MARK: - Algebra
extension Pose {
    /// The inverse transform `p = Rᵀ (p' - t)`: `xFromWorld` for `worldFromX`.
    ///
    /// Uses the conjugate as the inverse rotation, so `rotation` must be a unit quaternion.
    @inlinable
    public var inverse: Pose {
        let inverseRotation = rotation.conjugate
        return Pose(position: -inverseRotation.act(position), rotation: inverseRotation)
    }

    /// The composition `a b`, applying `b` first: `worldFromA * aFromB == worldFromB`.
    ///
    /// `(a * b).apply(p) == a.apply(b.apply(p))`. The rotation is the Hamilton product
    /// `a.rotation * b.rotation`, not renormalized.
    @inlinable
    public static func * (a: Pose, b: Pose) -> Pose {
        Pose(position: a.rotation.act(b.position) + a.position, rotation: a.rotation * b.rotation)
    }

    /// Transforms a point: `R p + t`.
    @inlinable
    public func apply(_ point: SIMD3<Double>) -> SIMD3<Double> {
        rotation.act(point) + position
    }

    /// Rotates a direction (no translation): `R v`.
    @inlinable
    public func applyToDirection(_ direction: SIMD3<Double>) -> SIMD3<Double> {
        rotation.act(direction)
    }

    /// Interpolates from `a` (at `t = 0`) to `b` (at `t = 1`): the position linearly,
    /// `a.position + t (b.position - a.position)`, and the rotation with the shortest-arc
    /// ``Quaternion/slerp(_:_:t:)``. This is MimicGen's `interpolate_poses` for one `t`.
    @inlinable
    public static func interpolate(_ a: Pose, _ b: Pose, t: Double) -> Pose {
        Pose(
            position: a.position + t * (b.position - a.position),
            rotation: Quaternion.slerp(a.rotation, b.rotation, t: t))
    }
}

// MARK: - 4x4 homogeneous matrices (row-major)
extension Pose {
    /// The pose of a 4x4 homogeneous matrix stored row-major (numpy `(4, 4)` order).
    ///
    /// Reads entries 0...11: the rotation block `[0 1 2; 4 5 6; 8 9 10]` (converted with
    /// ``Quaternion/init(rotationMatrix:)``, so the rotation has `w >= 0`) and the
    /// translation `(3, 7, 11)`. The bottom row is not read. `rowMajor` must have exactly 16
    /// elements (a programmer error otherwise). Non-finite entries give a pose whose
    /// ``isFinite`` is false; nothing traps on bad values.
    @inlinable
    public init(matrix rowMajor: some Collection<Double>) {
        precondition(rowMajor.count == 16, "a 4x4 pose matrix has 16 elements, got \(rowMajor.count)")
        var m = SIMD16<Double>()
        var i = 0
        for value in rowMajor {
            m[i] = value
            i += 1
        }
        self.init(_rowMajor: m)
    }

    /// The pose of a 4x4 homogeneous matrix given as an array of 16 row-major `Double`s.
    ///
    /// The same as the `Collection<Double>` initializer; this concrete overload makes
    /// `Pose(matrix: [1, 0, 0, 0, ...])` with literals unambiguous (it picks `Double`).
    @inlinable
    public init(matrix rowMajor: [Double]) {
        self.init(matrix: rowMajor[...])
    }

    /// The pose of a 4x4 homogeneous `Float` matrix stored row-major (numpy `(4, 4)` order).
    ///
    /// Entries are widened to `Double`; otherwise as ``init(matrix:)-(Collection<Double>)``.
    @inlinable
    public init(matrix rowMajor: some Collection<Float>) {
        self.init(matrix: rowMajor.lazy.map(Double.init))
    }

    /// The pose of 16 row-major entries.
    @inlinable
    internal init(_rowMajor m: SIMD16<Double>) {
        let rotationMatrix = Matrix3(
            rows: (
                SIMD3(m[0], m[1], m[2]),
                SIMD3(m[4], m[5], m[6]),
                SIMD3(m[8], m[9], m[10])
            ))
        self.init(
            position: SIMD3(m[3], m[7], m[11]), rotation: Quaternion(rotationMatrix: rotationMatrix))
    }

    /// Writes this pose as a 4x4 homogeneous matrix, 16 `Double`s row-major:
    /// `[R t; 0 0 0 1]`. `pointer` must have room for 16 values.
    @inlinable
    public func writeMatrix(into pointer: UnsafeMutablePointer<Double>) {
        let r = rotation.rotationMatrix
        let t = position
        pointer[0] = r.row0.x; pointer[1] = r.row0.y; pointer[2] = r.row0.z; pointer[3] = t.x
        pointer[4] = r.row1.x; pointer[5] = r.row1.y; pointer[6] = r.row1.z; pointer[7] = t.y
        pointer[8] = r.row2.x; pointer[9] = r.row2.y; pointer[10] = r.row2.z; pointer[11] = t.z
        pointer[12] = 0; pointer[13] = 0; pointer[14] = 0; pointer[15] = 1
    }

    /// Writes this pose as a 4x4 homogeneous matrix, 16 `Float`s row-major:
    /// `[R t; 0 0 0 1]`, each entry rounded from `Double`. `pointer` must have room for 16 values.
    @inlinable
    public func writeMatrix(into pointer: UnsafeMutablePointer<Float>) {
        let r = rotation.rotationMatrix
        let t = position
        pointer[0] = Float(r.row0.x); pointer[1] = Float(r.row0.y)
        pointer[2] = Float(r.row0.z); pointer[3] = Float(t.x)
        pointer[4] = Float(r.row1.x); pointer[5] = Float(r.row1.y)
        pointer[6] = Float(r.row1.z); pointer[7] = Float(t.y)
        pointer[8] = Float(r.row2.x); pointer[9] = Float(r.row2.y)
        pointer[10] = Float(r.row2.z); pointer[11] = Float(t.z)
        pointer[12] = 0; pointer[13] = 0; pointer[14] = 0; pointer[15] = 1
    }

    /// This pose as a 4x4 homogeneous matrix, 16 `Double`s row-major: `[R t; 0 0 0 1]`.
    ///
    /// Allocates an array; in loops use ``writeMatrix(into:)-(UnsafeMutablePointer<Double>)``.
    @inlinable
    public var matrix: [Double] {
        [Double](unsafeUninitializedCapacity: 16) { buffer, count in
            writeMatrix(into: buffer.baseAddress!)
            count = 16
        }
    }
}
