// Test helpers: a deterministic generator, random rotations and poses, error measures.

import MimicMath

/// SplitMix64 (Steele, Lea, Flood 2014): a tiny deterministic generator so every property
/// test sees the same inputs on every run and machine.
struct SplitMix64: RandomNumberGenerator {
    var state: UInt64

    init(seed: UInt64) { state = seed }

    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}

/// How many random cases each property test checks.
let propertyCaseCount = 2000

extension SplitMix64 {
    /// A vector with components uniform in `-bound ... bound`.
    mutating func vector(bound: Double = 3) -> SIMD3<Double> {
        SIMD3(
            .random(in: -bound...bound, using: &self),
            .random(in: -bound...bound, using: &self),
            .random(in: -bound...bound, using: &self))
    }

    /// A unit quaternion uniform on the 3-sphere (rejection sampling in the 4-cube), with
    /// either sign of `w`.
    mutating func unitQuaternion() -> Quaternion {
        while true {
            let v = SIMD4<Double>(
                .random(in: -1...1, using: &self), .random(in: -1...1, using: &self),
                .random(in: -1...1, using: &self), .random(in: -1...1, using: &self))
            let n2 = (v * v).sum()
            if n2 > 0.01 && n2 <= 1 { return Quaternion(xyzw: v / n2.squareRoot()) }
        }
    }

    /// A unit vector, uniform on the sphere.
    mutating func unitVector() -> SIMD3<Double> {
        while true {
            let v = vector(bound: 1)
            let n2 = (v * v).sum()
            if n2 > 0.01 && n2 <= 1 { return v / n2.squareRoot() }
        }
    }

    /// A pose with position components in `-bound ... bound` metres and a uniform rotation.
    mutating func pose(bound: Double = 3) -> Pose {
        Pose(position: vector(bound: bound), rotation: unitQuaternion())
    }
}

/// Largest absolute component difference.
func maxAbsDifference(_ a: SIMD3<Double>, _ b: SIMD3<Double>) -> Double {
    let d = a - b
    return max(abs(d.x), abs(d.y), abs(d.z))
}

/// Largest absolute component difference.
func maxAbsDifference(_ a: SIMD4<Double>, _ b: SIMD4<Double>) -> Double {
    let d = a - b
    return max(abs(d[0]), abs(d[1]), abs(d[2]), abs(d[3]))
}

/// Largest absolute entry difference.
func maxAbsDifference(_ a: Matrix3, _ b: Matrix3) -> Double {
    max(
        maxAbsDifference(a.row0, b.row0), maxAbsDifference(a.row1, b.row1),
        maxAbsDifference(a.row2, b.row2))
}

/// Distance between two quaternions as rotations, independent of `angle(to:)`: the largest
/// component difference after choosing the sign of `b` closest to `a`.
func rotationDifference(_ a: Quaternion, _ b: Quaternion) -> Double {
    min(maxAbsDifference(a.storage, b.storage), maxAbsDifference(a.storage, -b.storage))
}

/// Largest difference between two poses: metres for the position, quaternion components
/// (up to sign) for the rotation.
func poseDifference(_ a: Pose, _ b: Pose) -> Double {
    max(maxAbsDifference(a.position, b.position), rotationDifference(a.rotation, b.rotation))
}

/// The 4x4 row-major product `a b` of two homogeneous matrices (reference, plain loops).
func multiply4x4(_ a: [Double], _ b: [Double]) -> [Double] {
    var c = [Double](repeating: 0, count: 16)
    for r in 0..<4 {
        for col in 0..<4 {
            var sum = 0.0
            for k in 0..<4 { sum += a[4 * r + k] * b[4 * k + col] }
            c[4 * r + col] = sum
        }
    }
    return c
}

/// The worst value of a measure over many cases, with a description of the worst case.
struct Worst: CustomStringConvertible {
    var value = 0.0
    var input = "none"

    mutating func record(_ value: Double, _ input: @autoclosure () -> String) {
        // NaN counts as worst of all, so a NaN result can never pass a `< tolerance` check.
        if self.value.isNaN { return }
        if value.isNaN || value > self.value {
            self.value = value
            self.input = input()
        }
    }

    var description: String { "worst \(value) at \(input)" }
}
