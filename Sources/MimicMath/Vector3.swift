// Vector3: the few operations on 3-vectors (SIMD3<Double>) that SIMD does not provide.

/// The cross product `a × b` (right-handed): `cross(x̂, ŷ) == ẑ`.
@inlinable @inline(__always)
public func cross(_ a: SIMD3<Double>, _ b: SIMD3<Double>) -> SIMD3<Double> {
    SIMD3(a.y * b.z - a.z * b.y, a.z * b.x - a.x * b.z, a.x * b.y - a.y * b.x)
}

/// The dot product `a · b`.
@inlinable @inline(__always)
public func dot(_ a: SIMD3<Double>, _ b: SIMD3<Double>) -> Double { (a * b).sum() }

/// The Euclidean length `|v|`. Not finite when a component is not.
@inlinable @inline(__always)
public func euclideanNorm(_ v: SIMD3<Double>) -> Double { (v * v).sum().squareRoot() }
