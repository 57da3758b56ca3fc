import MimicMath
import Testing

/// `count` random poses (positions within ±3 m) as consecutive row-major 4x4 matrices.
private func randomSegment(count: Int, rng: inout SplitMix64) -> [Double] {
    var segment: [Double] = []
    segment.reserveCapacity(16 * count)
    for _ in 0..<count { segment += rng.pose().matrix }
    return segment
}

/// Pose `i` of a buffer of 4x4 row-major matrices.
private func pose(_ i: Int, of buffer: [Double]) -> Pose {
    Pose(matrix: buffer[16 * i..<16 * i + 16])
}

/// Runs the Double kernel out of place.
private func transformed(_ worldFromNew: Pose, _ segment: [Double]) -> [Double] {
    var output = [Double](repeating: .nan, count: segment.count)
    segment.withUnsafeBufferPointer { input in
        output.withUnsafeMutableBufferPointer { PoseKernels.transform(worldFromNew, input, into: $0) }
    }
    return output
}

@Suite struct PoseKernelsTests {
    // MARK: Segment transform

    @Test(arguments: [0, 1, 2, 3, 17, 200])
    func transformEqualsPoseProductPerElement(count: Int) {
        var rng = SplitMix64(seed: 41 &+ UInt64(count))
        var worst = Worst()
        for _ in 0..<10 {
            let worldFromNew = rng.pose()
            let segment = randomSegment(count: count, rng: &rng)
            let output = transformed(worldFromNew, segment)
            #expect(output.count == segment.count)
            for i in 0..<count {
                let expected = worldFromNew * pose(i, of: segment)
                worst.record(poseDifference(pose(i, of: output), expected), "pose \(i)")
                // Matrix entries agree with the Pose product's matrix, and the last row is 0 0 0 1.
                let expectedMatrix = expected.matrix
                for k in 0..<16 {
                    worst.record(abs(output[16 * i + k] - expectedMatrix[k]), "pose \(i) entry \(k)")
                }
                #expect(Array(output[16 * i + 12..<16 * i + 16]) == [0, 0, 0, 1])
            }
        }
        #expect(worst.value < 1e-14, "\(worst)")
    }

    @Test func transformByIdentityIsExact() {
        var rng = SplitMix64(seed: 42)
        let segment = randomSegment(count: 50, rng: &rng)
        #expect(transformed(.identity, segment) == segment)
    }

    @Test func transformInPlace() {
        var rng = SplitMix64(seed: 43)
        let worldFromNew = rng.pose()
        var segment = randomSegment(count: 33, rng: &rng)
        let expected = transformed(worldFromNew, segment)
        segment.withUnsafeMutableBufferPointer { buffer in
            PoseKernels.transform(worldFromNew, UnsafeBufferPointer(buffer), into: buffer)
        }
        #expect(segment == expected)
    }

    @Test func transformLeavesTheRestOfALargerOutputAlone() {
        var rng = SplitMix64(seed: 44)
        let segment = randomSegment(count: 3, rng: &rng)
        var output = [Double](repeating: -7, count: segment.count + 5)
        segment.withUnsafeBufferPointer { input in
            output.withUnsafeMutableBufferPointer { PoseKernels.transform(rng.pose(), input, into: $0) }
        }
        #expect(Array(output[segment.count...]) == [-7, -7, -7, -7, -7])
    }

    @Test func transformPropagatesNaNWithoutTrapping() {
        var segment = Pose.identity.matrix + Pose.identity.matrix
        segment[16 + 3] = .nan
        let output = transformed(Pose(matrix: [0, -1, 0, 1, 1, 0, 0, 2, 0, 0, 1, 3, 0, 0, 0, 1]), segment)
        #expect(pose(0, of: output).isFinite)
        #expect(!pose(1, of: output).isFinite)
    }

    @Test func transformIgnoresTheInputBottomRow() {
        var rng = SplitMix64(seed: 47)
        let worldFromNew = rng.pose()
        let segment = randomSegment(count: 4, rng: &rng)
        var garbage = segment
        for i in 0..<4 {
            garbage[16 * i + 12] = .nan
            garbage[16 * i + 13] = 5
            garbage[16 * i + 15] = -.infinity
        }
        #expect(transformed(worldFromNew, garbage) == transformed(worldFromNew, segment))
        var floats = garbage.map { Float($0) }
        floats.withUnsafeMutableBufferPointer { buffer in
            PoseKernels.transform(worldFromNew, UnsafeBufferPointer(buffer), into: buffer)
        }
        for i in 0..<4 {
            #expect(Array(floats[16 * i + 12..<16 * i + 16]) == [0, 0, 0, 1])
        }
    }

    @Test func floatTransformStaysWithinToleranceOfDouble() {
        var rng = SplitMix64(seed: 45)
        var positionWorst = Worst()
        var angleWorst = Worst()
        for round in 0..<20 {
            let worldFromNew = rng.pose(bound: 3)
            let segment = randomSegment(count: 100, rng: &rng)
            let floats = segment.map { Float($0) }
            // The reference runs in Double on exactly the values the Float kernel sees.
            let reference = transformed(worldFromNew, floats.map { Double($0) })
            var output = [Float](repeating: .nan, count: floats.count)
            floats.withUnsafeBufferPointer { input in
                output.withUnsafeMutableBufferPointer { PoseKernels.transform(worldFromNew, input, into: $0) }
            }
            for i in 0..<100 {
                let fromFloat = Pose(matrix: output[16 * i..<16 * i + 16])
                let fromDouble = pose(i, of: reference)
                positionWorst.record(
                    maxAbsDifference(fromFloat.position, fromDouble.position),
                    "round \(round) pose \(i)")
                angleWorst.record(fromFloat.rotation.angle(to: fromDouble.rotation), "round \(round) pose \(i)")
                #expect(Array(output[16 * i + 12..<16 * i + 16]) == [0, 0, 0, 1])
            }
        }
        #expect(positionWorst.value < 1e-5, "metres, \(positionWorst)")
        #expect(angleWorst.value < 1e-5, "radians, \(angleWorst)")
        // Float rounding is visible but far below the tolerance (a loose sanity bound on the test).
        #expect(positionWorst.value < 1e-6)
    }

    @Test func floatTransformInPlace() {
        var rng = SplitMix64(seed: 46)
        let worldFromNew = rng.pose()
        var segment = randomSegment(count: 9, rng: &rng).map { Float($0) }
        var expected = [Float](repeating: .nan, count: segment.count)
        segment.withUnsafeBufferPointer { input in
            expected.withUnsafeMutableBufferPointer { PoseKernels.transform(worldFromNew, input, into: $0) }
        }
        segment.withUnsafeMutableBufferPointer { buffer in
            PoseKernels.transform(worldFromNew, UnsafeBufferPointer(buffer), into: buffer)
        }
        #expect(segment == expected)
    }

    @Test func transformRejectsATruncatedSegment() async {
        await #expect(processExitsWith: .failure) {
            let segment = [Double](repeating: 0, count: 20)
            var output = [Double](repeating: 0, count: 20)
            segment.withUnsafeBufferPointer { input in
                output.withUnsafeMutableBufferPointer { PoseKernels.transform(.identity, input, into: $0) }
            }
        }
    }

    // MARK: Interpolation

    @Test(arguments: [0, 1, 2, 5, 30])
    func interpolationCountAndEndpoints(steps: Int) {
        var rng = SplitMix64(seed: 50 &+ UInt64(steps))
        let poseCount = PoseKernels.interpolatedPoseCount(steps: steps)
        #expect(poseCount == steps + 2)
        var worst = Worst()
        for _ in 0..<50 {
            let start = rng.pose(), end = rng.pose()
            // Sentinels after the written poses must survive.
            var output = [Double](repeating: -7, count: 16 * poseCount + 16)
            output.withUnsafeMutableBufferPointer {
                PoseKernels.interpolate(from: start, to: end, steps: steps, into: $0)
            }
            #expect(Array(output[(16 * poseCount)...]) == [Double](repeating: -7, count: 16))
            #expect(Array(output[0..<16]) == start.matrix)
            #expect(Array(output[16 * (poseCount - 1)..<16 * poseCount]) == end.matrix)
            for i in 0..<poseCount {
                let t = Double(i) / Double(steps + 1)
                worst.record(
                    poseDifference(pose(i, of: output), Pose.interpolate(start, end, t: t)),
                    "pose \(i) of \(poseCount)")
                // Evenly spaced along the short arc.
                let total = start.rotation.angle(to: end.rotation)
                worst.record(
                    abs(start.rotation.angle(to: pose(i, of: output).rotation) - t * total),
                    "angle of pose \(i)")
            }
        }
        #expect(worst.value < 1e-13, "\(worst)")
    }

    @Test func interpolationTakesTheShortWay() {
        let start = Pose(position: .zero, rotation: .identity)
        // 0.3 rad about z, stored with w < 0 (dot with identity < 0).
        let end = Pose(position: SIMD3(1, 0, 0), rotation: -Quaternion(axisAngle: SIMD3(0, 0, 0.3)))
        var output = [Double](repeating: .nan, count: 16 * 5)
        output.withUnsafeMutableBufferPointer {
            PoseKernels.interpolate(from: start, to: end, steps: 3, into: $0)
        }
        for i in 0..<5 {
            let p = pose(i, of: output)
            #expect(abs(p.rotation.angle(to: .identity) - 0.3 * Double(i) / 4) < 1e-15, "pose \(i)")
            #expect(abs(p.position.x - Double(i) / 4) < 1e-15, "pose \(i)")
        }
    }

    @Test func floatInterpolationMatchesDouble() {
        var rng = SplitMix64(seed: 51)
        let start = rng.pose(), end = rng.pose()
        var doubles = [Double](repeating: .nan, count: 16 * 9)
        var floats = [Float](repeating: .nan, count: 16 * 9)
        doubles.withUnsafeMutableBufferPointer {
            PoseKernels.interpolate(from: start, to: end, steps: 7, into: $0)
        }
        floats.withUnsafeMutableBufferPointer {
            PoseKernels.interpolate(from: start, to: end, steps: 7, into: $0)
        }
        for i in 0..<doubles.count {
            #expect(floats[i] == Float(doubles[i]), "entry \(i)")
        }
    }
}
