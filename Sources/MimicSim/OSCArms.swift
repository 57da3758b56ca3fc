import MimicCore
import MimicMath

/// robosuite's `BASIC` composite controller for fixed-base arms with a gripper (Panda): one
/// ``OSCPoseController`` per robot, each reading 7 action values (6 pose, 1 gripper) in `robot<k>`
/// order.
public final class OSCArms: RobotControl {
    public let config: ControllerConfig
    /// The robots driven, in action order.
    public let robots: [Robot]
    let controllers: [OSCPoseController]

    /// One arm config of `config` per robot of `scene`, in `robot<k>` order.
    ///
    /// - Throws: ``DatasetError`` when the config names more or fewer robots than the scene has,
    ///   or a nullspace posture has the wrong length.
    public init(scene: Scene, config: ControllerConfig) throws(DatasetError) {
        guard config.arms.count == scene.robots.count else {
            throw DatasetError(
                file: scene.file, path: scene.path,
                "the controller config has \(config.arms.count) arm(s), the scene has \(scene.robots.count) robot(s) (\(scene.robots.map(\.name).joined(separator: ", ")))")
        }
        self.config = config
        robots = scene.robots
        var controllers: [OSCPoseController] = []
        for (k, robot) in robots.enumerated() {
            let arm = config.arms[k]
            let model = k < config.robotModels.count ? config.robotModels[k] : ""
            let posture = arm.nullspacePosture ?? RobotModels.initialJointPositions(model)
            if let posture, posture.count != robot.armJoints.count {
                throw DatasetError(
                    file: scene.file, path: scene.path,
                    "\(robot.name): nullspace posture has \(posture.count) values, the arm has \(robot.armJoints.count) joints")
            }
            // Without a known posture, the arm's joint positions in each rollout's initial state.
            controllers.append(
                OSCPoseController(robot: robot, scene: scene, config: arm, gripper: config.gripper, posture: posture, loop: config.loop))
        }
        self.controllers = controllers
    }

    public var effectorNames: [String] { robots.map(\.name) }
    public var effectorSites: [SiteID] { robots.map(\.eefSite) }
    public var actionWidth: Int { config.actionWidth }

    /// Poses in columns `7k..<7k+6`, the gripper in `7k+6`, in the controller's convention and
    /// frame (the base frame is the robot's controller origin site; robots do not move their base).
    public func endEffectorLayouts(world: SimWorld) -> [EndEffectorLayout] {
        robots.enumerated().map { k, robot in
            let arm = config.arms[k]
            var frame = Pose.identity
            if arm.referenceFrame == .base {
                if let s = robot.originSite { frame = world.pose(of: s) } else if let b = robot.base { frame = world.pose(of: b) }
            }
            return EndEffectorLayout(
                name: robot.name, poseColumns: 7 * k..<7 * k + 6, gripperColumns: 7 * k + 6..<7 * k + 7,
                convention: arm.inputType == .delta ? .oscDelta(arm.scaling) : .oscAbsolute,
                worldFromActionFrame: frame)
        }
    }

    public func beginRollout(world: SimWorld, robosuiteFirstStep: Bool, fullM: UnsafeMutablePointer<Double>) throws(MuJoCoError) {
        for (k, controller) in controllers.enumerated() {
            controller.gripperCommand = .zero
            controller.staleKinematics = nil
            if controller.postureFromInitialState { controller.posture = world.armJointPositions(of: robots[k]) }
        }
        if robosuiteFirstStep && controllers.contains(where: { !$0.postureFromInitialState }) {
            try captureResetKinematics(world: world, fullM: fullM)
        }
        if config.loop == .robosuite14 {
            // The goal a freshly built robosuite 1.4 controller holds (the restore ran `mj_forward`);
            // kept orientation goals start from it.
            for controller in controllers { controller.resetGoal(world: world) }
        }
    }

    /// Puts every arm at its posture and everything else at `qpos0`, at rest, captures the
    /// controllers' stale kinematics there, and restores the current state (robosuite's sequence:
    /// `mj_resetData`, state, `mj_forward`).
    private func captureResetKinematics(world: SimWorld, fullM: UnsafeMutablePointer<Double>) throws(MuJoCoError) {
        let posed = controllers.indices.filter { !controllers[$0].postureFromInitialState }
        try world.inResetConfiguration(
            addresses: posed.flatMap { robots[$0].armQposAddresses }, positions: posed.flatMap { controllers[$0].posture }, fullM: fullM
        ) {
            for k in posed { controllers[k].captureStaleKinematics(world: world, fullM: fullM) }
        }
    }

    public func setGoal(action: UnsafeBufferPointer<Double>, world: SimWorld) {
        for (k, controller) in controllers.enumerated() {
            controller.setGoal(action: UnsafeBufferPointer(rebasing: action[7 * k..<7 * k + 7]), world: world)
        }
    }

    public func worldGoal(effector e: Int, world: SimWorld) -> Pose { controllers[e].worldGoal(world) }

    public func applyControls(world: SimWorld, fullM: UnsafePointer<Double>) {
        for controller in controllers { controller.applyControls(world: world, fullM: fullM) }
    }

    public func controlledEefPose(effector e: Int, world: SimWorld) -> Pose {
        controllers[e].staleKinematics.map { Pose(position: $0.position, rotation: Quaternion(rotationMatrix: $0.rotation)) }
            ?? world.eefPose(of: robots[e])
    }
}
