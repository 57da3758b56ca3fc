import MimicMath

/// The linear map robosuite applies to an action before its controller uses it: clip each
/// dimension to [inputMin, inputMax], then map that range onto [outputMin, outputMax].
/// With the default ±1 input and symmetric output this is `output = clip(a, -1, 1) * outputMax`.
public struct ActionScaling: Sendable, Equatable, Codable {
    public var inputMin: [Double]
    public var inputMax: [Double]
    public var outputMin: [Double]
    public var outputMax: [Double]

    public init(inputMin: [Double], inputMax: [Double], outputMin: [Double], outputMax: [Double]) {
        self.inputMin = inputMin
        self.inputMax = inputMax
        self.outputMin = outputMin
        self.outputMax = outputMax
    }

    /// robosuite's OSC_POSE defaults: ±1 in, ±0.05 m and ±0.5 rad out.
    public static let robosuiteDefault = ActionScaling(
        inputMin: [-1, -1, -1, -1, -1, -1], inputMax: [1, 1, 1, 1, 1, 1],
        outputMin: [-0.05, -0.05, -0.05, -0.5, -0.5, -0.5], outputMax: [0.05, 0.05, 0.05, 0.5, 0.5, 0.5])

    /// Normalized action dimension `i` → controller units (metres or radians).
    @inlinable
    public func scale(_ a: Double, _ i: Int) -> Double {
        let clipped = min(max(a, inputMin[i]), inputMax[i])
        let ratio = (outputMax[i] - outputMin[i]) / (inputMax[i] - inputMin[i])
        return (clipped - (inputMax[i] + inputMin[i]) / 2) * ratio + (outputMax[i] + outputMin[i]) / 2
    }

    /// Controller units → normalized action dimension `i`, clipped to the input range (inverse of `scale` inside it).
    @inlinable
    public func unscale(_ v: Double, _ i: Int) -> Double {
        let ratio = (outputMax[i] - outputMin[i]) / (inputMax[i] - inputMin[i])
        let a = (v - (outputMax[i] + outputMin[i]) / 2) / ratio + (inputMax[i] + inputMin[i]) / 2
        return min(max(a, inputMin[i]), inputMax[i])
    }
}

/// What the pose columns of an end effector's action mean.
public enum PoseActionConvention: Sendable, Equatable {
    /// robosuite OSC delta: 3 position + 3 axis-angle, scaled by `ActionScaling`; the target is
    /// `position + Δp`, `rotation(Δr) * rotation` at the measured eef pose (MimicGen's convention).
    case oscDelta(ActionScaling)
    /// robosuite OSC absolute: 3 position + 3 axis-angle, the target pose itself.
    case oscAbsolute
    /// 3 position + quaternion w,x,y,z (Isaac Lab, GR00T-Mimic).
    case absoluteWXYZ
    /// 3 position + quaternion x,y,z,w.
    case absoluteXYZW

    /// Number of action columns the pose uses.
    public var width: Int {
        switch self {
        case .oscDelta, .oscAbsolute: return 6
        case .absoluteWXYZ, .absoluteXYZW: return 7
        }
    }
}

/// Where one end effector's commands sit in the action vector and what they mean.
public struct EndEffectorLayout: Sendable, Equatable {
    /// `robot0`, `robot1`, `robot0_left`, ...: the prefix of its observation keys.
    public var name: String
    public var poseColumns: Range<Int>
    public var gripperColumns: Range<Int>
    public var convention: PoseActionConvention
    /// worldFromBase of the frame actions are expressed in (identity when actions are in world).
    public var worldFromActionFrame: Pose

    public init(
        name: String, poseColumns: Range<Int>, gripperColumns: Range<Int>,
        convention: PoseActionConvention, worldFromActionFrame: Pose = .identity
    ) {
        self.name = name
        self.poseColumns = poseColumns
        self.gripperColumns = gripperColumns
        self.convention = convention
        self.worldFromActionFrame = worldFromActionFrame
    }

    /// The worldFromEef target that `action` (one full action row) commands when the measured eef pose is `worldFromEef`.
    @inlinable
    public func targetPose(action: UnsafeBufferPointer<Double>, worldFromEef: Pose) -> Pose {
        let c = poseColumns.lowerBound
        let frame = worldFromActionFrame.rotation
        switch convention {
        case .oscDelta(let s):
            let dp = SIMD3(s.scale(action[c], 0), s.scale(action[c + 1], 1), s.scale(action[c + 2], 2))
            let dr = SIMD3(s.scale(action[c + 3], 3), s.scale(action[c + 4], 4), s.scale(action[c + 5], 5))
            return Pose(
                position: worldFromEef.position + frame.act(dp),
                rotation: Quaternion(axisAngle: frame.act(dr)) * worldFromEef.rotation)
        case .oscAbsolute:
            let local = Pose(
                position: SIMD3(action[c], action[c + 1], action[c + 2]),
                rotation: Quaternion(axisAngle: SIMD3(action[c + 3], action[c + 4], action[c + 5])))
            return worldFromActionFrame * local
        case .absoluteWXYZ:
            let local = Pose(
                position: SIMD3(action[c], action[c + 1], action[c + 2]),
                rotation: Quaternion(wxyz: SIMD4(action[c + 3], action[c + 4], action[c + 5], action[c + 6])).normalized)
            return worldFromActionFrame * local
        case .absoluteXYZW:
            let local = Pose(
                position: SIMD3(action[c], action[c + 1], action[c + 2]),
                rotation: Quaternion(xyzw: SIMD4(action[c + 3], action[c + 4], action[c + 5], action[c + 6])).normalized)
            return worldFromActionFrame * local
        }
    }
}

extension EndEffectorLayout {
    /// Writes into `action` (a full action row) the pose columns that command `target` from the
    /// measured `worldFromEef`: the inverse of `targetPose(action:worldFromEef:)`. For OSC delta
    /// the normalized values are clipped to the input range, as the controller would clip them.
    @inlinable
    public func writeAction(target: Pose, worldFromEef: Pose, into action: UnsafeMutableBufferPointer<Double>) {
        let c = poseColumns.lowerBound
        let frameInverse = worldFromActionFrame.rotation.conjugate
        switch convention {
        case .oscDelta(let s):
            let dp = frameInverse.act(target.position - worldFromEef.position)
            let dr = frameInverse.act((target.rotation * worldFromEef.rotation.conjugate).axisAngle)
            for i in 0..<3 {
                action[c + i] = s.unscale(dp[i], i)
                action[c + 3 + i] = s.unscale(dr[i], 3 + i)
            }
        case .oscAbsolute:
            let local = worldFromActionFrame.inverse * target
            let aa = local.rotation.axisAngle
            for i in 0..<3 {
                action[c + i] = local.position[i]
                action[c + 3 + i] = aa[i]
            }
        case .absoluteWXYZ, .absoluteXYZW:
            let local = worldFromActionFrame.inverse * target
            let q = convention == .absoluteWXYZ ? local.rotation.wxyz : local.rotation.xyzw
            for i in 0..<3 { action[c + i] = local.position[i] }
            for i in 0..<4 { action[c + 3 + i] = q[i] }
        }
    }

    /// Adds Gaussian noise of standard deviation `std` to the pose columns of `action`: in
    /// normalized units (then clipped) for OSC delta; metres and radians (a small rotation) for
    /// absolute poses.
    @inlinable
    public func addNoise(_ std: Double, to action: UnsafeMutableBufferPointer<Double>, using rng: inout RandomStream) {
        guard std > 0 else { return }
        let c = poseColumns.lowerBound
        switch convention {
        case .oscDelta(let s):
            for i in 0..<6 { action[c + i] = min(max(action[c + i] + std * rng.normal(), s.inputMin[i]), s.inputMax[i]) }
        case .oscAbsolute:
            for i in 0..<6 { action[c + i] += std * rng.normal() }
        case .absoluteWXYZ, .absoluteXYZW:
            for i in 0..<3 { action[c + i] += std * rng.normal() }
            let wxyz = convention == .absoluteWXYZ
            let q = Quaternion(
                xyzw: wxyz
                    ? SIMD4(action[c + 4], action[c + 5], action[c + 6], action[c + 3])
                    : SIMD4(action[c + 3], action[c + 4], action[c + 5], action[c + 6]))
            let noisy = (Quaternion(axisAngle: SIMD3(rng.normal(), rng.normal(), rng.normal()) * std) * q).normalized
            let out = wxyz ? noisy.wxyz : noisy.xyzw
            for i in 0..<4 { action[c + 3 + i] = out[i] }
        }
    }
}
