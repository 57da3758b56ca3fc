import Foundation
import Testing
import MimicCore
import MimicMath
@testable import MimicSim

/// robosuite 1.5.2's GR1 (`GR1ArmsOnly` and `GR1FixedLowerBody`, Fourier hands, `WHOLE_BODY_IK`)
/// on two-hand pot lifts recorded in robosuite (the bundled dataset, and a one-demo fixture of the
/// robot whose torso the IK moves too): Mimic's controller, fed the recorded actions from the
/// recorded first state, reproduces the states robosuite recorded.
@Suite struct WholeBodyIKControllerTests {
    @Test func readsTheGR1ConfigAndFindsTheArms() throws {
        let data = try Bundled.dataset("gr1_two_arm_lift")
        let config = try #require(try WholeBodyIKConfig(envArgs: data.envArgs, file: "gr1"))
        #expect(config.sites == ["gripper0_right_grip_site", "gripper0_left_grip_site"])
        #expect(config.damping == 0.05 && config.integrationDt == 0.1 && config.maxDq == 4 && config.kp == 1000 && config.kd == 200)
        #expect(config.nullspaceWeights["robot0_r_shoulder_pitch"] == 4)
        let scene = try Bundled.scene("gr1_two_arm_lift")
        let controller = try WholeBodyIKController(scene: scene, config: config)
        #expect(controller.actionWidth == 24)
        #expect(
            controller.arms.map { $0.joints.map { scene.name(of: $0) } } == [
                [
                    "robot0_r_shoulder_pitch", "robot0_r_shoulder_roll", "robot0_r_shoulder_yaw", "robot0_r_elbow_pitch",
                    "robot0_r_wrist_yaw", "robot0_r_wrist_roll", "robot0_r_wrist_pitch",
                ],
                [
                    "robot0_l_shoulder_pitch", "robot0_l_shoulder_roll", "robot0_l_shoulder_yaw", "robot0_l_elbow_pitch",
                    "robot0_l_wrist_yaw", "robot0_l_wrist_roll", "robot0_l_wrist_pitch",
                ],
            ])
        #expect(controller.arms.map(\.handActuators.count) == [11, 11])
        #expect(controller.arms[0].handCommandIndex == HumanoidArm.fourierIndices)
        #expect(controller.parts.map(\.name) == ["right", "left"])
        // robosuite's mink IK (GR1FixedLowerBody's default) takes the same actions but is not reproduced: one line.
        let mink = try EnvArgs(
            json: #"{"env_name": "TwoArmLift", "env_kwargs": {"robots": "GR1FixedLowerBody", "controller_configs": {"type": "WHOLE_BODY_MINK_IK"}}}"#, file: "f")
        #expect(mink.armControllers.first?.map(\.type) == ["WHOLE_BODY_MINK_IK", "WHOLE_BODY_MINK_IK"])
        #expect(throws: DatasetError.self) { try WholeBodyIKConfig(envArgs: mink, file: "f") }
        // A Panda dataset has no whole-body config.
        #expect(try WholeBodyIKConfig(envArgs: try Bundled.dataset("lift").envArgs, file: "lift") == nil)
    }

    /// With the torso free, robosuite's IK moves torso, head and arms (20 joints), as parts of their own.
    @Test func findsTheTorsoAndHeadOfTheFixedLowerBody() throws {
        let data = try Bundled.dataset("gr1_fixed_lower_body_two_arm_lift")
        #expect(data.envArgs.robots == ["GR1FixedLowerBody"])
        let config = try #require(try WholeBodyIKConfig(envArgs: data.envArgs, file: "gr1"))
        #expect(config.maxDqTorso == 0.2 && config.actuationParts.prefix(4) == ["torso", "head", "right", "left"])
        let scene = try Bundled.scene("gr1_fixed_lower_body_two_arm_lift")
        let controller = try WholeBodyIKController(scene: scene, config: config, robotModel: "GR1FixedLowerBody")
        #expect(controller.parts.map(\.name) == ["torso", "head", "right", "left"])
        #expect(controller.parts.map(\.range) == [0..<3, 3..<6, 6..<13, 13..<20])
        #expect(
            controller.joints.prefix(6).map { scene.name(of: $0) } == [
                "robot0_torso_waist_yaw", "robot0_torso_waist_pitch", "robot0_torso_waist_roll", "robot0_head_yaw", "robot0_head_roll", "robot0_head_pitch",
            ])
        // The arms stop at the shoulder: the torso is a part of its own.
        #expect(controller.arms.map(\.joints.count) == [7, 7])
        #expect(controller.initialJointPositions == RobotModels.initialJointPositions("GR1FixedLowerBody"))
        #expect(controller.actionWidth == 24)
    }

    /// The control loop of robosuite 1.5 (`lite_physics`): per control step `mj_step1`, the IK,
    /// then 25 physics steps of torques from the fixed joint targets.
    static func replay(_ demo: Demo, controller: WholeBodyIKController, world: SimWorld, steps: Int) throws -> [[Double]] {
        let states = demo.arrays["states"]!, actions = demo.actions!
        try world.restore(state: states.row(0))
        let fullM = UnsafeMutablePointer<Double>.allocate(capacity: world.scene.nv * world.scene.nv)
        defer { fullM.deallocate() }
        try controller.captureResetKinematics(world: world, initialJointPositions: try #require(controller.initialJointPositions), fullM: fullM)
        var out: [[Double]] = []
        for t in 0..<steps {
            let action = actions.row(t)
            for substep in 0..<25 {
                try world.stepFirstHalf()
                if substep == 0 { action.withUnsafeBufferPointer { controller.setGoal(action: $0, world: world) } }
                world.fullInertia(into: fullM)
                controller.applyControls(world: world, fullM: fullM)
                try world.stepSecondHalf()
            }
            out.append(world.state())
        }
        return out
    }

    /// Before the hands touch the pot, Mimic's states match robosuite's to the float32 rounding of
    /// robosuite's target orientations (measured: at most 1.1e-7 rad over the first 60 control
    /// steps); contacts then amplify that rounding (measured: 6e-3 at the end of the demo), and the
    /// replay lifts the pot as the recording does.
    /// (The fixture's hands touch the pot within its first 60 control steps; 40 are before.)
    @Test(arguments: [("gr1_two_arm_lift", 60), ("gr1_fixed_lower_body_two_arm_lift", 40)])
    func reproducesRobosuitesRecordedStates(dataset: String, stepsBeforeContact: Int) throws {
        let data = try Bundled.dataset(dataset)
        let scene = try Bundled.scene(dataset)
        let controller = try WholeBodyIKController(
            scene: scene, config: try #require(try WholeBodyIKConfig(envArgs: data.envArgs, file: "gr1")), robotModel: data.envArgs.robots.first)
        let world = try SimWorld(scene: scene)
        let success = try SuccessCheck(try #require(SuccessPredicate.robosuite(envName: "TwoArmLift")), scene: scene)
        for demo in data.demos.prefix(2) {
            let states = demo.arrays["states"]!
            let replayed = try Self.replay(demo, controller: controller, world: world, steps: states.rows - 1)
            let beforeContact = (0..<stepsBeforeContact).map { t in maxAbsDifference(Array(replayed[t][1...scene.nq]), Array(states.row(t + 1)[1...scene.nq])) }.max()!
            #expect(beforeContact < 3e-7, "\(demo.name)")
            var lifted = false
            for state in replayed where !lifted {
                try world.restore(state: state)
                lifted = success.evaluate(world)
            }
            #expect(lifted, "\(demo.name)")
        }
    }
}
