import Foundation
import MimicCore

/// The settings of robosuite's `OSC_POSE` arm controller (robosuite 1.5 defaults).
///
/// An action's 6 pose values are, for `delta` input, a position change (metres) and an
/// axis-angle rotation change (radians) after ``scaling`` (clip to the input range, map to the
/// output range: ±1 → ±0.05 m, ±0.5 rad by default), applied to the end-effector pose measured
/// when the action arrives; for `absolute` input, the target position and axis-angle orientation
/// themselves (not scaled, as in robosuite). Both are expressed in the robot's base frame (site
/// `robot<k>_right_center`) or in the world, per ``referenceFrame``.
public struct OSCPoseConfig: Sendable, Equatable, Codable {
    public enum InputType: String, Sendable, Codable { case delta, absolute }
    public enum ReferenceFrame: String, Sendable, Codable { case base, world }

    public var inputType: InputType
    public var referenceFrame: ReferenceFrame
    /// Input clipping and output scaling of the 6 pose values (delta input only).
    public var scaling: ActionScaling
    /// Stiffness per axis (x, y, z, rx, ry, rz), N/m and N·m/rad before the operational-space inertia. Default 150.
    public var kp: [Double]
    /// Damping ratio per axis; the damping is `2 sqrt(kp) · dampingRatio`. Default 1 (critical).
    public var dampingRatio: [Double]
    /// robosuite's `uncouple_pos_ori` (default true): position and orientation forces are mapped
    /// through their own operational-space inertias instead of the full 6x6 one.
    public var uncouplePositionOrientation: Bool
    /// Nullspace posture stiffness (robosuite's `joint_kp`, 10); the damping is `2 sqrt(kp)`.
    public var nullspaceKp: Double
    /// Joint positions the nullspace term pulls towards. nil: the robot model's robosuite
    /// `init_qpos` when known (Panda), else the arm's joint positions in the initial state.
    public var nullspacePosture: [Double]?

    public init(
        inputType: InputType = .delta, referenceFrame: ReferenceFrame = .base,
        scaling: ActionScaling = .robosuiteDefault, kp: [Double] = Array(repeating: 150, count: 6),
        dampingRatio: [Double] = Array(repeating: 1, count: 6), uncouplePositionOrientation: Bool = true,
        nullspaceKp: Double = 10, nullspacePosture: [Double]? = nil
    ) {
        self.inputType = inputType
        self.referenceFrame = referenceFrame
        self.scaling = scaling
        self.kp = kp
        self.dampingRatio = dampingRatio
        self.uncouplePositionOrientation = uncouplePositionOrientation
        self.nullspaceKp = nullspaceKp
        self.nullspacePosture = nullspacePosture
    }

    /// The damping per axis, `2 sqrt(kp) · dampingRatio`.
    public var kd: [Double] { zip(kp, dampingRatio).map { 2 * $0.squareRoot() * $1 } }
}

/// How robosuite's `GRIP` gripper controller turns the one gripper action value into finger targets.
///
/// Panda (robosuite's `PandaGripper.format_action`): a command state `c` (two values, zero at
/// reset) moves by `speed · sign(a)` towards closed (`a > 0`) or open (`a < 0`), clipped to ±1, as
/// `c += [-1, 1] · speed · sign(a)`; each finger actuator then gets `mid + halfRange · c_i` of its
/// control range. robosuite 1.5 does this once per control step (speed 0.2: a full close or open
/// takes 10 control steps); robosuite ≤ 1.4 once per physics step (speed 0.01: 200 physics steps,
/// 8 control steps at 20 Hz and 2 ms), see ``ControlLoop``.
public struct GripperConfig: Sendable, Equatable, Codable {
    /// Change of the command state per update (Panda: 0.2 per control step in robosuite 1.5, 0.01
    /// per physics step in robosuite 1.4).
    public var speed: Double
    public init(speed: Double = 0.2) { self.speed = speed }
}

/// Which robosuite control loop the executor reproduces. Chosen by ``ControllerConfig/init(envArgs:file:path:)``
/// from the shape of `env_kwargs.controller_configs`.
///
/// - ``robosuite15``: robosuite 1.5 (composite controller config, `body_parts` → `arms` →
///   `right`), with `lite_physics`: the arm goal and the gripper command are updated once per
///   control step; every rotation delta replaces the orientation goal.
/// - ``robosuite14``: robosuite ≤ 1.4 (flat `OSC_POSE` config, as in MimicGen's datasets,
///   recorded with robosuite 1.4.1): `env.step` runs, per physics step, `sim.forward()`, the
///   robot's `control` (`set_goal` on the first physics step only, then `run_controller` from the
///   kinematics of that `forward`, then `grip_action`, which advances the Panda gripper command by
///   `0.01 · sign(a)` *every physics step*) and `sim.step()`. `OSC.set_goal` leaves the
///   orientation goal as it was when all three scaled rotation deltas are exactly zero
///   (`math.isclose(x, 0)`), so a run of zero-rotation actions holds the last goal orientation
///   (at the start, the pose the controller was built at) instead of the measured one. Actions
///   are world-frame deltas. The first step after a state load uses the kinematics the
///   controller was built with, as in 1.5 (``RolloutOptions/robosuiteFirstStep``).
public enum ControlLoop: String, Sendable, Codable {
    case robosuite15, robosuite14
}

/// Everything the executor needs to turn actions into actuator controls, for every robot of a scene.
///
/// The action of one control step is, per robot in order (`robot0`, `robot1`, …), 6 arm values
/// (``OSCPoseConfig``) then 1 gripper value: robosuite 1.5's BASIC composite controller for a
/// Panda. Each action is held for ``physicsStepsPerAction(timestep:)`` physics steps.
public struct ControllerConfig: Sendable, Equatable, Codable {
    /// One arm controller per robot, in action order.
    public var arms: [OSCPoseConfig]
    public var gripper: GripperConfig
    /// Control steps per second (robosuite's `control_freq`, 20).
    public var controlFrequency: Double
    /// The robosuite robot model of each robot (`Panda`), when known: picks the nullspace posture.
    public var robotModels: [String]
    /// The robosuite control loop reproduced (default robosuite 1.5's).
    public var loop: ControlLoop
    /// robosuite 1.5's `WHOLE_BODY_IK` composite controller (the GR1's), instead of one
    /// `OSC_POSE` arm per robot; ``arms`` is then empty.
    public var wholeBody: WholeBodyIKConfig?

    public init(
        arms: [OSCPoseConfig], gripper: GripperConfig = GripperConfig(), controlFrequency: Double = 20,
        robotModels: [String] = [], loop: ControlLoop = .robosuite15
    ) {
        self.arms = arms
        self.gripper = gripper
        self.controlFrequency = controlFrequency
        self.robotModels = robotModels
        self.loop = loop
    }

    enum CodingKeys: String, CodingKey { case arms, gripper, controlFrequency, robotModels, loop, wholeBody }

    /// Decodes a config; a missing `loop` is robosuite 1.5's.
    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        arms = try c.decode([OSCPoseConfig].self, forKey: .arms)
        gripper = try c.decode(GripperConfig.self, forKey: .gripper)
        controlFrequency = try c.decode(Double.self, forKey: .controlFrequency)
        robotModels = try c.decode([String].self, forKey: .robotModels)
        loop = try c.decodeIfPresent(ControlLoop.self, forKey: .loop) ?? .robosuite15
        wholeBody = try c.decodeIfPresent(WholeBodyIKConfig.self, forKey: .wholeBody)
    }

    /// robosuite 1.5's default for `robots` Pandas: OSC_POSE delta in the base frame, GRIP, 20 Hz.
    public static func robosuiteDefault(robots: Int) -> ControllerConfig {
        ControllerConfig(
            arms: Array(repeating: OSCPoseConfig(), count: robots),
            robotModels: Array(repeating: "Panda", count: robots))
    }

    /// Number of action values per control step: 7 per robot, or for a whole-body controller 12
    /// per arm (pose 6, hand 6).
    public var actionWidth: Int { wholeBody.map { 12 * $0.sites.count } ?? 7 * arms.count }

    /// Physics steps per control step, as robosuite counts them: `Int(1 / controlFrequency / timestep)` (25 at 20 Hz and 2 ms).
    public func physicsStepsPerAction(timestep: Double) -> Int {
        max(1, Int(1.0 / controlFrequency / timestep))
    }

    /// Reads the controller of every robot from a dataset's `env_args`: the fields MimicCore
    /// parses (type, input type, reference frame, input/output ranges) plus `kp`,
    /// `damping_ratio`, `uncouple_pos_ori` and `control_freq` from the JSON itself.
    ///
    /// The control loop follows the config's shape: a robosuite 1.5 composite config (with
    /// `body_parts`) gives ``ControlLoop/robosuite15``; a flat arm config (`{"type": "OSC_POSE",
    /// ..., "control_delta": true}`, robosuite ≤ 1.4) gives ``ControlLoop/robosuite14`` and its
    /// Panda gripper speed (0.01 per physics step).
    ///
    /// - Throws: ``DatasetError`` naming `file` and the attribute when a robot's arm controller is
    ///   not `OSC_POSE` with fixed impedance (what MimicSim implements), or a gain has the wrong length.
    public init(envArgs: EnvArgs, file: String, path: String = "/data.attrs[env_args]") throws(DatasetError) {
        let object = (try? JSONSerialization.jsonObject(with: Data(envArgs.json.utf8))) as? [String: Any] ?? [:]
        let kwargs = object["env_kwargs"] as? [String: Any] ?? [:]
        if let wholeBody = try WholeBodyIKConfig(envArgs: envArgs, file: file, path: path) {
            self.init(arms: [], controlFrequency: (kwargs["control_freq"] as? NSNumber)?.doubleValue ?? 20, robotModels: envArgs.robots)
            self.wholeBody = wholeBody
            return
        }
        let robotCount = max(envArgs.robots.count, envArgs.armControllers.count)
        guard robotCount > 0, envArgs.armControllers.count == robotCount || envArgs.armControllers.count == 1 else {
            throw DatasetError(file: file, path: path, "env_args names no robot arm controller (robots: \(envArgs.robots))")
        }
        // Raw per-robot arm configs, for the keys MimicCore does not parse.
        var rawPerRobot: [Any] = []
        if let list = kwargs["controller_configs"] as? [Any] {
            rawPerRobot = list
        } else if let one = kwargs["controller_configs"] {
            rawPerRobot = Array(repeating: one, count: robotCount)
        }
        func rawArm(_ r: Int) -> [String: Any] {
            guard r < rawPerRobot.count, let config = rawPerRobot[r] as? [String: Any] else { return [:] }
            if let parts = config["body_parts"] as? [String: Any] {
                let arms = parts["arms"] as? [String: Any] ?? parts
                return arms["right"] as? [String: Any] ?? [:]
            }
            return config
        }
        var arms: [OSCPoseConfig] = []
        for r in 0..<robotCount {
            let parsed = envArgs.armControllers[min(r, envArgs.armControllers.count - 1)]
            let where_ = "\(path): robot \(r) arm \"\(parsed.first?.part ?? "right")\""
            guard parsed.count == 1, let arm = parsed.first else {
                throw DatasetError(file: file, path: path, "robot \(r) has \(parsed.count) arm controllers; MimicSim drives one-arm robots")
            }
            guard arm.type == "OSC_POSE" else {
                throw DatasetError(file: file, path: where_, "controller type \(arm.type) is not supported (MimicSim implements OSC_POSE)")
            }
            let raw = rawArm(r)
            if let mode = raw["impedance_mode"] as? String, mode != "fixed" {
                throw DatasetError(file: file, path: where_, "impedance_mode \(mode) is not supported (only fixed)")
            }
            if let interpolation = raw["interpolation"], !(interpolation is NSNull) {
                throw DatasetError(file: file, path: where_, "controller interpolation \(interpolation) is not supported")
            }
            func six(_ key: String, _ fallback: Double) throws(DatasetError) -> [Double] {
                if let list = raw[key] as? [NSNumber] {
                    guard list.count == 6 else { throw DatasetError(file: file, path: where_, "\(key) has \(list.count) values, expected 6 or one") }
                    return list.map(\.doubleValue)
                }
                if let one = raw[key] as? NSNumber { return Array(repeating: one.doubleValue, count: 6) }
                return Array(repeating: fallback, count: 6)
            }
            guard arm.inputMin.count == 6, arm.inputMax.count == 6, arm.outputMin.count == 6, arm.outputMax.count == 6 else {
                throw DatasetError(file: file, path: where_, "input/output ranges must have 6 values")
            }
            arms.append(
                OSCPoseConfig(
                    inputType: arm.delta ? .delta : .absolute,
                    referenceFrame: arm.baseFrame ? .base : .world,
                    scaling: ActionScaling(inputMin: arm.inputMin, inputMax: arm.inputMax, outputMin: arm.outputMin, outputMax: arm.outputMax),
                    kp: try six("kp", 150), dampingRatio: try six("damping_ratio", 1),
                    uncouplePositionOrientation: raw["uncouple_pos_ori"] as? Bool ?? true))
        }
        let frequency = (kwargs["control_freq"] as? NSNumber)?.doubleValue ?? 20
        // Flat arm configs (no composite `body_parts`) are robosuite ≤ 1.4's.
        let flat = (0..<robotCount).allSatisfy { r in
            guard r < rawPerRobot.count, let config = rawPerRobot[r] as? [String: Any] else { return false }
            return config["body_parts"] == nil && config["type"] as? String == "OSC_POSE"
        }
        if flat {
            self.init(
                arms: arms, gripper: GripperConfig(speed: 0.01), controlFrequency: frequency,
                robotModels: envArgs.robots, loop: .robosuite14)
        } else {
            self.init(arms: arms, controlFrequency: frequency, robotModels: envArgs.robots)
        }
    }
}

/// Nullspace postures of the robot models robosuite ships, by model name (`init_qpos`).
enum RobotModels {
    static func initialJointPositions(_ model: String) -> [Double]? {
        switch model {
        case "Panda": return [0, Double.pi / 16.0, 0.00, -Double.pi / 2.0 - Double.pi / 3.0, 0.00, Double.pi - 0.2, Double.pi / 4]
        // Over the robot's joints in model order (robosuite's gr1_robot.py): right arm then left arm,
        // after the torso's 3 and the head's 3 where the model has them.
        case "GR1ArmsOnly": return gr1Arms
        case "GR1FixedLowerBody": return Array(repeating: 0, count: 6) + gr1Arms
        default: return nil
        }
    }

    static let gr1Arms: [Double] = [0, -0.1, 0, -1.57, 0, 0, 0, 0, 0.1, 0, -1.57, 0, 0, 0]
}
