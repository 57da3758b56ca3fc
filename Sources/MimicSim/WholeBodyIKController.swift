import CMuJoCo
import Foundation
import MimicCore
import MimicMath

/// The settings of robosuite 1.5's `WHOLE_BODY_IK` composite controller, the default of its GR1
/// humanoids (`default_gr1.json`): one damped-least-squares IK step per control step turns
/// absolute grip-site poses into arm joint targets, which `JOINT_POSITION` part controllers track
/// with torques recomputed every physics step; the hands take their finger targets directly.
public struct WholeBodyIKConfig: Sendable, Equatable, Codable {
    /// The controlled sites, in action order (`ref_name`: right grip site, then left).
    public var sites: [String]
    /// `ik_pseudo_inverse_damping` λ (0.05).
    public var damping: Double
    /// `ik_integration_dt` (0.1): `q_des = q + dt · dq`.
    public var integrationDt: Double
    /// `ik_max_dq` (4): the whole `dq` is scaled down so no component exceeds it.
    public var maxDq: Double
    /// `ik_max_dq_torso` (0.2): then the torso joints' part of `dq` is scaled down so none exceeds it.
    public var maxDqTorso: Double
    /// `actuation_part_names`: the parts whose joints the IK moves, in the order of its joint
    /// vector; parts the robot does not have are dropped, as robosuite drops them.
    public var actuationParts: [String]
    /// Nullspace gain per joint name (`nullspace_joint_weights`), default 1.
    public var nullspaceWeights: [String: Double]
    /// The `JOINT_POSITION` gains of the arm part controllers (kp 1000, kd 200 in the GR1 configs).
    public var kp: Double
    public var kd: Double
    /// The gains of other parts (`torso`, `head`) where the config gives them; else the arms'.
    public var partGains: [String: JointGains]
    /// Whether the hands scale their commands (`gripper.use_action_scaling`); the GR1 configs say
    /// false (the command is the finger joint target in radians), the only case Mimic reproduces.
    public var handActionScaling: Bool

    /// A `JOINT_POSITION` part controller's gains.
    public struct JointGains: Sendable, Equatable, Codable {
        public var kp: Double
        public var kd: Double
        public init(kp: Double, kd: Double) {
            self.kp = kp
            self.kd = kd
        }
    }

    /// robosuite's default `actuation_part_names` (`default_gr1.json`).
    public static let defaultActuationParts = ["torso", "head", "right", "left", "base", "legs"]

    public init(
        sites: [String] = ["gripper0_right_grip_site", "gripper0_left_grip_site"], damping: Double = 0.05,
        integrationDt: Double = 0.1, maxDq: Double = 4, maxDqTorso: Double = 0.2, actuationParts: [String] = defaultActuationParts,
        nullspaceWeights: [String: Double] = [:], kp: Double = 1000, kd: Double = 200, partGains: [String: JointGains] = [:],
        handActionScaling: Bool = false
    ) {
        self.sites = sites
        self.damping = damping
        self.integrationDt = integrationDt
        self.maxDq = maxDq
        self.maxDqTorso = maxDqTorso
        self.actuationParts = actuationParts
        self.nullspaceWeights = nullspaceWeights
        self.kp = kp
        self.kd = kd
        self.partGains = partGains
        self.handActionScaling = handActionScaling
    }

    enum CodingKeys: String, CodingKey {
        case sites, damping, integrationDt, maxDq, maxDqTorso, actuationParts, nullspaceWeights, kp, kd, partGains, handActionScaling
    }

    /// Keys left out take robosuite's defaults.
    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        let d = WholeBodyIKConfig()
        sites = try c.decodeIfPresent([String].self, forKey: .sites) ?? d.sites
        damping = try c.decodeIfPresent(Double.self, forKey: .damping) ?? d.damping
        integrationDt = try c.decodeIfPresent(Double.self, forKey: .integrationDt) ?? d.integrationDt
        maxDq = try c.decodeIfPresent(Double.self, forKey: .maxDq) ?? d.maxDq
        maxDqTorso = try c.decodeIfPresent(Double.self, forKey: .maxDqTorso) ?? d.maxDqTorso
        actuationParts = try c.decodeIfPresent([String].self, forKey: .actuationParts) ?? d.actuationParts
        nullspaceWeights = try c.decodeIfPresent([String: Double].self, forKey: .nullspaceWeights) ?? d.nullspaceWeights
        kp = try c.decodeIfPresent(Double.self, forKey: .kp) ?? d.kp
        kd = try c.decodeIfPresent(Double.self, forKey: .kd) ?? d.kd
        partGains = try c.decodeIfPresent([String: JointGains].self, forKey: .partGains) ?? d.partGains
        handActionScaling = try c.decodeIfPresent(Bool.self, forKey: .handActionScaling) ?? d.handActionScaling
    }

    /// The gains of part `name`.
    public func gains(of name: String) -> JointGains { partGains[name] ?? JointGains(kp: kp, kd: kd) }

    /// Reads robosuite 1.5's composite controller config from `env_args`
    /// (`env_kwargs.controller_configs` with `type: WHOLE_BODY_IK`); nil for any other type.
    ///
    /// - Throws: ``DatasetError`` naming `file` when the config is not of the shape robosuite writes,
    ///   or asks for something Mimic does not reproduce (`WHOLE_BODY_MINK_IK`, relative input, a
    ///   non-axis-angle rotation, hands with action scaling).
    public init?(envArgs: EnvArgs, file: String, path: String = "/data.attrs[env_args]") throws(DatasetError) {
        guard let data = envArgs.json.data(using: .utf8),
            let object = try? JSONSerialization.jsonObject(with: data) as? [String: Any],
            let kwargs = object["env_kwargs"] as? [String: Any]
        else { return nil }
        let configs = (kwargs["controller_configs"] as? [Any])?.first ?? kwargs["controller_configs"]
        if (configs as? [String: Any])?["type"] as? String == "WHOLE_BODY_MINK_IK" {
            throw DatasetError(
                file: file, path: path,
                "WHOLE_BODY_MINK_IK (robosuite's mink QP solver) is not reproduced; Mimic executes WHOLE_BODY_IK (robosuite's default_gr1.json)")
        }
        guard let config = configs as? [String: Any], config["type"] as? String == "WHOLE_BODY_IK" else { return nil }
        let specific = config["composite_controller_specific_configs"] as? [String: Any] ?? [:]
        func number(_ key: String, _ fallback: Double) -> Double { (specific[key] as? NSNumber)?.doubleValue ?? fallback }
        self.init()
        sites = specific["ref_name"] as? [String] ?? sites
        damping = number("ik_pseudo_inverse_damping", damping)
        integrationDt = number("ik_integration_dt", integrationDt)
        maxDq = number("ik_max_dq", maxDq)
        maxDqTorso = number("ik_max_dq_torso", maxDqTorso)
        actuationParts = specific["actuation_part_names"] as? [String] ?? actuationParts
        nullspaceWeights = (specific["nullspace_joint_weights"] as? [String: Any] ?? [:]).compactMapValues { ($0 as? NSNumber)?.doubleValue }
        if let type = specific["ik_input_type"] as? String, type != "absolute" {
            throw DatasetError(file: file, path: path, "WHOLE_BODY_IK with ik_input_type \(type): Mimic reproduces absolute input only")
        }
        if let frame = specific["ik_input_ref_frame"] as? String, frame != "base" {
            throw DatasetError(file: file, path: path, "WHOLE_BODY_IK with ik_input_ref_frame \(frame): Mimic reproduces the base frame only")
        }
        if let repr = specific["ik_input_rotation_repr"] as? String, repr != "axis_angle" {
            throw DatasetError(file: file, path: path, "WHOLE_BODY_IK with ik_input_rotation_repr \(repr): Mimic reproduces axis_angle only")
        }
        let parts = config["body_parts"] as? [String: Any] ?? [:]
        let arm = (parts["right"] ?? parts["left"]) as? [String: Any] ?? [:]
        kp = (arm["kp"] as? NSNumber)?.doubleValue ?? kp
        func derivative(_ part: [String: Any], kp: Double) -> Double {
            (part["kd"] as? NSNumber)?.doubleValue ?? 2 * kp.squareRoot() * ((part["damping_ratio"] as? NSNumber)?.doubleValue ?? 1)
        }
        kd = derivative(arm, kp: kp)
        for name in ["torso", "head"] {
            guard let part = parts[name] as? [String: Any], let gain = (part["kp"] as? NSNumber)?.doubleValue else { continue }
            partGains[name] = JointGains(kp: gain, kd: derivative(part, kp: gain))
        }
        handActionScaling = ((arm["gripper"] as? [String: Any])?["use_action_scaling"] as? Bool) ?? true
        if handActionScaling {
            throw DatasetError(file: file, path: path, "WHOLE_BODY_IK with hand use_action_scaling true: Mimic reproduces the GR1 configs' false only")
        }
    }
}

/// One arm of a humanoid (robosuite's GR1): the joints the IK moves for one controlled site, and
/// the hand at its end.
public struct HumanoidArm: Sendable, Equatable {
    /// The controlled site (`gripper0_right_grip_site`).
    public var site: SiteID
    /// The arm's hinge joints from the shoulder to the wrist (the robot's joints on the site's
    /// kinematic chain, hand joints excluded), and their `qpos` / `qvel` addresses.
    public var joints: [JointID]
    public var qposAddresses: [Int]
    public var qvelAddresses: [Int]
    /// The actuator driving each joint.
    public var actuators: [ActuatorID]
    /// The hand's actuators in MuJoCo's order, and for each the index of the 6-D hand command
    /// that drives it (robosuite's `format_action`: Fourier 11 actuators, Inspire 12).
    public var handActuators: [ActuatorID]
    public var handCommandIndex: [Int]

    /// The Fourier hand's 6-D command → its 11 actuators (pinky, ring, middle, index: 2 each;
    /// thumb bend 2; thumb rotation 1).
    static let fourierIndices = [0, 0, 1, 1, 2, 2, 3, 3, 4, 4, 5]
    /// The Inspire hand's 6-D command → its 12 actuators (thumb bend drives 3).
    static let inspireIndices = [0, 0, 1, 1, 2, 2, 3, 3, 4, 4, 4, 5]

    /// robosuite's grasp groups of a humanoid hand, for an end effector named `robot0_right` /
    /// `robot0_left` (hand prefix `gripper0_right_` / `gripper0_left_`): the thumb's collision
    /// geoms (`left_fingerpad`), and the fingers' (`right_fingerpad`). As robosuite 1.5.2 lists
    /// the Fourier hand's, the middle finger's intermediate link is not among them (a typo there
    /// lists its proximal link twice); the palm counts for neither. nil when the scene has no such hand.
    static func fingerGroups(of effector: String, in scene: Scene) -> [[GeomID]]? {
        let parts = effector.split(separator: "_")
        guard parts.count == 2, parts[0].hasPrefix("robot"), parts[1] == "right" || parts[1] == "left" else { return nil }
        let prefix = "gripper\(parts[0].dropFirst("robot".count))_\(parts[1])_"
        let side = parts[1] == "right" ? "R" : "L"
        let names = scene.geomNames.filter { $0.hasPrefix(prefix) && $0.hasSuffix("_col") }
        let thumb = names.filter { $0.contains("_\(side)_thumb_") }
        let fingers = names.filter { name in
            ["index", "middle", "ring", "pinky"].contains { name.contains("_\(side)_\($0)_") } && !name.contains("_\(side)_middle_intermediate")
        }
        guard !thumb.isEmpty, !fingers.isEmpty else { return nil }
        return [thumb.compactMap(scene.geomIfPresent), fingers.compactMap(scene.geomIfPresent)]
    }

    /// The arm ending at site `siteName`, found from the scene's structure: the hinge joints on the
    /// chain from the site's body to the root, without the hand's and the torso's (named `…torso…`,
    /// robosuite's own rule for its torso part), and the position actuators of the hand mounted
    /// there (joints named `<hand prefix>…`, the site's prefix up to `_grip_site`, e.g. `gripper0_right_`).
    ///
    /// - Throws: ``DatasetError`` naming the scene when the site is missing, a joint has no
    ///   actuator, or the hand is of neither known kind.
    static func find(site siteName: String, in scene: Scene) throws(DatasetError) -> HumanoidArm {
        let site = try scene.site(siteName)
        let m = scene.model.pointee
        var chain: [JointID] = []
        var body = Int(m.site_bodyid[site.index])
        while body > 0 {
            let start = Int(m.body_jntadr[body]), count = Int(m.body_jntnum[body])
            if start >= 0 { for j in (start..<start + count).reversed() { chain.append(JointID(index: j)) } }
            body = Int(m.body_parentid[body])
        }
        let joints = Array(
            chain.reversed().filter { scene.kind(of: $0) == .hinge && !scene.name(of: $0).hasPrefix("gripper") && !scene.name(of: $0).contains("torso") })
        let actuators = try actuators(driving: joints, in: scene, of: "arm joint", siteName)
        let handPrefix = siteName.hasSuffix("grip_site") ? String(siteName.dropLast("grip_site".count)) : siteName + "_"
        let hand = (0..<Int(m.nu)).filter { a in
            m.actuator_trntype[a] == Int32(mjTRN_JOINT.rawValue) && scene.name(of: JointID(index: Int(m.actuator_trnid[2 * a]))).hasPrefix(handPrefix)
        }.map(ActuatorID.init)
        let indices: [Int]
        switch hand.count {
        case fourierIndices.count: indices = fourierIndices
        case inspireIndices.count: indices = inspireIndices
        default:
            throw DatasetError(
                file: scene.file, path: scene.path,
                "the hand at \(siteName) has \(hand.count) actuators; Mimic knows robosuite's Fourier (11) and Inspire (12) hands")
        }
        return HumanoidArm(
            site: site, joints: joints, qposAddresses: joints.map(scene.qposAddress(of:)),
            qvelAddresses: joints.map(scene.qvelAddress(of:)), actuators: actuators, handActuators: hand,
            handCommandIndex: indices)
    }

    /// The actuator driving each of `joints`.
    ///
    /// - Throws: ``DatasetError`` naming the scene when one has none (`what` and `owner` name it).
    static func actuators(driving joints: [JointID], in scene: Scene, of what: String, _ owner: String) throws(DatasetError) -> [ActuatorID] {
        let m = scene.model.pointee
        var actuators: [ActuatorID] = []
        for joint in joints {
            guard let a = (0..<Int(m.nu)).first(where: { m.actuator_trntype[$0] == Int32(mjTRN_JOINT.rawValue) && Int(m.actuator_trnid[2 * $0]) == joint.index })
            else {
                throw DatasetError(file: scene.file, path: scene.path, "\(what) \(scene.name(of: joint)) of \(owner) has no actuator")
            }
            actuators.append(ActuatorID(index: a))
        }
        return actuators
    }

    /// The robot's joints as robosuite lists them (`robot_joints`, the order of `robot0_joint_pos`
    /// and of `init_qpos`): the hinge joints named `robot0_…`, in model order.
    static func robotJoints(in scene: Scene) -> [JointID] {
        scene.jointNames.filter { $0.hasPrefix("robot0_") }.compactMap(scene.jointIfPresent).filter { scene.kind(of: $0) == .hinge }
    }
}

/// robosuite 1.5's `WHOLE_BODY_IK` composite controller with `JOINT_POSITION` parts and `GRIP`
/// hands, for one ``SimWorld``: Mimic's own implementation of the same equations.
///
/// The IK moves the joints of the config's `actuation_part_names` the robot has, in that order:
/// for `GR1ArmsOnly` the two arms, for `GR1FixedLowerBody` the torso (3 joints), the head (3) and
/// the arms. Action (24 values for two arms): per controlled site, its absolute target position (3)
/// and axis-angle orientation (3) in the frame of body `robot0_base`; then per hand its 6-D command.
///
/// Per control step, ``setGoal(action:world:)`` (after the step's first `mj_step1`) runs one
/// damped-least-squares step, with the sites' Jacobians `J` (rows: per site position then
/// rotation; columns: the IK joints):
/// ```
/// twist_i = 0.95 / dt · [p*_i − p_i ; axisAngle(q*_i · conj(q_i))]
/// dq = Jᵀ (J Jᵀ + λ² I)⁻¹ twist + (I − J⁺ J) (w ∘ (0 − q))      w: nullspace weights
/// dq ← dq · min(1, maxDq / max|dq|);   dq_torso ← dq_torso · min(1, maxDqTorso / max|dq_torso|)
/// q* = clip(q + dt · dq, joint ranges)
/// ```
/// and every physics step ``applyControls(world:fullM:)`` writes each part's torques from its own
/// block of the inertia, `τ_p = M_pp (kp (q*_p − q_p) − kd q̇_p) + qfrc_bias_p`, and the hand
/// targets `clip(command[index], ctrlrange)`.
public final class WholeBodyIKController: RobotControl {
    /// The joints one `JOINT_POSITION` part controller drives: `range` in the IK's joint vector.
    struct Part: Equatable {
        var name: String
        var range: Range<Int>
        var gains: WholeBodyIKConfig.JointGains
    }

    public let config: WholeBodyIKConfig
    public let arms: [HumanoidArm]
    /// `robot0_right`, `robot0_left`: the prefix of each arm's observation keys.
    public let effectorNames: [String]
    /// The IK joints, in the order of `actuation_part_names`, and the parts they fall into.
    let joints: [JointID]
    let parts: [Part]
    /// robosuite's `init_qpos` of the robot model for the IK joints (its controllers' reset configuration), when known.
    let initialJointPositions: [Double]?
    /// The world goals of the current control step, per arm.
    private var goals: [Pose]
    /// The frame the targets are given in: body `robot0_base`.
    let base: BodyID
    let n: Int
    let nv: Int
    /// The IK joints' `qpos` / `qvel` addresses and actuators.
    private let qposAddresses: [Int], dofs: [Int], actuators: [ActuatorID]
    /// Control ranges of the IK joints' actuators, and of each arm's hand actuators.
    private let actuatorRanges: [ClosedRange<Double>], handRanges: [[ClosedRange<Double>]]
    /// Joint ranges of the IK joints, the nullspace weight of each, and which are the torso's.
    private let ranges: [ClosedRange<Double>]
    private let weights: [Double]
    private let torso: [Int]
    /// The joint targets of the current control step, and the hand targets per arm.
    public private(set) var jointTargets: [Double]
    private var handTargets: [[Double]]
    /// robosuite's first physics step after a state load: the `JOINT_POSITION` controllers still
    /// hold the joint positions and inertia of the reset configuration they were built in (with
    /// `lite_physics` their first update is skipped), and zero velocities. Set by
    /// ``captureResetKinematics(world:initialJointPositions:fullM:)``, cleared by the next
    /// ``applyControls(world:fullM:)``.
    private var stale: (q: [Double], M: [Double])?

    // Scratch memory, allocated once.
    private let jacp: UnsafeMutablePointer<Double>  // 3 x nv
    private let jacr: UnsafeMutablePointer<Double>  // 3 x nv
    private let J: UnsafeMutablePointer<Double>  // m x n
    private let A: UnsafeMutablePointer<Double>  // m x m
    private let Ainv: UnsafeMutablePointer<Double>  // m x m
    private let work: UnsafeMutablePointer<Double>  // 2 m²
    private let twist: UnsafeMutablePointer<Double>  // m
    private let y: UnsafeMutablePointer<Double>  // m
    private let q: UnsafeMutablePointer<Double>  // n
    private let dq: UnsafeMutablePointer<Double>  // n
    private let pull: UnsafeMutablePointer<Double>  // n
    private let acceleration: UnsafeMutablePointer<Double>  // n

    /// Finds the arms of `config.sites` and the joints of its parts in `scene`.
    ///
    /// - Parameter robotModel: the robosuite robot model (`GR1ArmsOnly`), for its reset posture.
    /// - Throws: ``DatasetError`` when a site, body `robot0_base`, an actuator or a known hand is
    ///   missing, or the robot has actuated joints of a part Mimic does not reproduce (legs, a mobile base).
    public init(scene: Scene, config: WholeBodyIKConfig, robotModel: String? = nil) throws(DatasetError) {
        self.config = config
        var arms: [HumanoidArm] = []
        for site in config.sites { arms.append(try HumanoidArm.find(site: site, in: scene)) }
        self.arms = arms
        // gripper0_right_grip_site → robot0_right (robosuite's observation prefix of that arm).
        let sides = config.sites.map { site in site.split(separator: "_").dropFirst().first.map(String.init) ?? site }
        effectorNames = sides.map { "robot0_" + $0 }
        goals = Array(repeating: .identity, count: arms.count)
        // The parts, as robosuite assembles the IK's joint list.
        let robotJoints = HumanoidArm.robotJoints(in: scene)
        let armJoints = Set(arms.flatMap(\.joints))
        var joints: [JointID] = [], parts: [Part] = []
        for name in config.actuationParts {
            var members: [JointID] = []
            if let k = sides.firstIndex(of: name) {
                members = arms[k].joints
            } else if name == "torso" || name == "head" {
                members = robotJoints.filter { scene.name(of: $0).contains(name) && !armJoints.contains($0) }
                _ = try HumanoidArm.actuators(driving: members, in: scene, of: "\(name) joint", "the robot")
            }
            guard !members.isEmpty else { continue }
            parts.append(Part(name: name, range: joints.count..<joints.count + members.count, gains: config.gains(of: name)))
            joints += members
        }
        let driven = Set(joints)
        if let other = robotJoints.first(where: { !driven.contains($0) && !scene.name(of: $0).contains("gripper") }) {
            throw DatasetError(
                file: scene.file, path: scene.path,
                "WHOLE_BODY_IK: joint \(scene.name(of: other)) is outside the torso, head and arms; Mimic reproduces GR1ArmsOnly and GR1FixedLowerBody (no legs, no mobile base)"
            )
        }
        self.joints = joints
        self.parts = parts
        n = joints.count
        // init_qpos is given over robosuite's robot joints; the IK joints take theirs from it.
        let posture = robotModel.flatMap(RobotModels.initialJointPositions)
        if let posture, posture.count == robotJoints.count {
            let byJoint = Dictionary(uniqueKeysWithValues: zip(robotJoints, posture))
            initialJointPositions = joints.map { byJoint[$0] ?? 0 }
        } else {
            initialJointPositions = nil
        }
        base = try scene.body("robot0_base")
        nv = scene.nv
        let m = scene.model.pointee
        ranges = joints.map { j in
            m.jnt_limited[j.index] != 0 ? m.jnt_range[2 * j.index]...m.jnt_range[2 * j.index + 1] : -Double.infinity...Double.infinity
        }
        weights = joints.map { config.nullspaceWeights[scene.name(of: $0)] ?? 1 }
        torso = joints.indices.filter { scene.name(of: joints[$0]).contains("torso") }
        qposAddresses = joints.map(scene.qposAddress(of:))
        dofs = joints.map(scene.qvelAddress(of:))
        actuators = try HumanoidArm.actuators(driving: joints, in: scene, of: "joint", "the robot")
        actuatorRanges = actuators.map(scene.controlRange(of:))
        handRanges = arms.map { $0.handActuators.map(scene.controlRange(of:)) }
        jointTargets = Array(repeating: 0, count: n)
        handTargets = arms.map { Array(repeating: 0, count: $0.handActuators.count) }
        let rows = 6 * arms.count
        jacp = .allocate(capacity: 3 * nv)
        jacr = .allocate(capacity: 3 * nv)
        J = .allocate(capacity: rows * n)
        A = .allocate(capacity: rows * rows)
        Ainv = .allocate(capacity: rows * rows)
        work = .allocate(capacity: 2 * rows * rows)
        twist = .allocate(capacity: rows)
        y = .allocate(capacity: rows)
        q = .allocate(capacity: n)
        dq = .allocate(capacity: n)
        pull = .allocate(capacity: n)
        acceleration = .allocate(capacity: n)
    }

    deinit {
        for p in [jacp, jacr, J, A, Ainv, work, twist, y, q, dq, pull, acceleration] { p.deallocate() }
    }

    /// Values per action row: 6 per arm, then 6 per hand.
    public var actionWidth: Int { 12 * arms.count }

    public var effectorSites: [SiteID] { arms.map(\.site) }

    /// Per arm: the absolute pose (position, axis-angle) in the frame of body `robot0_base` in
    /// columns `6k..<6k+6`, the hand's 6 commands in `6(arms + k)..<6(arms + k)+6`.
    public func endEffectorLayouts(world: SimWorld) -> [EndEffectorLayout] {
        let frame = basePose(world)
        return arms.indices.map { k in
            EndEffectorLayout(
                name: effectorNames[k], poseColumns: 6 * k..<6 * k + 6, gripperColumns: 6 * (arms.count + k)..<6 * (arms.count + k) + 6,
                convention: .oscAbsolute, worldFromActionFrame: frame)
        }
    }

    public func beginRollout(world: SimWorld, robosuiteFirstStep: Bool, fullM: UnsafeMutablePointer<Double>) throws(MuJoCoError) {
        stale = nil
        if robosuiteFirstStep, let initialJointPositions {
            try captureResetKinematics(world: world, initialJointPositions: initialJointPositions, fullM: fullM)
        }
    }

    public func worldGoal(effector e: Int, world: SimWorld) -> Pose { goals[e] }

    public func controlledEefPose(effector e: Int, world: SimWorld) -> Pose { world.pose(of: arms[e].site) }

    /// worldFromBase: the pose of body `robot0_base`, the frame of the targets.
    public func basePose(_ world: SimWorld) -> Pose { world.pose(of: base) }

    /// The world-frame goal of arm `k` commanded by `action` (position, axis-angle in the base frame).
    public func worldGoal(arm k: Int, action: UnsafeBufferPointer<Double>, world: SimWorld) -> Pose {
        let a = action.baseAddress! + 6 * k
        // The rotation as robosuite's float32 `quat2mat(axisangle2quat(·))` computes it.
        let local = Pose(position: SIMD3(a[0], a[1], a[2]), rotation: Quaternion(rotationMatrix: robosuiteRotationMatrix(axisAngle: SIMD3(a[3], a[4], a[5]))))
        return basePose(world) * local
    }

    /// Runs the IK step for `action` on `world`'s current kinematics (after `mj_step1`) and fixes
    /// the joint and hand targets of this control step.
    public func setGoal(action: UnsafeBufferPointer<Double>, world: SimWorld) {
        let rows = 6 * arms.count
        let qpos = world.qposValues
        for r in 0..<rows * n { J[r] = 0 }
        for (k, arm) in arms.enumerated() {
            let goal = worldGoal(arm: k, action: action, world: world)
            goals[k] = goal
            let site = world.pose(of: arm.site)
            let scale = 0.95 / config.integrationDt
            let dp = goal.position - site.position
            let error = (goal.rotation * site.rotation.conjugate).axisAngle
            for i in 0..<3 {
                twist[6 * k + i] = scale * dp[i]
                twist[6 * k + 3 + i] = scale * error[i]
            }
            world.jacobian(of: arm.site, positional: jacp, rotational: jacr)
            for (c, dof) in dofs.enumerated() {
                for i in 0..<3 {
                    J[(6 * k + i) * n + c] = jacp[i * nv + dof]
                    J[(6 * k + 3 + i) * n + c] = jacr[i * nv + dof]
                }
            }
        }
        // A = J Jᵀ, then dq = Jᵀ (A + λ² I)⁻¹ twist.
        for r in 0..<rows {
            for c in r..<rows {
                var s = 0.0
                for j in 0..<n { s += J[r * n + j] * J[c * n + j] }
                A[r * rows + c] = s
                A[c * rows + r] = s
            }
        }
        let lambda2 = config.damping * config.damping
        for r in 0..<rows { A[r * rows + r] += lambda2 }
        DenseMatrix.invert(A, into: Ainv, n: rows, work: work)
        for r in 0..<rows {
            var s = 0.0
            for c in 0..<rows { s += Ainv[r * rows + c] * twist[c] }
            y[r] = s
        }
        for j in 0..<n {
            q[j] = qpos[qposAddresses[j]]
            var s = 0.0
            for r in 0..<rows { s += J[r * n + j] * y[r] }
            dq[j] = s
        }
        // Nullspace: (I − J⁺ J) (w ∘ (0 − q)), J⁺ = Jᵀ (J Jᵀ)⁻¹ for a J of full row rank.
        for r in 0..<rows { A[r * rows + r] -= lambda2 }
        DenseMatrix.invert(A, into: Ainv, n: rows, work: work)
        for j in 0..<n { pull[j] = weights[j] * (0 - q[j]) }
        for r in 0..<rows {
            var s = 0.0
            for j in 0..<n { s += J[r * n + j] * pull[j] }
            twist[r] = s  // J · pull (the twist is used up)
        }
        for r in 0..<rows {
            var s = 0.0
            for c in 0..<rows { s += Ainv[r * rows + c] * twist[c] }
            y[r] = s
        }
        for j in 0..<n {
            var projected = 0.0
            for r in 0..<rows { projected += J[r * n + j] * y[r] }
            dq[j] += pull[j] - projected
        }
        Self.limit(dq, indices: 0..<n, to: config.maxDq)
        Self.limit(dq, indices: torso, to: config.maxDqTorso)
        for j in 0..<n { jointTargets[j] = min(max(q[j] + config.integrationDt * dq[j], ranges[j].lowerBound), ranges[j].upperBound) }
        for (k, arm) in arms.enumerated() {
            let command = action.baseAddress! + 6 * arms.count + 6 * k
            for (i, index) in arm.handCommandIndex.enumerated() { handTargets[k][i] = command[index] }
        }
    }

    /// Scales `dq` at `indices` down so that none exceeds `limit` in magnitude (robosuite's dq caps).
    static func limit<C: Collection<Int>>(_ dq: UnsafeMutablePointer<Double>, indices: C, to limit: Double) {
        guard limit > 0 else { return }
        var largest = 0.0
        for j in indices { largest = max(largest, abs(dq[j])) }
        if largest > limit { for j in indices { dq[j] *= limit / largest } }
    }

    /// Captures the reset configuration robosuite's controllers were built in (the IK joints at
    /// `initialJointPositions`, everything else at `qpos0`, at rest) for the first physics step of
    /// the next rollout, then restores `world`'s state.
    public func captureResetKinematics(world: SimWorld, initialJointPositions: [Double], fullM: UnsafeMutablePointer<Double>) throws(MuJoCoError) {
        precondition(initialJointPositions.count == n, "\(initialJointPositions.count) initial joint positions for \(n) IK joints")
        try world.inResetConfiguration(addresses: qposAddresses, positions: initialJointPositions, fullM: fullM) {
            stale = (initialJointPositions, dofs.flatMap { r in dofs.map { c in fullM[r * nv + c] } })
        }
    }

    /// Writes each part's torques (from `fullM`, the dense `nv x nv` inertia of this physics step)
    /// and the hand targets to `ctrl`.
    public func applyControls(world: SimWorld, fullM: UnsafePointer<Double>) {
        let qpos = world.qposValues, qvel = world.qvelValues, bias = world.biasForces, ctrl = world.controls
        let dofs = self.dofs, addresses = qposAddresses
        let first = stale
        stale = nil
        let acceleration = self.acceleration
        for part in parts {
            let kp = part.gains.kp, kd = part.gains.kd
            for j in part.range {
                acceleration[j] = first.map { kp * (jointTargets[j] - $0.q[j]) } ?? kp * (jointTargets[j] - qpos[addresses[j]]) - kd * qvel[dofs[j]]
            }
            for i in part.range {
                var torque = bias[dofs[i]]
                for j in part.range { torque += (first.map { $0.M[i * n + j] } ?? fullM[dofs[i] * nv + dofs[j]]) * acceleration[j] }
                ctrl[actuators[i].index] = min(max(torque, actuatorRanges[i].lowerBound), actuatorRanges[i].upperBound)
            }
        }
        for (k, arm) in arms.enumerated() {
            for (i, actuator) in arm.handActuators.enumerated() {
                let range = handRanges[k][i]
                ctrl[actuator.index] = min(max(handTargets[k][i], range.lowerBound), range.upperBound)
            }
        }
    }
}
