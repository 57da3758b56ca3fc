import MimicMath
import Testing

@Suite struct PoseTests {
    /// 90° about +z, then translation (1, 2, 3), as a numpy-order (row-major) 4x4 matrix.
    let quarterTurnMatrix: [Double] = [
        0, -1, 0, 1,
        1, 0, 0, 2,
        0, 0, 1, 3,
        0, 0, 0, 1,
    ]

    @Test func matrixLayoutIsRowMajor() {
        let worldFromHand = Pose(matrix: quarterTurnMatrix)
        #expect(worldFromHand.position == SIMD3(1, 2, 3))
        let h = 0.5.squareRoot()
        #expect(rotationDifference(worldFromHand.rotation, Quaternion(x: 0, y: 0, z: h, w: h)) < 1e-15)
        // The hand's +x axis points along world +y; its origin is at (1, 2, 3).
        #expect(maxAbsDifference(worldFromHand.apply(SIMD3(1, 0, 0)), SIMD3(1, 3, 3)) < 1e-15)
        let written = worldFromHand.matrix
        #expect(written.count == 16)
        for i in 0..<16 {
            #expect(abs(written[i] - quarterTurnMatrix[i]) < 1e-15, "entry \(i)")
        }
        #expect(Array(written[12..<16]) == [0, 0, 0, 1])
    }

    @Test func floatMatrix() {
        let floats = quarterTurnMatrix.map { Float($0) }
        let pose = Pose(matrix: floats)
        #expect(poseDifference(pose, Pose(matrix: quarterTurnMatrix)) == 0)
        var out = [Float](repeating: .nan, count: 16)
        out.withUnsafeMutableBufferPointer { pose.writeMatrix(into: $0.baseAddress!) }
        for i in 0..<16 {
            #expect(abs(out[i] - floats[i]) < 1e-7, "entry \(i)")
        }
        // Unsafe buffers are collections too (the slice-of-a-segment case).
        let fromBuffer = quarterTurnMatrix.withUnsafeBufferPointer { Pose(matrix: $0) }
        #expect(fromBuffer == Pose(matrix: quarterTurnMatrix))
    }

    @Test func matrixRoundTrip() {
        var rng = SplitMix64(seed: 21)
        var worst = Worst()
        var buffer = [Double](repeating: .nan, count: 16)
        for _ in 0..<propertyCaseCount {
            let p = rng.pose()
            worst.record(poseDifference(Pose(matrix: p.matrix), p), "\(p)")
            buffer.withUnsafeMutableBufferPointer { p.writeMatrix(into: $0.baseAddress!) }
            #expect(buffer == p.matrix)
            // The rotation comes back canonical (w >= 0) whatever sign went in.
            let back = Pose(matrix: Pose(position: p.position, rotation: -p.rotation).matrix)
            if back.rotation.w < 0 { worst.record(.infinity, "w < 0 for \(p)") }
        }
        #expect(worst.value < 1e-15, "\(worst)")
    }

    @Test func identity() {
        #expect(Pose.identity.position == .zero)
        #expect(Pose.identity.rotation == .identity)
        #expect(Pose.identity.matrix == [1, 0, 0, 0, 0, 1, 0, 0, 0, 0, 1, 0, 0, 0, 0, 1])
        let p = Pose(matrix: quarterTurnMatrix)
        #expect(Pose.identity * p == p)
        #expect(p * Pose.identity == p)
    }

    @Test func inverse() {
        var rng = SplitMix64(seed: 22)
        var worst = Worst()
        for _ in 0..<propertyCaseCount {
            let p = rng.pose()
            worst.record(poseDifference(p * p.inverse, .identity), "p p⁻¹ \(p)")
            worst.record(poseDifference(p.inverse * p, .identity), "p⁻¹ p \(p)")
            worst.record(poseDifference(p.inverse.inverse, p), "p⁻¹⁻¹ \(p)")
            let x = rng.vector()
            worst.record(maxAbsDifference(p.inverse.apply(p.apply(x)), x), "apply \(p)")
        }
        #expect(worst.value < 1e-14, "\(worst)")
    }

    @Test func compositionMatchesMatricesAndApply() {
        var rng = SplitMix64(seed: 23)
        var worst = Worst()
        for _ in 0..<propertyCaseCount {
            let worldFromA = rng.pose(), aFromB = rng.pose(), bFromC = rng.pose()
            let worldFromB = worldFromA * aFromB
            let x = rng.vector()
            worst.record(maxAbsDifference(worldFromB.apply(x), worldFromA.apply(aFromB.apply(x))), "apply")
            let product = multiply4x4(worldFromA.matrix, aFromB.matrix)
            let composed = worldFromB.matrix
            for i in 0..<16 { worst.record(abs(product[i] - composed[i]), "4x4 entry \(i)") }
            worst.record(
                poseDifference((worldFromA * aFromB) * bFromC, worldFromA * (aFromB * bFromC)),
                "associativity")
            worst.record(
                poseDifference(worldFromB.inverse, aFromB.inverse * worldFromA.inverse),
                "inverse of product")
            worst.record(
                maxAbsDifference(worldFromA.applyToDirection(x), worldFromA.rotation.act(x)),
                "direction")
        }
        #expect(worst.value < 1e-14, "\(worst)")
    }

    @Test func interpolate() {
        var rng = SplitMix64(seed: 24)
        var worst = Worst()
        for _ in 0..<propertyCaseCount {
            let a = rng.pose(), b = rng.pose()
            worst.record(poseDifference(Pose.interpolate(a, b, t: 0), a), "t=0")
            worst.record(poseDifference(Pose.interpolate(a, b, t: 1), b), "t=1")
            let middle = Pose.interpolate(a, b, t: 0.5)
            worst.record(maxAbsDifference(middle.position, (a.position + b.position) / 2), "midpoint")
            worst.record(
                rotationDifference(middle.rotation, Quaternion.slerp(a.rotation, b.rotation, t: 0.5)),
                "midpoint rotation")
            worst.record(
                abs(a.rotation.angle(to: middle.rotation) - a.rotation.angle(to: b.rotation) / 2),
                "midpoint angle")
        }
        #expect(worst.value < 1e-14, "\(worst)")
    }

    @Test func isFinite() {
        #expect(Pose.identity.isFinite)
        #expect(!Pose(position: SIMD3(0, .nan, 0), rotation: .identity).isFinite)
        #expect(!Pose(position: .zero, rotation: Quaternion(x: .infinity, y: 0, z: 0, w: 1)).isFinite)
        // Bad values in a matrix give a non-finite pose, not a trap.
        var bad = quarterTurnMatrix
        bad[5] = .nan
        #expect(!Pose(matrix: bad).isFinite)
        bad = quarterTurnMatrix
        bad[7] = .infinity
        #expect(!Pose(matrix: bad).isFinite)
    }
}
