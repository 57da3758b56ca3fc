import Foundation
import Testing
import MimicCore
import MimicMath
@testable import MimicSim

/// robosuite 1.5.2's GR1 (`GR1ArmsOnly`, Fourier hands, `WHOLE_BODY_IK`) on the bundled
/// two-hand pot lift recorded in robosuite: Mimic's controller, fed the recorded actions from the
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
        // A Panda dataset has no whole-body config.
        #expect(try WholeBodyIKConfig(envArgs: try Bundled.dataset("lift").envArgs, file: "lift") == nil)
    }

    /// The control loop of robosuite 1.5 (`lite_physics`): per control step `mj_step1`, the IK,
    /// then 25 physics steps of torques from the fixed joint targets.
    static func replay(_ demo: Demo, controller: WholeBodyIKController, world: SimWorld, steps: Int) throws -> [[Double]] {
        let states = demo.arrays["states"]!, actions = demo.actions!
        try world.restore(state: states.row(0))
        let fullM = UnsafeMutablePointer<Double>.allocate(capacity: world.scene.nv * world.scene.nv)
        defer { fullM.deallocate() }
        try controller.captureResetKinematics(world: world, initialJointPositions: RobotModels.initialJointPositions("GR1ArmsOnly")!, fullM: fullM)
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
    @Test func reproducesRobosuitesRecordedStates() throws {
        let data = try Bundled.dataset("gr1_two_arm_lift")
        let scene = try Bundled.scene("gr1_two_arm_lift")
        let controller = try WholeBodyIKController(scene: scene, config: try #require(try WholeBodyIKConfig(envArgs: data.envArgs, file: "gr1")))
        let world = try SimWorld(scene: scene)
        let success = try SuccessCheck(try #require(SuccessPredicate.robosuite(envName: "TwoArmLift")), scene: scene)
        for demo in data.demos.prefix(2) {
            let states = demo.arrays["states"]!
            let replayed = try Self.replay(demo, controller: controller, world: world, steps: states.rows - 1)
            let beforeContact = (0..<60).map { t in maxAbsDifference(Array(replayed[t][1...scene.nq]), Array(states.row(t + 1)[1...scene.nq])) }.max()!
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
