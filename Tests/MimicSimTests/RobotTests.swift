import Foundation
import Testing
import MimicCore
import MimicMath
@testable import MimicSim

@Suite struct RobotTests {
    @Test func findsThePandaByRobosuiteNames() throws {
        let scene = try Bundled.scene("lift")
        let robot = try scene.robot("robot0")
        #expect(robot.armJoints.map { scene.name(of: $0) } == (1...7).map { "robot0_joint\($0)" })
        #expect(robot.gripperJoints.map { scene.name(of: $0) } == ["gripper0_right_finger_joint1", "gripper0_right_finger_joint2"])
        #expect(robot.armActuators.count == 7 && robot.gripperActuators.count == 2)
        #expect(scene.name(of: robot.eefSite) == "gripper0_right_grip_site")
        #expect(robot.originSite.map { scene.name(of: $0) } == "robot0_right_center")
        #expect(robot.base.map { scene.name(of: $0) } == "robot0_base")
        #expect(robot.leftFingerPads.map { scene.name(of: $0) } == ["gripper0_right_finger1_pad_collision"])
        #expect(robot.rightFingerPads.map { scene.name(of: $0) } == ["gripper0_right_finger2_pad_collision"])
        #expect(!robot.gripperGeoms.isEmpty)
    }

    @Test func twoRobotsAndTheirObservations() throws {
        let dataset = try Bundled.dataset("two_arm_handover")
        let scene = try Bundled.scene("two_arm_handover")
        #expect(scene.robots.map(\.name) == ["robot0", "robot1"])
        let world = try SimWorld(scene: scene)
        let demo = dataset.demos[0]
        try world.restore(state: demo.arrays["states"]!.row(30))
        for robot in scene.robots {
            #expect(maxAbsDifference(world.armJointPositions(of: robot), demo.obs("\(robot.name)_joint_pos")!.row(30)) == 0)
            #expect(maxAbsDifference(world.gripperJointPositions(of: robot), demo.obs("\(robot.name)_gripper_qpos")!.row(30)) == 0)
            // robot<k>_eef_quat_site is float32 in the file.
            let q = demo.obs("\(robot.name)_eef_quat_site")!.row(30)
            let recorded = Quaternion(xyzw: SIMD4(q[0], q[1], q[2], q[3]))
            #expect(world.eefPose(of: robot).rotation.angle(to: recorded) < 1e-6)
        }
        #expect(throws: DatasetError.self) { try scene.robot("robot2") }
    }
}
