// Quaternion: unit quaternions as rotations. Storage order x, y, z, w.

import RealModule

/// A quaternion `w + xi + yj + zk`, used as a rotation when it has unit norm.
///
/// Storage order is **x, y, z, w** (robosuite / robomimic / MimicGen order). MuJoCo and
/// Isaac Lab use w, x, y, z: build those with ``init(wxyz:)`` and read them with ``wxyz``.
/// The order is never implicit: there is no unlabeled initializer from four scalars or a vector.
///
/// Rotation convention: `q.act(v)` is `q v q*`, the active rotation of the column vector `v`,
/// and ``rotationMatrix`` `R` satisfies `R * v == q.act(v)`. Products compose like matrices,
/// so `worldFromA * aFromB == worldFromB`, and `(a * b).act(v) == a.act(b.act(v))`.
/// Angles are radians.
///
/// `q` and `-q` are the same rotation. `==` and hashing compare the four components exactly,
/// so they treat `q` and `-q` as different values; use ``angle(to:)`` to compare rotations.
///
/// Operations that need a unit quaternion (``act(_:)``, ``slerp(_:_:t:)``, ``axisAngle``
/// for the axis length) say so; nothing traps. A zero or non-finite quaternion gives
/// non-finite results (`.nan`) where a rotation is required.
@frozen
public struct Quaternion: Sendable, Hashable {
    /// The components in x, y, z, w order.
    public var storage: SIMD4<Double>

    /// A quaternion from its components in x, y, z, w order (robosuite, MimicGen).
    @_transparent
    public init(xyzw: SIMD4<Double>) {
        storage = xyzw
    }

    /// A quaternion from its components in w, x, y, z order (MuJoCo, Isaac Lab).
    @_transparent
    public init(wxyz: SIMD4<Double>) {
        storage = SIMD4(wxyz[1], wxyz[2], wxyz[3], wxyz[0])
    }

    /// A quaternion `w + xi + yj + zk` from named components.
    @_transparent
    public init(x: Double, y: Double, z: Double, w: Double) {
        storage = SIMD4(x, y, z, w)
    }
}

// MARK: - Components
extension Quaternion {
    /// The components in x, y, z, w order (same as ``storage``).
    public var xyzw: SIMD4<Double> {
        @_transparent get { storage }
        @_transparent set { storage = newValue }
    }

    /// The components in w, x, y, z order.
    public var wxyz: SIMD4<Double> {
        @_transparent get { SIMD4(storage[3], storage[0], storage[1], storage[2]) }
        @_transparent set { storage = SIMD4(newValue[1], newValue[2], newValue[3], newValue[0]) }
    }

    /// The i component.
    public var x: Double { @_transparent get { storage[0] } }
    /// The j component.
    public var y: Double { @_transparent get { storage[1] } }
    /// The k component.
    public var z: Double { @_transparent get { storage[2] } }
    /// The real (scalar) component.
    public var w: Double { @_transparent get { storage[3] } }

    /// The vector part `(x, y, z)`.
    public var vector: SIMD3<Double> {
        @_transparent get { SIMD3(storage[0], storage[1], storage[2]) }
    }

    /// The identity rotation `(x, y, z, w) = (0, 0, 0, 1)`.
    ///
    /// A computed constant rather than a stored `static let`, so that uses in other modules
    /// fold to a constant instead of going through a lazy global initializer.
    @_transparent
    public static var identity: Quaternion {
        Quaternion(xyzw: SIMD4(0, 0, 0, 1))
    }

    /// True if all four components are finite.
    @inlinable
    public var isFinite: Bool {
        storage[0].isFinite && storage[1].isFinite && storage[2].isFinite && storage[3].isFinite
    }
}

// MARK: - Norm, conjugate, inverse
extension Quaternion {
    /// The Euclidean norm `sqrt(x² + y² + z² + w²)`; 1 for a rotation.
    @inlinable
    public var norm: Double {
        (storage * storage).sum().squareRoot()
    }

    /// This quaternion divided by its norm. A zero or non-finite quaternion gives `.nan` components.
    @inlinable
    public var normalized: Quaternion {
        Quaternion(xyzw: storage / norm)
    }

    /// The conjugate `(-x, -y, -z, w)`: the inverse rotation for a unit quaternion.
    @inlinable
    public var conjugate: Quaternion {
        Quaternion(xyzw: storage * SIMD4(-1, -1, -1, 1))
    }

    /// The multiplicative inverse, `conjugate / norm²`, so `q * q.inverse == .identity`
    /// for any nonzero `q`. Zero gives non-finite components.
    @inlinable
    public var inverse: Quaternion {
        Quaternion(xyzw: conjugate.storage / (storage * storage).sum())
    }

    /// The negation `-q`: every component negated. The same rotation as `q`.
    @_transparent
    public static prefix func - (q: Quaternion) -> Quaternion {
        Quaternion(xyzw: -q.storage)
    }

    /// The 4-vector dot product `a.x b.x + a.y b.y + a.z b.z + a.w b.w`.
    @_transparent
    public static func dot(_ a: Quaternion, _ b: Quaternion) -> Double {
        (a.storage * b.storage).sum()
    }
}

// MARK: - Composition and action on vectors
extension Quaternion {
    /// The Hamilton product `a b`: the rotation that applies `b` first, then `a`.
    ///
    /// `(a * b).act(v) == a.act(b.act(v))`, and `worldFromA * aFromB == worldFromB`.
    /// With `a = (u, s)` and `b = (v, t)` (vector, scalar):
    /// `a b = (s v + t u + u × v, s t - u · v)`.
    @inlinable
    public static func * (a: Quaternion, b: Quaternion) -> Quaternion {
        let ax = a.storage[0], ay = a.storage[1], az = a.storage[2], aw = a.storage[3]
        let bx = b.storage[0], by = b.storage[1], bz = b.storage[2], bw = b.storage[3]
        return Quaternion(
            x: aw * bx + bw * ax + (ay * bz - az * by),
            y: aw * by + bw * ay + (az * bx - ax * bz),
            z: aw * bz + bw * az + (ax * by - ay * bx),
            w: aw * bw - (ax * bx + ay * by + az * bz)
        )
    }

    /// Rotates the vector `v`: `q v q*`, which equals `rotationMatrix * v`.
    ///
    /// Requires a unit quaternion (it computes `v + w t + u × t` with `t = 2 u × v`, which
    /// is `q v q*` only when `|q| = 1`). Normalize first if `q` may have drifted.
    @inlinable
    public func act(_ v: SIMD3<Double>) -> SIMD3<Double> {
        let u = vector
        let t = 2 * cross(u, v)
        return v + w * t + cross(u, t)
    }
}

// MARK: - Axis-angle (rotation vector)
extension Quaternion {
    /// The rotation by `angle` radians about `axis` (right-handed). `axis` need not be unit
    /// length; a zero axis gives `.nan` components.
    @inlinable
    public init(axis: SIMD3<Double>, angle: Double) {
        let unitAxis = axis / (axis * axis).sum().squareRoot()
        let half = angle / 2
        let s = Double.sin(half)
        self.init(x: unitAxis.x * s, y: unitAxis.y * s, z: unitAxis.z * s, w: Double.cos(half))
    }

    /// The rotation given by a rotation vector: `axis * angle` in radians (the exponential map).
    ///
    /// The zero vector gives ``identity``. Near zero the sine is replaced by its Taylor series,
    /// so tiny rotation vectors (even ones whose squared length underflows) keep full relative
    /// precision. The result is a unit quaternion with `w >= 0` for angles up to π.
    @inlinable
    public init(axisAngle rotationVector: SIMD3<Double>) {
        let thetaSquared = (rotationVector * rotationVector).sum()
        let theta = thetaSquared.squareRoot()
        // q = (sin(θ/2)/θ · r, cos(θ/2)).
        let scale: Double
        let w: Double
        if theta < 1e-3 {
            // Taylor series in θ; the first omitted terms are below 1e-20 relative.
            // sin(θ/2)/θ = 1/2 - θ²/48 + θ⁴/3840, cos(θ/2) = 1 - θ²/8 + θ⁴/384.
            scale = 0.5 - thetaSquared / 48 + thetaSquared * thetaSquared / 3840
            w = 1 - thetaSquared / 8 + thetaSquared * thetaSquared / 384
        } else {
            scale = Double.sin(theta / 2) / theta
            w = Double.cos(theta / 2)
        }
        self.init(
            x: rotationVector.x * scale, y: rotationVector.y * scale, z: rotationVector.z * scale, w: w)
    }

    /// The rotation vector `axis * angle` (the logarithm map), with the angle in `[0, π]`.
    ///
    /// `q` and `-q` give the same vector (the sign is chosen so that `w >= 0`). The angle is
    /// `2 atan2(|(x, y, z)|, |w|)`, which is accurate near 0 and near π; the identity gives
    /// the zero vector. A rotation by exactly π has two valid vectors `±axis·π`; the one with
    /// the sign of the stored `(x, y, z)` is returned. Scale-invariant in `q` except that a zero
    /// quaternion gives `.nan`.
    @inlinable
    public var axisAngle: SIMD3<Double> {
        var v = vector
        var w = self.w
        if w < 0 {
            v = -v
            w = -w
        }
        let s = (v * v).sum().squareRoot()
        if s == 0 {
            // v is zero, or so small that its squared length underflowed: angle ≈ 2 s / w.
            return v * (2 / w)
        }
        let angle = 2 * Double.atan2(y: s, x: w)
        return v * (angle / s)
    }
}

// MARK: - Rotation matrices
extension Quaternion {
    /// The rotation matrix `R` with `R * v == act(v)` (acting on column vectors).
    ///
    /// Computed as `I + s w [u]× + s [u]×²` with `s = 2 / |q|²`, so it is a proper rotation
    /// for any nonzero `q`, not only unit ones (q and -q give the same matrix).
    @inlinable
    public var rotationMatrix: Matrix3 {
        let x = storage[0], y = storage[1], z = storage[2], w = storage[3]
        let s = 2 / (storage * storage).sum()
        let xx = s * x * x, yy = s * y * y, zz = s * z * z
        let xy = s * x * y, xz = s * x * z, yz = s * y * z
        let wx = s * w * x, wy = s * w * y, wz = s * w * z
        return Matrix3(
            rows: (
                SIMD3(1 - (yy + zz), xy - wz, xz + wy),
                SIMD3(xy + wz, 1 - (xx + zz), yz - wx),
                SIMD3(xz - wy, yz + wx, 1 - (xx + yy))
            ))
    }

    /// The unit quaternion, with `w >= 0`, of a rotation matrix acting on column vectors.
    ///
    /// Shepperd's method: of `4w² = 1 + tr`, `4x² = 1 + m00 - m11 - m22`, `4y²`, `4z²` (which
    /// sum to 4, so the largest is at least 1), take the square root of the largest and get
    /// the other three components from off-diagonal sums and differences divided by it. It
    /// never divides by a small number, so it is accurate for every angle including π.
    /// A matrix that is only approximately orthonormal gives a nearby rotation (the result
    /// is normalized). A non-finite matrix gives `.nan` components.
    @inlinable
    public init(rotationMatrix m: Matrix3) {
        let m00 = m.row0.x, m01 = m.row0.y, m02 = m.row0.z
        let m10 = m.row1.x, m11 = m.row1.y, m12 = m.row1.z
        let m20 = m.row2.x, m21 = m.row2.y, m22 = m.row2.z
        let fourWW = 1 + m00 + m11 + m22
        let fourXX = 1 + m00 - m11 - m22
        let fourYY = 1 - m00 + m11 - m22
        let fourZZ = 1 - m00 - m11 + m22
        var q: SIMD4<Double>  // x, y, z, w
        if fourWW >= fourXX && fourWW >= fourYY && fourWW >= fourZZ {
            let r = fourWW.squareRoot(), f = 0.5 / r
            q = SIMD4((m21 - m12) * f, (m02 - m20) * f, (m10 - m01) * f, 0.5 * r)
        } else if fourXX >= fourYY && fourXX >= fourZZ {
            let r = fourXX.squareRoot(), f = 0.5 / r
            q = SIMD4(0.5 * r, (m01 + m10) * f, (m02 + m20) * f, (m21 - m12) * f)
        } else if fourYY >= fourZZ {
            let r = fourYY.squareRoot(), f = 0.5 / r
            q = SIMD4((m01 + m10) * f, 0.5 * r, (m12 + m21) * f, (m02 - m20) * f)
        } else {
            let r = fourZZ.squareRoot(), f = 0.5 / r
            q = SIMD4((m02 + m20) * f, (m12 + m21) * f, 0.5 * r, (m10 - m01) * f)
        }
        if q[3] < 0 { q = -q }
        self.init(xyzw: q / (q * q).sum().squareRoot())
    }
}

// MARK: - Distance and interpolation
extension Quaternion {
    /// The geodesic angle in radians, in `[0, π]`, of the rotation taking `self` to `other`.
    ///
    /// It is the angle of `self.conjugate * other`, computed as `2 atan2(|v|, |w|)` so it is
    /// accurate near 0 and π, and the same for `±self` and `±other`. Expects unit quaternions
    /// (it is invariant to their common scale).
    @inlinable
    public func angle(to other: Quaternion) -> Double {
        let relative = conjugate * other
        let v = relative.vector
        return 2 * Double.atan2(y: (v * v).sum().squareRoot(), x: Swift.abs(relative.w))
    }

    /// Spherical linear interpolation along the shortest arc: `t = 0` gives `a`, `t = 1`
    /// gives `b` or `-b` (the same rotation), `t = 0.5` the rotation halfway between.
    ///
    /// If `a · b < 0` the interpolation runs towards `-b` (the caller's `b` is never
    /// modified). With `φ` the angle between the 4-vectors, computed as
    /// `2 atan2(|a - b|, |a + b|)` (accurate for small `φ`), the result is
    /// `(sin((1 - t) φ) a + sin(t φ) b) / sin φ`. The weights tend to `1 - t` and `t` as
    /// `φ → 0`, so the formula stays accurate for nearly parallel inputs; only when `φ < 1e-8`
    /// (rotations less than 2e-8 rad apart, including `a == b`, where `sin φ` may be 0) is it
    /// replaced by the normalized linear interpolation, which differs from the slerp by less
    /// than `φ³` (1e-24). `t` outside `[0, 1]` extrapolates along the same arc.
    /// Expects unit quaternions.
    @inlinable
    public static func slerp(_ a: Quaternion, _ b: Quaternion, t: Double) -> Quaternion {
        let qa = a.storage
        var qb = b.storage
        if (qa * qb).sum() < 0 { qb = -qb }
        let difference = qa - qb
        let sum = qa + qb
        let phi =
            2
            * Double.atan2(
                y: (difference * difference).sum().squareRoot(), x: (sum * sum).sum().squareRoot())
        if phi < 1e-8 {
            let q = qa + t * (qb - qa)
            return Quaternion(xyzw: q / (q * q).sum().squareRoot())
        }
        let sinPhi = Double.sin(phi)
        let weightA = Double.sin((1 - t) * phi) / sinPhi
        let weightB = Double.sin(t * phi) / sinPhi
        return Quaternion(xyzw: weightA * qa + weightB * qb)
    }
}
