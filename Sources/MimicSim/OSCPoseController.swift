import Foundation
import MimicCore
import MimicMath

/// robosuite 1.5's `OSC_POSE` arm controller plus its Panda `GRIP` gripper controller, for one
/// robot of one ``SimWorld``: Mimic's own implementation of the same equations. With
/// ``ControlLoop/robosuite14`` it follows robosuite 1.4's variant: the gripper command advances
/// every physics step, and a delta action whose rotation part is exactly zero keeps the
/// orientation goal.
///
/// Per control step, ``setGoal(action:)`` reads the measured end-effector site pose and the
/// controller origin (site `robot<k>_right_center`) and fixes the goal:
/// delta input `p* = p + Δp`, `R* = Rot(Δr) · R` (expressed in the base frame when the reference
/// frame is `base`); absolute input `p* = a[0:3]`, `R* = Rot(a[3:6])`. `Rot(Δr)` is computed
/// like robosuite's `quat2mat`, in float32.
///
/// Per physics step, ``applyControls()`` computes, from MuJoCo's current kinematics (the first
/// half of the step, `mj_step1`, as robosuite's `lite_physics`):
/// ```
/// e_p = p* - p,  e_r = ½ Σ_i R[:,i] × R*[:,i],  v = J q̇ (jacobians of the grip site)
/// F = kp_p e_p - kd_p v_p,  T = kp_r e_r - kd_r v_r
/// Λ = (J M⁻¹ Jᵀ)⁻¹ (M: the arm's block of the joint-space inertia), Λ_p, Λ_r its 3x3 versions
/// τ = Jᵀ [Λ_p F; Λ_r T] (or Jᵀ Λ [F; T] when coupled) + qfrc_bias
///   + Nᵀ M (k_n (q₀ - q) - 2 sqrt(k_n) q̇),  N = I - M⁻¹ Jᵀ Λ J
/// ```
/// clips τ to the arm actuators' control ranges and writes it to `ctrl`; the gripper actuators get
/// their finger targets (``GripperConfig``). The robot base must not move (robosuite's fixed-base
/// robots): the origin's velocity is taken as zero.
final class OSCPoseController {
    let robot: Robot
    let config: OSCPoseConfig
    let gripper: GripperConfig
    let loop: ControlLoop
    let kd: [Double]
    /// The nullspace target (arm joint positions).
    var posture: [Double]
    /// Whether ``posture`` is taken from each rollout's initial state (no known robot posture).
    let postureFromInitialState: Bool
    let n: Int
    let nv: Int

    /// Goal in the controller frame (base or world).
    private(set) var goalPosition = SIMD3<Double>.zero
    private(set) var goalRotation = Matrix3.identity
    /// robosuite's `PandaGripper.current_action`, zero at reset.
    var gripperCommand = SIMD2<Double>(0, 0)
    /// The gripper action value of the current control step (robosuite 1.4: applied every physics step).
    var gripperAction = 0.0
    private let armRanges: [ClosedRange<Double>]
    private let gripperRanges: [ClosedRange<Double>]

    // Scratch memory, allocated once.
    private let jacp: UnsafeMutablePointer<Double>  // 3 x nv
    private let jacr: UnsafeMutablePointer<Double>  // 3 x nv
    private let J: UnsafeMutablePointer<Double>  // 6 x n (rows: position, rotation)
    private let M: UnsafeMutablePointer<Double>  // n x n
    private let Minv: UnsafeMutablePointer<Double>  // n x n
    private let JMinv: UnsafeMutablePointer<Double>  // 6 x n
    private let work: UnsafeMutablePointer<Double>  // n x 2n (Gauss-Jordan)
    private let torque: UnsafeMutablePointer<Double>  // n
    private let tmp: UnsafeMutablePointer<Double>  // n
    private let tmp2: UnsafeMutablePointer<Double>  // n
    private let lambdaInv: UnsafeMutablePointer<Double>  // 6 x 6
    private let lambda: UnsafeMutablePointer<Double>  // 6 x 6
    private let small: UnsafeMutablePointer<Double>  // 3 x 6: wrench, y, z
    private let jointPosition: UnsafeMutablePointer<Double>  // n
    private let jointVelocity: UnsafeMutablePointer<Double>  // n

    /// The kinematics robosuite's controller holds from its construction until its first physics
    /// step (it skips its update on the first `set_goal` and `run_controller` with `lite_physics`).
    struct StaleKinematics {
        var position: SIMD3<Double>
        var rotation: Matrix3
        var J: [Double]
        var M: [Double]
    }
    /// When set, the next ``setGoal(action:world:)`` and ``applyControls(world:fullM:)`` use it
    /// instead of the live kinematics; ``applyControls(world:fullM:)`` clears it.
    var staleKinematics: StaleKinematics?

    /// - Parameter posture: the nullspace target (the arm's joint positions, `n` values); nil: set ``posture`` before use.
    init(
        robot: Robot, scene: Scene, config: OSCPoseConfig, gripper: GripperConfig, posture: [Double]?,
        loop: ControlLoop = .robosuite15
    ) {
        self.robot = robot
        self.config = config
        self.gripper = gripper
        self.loop = loop
        self.kd = config.kd
        self.posture = posture ?? Array(repeating: 0, count: robot.armJoints.count)
        postureFromInitialState = posture == nil
        n = robot.armJoints.count
        nv = scene.nv
        armRanges = robot.armActuators.map(scene.controlRange(of:))
        gripperRanges = robot.gripperActuators.map(scene.controlRange(of:))
        jacp = .allocate(capacity: 3 * nv)
        jacr = .allocate(capacity: 3 * nv)
        J = .allocate(capacity: 6 * n)
        M = .allocate(capacity: n * n)
        Minv = .allocate(capacity: n * n)
        JMinv = .allocate(capacity: 6 * n)
        work = .allocate(capacity: 2 * n * n)
        torque = .allocate(capacity: n)
        tmp = .allocate(capacity: n)
        tmp2 = .allocate(capacity: n)
        lambdaInv = .allocate(capacity: 36)
        lambda = .allocate(capacity: 36)
        small = .allocate(capacity: 18)
        jointPosition = .allocate(capacity: n)
        jointVelocity = .allocate(capacity: n)
    }

    deinit {
        for p in [jacp, jacr, J, M, Minv, JMinv, work, torque, tmp, tmp2, lambdaInv, lambda, small, jointPosition, jointVelocity] { p.deallocate() }
    }

    // MARK: - Frames

    /// The controller origin (site `robot<k>_right_center`, else the base body, else the world).
    @inline(__always)
    private func origin(_ world: SimWorld) -> (position: SIMD3<Double>, rotation: Matrix3) {
        if let s = robot.originSite { return (world.position(of: s), world.rotationMatrix(of: s)) }
        if let b = robot.base { return (world.position(of: b), world.rotationMatrix(of: b)) }
        return (.zero, .identity)
    }

    /// The goal in the world frame.
    func worldGoal(_ world: SimWorld) -> Pose {
        let (p, R) = goalInWorld(world)
        return Pose(position: p, rotation: Quaternion(rotationMatrix: R))
    }

    @inline(__always)
    private func goalInWorld(_ world: SimWorld) -> (SIMD3<Double>, Matrix3) {
        switch config.referenceFrame {
        case .world: return (goalPosition, goalRotation)
        case .base:
            let o = origin(world)
            return (o.position + o.rotation * goalPosition, o.rotation * goalRotation)
        }
    }

    // MARK: - Control step

    /// Sets the goal to the pose the controller holds when it is built (robosuite's `reset_goal`):
    /// the stale reset pose when ``staleKinematics`` is set, else the measured end-effector pose.
    /// robosuite 1.4 keeps this orientation goal until an action with a non-zero rotation arrives.
    func resetGoal(world: SimWorld) {
        let p = staleKinematics?.position ?? world.position(of: robot.eefSite)
        let R = staleKinematics?.rotation ?? world.rotationMatrix(of: robot.eefSite)
        switch config.referenceFrame {
        case .world:
            goalPosition = p
            goalRotation = R
        case .base:
            let o = origin(world)
            let inverse = o.rotation.transpose
            goalPosition = inverse * p - inverse * o.position
            goalRotation = inverse * R
        }
    }

    /// Fixes the goal for the next control step from one robot's 7 action values (6 arm, 1
    /// gripper) against the measured end-effector pose (robosuite's `set_goal`).
    func setGoal(action: UnsafeBufferPointer<Double>, world: SimWorld) {
        let p = staleKinematics?.position ?? world.position(of: robot.eefSite)
        let R = staleKinematics?.rotation ?? world.rotationMatrix(of: robot.eefSite)
        switch config.inputType {
        case .delta:
            let s = config.scaling
            let dp = SIMD3(s.scale(action[0], 0), s.scale(action[1], 1), s.scale(action[2], 2))
            let dr = SIMD3(s.scale(action[3], 3), s.scale(action[4], 4), s.scale(action[5], 5))
            let rotation = robosuiteRotationMatrix(axisAngle: dr)
            // robosuite 1.4: `if sum(not isclose(d, 0) for d in delta[3:]) > 0` guards the orientation goal.
            let keepOrientation = loop == .robosuite14 && dr == .zero
            switch config.referenceFrame {
            case .world:
                goalPosition = p + dp
                if !keepOrientation { goalRotation = rotation * R }
            case .base:
                let o = origin(world)
                let inverse = o.rotation.transpose
                goalPosition = (inverse * p - inverse * o.position) + dp
                if !keepOrientation { goalRotation = rotation * (inverse * R) }
            }
        case .absolute:
            goalPosition = SIMD3(action[0], action[1], action[2])
            goalRotation = Quaternion(axisAngle: SIMD3(action[3], action[4], action[5])).rotationMatrix
        }
        gripperAction = action[6]
        if loop == .robosuite15 { advanceGripper() }
    }

    /// Panda GRIP: c += [-1, 1] · speed · sign(a), clipped to ±1.
    private func advanceGripper() {
        let a = gripperAction
        let sign: Double = a > 0 ? 1 : (a < 0 ? -1 : (a.isNaN ? .nan : 0))
        let step = gripper.speed * sign
        gripperCommand = SIMD2(min(max(gripperCommand.x - step, -1), 1), min(max(gripperCommand.y + step, -1), 1))
    }

    /// Captures, from `world`'s current kinematics (which the caller has set to the robot's
    /// reset configuration), the end-effector pose, Jacobian and arm inertia into ``staleKinematics``.
    func captureStaleKinematics(world: SimWorld, fullM: UnsafePointer<Double>) {
        world.jacobian(of: robot.eefSite, positional: jacp, rotational: jacr)
        var J = [Double](repeating: 0, count: 6 * n), M = [Double](repeating: 0, count: n * n)
        for (i, dof) in robot.armQvelAddresses.enumerated() {
            for r in 0..<3 {
                J[r * n + i] = jacp[r * nv + dof]
                J[(r + 3) * n + i] = jacr[r * nv + dof]
            }
            for (k, dof2) in robot.armQvelAddresses.enumerated() { M[i * n + k] = fullM[dof * nv + dof2] }
        }
        staleKinematics = StaleKinematics(position: world.position(of: robot.eefSite), rotation: world.rotationMatrix(of: robot.eefSite), J: J, M: M)
    }

    // MARK: - Physics step

    /// Computes the arm torques and finger targets from MuJoCo's current kinematics and writes
    /// them to `ctrl`. `fullM` is the dense `nv x nv` inertia of this physics step (`mj_fullM`).
    func applyControls(world: SimWorld, fullM: UnsafePointer<Double>) {
        let n = self.n, nv = self.nv
        var vp = SIMD3<Double>.zero, vr = SIMD3<Double>.zero
        let p: SIMD3<Double>, R: Matrix3
        if let snapshot = staleKinematics {
            // robosuite's first physics step after a restore: the kinematics cached when the
            // controller was built (see ``captureResetKinematics(world:)``), zero velocities.
            for i in 0..<6 * n { J[i] = snapshot.J[i] }
            for i in 0..<n * n { M[i] = snapshot.M[i] }
            for i in 0..<n { jointPosition[i] = posture[i]; jointVelocity[i] = 0 }
            p = snapshot.position
            R = snapshot.rotation
        } else {
            // Jacobians of the grip site, restricted to the arm's dofs; site velocity J q̇ over all dofs.
            world.jacobian(of: robot.eefSite, positional: jacp, rotational: jacr)
            let qvel = world.qvelValues, qpos = world.qposValues
            for r in 0..<3 {
                var sp = 0.0, sr = 0.0
                for c in 0..<nv {
                    sp += jacp[r * nv + c] * qvel[c]
                    sr += jacr[r * nv + c] * qvel[c]
                }
                vp[r] = sp
                vr[r] = sr
            }
            for (i, dof) in robot.armQvelAddresses.enumerated() {
                for r in 0..<3 {
                    J[r * n + i] = jacp[r * nv + dof]
                    J[(r + 3) * n + i] = jacr[r * nv + dof]
                }
                for (k, dof2) in robot.armQvelAddresses.enumerated() { M[i * n + k] = fullM[dof * nv + dof2] }
                jointPosition[i] = qpos[robot.armQposAddresses[i]]
                jointVelocity[i] = qvel[dof]
            }
            p = world.position(of: robot.eefSite)
            R = world.rotationMatrix(of: robot.eefSite)
        }
        staleKinematics = nil
        DenseMatrix.invert(M, into: Minv, n: n, work: work)

        // Errors and desired force / torque.
        let (goalP, goalR) = goalInWorld(world)
        let ep = goalP - p
        let c = R.columns, g = goalR.columns
        let er = 0.5 * (cross(c.0, g.0) + cross(c.1, g.1) + cross(c.2, g.2))
        let kp = config.kp
        let F = SIMD3(kp[0] * ep.x - kd[0] * vp.x, kp[1] * ep.y - kd[1] * vp.y, kp[2] * ep.z - kd[2] * vp.z)
        let T = SIMD3(kp[3] * er.x - kd[3] * vr.x, kp[4] * er.y - kd[4] * vr.y, kp[5] * er.z - kd[5] * vr.z)

        // JMinv = J M⁻¹ (6 x n); Λ⁻¹ = JMinv Jᵀ (6 x 6).
        for r in 0..<6 {
            for k in 0..<n {
                var s = 0.0
                for j in 0..<n { s += J[r * n + j] * Minv[j * n + k] }
                JMinv[r * n + k] = s
            }
        }
        for r in 0..<6 {
            for k in r..<6 {
                var s = 0.0
                for j in 0..<n { s += JMinv[r * n + j] * J[k * n + j] }
                lambdaInv[r * 6 + k] = s
                lambdaInv[k * 6 + r] = s
            }
        }
        DenseMatrix.invert(lambdaInv, into: lambda, n: 6, work: work)
        // Wrench in operational space.
        let wrench = small, y = small + 6, z = small + 12
        if config.uncouplePositionOrientation {
            let f = DenseMatrix.block3(lambdaInv, offset: 0, columns: 6).inverse * F
            let t = DenseMatrix.block3(lambdaInv, offset: 21, columns: 6).inverse * T
            wrench[0] = f.x; wrench[1] = f.y; wrench[2] = f.z
            wrench[3] = t.x; wrench[4] = t.y; wrench[5] = t.z
        } else {
            let ft = [F.x, F.y, F.z, T.x, T.y, T.z]
            for r in 0..<6 {
                var s = 0.0
                for k in 0..<6 { s += lambda[r * 6 + k] * ft[k] }
                wrench[r] = s
            }
        }
        // τ = Jᵀ wrench + bias.
        let bias = world.biasForces
        for i in 0..<n {
            var s = 0.0
            for r in 0..<6 { s += J[r * n + i] * wrench[r] }
            torque[i] = s + bias[robot.armQvelAddresses[i]]
        }
        // Nullspace: Nᵀ M (k (q₀ - q) - 2 sqrt(k) q̇), N = I - Jbar J, Jbar = M⁻¹ Jᵀ Λ = JMinvᵀ Λ (n x 6).
        let kn = config.nullspaceKp, kv = kn.squareRoot() * 2
        for i in 0..<n {
            tmp[i] = kn * (posture[i] - jointPosition[i]) - kv * jointVelocity[i]
        }
        for i in 0..<n {  // tmp2 = M tmp  (pose torques)
            var s = 0.0
            for k in 0..<n { s += M[i * n + k] * tmp[k] }
            tmp2[i] = s
        }
        // Nᵀ x = x - Jᵀ Jbarᵀ x = x - Jᵀ (Λ (JMinv x)).  (Λ symmetric.)
        for r in 0..<6 {
            var s = 0.0
            for k in 0..<n { s += JMinv[r * n + k] * tmp2[k] }
            y[r] = s
        }
        for r in 0..<6 {
            var s = 0.0
            for k in 0..<6 { s += lambda[k * 6 + r] * y[k] }
            z[r] = s
        }
        let ctrl = world.controls
        for i in 0..<n {
            var s = 0.0
            for r in 0..<6 { s += J[r * n + i] * z[r] }
            let tau = torque[i] + (tmp2[i] - s)
            let range = armRanges[i]
            ctrl[robot.armActuators[i].index] = min(max(tau, range.lowerBound), range.upperBound)
        }
        // Gripper: each finger actuator to mid + halfRange · command (Panda: two fingers).
        if loop == .robosuite14 { advanceGripper() }
        for (i, actuator) in robot.gripperActuators.enumerated() where i < 2 {
            let range = gripperRanges[i]
            let command = min(max(gripperCommand[i], -1), 1)
            let target = 0.5 * (range.upperBound + range.lowerBound) + 0.5 * (range.upperBound - range.lowerBound) * command
            ctrl[actuator.index] = min(max(target, range.lowerBound), range.upperBound)
        }
    }
}

/// The rotation matrix robosuite's OSC builds from an axis-angle delta:
/// `quat2mat(axisangle2quat(v))`, with the arithmetic of robosuite's numba-compiled `quat2mat`
/// reproduced: the quaternion in float32, its squared norm `n` as OpenBLAS's `sdot` sums it,
/// scaled by `sqrt(2 / n)` in float64 and rounded back,
/// the off-diagonal terms in float32, the diagonal `1 - a - b` in float64 of float32 terms.
/// The zero vector gives the identity.
func robosuiteRotationMatrix(axisAngle v: SIMD3<Double>) -> Matrix3 {
    let angle = ((v.x * v.x + v.y * v.y) + v.z * v.z).squareRoot()
    if angle == 0 { return .identity }
    let axis = v / angle
    let s = sin(angle / 2), c = cos(angle / 2)
    // [w, x, y, z] in float32.
    var q = SIMD4<Float>(Float(c), Float(axis.x * s), Float(axis.y * s), Float(axis.z * s))
    // np.dot of float32 vectors in OpenBLAS (sdot): float products summed in a double, rounded to float.
    let norm2 = Float(((Double(q[0] * q[0]) + Double(q[1] * q[1])) + Double(q[2] * q[2])) + Double(q[3] * q[3]))
    if Double(norm2) < 4 * Double.ulpOfOne { return .identity }
    let scale = (2.0 / Double(norm2)).squareRoot()
    q = SIMD4(Float(Double(q[0]) * scale), Float(Double(q[1]) * scale), Float(Double(q[2]) * scale), Float(Double(q[3]) * scale))
    @inline(__always) func o(_ i: Int, _ j: Int) -> Float { q[i] * q[j] }
    return Matrix3(
        rows: (
            SIMD3(1.0 - Double(o(2, 2)) - Double(o(3, 3)), Double(o(1, 2) - o(3, 0)), Double(o(1, 3) + o(2, 0))),
            SIMD3(Double(o(1, 2) + o(3, 0)), 1.0 - Double(o(1, 1)) - Double(o(3, 3)), Double(o(2, 3) - o(1, 0))),
            SIMD3(Double(o(1, 3) - o(2, 0)), Double(o(2, 3) + o(1, 0)), 1.0 - Double(o(1, 1)) - Double(o(2, 2)))
        ))
}
