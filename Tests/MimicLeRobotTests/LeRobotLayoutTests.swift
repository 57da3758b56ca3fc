import MimicCore
import Testing

@testable import MimicLeRobot

@Suite struct LeRobotLayoutTests {
    static func summary(_ slices: [LeRobotLayout.Slice]) -> [String] {
        slices.map { "\($0.name) \($0.start)..<\($0.end) \($0.rotation ?? "-") \($0.absolute ? "abs" : "rel")" }
    }

    /// One Panda with OSC delta: state joints, eef pos, eef quat, gripper; action pos and
    /// axis-angle relative, gripper absolute; the demo's cameras, in key order.
    @Test func singleArm() throws {
        let demo = Fixtures.demo(effectors: ["robot0"], actionWidth: 7, cameras: ["agentview", "robot0_eye_in_hand"])
        let layout = try LeRobotLayout.infer(demo: demo, envArgs: Fixtures.oscEnvArgs(robots: ["Panda"]), file: "f")
        #expect(
            Self.summary(layout.state) == [
                "robot0_joint_pos 0..<7 - abs", "robot0_eef_pos 7..<10 - abs", "robot0_eef_quat 10..<14 quaternion abs", "robot0_gripper_qpos 14..<16 - abs",
            ])
        #expect(Self.summary(layout.action) == ["robot0_eef_pos 0..<3 - rel", "robot0_eef_rot 3..<6 axis_angle rel", "robot0_gripper 6..<7 - abs"])
        #expect(layout.cameras.map(\.videoKey) == ["observation.images.agentview", "observation.images.robot0_eye_in_hand"])
        #expect(layout.cameras.allSatisfy { $0.height == 6 && $0.width == 4 })
        #expect(layout.robotType == "Panda")
        #expect(layout.state[2].dimensionNames == ["robot0_eef_quat.qx", "robot0_eef_quat.qy", "robot0_eef_quat.qz", "robot0_eef_quat.qw"])
        #expect(layout.action[1].dimensionNames == ["robot0_eef_rot.rx", "robot0_eef_rot.ry", "robot0_eef_rot.rz"])
    }

    /// Two robots: state robot by robot; action per robot pose then gripper (robosuite's order).
    @Test func twoArms() throws {
        let demo = Fixtures.demo(effectors: ["robot1", "robot0"], actionWidth: 14)
        let layout = try LeRobotLayout.infer(demo: demo, envArgs: Fixtures.oscEnvArgs(robots: ["Panda", "Panda"]), file: "f")
        #expect(layout.state.map(\.name).first == "robot0_joint_pos" && layout.state[4].name == "robot1_joint_pos" && layout.stateWidth == 32)
        #expect(layout.action.map(\.name) == ["robot0_eef_pos", "robot0_eef_rot", "robot0_gripper", "robot1_eef_pos", "robot1_eef_rot", "robot1_gripper"])
        #expect(layout.action.map(\.end) == [3, 6, 7, 10, 13, 14])
        #expect(layout.robotType == "Panda_Panda")
    }

    /// The GR1 (whole-body IK): per arm an absolute axis-angle pose, then per hand 6 commands;
    /// one robot's 7 joints, its hands' 11 finger joints each.
    @Test func gr1() throws {
        let demo = Fixtures.demo(effectors: ["robot0_right", "robot0_left"], actionWidth: 24, fingers: 11)
        let layout = try LeRobotLayout.infer(demo: demo, envArgs: Fixtures.gr1EnvArgs, file: "f")
        #expect(
            Self.summary(layout.action) == [
                "robot0_right_eef_pos 0..<3 - abs", "robot0_right_eef_rot 3..<6 axis_angle abs", "robot0_left_eef_pos 6..<9 - abs",
                "robot0_left_eef_rot 9..<12 axis_angle abs", "robot0_right_gripper 12..<18 - abs", "robot0_left_gripper 18..<24 - abs",
            ])
        #expect(
            layout.state.map(\.name) == [
                "robot0_joint_pos", "robot0_right_eef_pos", "robot0_right_eef_quat", "robot0_right_gripper_qpos", "robot0_left_eef_pos",
                "robot0_left_eef_quat", "robot0_left_gripper_qpos",
            ])
        #expect(layout.stateWidth == 7 + 2 * (3 + 4 + 11))
    }

    /// Without end effector observations the action is one slice (with a note); --state-keys
    /// makes the state of any numeric observations.
    @Test func explicitStateAndNoEffectors() throws {
        var demo = Demo(name: "demo_0")
        demo.arrays["actions"] = Tensor(shape: [3, 5], float64: Array(repeating: 0, count: 15))
        demo.arrays["obs/joints"] = Tensor(shape: [3, 4], storage: .int32(Array(repeating: 1, count: 12)))
        let layout = try LeRobotLayout.infer(demo: demo, envArgs: nil, stateKeys: ["joints"], file: "f")
        #expect(Self.summary(layout.state) == ["joints 0..<4 - abs"])
        #expect(Self.summary(layout.action) == ["action 0..<5 - abs"])
        #expect(layout.notes.contains { $0.contains("action is one slice") })
        #expect(throws: DatasetError.self) { try LeRobotLayout.infer(demo: demo, envArgs: nil, file: "f") }
    }

    /// Columns no end effector claims are a slice of their own: the slices cover the action.
    @Test func unclaimedColumnsAreCovered() {
        let covered = LeRobotLayout.covering([LeRobotLayout.slice("b", 6, 7, absolute: true), LeRobotLayout.slice("a", 2, 5, absolute: false)], width: 8)
        #expect(covered.map(\.name) == ["action_0_2", "a", "action_5_6", "b", "action_7_8"])
        #expect(covered.map(\.start) == [0, 2, 5, 6, 7] && covered.map(\.end) == [2, 5, 6, 7, 8])
        #expect(LeRobotLayout.covering([], width: 3).map(\.name) == ["action"])
    }

    /// Errors name the file, the path and what was expected.
    @Test func refusals() throws {
        var demo = Fixtures.demo(effectors: ["robot0"], actionWidth: 7)
        demo.arrays["obs/agentview_image"] = Tensor(shape: [5, 2, 2, 3], float32: Array(repeating: 0, count: 60))
        #expect(throws: DatasetError(file: "f", path: "/data/demo_0/obs/agentview_image", "is float32 [5, 2, 2, 3], expected a camera's uint8 (T, H, W, 3) RGB frames")) {
            try LeRobotLayout.infer(demo: demo, envArgs: nil, file: "f")
        }
        let layout = try LeRobotLayout.infer(demo: Fixtures.demo(effectors: ["robot0"], actionWidth: 7), envArgs: nil, file: "f")
        var other = Fixtures.demo(effectors: ["robot0"], actionWidth: 7, name: "demo_3")
        other.arrays["obs/robot0_gripper_qpos"] = Tensor(shape: [5, 1], float64: Array(repeating: 0, count: 5))
        #expect(throws: DatasetError(file: "f", path: "/data/demo_3/obs/robot0_gripper_qpos", "is [5, 1], expected (5, 2) like the first demo")) {
            try layout.check(other, file: "f")
        }
        other = Fixtures.demo(effectors: ["robot0"], actionWidth: 7, name: "demo_4")
        other.arrays["obs/robot0_eef_pos"] = Tensor(shape: [5, 3], float64: [.nan] + Array(repeating: 0, count: 14))
        #expect(throws: DatasetError.self) { try layout.check(other, file: "f") }
        #expect(throws: Never.self) { try layout.check(Fixtures.demo(effectors: ["robot0"], actionWidth: 7, name: "demo_5"), file: "f") }
    }
}
