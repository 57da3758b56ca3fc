// PoseKernels: batch operations over buffers of 4x4 row-major pose matrices.

/// Batch kernels over buffers of poses stored as consecutive 4x4 homogeneous matrices.
///
/// Layout: pose `i` occupies scalars `16 i ..< 16 i + 16`, row-major (numpy `(N, 4, 4)`
/// C order, as in MimicGen's `eef_pose` / `object_poses` datasets): `[R t; 0 0 0 1]`.
/// Kernels do not allocate, and check their buffer sizes once, before the loop: a size
/// mismatch is a programmer error and traps; bad values (NaN, infinities) never trap and
/// propagate to the output.
public enum PoseKernels {}

// MARK: - Segment transform
extension PoseKernels {
    /// Transforms every pose of a segment: `output[i] = worldFromNew * input[i]` as 4x4
    /// matrices, for `i in 0 ..< input.count / 16`.
    ///
    /// Each input is read as a pose `[A p; 0 0 0 1]`: its bottom row is not read, and the
    /// output's bottom row is written as `0 0 0 1`. With `[R t; 0 0 0 1]` the matrix of
    /// `worldFromNew`, output row `r` (for `r` in 0...2) is
    /// `R[r, 0] · in.row0 + R[r, 1] · in.row1 + R[r, 2] · in.row2 + (0, 0, 0, t[r])`,
    /// i.e. `[R A  R p + t; 0 0 0 1]`. The result equals
    /// `(worldFromNew * Pose(matrix: input[i])).matrix` up to rounding (about 1e-16), and
    /// costs no quaternion conversion. This is MimicGen's segment transform: with
    /// `worldFromNew = worldFromNewObject * worldFromSourceObject.inverse`, source end-effector
    /// poses become poses relative to the new object placement.
    ///
    /// - Precondition: `input.count` is a multiple of 16 and `output.count >= input.count`.
    ///   `output` is either exactly `input` (in place: same base address) or does not overlap it.
    ///   Only the first `input.count` scalars of `output` are written.
    ///
    /// Complexity: O(n), one pass; per pose 3 row loads, 4 row stores, 9 SIMD4 multiplies
    /// and 9 SIMD4 adds.
    @inlinable
    public static func transform(
        _ worldFromNew: Pose,
        _ input: UnsafeBufferPointer<Double>,
        into output: UnsafeMutableBufferPointer<Double>
    ) {
        _checkTransformBuffers(
            input.count, output.count,
            UnsafeRawPointer(input.baseAddress), UnsafeRawPointer(output.baseAddress),
            scalarSize: MemoryLayout<Double>.stride)
        let poseCount = input.count / 16
        guard poseCount > 0, let inputBase = input.baseAddress, let outputBase = output.baseAddress
        else { return }
        let r = worldFromNew.rotation.rotationMatrix
        let t = worldFromNew.position
        // The translation enters as (0, 0, 0, t). (Adding 0 turns a -0 entry into +0; with
        // -0 lanes LLVM tries to drop the adds and scalarizes the loop, which is slower.)
        let t0 = SIMD4<Double>(0, 0, 0, t.x)
        let t1 = SIMD4<Double>(0, 0, 0, t.y)
        let t2 = SIMD4<Double>(0, 0, 0, t.z)
        let bottomRow = SIMD4<Double>(0, 0, 0, 1)
        let source = UnsafeRawPointer(inputBase)
        let destination = UnsafeMutableRawPointer(outputBase)
        let rowBytes = 4 * MemoryLayout<Double>.stride
        for i in 0..<poseCount {
            let offset = i &* (4 &* rowBytes)
            // All rows are loaded before any store, so output may be input (in place).
            let m0 = source.loadUnaligned(fromByteOffset: offset, as: SIMD4<Double>.self)
            let m1 = source.loadUnaligned(fromByteOffset: offset &+ rowBytes, as: SIMD4<Double>.self)
            let m2 = source.loadUnaligned(fromByteOffset: offset &+ 2 &* rowBytes, as: SIMD4<Double>.self)
            let n0 = r.row0.x * m0 + r.row0.y * m1 + r.row0.z * m2 + t0
            let n1 = r.row1.x * m0 + r.row1.y * m1 + r.row1.z * m2 + t1
            let n2 = r.row2.x * m0 + r.row2.y * m1 + r.row2.z * m2 + t2
            destination.storeBytes(of: n0, toByteOffset: offset, as: SIMD4<Double>.self)
            destination.storeBytes(of: n1, toByteOffset: offset &+ rowBytes, as: SIMD4<Double>.self)
            destination.storeBytes(of: n2, toByteOffset: offset &+ 2 &* rowBytes, as: SIMD4<Double>.self)
            destination.storeBytes(
                of: bottomRow, toByteOffset: offset &+ 3 &* rowBytes,
                as: SIMD4<Double>.self)
        }
    }

    /// Transforms every pose of a `Float` segment: `output[i] = worldFromNew * input[i]`,
    /// computed in `Float` with SIMD.
    ///
    /// The matrix of `worldFromNew` is computed in `Double` and rounded to `Float` once; each
    /// pose then costs 9 `Float` SIMD4 multiplies and 9 adds. For poses within a few metres of the
    /// origin the result stays within 1e-5 m and 1e-5 rad of the `Double` kernel run on the
    /// same (widened) input (tested). Same layout, bottom-row rule, in-place rule and
    /// preconditions as the `Double` overload.
    @inlinable
    public static func transform(
        _ worldFromNew: Pose,
        _ input: UnsafeBufferPointer<Float>,
        into output: UnsafeMutableBufferPointer<Float>
    ) {
        _checkTransformBuffers(
            input.count, output.count,
            UnsafeRawPointer(input.baseAddress), UnsafeRawPointer(output.baseAddress),
            scalarSize: MemoryLayout<Float>.stride)
        let poseCount = input.count / 16
        guard poseCount > 0, let inputBase = input.baseAddress, let outputBase = output.baseAddress
        else { return }
        let rd = worldFromNew.rotation.rotationMatrix
        let td = worldFromNew.position
        let r0 = SIMD3<Float>(rd.row0), r1 = SIMD3<Float>(rd.row1), r2 = SIMD3<Float>(rd.row2)
        let t0 = SIMD4<Float>(0, 0, 0, Float(td.x))
        let t1 = SIMD4<Float>(0, 0, 0, Float(td.y))
        let t2 = SIMD4<Float>(0, 0, 0, Float(td.z))
        let bottomRow = SIMD4<Float>(0, 0, 0, 1)
        let source = UnsafeRawPointer(inputBase)
        let destination = UnsafeMutableRawPointer(outputBase)
        let rowBytes = 4 * MemoryLayout<Float>.stride
        for i in 0..<poseCount {
            let offset = i &* (4 &* rowBytes)
            let m0 = source.loadUnaligned(fromByteOffset: offset, as: SIMD4<Float>.self)
            let m1 = source.loadUnaligned(fromByteOffset: offset &+ rowBytes, as: SIMD4<Float>.self)
            let m2 = source.loadUnaligned(fromByteOffset: offset &+ 2 &* rowBytes, as: SIMD4<Float>.self)
            let n0 = r0.x * m0 + r0.y * m1 + r0.z * m2 + t0
            let n1 = r1.x * m0 + r1.y * m1 + r1.z * m2 + t1
            let n2 = r2.x * m0 + r2.y * m1 + r2.z * m2 + t2
            destination.storeBytes(of: n0, toByteOffset: offset, as: SIMD4<Float>.self)
            destination.storeBytes(of: n1, toByteOffset: offset &+ rowBytes, as: SIMD4<Float>.self)
            destination.storeBytes(of: n2, toByteOffset: offset &+ 2 &* rowBytes, as: SIMD4<Float>.self)
            destination.storeBytes(
                of: bottomRow, toByteOffset: offset &+ 3 &* rowBytes,
                as: SIMD4<Float>.self)
        }
    }

    /// Traps unless `inputCount` is a multiple of 16, `outputCount >= inputCount`, and the
    /// buffers are either the same or disjoint.
    @inlinable
    internal static func _checkTransformBuffers(
        _ inputCount: Int, _ outputCount: Int,
        _ input: UnsafeRawPointer?, _ output: UnsafeRawPointer?,
        scalarSize: Int
    ) {
        precondition(
            inputCount % 16 == 0,
            "pose buffer length \(inputCount) is not a multiple of 16 (4x4 matrices)")
        precondition(
            outputCount >= inputCount,
            "output holds \(outputCount) scalars, input \(inputCount)")
        if let input, let output, input != output {
            let inputEnd = input + inputCount * scalarSize
            let outputEnd = output + inputCount * scalarSize
            precondition(
                outputEnd <= input || inputEnd <= output,
                "output partially overlaps input; pass the same buffer for in-place")
        }
    }
}

// MARK: - Interpolation
extension PoseKernels {
    /// The number of poses ``interpolate(from:to:steps:into:)-(_,_,_,UnsafeMutableBufferPointer<Double>)``
    /// writes for `steps` intermediate poses: `steps + 2` (both endpoints included).
    @_transparent
    public static func interpolatedPoseCount(steps: Int) -> Int {
        steps + 2
    }

    /// Writes `steps + 2` poses from `start` to `end`, both included, as 4x4 row-major
    /// matrices: pose `i` is `Pose.interpolate(start, end, t: i / (steps + 1))` for
    /// `i in 0 ... steps + 1` (linear position, shortest-arc slerp rotation).
    ///
    /// This is MimicGen's `interpolate_poses(pose_1, pose_2, num_steps)`, which also returns
    /// `num_steps + 2` poses including both endpoints; its generator then drops the first one
    /// (the current pose), i.e. uses poses `1 ... steps + 1` here (scalars `16 ..<`).
    /// Pose 0 is exactly the matrix of `start` and pose `steps + 1` exactly that of `end`.
    ///
    /// - Precondition: `steps >= 0` and `output.count >= 16 * (steps + 2)`. Only the first
    ///   `16 * (steps + 2)` scalars are written.
    ///
    /// Complexity: O(steps).
    @inlinable
    public static func interpolate(
        from start: Pose, to end: Pose, steps: Int, into output: UnsafeMutableBufferPointer<Double>
    ) {
        precondition(steps >= 0, "interpolation steps must be >= 0, got \(steps)")
        let poseCount = interpolatedPoseCount(steps: steps)
        precondition(
            output.count >= 16 * poseCount,
            "output holds \(output.count) scalars, \(poseCount) poses need \(16 * poseCount)")
        guard let base = output.baseAddress else { return }
        start.writeMatrix(into: base)
        let denominator = Double(steps + 1)
        for i in 1..<poseCount - 1 {
            Pose.interpolate(start, end, t: Double(i) / denominator).writeMatrix(into: base + 16 * i)
        }
        end.writeMatrix(into: base + 16 * (poseCount - 1))
    }

    /// Writes `steps + 2` interpolated poses as `Float` 4x4 row-major matrices.
    ///
    /// Computed in `Double` and rounded once per entry; otherwise the same as the `Double`
    /// overload (count, endpoints, MimicGen convention, preconditions).
    @inlinable
    public static func interpolate(
        from start: Pose, to end: Pose, steps: Int, into output: UnsafeMutableBufferPointer<Float>
    ) {
        precondition(steps >= 0, "interpolation steps must be >= 0, got \(steps)")
        let poseCount = interpolatedPoseCount(steps: steps)
        precondition(
            output.count >= 16 * poseCount,
            "output holds \(output.count) scalars, \(poseCount) poses need \(16 * poseCount)")
        guard let base = output.baseAddress else { return }
        start.writeMatrix(into: base)
        let denominator = Double(steps + 1)
        for i in 1..<poseCount - 1 {
            Pose.interpolate(start, end, t: Double(i) / denominator).writeMatrix(into: base + 16 * i)
        }
        end.writeMatrix(into: base + 16 * (poseCount - 1))
    }
}
