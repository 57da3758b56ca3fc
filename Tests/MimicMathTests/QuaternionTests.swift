import MimicMath
import RealModule
import Testing

/// Reference rotation matrix from axis and angle (Rodrigues): R = I + sin θ K + (1 - cos θ) K².
private func rodrigues(axis u: SIMD3<Double>, angle theta: Double) -> Matrix3 {
    let k = Matrix3(rows: (SIMD3(0, -u.z, u.y), SIMD3(u.z, 0, -u.x), SIMD3(-u.y, u.x, 0)))
    let k2 = k * k
    let s = Double.sin(theta), c = 1 - Double.cos(theta)
    return Matrix3(
        rows: (
            Matrix3.identity.row0 + s * k.row0 + c * k2.row0,
            Matrix3.identity.row1 + s * k.row1 + c * k2.row1,
            Matrix3.identity.row2 + s * k.row2 + c * k2.row2
        ))
}

@Suite struct QuaternionTests {
    // MARK: Component order

    @Test func componentOrder() {
        let q = Quaternion(x: 1, y: 2, z: 3, w: 4)
        #expect(q.storage == SIMD4(1, 2, 3, 4))
        #expect(q.xyzw == SIMD4(1, 2, 3, 4))
        #expect(q.wxyz == SIMD4(4, 1, 2, 3))
        #expect(Quaternion(xyzw: SIMD4(1, 2, 3, 4)) == q)
        #expect(Quaternion(wxyz: SIMD4(4, 1, 2, 3)) == q)
        #expect((q.x, q.y, q.z, q.w) == (1, 2, 3, 4))
        var p = Quaternion.identity
        p.wxyz = SIMD4(4, 1, 2, 3)
        #expect(p == q)
        #expect(Quaternion.identity.xyzw == SIMD4(0, 0, 0, 1))
    }

    @Test func conjugateInverseNorm() {
        let q = Quaternion(x: 1, y: 2, z: 3, w: 4)
        #expect(q.conjugate == Quaternion(x: -1, y: -2, z: -3, w: 4))
        #expect(q.norm == 30.0.squareRoot())
        #expect(abs(q.normalized.norm - 1) < 1e-15)
        // The inverse of a non-unit quaternion is conjugate / norm².
        #expect(maxAbsDifference((q * q.inverse).storage, Quaternion.identity.storage) < 1e-15)
        #expect(maxAbsDifference((q.inverse * q).storage, Quaternion.identity.storage) < 1e-15)
        #expect(!Quaternion(x: 0, y: 0, z: 0, w: 0).normalized.isFinite)
    }

    // MARK: Products

    @Test func basisProducts() {
        let i = Quaternion(x: 1, y: 0, z: 0, w: 0)
        let j = Quaternion(x: 0, y: 1, z: 0, w: 0)
        let k = Quaternion(x: 0, y: 0, z: 1, w: 0)
        let minusOne = Quaternion(x: 0, y: 0, z: 0, w: -1)
        // Hamilton: i j = k, j k = i, k i = j, i² = j² = k² = ijk = -1.
        #expect(i * j == k)
        #expect(j * k == i)
        #expect(k * i == j)
        #expect(j * i == -k)
        #expect(i * i == minusOne)
        #expect(i * j * k == minusOne)
    }

    @Test func productsPreserveUnitNorm() {
        var rng = SplitMix64(seed: 1)
        var worst = Worst()
        var chain = Quaternion.identity
        for n in 0..<propertyCaseCount {
            let a = rng.unitQuaternion(), b = rng.unitQuaternion()
            worst.record(abs((a * b).norm - 1), "\(a) * \(b)")
            chain = chain * a
            worst.record(abs(chain.norm - 1) / Double(n + 1).squareRoot() / 4, "chain of \(n + 1)")
        }
        #expect(worst.value < 1e-15, "\(worst)")
    }

    @Test func productComposesActions() {
        var rng = SplitMix64(seed: 2)
        var worst = Worst()
        for _ in 0..<propertyCaseCount {
            let a = rng.unitQuaternion(), b = rng.unitQuaternion(), v = rng.vector()
            worst.record(maxAbsDifference((a * b).act(v), a.act(b.act(v))), "\(a) \(b) \(v)")
        }
        #expect(worst.value < 1e-14, "\(worst)")
    }

    @Test func inverseOfProduct() {
        var rng = SplitMix64(seed: 3)
        var worst = Worst()
        for _ in 0..<propertyCaseCount {
            let a = rng.unitQuaternion(), b = rng.unitQuaternion()
            worst.record(
                maxAbsDifference((a * b).inverse.storage, (b.inverse * a.inverse).storage),
                "\(a) \(b)")
            worst.record(maxAbsDifference((a * a.inverse).storage, Quaternion.identity.storage), "\(a)")
            worst.record(maxAbsDifference(a.inverse.storage, a.conjugate.storage), "\(a)")
        }
        #expect(worst.value < 1e-15, "\(worst)")
    }

    // MARK: Action and rotation matrices

    @Test func knownRotation() {
        // 90° about +z takes +x to +y (right-handed, active): q = (0, 0, sin 45°, cos 45°).
        let h = 0.5.squareRoot()
        let q = Quaternion(x: 0, y: 0, z: h, w: h)
        #expect(maxAbsDifference(q.act(SIMD3(1, 0, 0)), SIMD3(0, 1, 0)) < 1e-15)
        let expected = Matrix3(rows: (SIMD3(0, -1, 0), SIMD3(1, 0, 0), SIMD3(0, 0, 1)))
        #expect(maxAbsDifference(q.rotationMatrix, expected) < 1e-15)
        #expect(rotationDifference(Quaternion(rotationMatrix: expected), q) < 1e-15)
        #expect(maxAbsDifference(q.axisAngle, SIMD3(0, 0, Double.pi / 2)) < 1e-15)
        #expect(rotationDifference(Quaternion(axis: SIMD3(0, 0, 2), angle: .pi / 2), q) < 1e-15)
    }

    @Test func actMatchesRotationMatrixAndRodrigues() {
        var rng = SplitMix64(seed: 4)
        var worst = Worst()
        for _ in 0..<propertyCaseCount {
            let axis = rng.unitVector()
            let angle = Double.random(in: 0 ... .pi, using: &rng)
            let q = Quaternion(axisAngle: axis * angle)
            let v = rng.vector()
            let reference = rodrigues(axis: axis, angle: angle)
            worst.record(maxAbsDifference(q.rotationMatrix, reference), "axis \(axis) angle \(angle)")
            worst.record(maxAbsDifference(q.act(v), reference * v) / 3, "axis \(axis) angle \(angle)")
            // -q is the same rotation, and a scaled q gives the same matrix.
            worst.record(maxAbsDifference((-q).rotationMatrix, q.rotationMatrix), "\(q)")
            worst.record(
                maxAbsDifference(Quaternion(xyzw: 3 * q.xyzw).rotationMatrix, q.rotationMatrix),
                "\(q)")
        }
        #expect(worst.value < 1e-14, "\(worst)")
    }

    @Test func rotationMatrixIsOrthonormal() {
        var rng = SplitMix64(seed: 5)
        var worst = Worst()
        for _ in 0..<propertyCaseCount {
            let m = rng.unitQuaternion().rotationMatrix
            worst.record(maxAbsDifference(m * m.transpose, .identity), "\(m)")
            worst.record(abs(m.determinant - 1), "\(m)")
        }
        #expect(worst.value < 1e-14, "\(worst)")
    }

    @Test func matrixRoundTrip() {
        var rng = SplitMix64(seed: 6)
        var worst = Worst()
        var nonCanonical = 0
        for _ in 0..<propertyCaseCount {
            let q = rng.unitQuaternion()
            let fromMatrix = Quaternion(rotationMatrix: q.rotationMatrix)
            if fromMatrix.w < 0 { nonCanonical += 1 }
            worst.record(rotationDifference(fromMatrix, q), "\(q)")
            // -q has the same matrix, so it gives the same quaternion.
            worst.record(
                maxAbsDifference(
                    Quaternion(rotationMatrix: (-q).rotationMatrix).storage,
                    fromMatrix.storage), "\(q)")
        }
        #expect(worst.value < 1e-15, "\(worst)")
        #expect(nonCanonical == 0)
    }

    @Test(arguments: [
        0.0, 1e-12, 1e-6, 1e-3, 1, 3, Double.pi - 1e-3, Double.pi - 1e-6,
        Double.pi - 1e-9, Double.pi - 1e-12, Double.pi,
    ])
    func matrixRoundTripAtAngle(angle: Double) {
        // Every Shepperd branch: rotations about each axis and diagonals, at the given angle.
        var rng = SplitMix64(seed: 7)
        var axes: [SIMD3<Double>] = [SIMD3(1, 0, 0), SIMD3(0, 1, 0), SIMD3(0, 0, 1), SIMD3(0, 0, -1)]
        for _ in 0..<50 { axes.append(rng.unitVector()) }
        var worst = Worst()
        for axis in axes {
            let q = Quaternion(axisAngle: axis * angle)
            let m = q.rotationMatrix
            let back = Quaternion(rotationMatrix: m)
            worst.record(rotationDifference(back, q), "axis \(axis)")
            worst.record(maxAbsDifference(back.rotationMatrix, m), "axis \(axis)")
            worst.record(abs(back.norm - 1), "axis \(axis)")
            #expect(back.w >= 0)
        }
        #expect(worst.value < 1e-15, "\(worst)")
    }

    @Test func matrixToQuaternionBranches() {
        // Half-turns about x, y, z pick the x, y and z branches; identity the w branch.
        let halfTurns: [(Matrix3, Quaternion)] = [
            (
                Matrix3(rows: (SIMD3(1, 0, 0), SIMD3(0, -1, 0), SIMD3(0, 0, -1))),
                Quaternion(x: 1, y: 0, z: 0, w: 0)
            ),
            (
                Matrix3(rows: (SIMD3(-1, 0, 0), SIMD3(0, 1, 0), SIMD3(0, 0, -1))),
                Quaternion(x: 0, y: 1, z: 0, w: 0)
            ),
            (
                Matrix3(rows: (SIMD3(-1, 0, 0), SIMD3(0, -1, 0), SIMD3(0, 0, 1))),
                Quaternion(x: 0, y: 0, z: 1, w: 0)
            ),
            (Matrix3.identity, Quaternion.identity),
        ]
        for (m, q) in halfTurns {
            #expect(Quaternion(rotationMatrix: m) == q)
        }
        // Not quite orthonormal input still gives a unit quaternion close to the rotation.
        let q = Quaternion(axisAngle: SIMD3(0.3, -0.2, 0.9))
        var m = q.rotationMatrix
        m[0, 1] += 1e-7
        let fromNoisy = Quaternion(rotationMatrix: m)
        #expect(abs(fromNoisy.norm - 1) < 1e-15)
        #expect(q.angle(to: fromNoisy) < 1e-6)
        // Non-finite input gives a non-finite quaternion, without trapping.
        m[2, 2] = .nan
        #expect(!Quaternion(rotationMatrix: m).isFinite)
    }

    // MARK: Axis-angle

    @Test func zeroRotationVectorIsIdentity() {
        #expect(Quaternion(axisAngle: .zero) == .identity)
        #expect(Quaternion.identity.axisAngle == .zero)
        #expect(Quaternion(x: 0, y: 0, z: 0, w: -1).axisAngle == .zero)
    }

    @Test func axisAngleRoundTrip() {
        var rng = SplitMix64(seed: 8)
        var worst = Worst()
        for _ in 0..<propertyCaseCount {
            let axis = rng.unitVector()
            let angle = Double.random(in: 0 ..< .pi, using: &rng)
            let q = Quaternion(axisAngle: axis * angle)
            worst.record(abs(q.norm - 1), "angle \(angle)")
            worst.record(maxAbsDifference(q.axisAngle, axis * angle), "axis \(axis) angle \(angle)")
            // q and -q are the same rotation and give the same rotation vector.
            worst.record(maxAbsDifference((-q).axisAngle, q.axisAngle), "\(q)")
            // The other direction: from a random quaternion and back.
            let r = rng.unitQuaternion()
            worst.record(rotationDifference(Quaternion(axisAngle: r.axisAngle), r), "\(r)")
            let length = (r.axisAngle * r.axisAngle).sum().squareRoot()
            if !(length <= .pi) { worst.record(.infinity, "angle \(length) of \(r) above π") }
        }
        #expect(worst.value < 1e-14, "\(worst)")
    }

    @Test(arguments: [
        1e-300, 1e-200, 1e-160, 1e-20, 1e-12, 1e-9, 1e-6, 1e-4, 9.99e-4, 1e-3,
        1.001e-3, 1e-2,
    ])
    func axisAngleNearZero(angle: Double) {
        var rng = SplitMix64(seed: 9)
        for _ in 0..<100 {
            let rotationVector = rng.unitVector() * angle
            let q = Quaternion(axisAngle: rotationVector)
            #expect(abs(q.norm - 1) < 1e-15)
            let back = q.axisAngle
            // Full relative precision on the tiny rotation vector (even when its square underflows).
            #expect(maxAbsDifference(back, rotationVector) <= 4e-16 * angle, "\(back) vs \(rotationVector)")
            let sinHalf = Double.sin(angle / 2)
            let vectorLength = (q.vector * q.vector).sum().squareRoot()
            if angle > 1e-150 {
                #expect(abs(vectorLength - sinHalf) <= 1e-15 * sinHalf)
            }
        }
    }

    @Test(arguments: [1e-3, 1e-6, 1e-9, 1e-12, 1e-15, 0.0])
    func axisAngleNearPi(gap: Double) {
        let angle = Double.pi - gap
        var rng = SplitMix64(seed: 10)
        for _ in 0..<100 {
            let axis = rng.unitVector()
            let q = Quaternion(axisAngle: axis * angle)
            let back = q.axisAngle
            let length = (back * back).sum().squareRoot()
            // The angle is at most π; the vector's length may round up by an ulp or two.
            #expect(length <= .pi + 1e-15)
            if gap > 0 {
                #expect(maxAbsDifference(back, axis * angle) < 2e-15, "\(back) vs \(axis * angle)")
                // Near π the sign flip of q must not flip the rotation vector.
                #expect(maxAbsDifference((-q).axisAngle, back) < 2e-15)
            } else {
                // Exactly π: axis·π and -axis·π are both right, for q and for -q.
                for vector in [back, (-q).axisAngle] {
                    let error = min(
                        maxAbsDifference(vector, axis * angle),
                        maxAbsDifference(vector, -axis * angle))
                    #expect(error < 2e-15, "\(vector) vs ±\(axis * angle)")
                }
            }
            // Via the matrix, where the Shepperd branch is x, y or z.
            let viaMatrix = Quaternion(rotationMatrix: q.rotationMatrix).axisAngle
            if gap > 0 {
                #expect(maxAbsDifference(viaMatrix, axis * angle) < 1e-14, "\(viaMatrix) vs \(axis * angle)")
            } else {
                // Exactly π: axis·π and -axis·π are both right.
                let error = min(
                    maxAbsDifference(viaMatrix, axis * angle),
                    maxAbsDifference(viaMatrix, -axis * angle))
                #expect(error < 1e-14)
            }
        }
    }

    // MARK: Angle between rotations

    @Test func angleBetweenRotations() {
        var rng = SplitMix64(seed: 11)
        var worst = Worst()
        for _ in 0..<propertyCaseCount {
            let a = rng.unitQuaternion()
            let axis = rng.unitVector()
            let angle = Double.random(in: 0 ... .pi, using: &rng)
            let b = a * Quaternion(axisAngle: axis * angle)
            worst.record(abs(a.angle(to: b) - angle), "\(a) angle \(angle)")
            worst.record(abs(a.angle(to: -b) - angle), "\(a) angle \(angle), -b")
            worst.record(abs((-a).angle(to: b) - angle), "\(a) angle \(angle), -a")
            worst.record(abs(b.angle(to: a) - angle), "\(a) angle \(angle), reversed")
        }
        #expect(worst.value < 1e-14, "\(worst)")
        #expect(Quaternion.identity.angle(to: .identity) == 0)
    }

    @Test(arguments: [1e-15, 1e-12, 1e-9, 1e-6])
    func smallAnglesAreAccurate(angle: Double) {
        let a = Quaternion(axisAngle: SIMD3(0.2, 0.5, -1))
        let b = a * Quaternion(axisAngle: SIMD3(angle, 0, 0))
        #expect(abs(a.angle(to: b) - angle) < 1e-15 + 1e-9 * angle)
        #expect(abs(a.angle(to: -b) - angle) < 1e-15 + 1e-9 * angle)
    }

    // MARK: Slerp

    @Test func slerpEndpoints() {
        var rng = SplitMix64(seed: 12)
        var worst = Worst()
        for _ in 0..<propertyCaseCount {
            let a = rng.unitQuaternion(), b = rng.unitQuaternion()
            let start = Quaternion.slerp(a, b, t: 0)
            let end = Quaternion.slerp(a, b, t: 1)
            worst.record(maxAbsDifference(start.storage, a.storage), "t=0 \(a) \(b)")
            worst.record(rotationDifference(end, b), "t=1 \(a) \(b)")
            // The end is ±b, the one on the short side of a.
            if Quaternion.dot(a, b) < 0 {
                worst.record(maxAbsDifference(end.storage, -b.storage), "t=1 flipped \(a) \(b)")
            } else {
                worst.record(maxAbsDifference(end.storage, b.storage), "t=1 \(a) \(b)")
            }
        }
        #expect(worst.value < 1e-15, "\(worst)")
    }

    @Test func slerpHasConstantSpeedOnTheShortArc() {
        var rng = SplitMix64(seed: 13)
        var worst = Worst()
        for _ in 0..<propertyCaseCount {
            let a = rng.unitQuaternion(), b = rng.unitQuaternion()
            let total = a.angle(to: b)
            let t = Double.random(in: 0...1, using: &rng)
            let q = Quaternion.slerp(a, b, t: t)
            worst.record(abs(q.norm - 1), "norm \(a) \(b) t=\(t)")
            worst.record(abs(a.angle(to: q) - t * total), "\(a) \(b) t=\(t)")
            worst.record(abs(q.angle(to: b) - (1 - t) * total), "\(a) \(b) t=\(t)")
            let middle = Quaternion.slerp(a, b, t: 0.5)
            worst.record(abs(a.angle(to: middle) - total / 2), "midpoint \(a) \(b)")
            // Swapping the arguments walks the same arc backwards.
            worst.record(rotationDifference(Quaternion.slerp(b, a, t: 1 - t), q), "swap \(a) \(b)")
        }
        #expect(worst.value < 1e-13, "\(worst)")
    }

    @Test func slerpTakesTheShortWayForAntipodalRepresentatives() {
        // b is a 0.2 rad rotation from a, stored with the opposite sign (dot < 0).
        let a = Quaternion(axisAngle: SIMD3(0.1, -0.4, 0.3))
        let step = Quaternion(axisAngle: SIMD3(0, 0.2, 0))
        let b = -(a * step)
        #expect(Quaternion.dot(a, b) < 0)
        let bBefore = b
        let middle = Quaternion.slerp(a, b, t: 0.5)
        #expect(b == bBefore)
        #expect(abs(a.angle(to: middle) - 0.1) < 1e-15)
        #expect(rotationDifference(middle, a * Quaternion(axisAngle: SIMD3(0, 0.1, 0))) < 1e-15)
        // Same rotation as slerping towards +b.
        #expect(rotationDifference(middle, Quaternion.slerp(a, -b, t: 0.5)) < 1e-16)
        // And from -a.
        #expect(rotationDifference(Quaternion.slerp(-a, b, t: 0.5), middle) < 1e-16)
    }

    @Test(arguments: [0.0, 1e-14, 1e-10, 1.9e-8, 2.1e-8, 1e-7, 1e-5, 1.9e-4, 2.1e-4, 1e-3])
    func slerpNearlyParallel(angle: Double) {
        let a = Quaternion(axisAngle: SIMD3(-0.7, 0.2, 1.1))
        let b = a * Quaternion(axisAngle: SIMD3(0, 0, angle))
        for t in [0.0, 0.25, 0.5, 0.9, 1.0] {
            for target in [b, -b] {
                let q = Quaternion.slerp(a, target, t: t)
                #expect(q.isFinite)
                #expect(abs(q.norm - 1) < 1e-15)
                #expect(abs(a.angle(to: q) - t * angle) < 1e-15, "t=\(t)")
                let expected = a * Quaternion(axisAngle: SIMD3(0, 0, t * angle))
                #expect(rotationDifference(q, expected) < 1e-15, "t=\(t)")
            }
        }
        #expect(Quaternion.slerp(a, a, t: 0.3) == a.normalized)
    }
}
