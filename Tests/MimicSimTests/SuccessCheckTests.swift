import Foundation
import Testing
import MimicCore
import MimicMath
@testable import MimicSim

/// A small scene with robosuite's names: a one-joint "robot0" whose gripper has two pad boxes
/// (1 cm apart along y around the grip site), free cubes cubeA/cubeB, a table top at z 0.8,
/// pegs, a nut and a pot site.
private let syntheticMJCF = """
    <mujoco>
      <option gravity="0 0 0"/>
      <worldbody>
        <body name="table" pos="0 0 0.4"><geom name="table_collision" type="box" size="1 1 0.4"/>
          <site name="table_top" pos="0 0 0.4"/></body>
        <body name="robot0_base" pos="0 -0.5 0.8">
          <site name="robot0_right_center"/>
          <body name="robot0_link1"><joint name="robot0_joint1" type="slide" axis="0 0 1"/>
            <geom type="sphere" size="0.01" pos="0 0 -0.3" contype="0" conaffinity="0" mass="1"/>
            <body name="gripper0_right_eef" pos="0 0.5 0.3">
              <site name="gripper0_right_grip_site"/>
              <geom name="gripper0_right_finger1_pad_collision" type="box" size="0.01 0.005 0.01" pos="0 -0.024 0"/>
              <geom name="gripper0_right_finger2_pad_collision" type="box" size="0.01 0.005 0.01" pos="0 0.024 0"/>
            </body>
          </body>
        </body>
        <body name="cubeA_main" pos="0.3 0 0.82"><freejoint name="cubeA_joint0"/><geom name="cubeA_g0" type="box" size="0.02 0.02 0.02"/></body>
        <body name="cubeB_main" pos="-0.3 0 0.825"><freejoint name="cubeB_joint0"/><geom name="cubeB_g0" type="box" size="0.025 0.025 0.025"/></body>
        <body name="peg1" pos="0.23 0.1 0.85"><geom type="cylinder" size="0.01 0.05" contype="0" conaffinity="0"/></body>
        <body name="SquareNut_main" pos="0 0.4 0.82"><freejoint name="SquareNut_joint0"/><geom name="SquareNut_g0" type="box" size="0.02 0.02 0.005"/></body>
        <body name="pot_root" pos="0 -0.3 0.87"><freejoint name="pot_joint0"/><geom name="pot_g0" type="box" size="0.05 0.05 0.05"/><site name="pot_center"/></body>
      </worldbody>
      <actuator><motor name="robot0_torq_j1" joint="robot0_joint1" ctrlrange="-80 80" ctrllimited="true"/></actuator>
    </mujoco>
    """

@Suite struct SuccessCheckTests {
    let scene: Scene
    let world: SimWorld
    init() throws {
        scene = try Scene(mjcf: syntheticMJCF)
        world = try SimWorld(scene: scene)
    }

    func place(_ joint: String, _ x: Double, _ y: Double, _ z: Double) throws {
        try world.setFreeJointPose(try scene.joint(joint), to: Pose(position: SIMD3(x, y, z), rotation: .identity))
    }

    func holds(_ p: SuccessPredicate) throws -> Bool {
        try world.forward()
        return try SuccessCheck(p, scene: scene).evaluate(world)
    }

    @Test func lifted() throws {
        try place("cubeA_joint0", 0.3, 0, 0.83)
        #expect(try !holds(.lifted(object: "cubeA_main", above: 0.84)))
        try place("cubeA_joint0", 0.3, 0, 0.85)
        #expect(try holds(.lifted(object: "cubeA_main", above: 0.84)))
        #expect(try holds(.lifted(object: "cubeA_main", above: 0.04, relativeTo: "table_top")))
        #expect(try !holds(.lifted(object: "cubeA_main", above: 0.06, relativeTo: "table_top")))
    }

    @Test func graspedNeedsBothPads() throws {
        // The pads' inner faces are at y ±0.019 around the grip site (0, 0, 1.1): a 4 cm cube touches both.
        try place("cubeA_joint0", 0, 0, 1.1)
        #expect(try holds(.grasped(robot: "robot0", object: ["cubeA_main"])))
        #expect(try holds(.grasped(robot: "robot0", object: ["cubeA_g0"])))
        // Shifted by 1 cm along y it touches only one pad.
        try place("cubeA_joint0", 0, 0.012, 1.1)
        #expect(try !holds(.grasped(robot: "robot0", object: ["cubeA_main"])))
        #expect(try holds(.touching(["cubeA_main"], ["gripper0_right_finger2_pad_collision"])))
    }

    @Test func stackBuiltIn() throws {
        let stack = SuccessPredicate.robosuite(envName: "Stack")!
        // cubeA resting on cubeB, lifted above 0.84, away from the gripper.
        try place("cubeB_joint0", 0.3, 0.2, 0.825)
        try place("cubeA_joint0", 0.3, 0.2, 0.8695)
        #expect(try holds(stack))
        #expect(try holds(.onTop(object: "cubeA_main", support: "cubeB_main", releasedBy: "robot0")))
        // Not touching.
        try place("cubeA_joint0", 0.3, 0.2, 0.9)
        #expect(try !holds(stack))
        // Touching but held by the gripper: cubeB under the gripper, cubeA between the pads.
        try place("cubeA_joint0", 0, 0, 1.1)
        try place("cubeB_joint0", 0, 0, 1.1 - 0.0449)
        #expect(try holds(.touching(["cubeA_main"], ["cubeB_main"])))
        #expect(try !holds(stack))
    }

    @Test func pickPlaceRegionAndRelease() throws {
        let can = SuccessPredicate.inRegion(object: "cubeA_main", region: .init(min: [0.1, 0.28, 0.8], max: [0.295, 0.525, 0.9]))
        try place("cubeA_joint0", 0.2, 0.4, 0.85)
        #expect(try holds(can))
        try place("cubeA_joint0", 0.2, 0.4, 0.95)
        #expect(try !holds(can))
        try place("cubeA_joint0", 0.0, 0.0, 1.1 - 0.04)  // 4 cm below the grip site: not released
        #expect(try !holds(.gripperAway(robot: "robot0", from: "cubeA_main", distance: SuccessPredicate.robosuiteReleaseDistance)))
        try place("cubeA_joint0", 0.0, 0.0, 1.1 - 0.045)
        #expect(try holds(.gripperAway(robot: "robot0", from: "cubeA_main", distance: SuccessPredicate.robosuiteReleaseDistance)))
        #expect(abs(SuccessPredicate.robosuiteReleaseDistance - 0.042365) < 1e-6)
    }

    @Test func nutOnPeg() throws {
        let nut = SuccessPredicate.robosuite(envName: "NutAssemblySquare")!
        try place("SquareNut_joint0", 0.23 + 0.02, 0.1 - 0.02, 0.83)
        #expect(try holds(nut))
        try place("SquareNut_joint0", 0.23 + 0.031, 0.1, 0.83)
        #expect(try !holds(nut))
        try place("SquareNut_joint0", 0.23, 0.1, 0.88)
        #expect(try !holds(nut))
    }

    @Test func twoArmLiftAndCombinators() throws {
        let lift = SuccessPredicate.robosuite(envName: "TwoArmLift")!
        try place("pot_joint0", 0, -0.3, 0.969)
        #expect(try !holds(lift))
        try place("pot_joint0", 0, -0.3, 0.971)
        #expect(try holds(lift))
        #expect(try holds(.any([lift, .lifted(object: "cubeA_main", above: 100)])))
        #expect(try !holds(.all([lift, .lifted(object: "cubeA_main", above: 100)])))
        #expect(try holds(.not(.lifted(object: "cubeA_main", above: 100))))
    }

    @Test func unknownNamesAreErrors() {
        #expect(throws: DatasetError.self) { try SuccessCheck(.lifted(object: "nope", above: 0), scene: scene) }
        #expect(throws: DatasetError.self) { try SuccessCheck(.grasped(robot: "robot1", object: ["cubeA_main"]), scene: scene) }
        #expect(throws: DatasetError.self) { try SuccessCheck(.touching(["cubeA_main"], ["nope"]), scene: scene) }
        #expect(throws: DatasetError.self) { try SuccessCheck(.task("Door"), scene: scene) }
        // The handover test needs the hammer.
        #expect(throws: DatasetError.self) { try SuccessCheck(.task("TwoArmHandover"), scene: scene) }
    }

    @Test func builtInsOnRecordedStates() throws {
        // Lift demo_0 succeeds after action 65 (its reward), i.e. at state 66; the cube rests at state 0.
        let demo = try Bundled.dataset("lift").demos[0]
        let scene = try Bundled.scene("lift")
        let world = try SimWorld(scene: scene)
        let check = try SuccessCheck(.task("Lift"), scene: scene)
        let grasp = try SuccessCheck(.grasped(robot: "robot0", object: ["cube_main"]), scene: scene)
        try world.restore(state: demo.arrays["states"]!.row(0))
        #expect(!check.evaluate(world) && !grasp.evaluate(world))
        try world.restore(state: demo.arrays["states"]!.row(66))
        #expect(check.evaluate(world) && grasp.evaluate(world))
        // Handover: robot1 holds the handle, robot0 let go, hammer up: the recorded rewards say when.
        let handover = try Bundled.dataset("two_arm_handover").demos[0]
        let hScene = try Bundled.scene("two_arm_handover")
        let hWorld = try SimWorld(scene: hScene)
        let hCheck = try SuccessCheck(.task("TwoArmHandover"), scene: hScene)
        let states = handover.arrays["states"]!, rewards = handover.arrays["rewards"]!.doubles
        var agree = 0
        for t in 1..<states.rows {
            try hWorld.restore(state: states.row(t))
            if hCheck.evaluate(hWorld) == (rewards[t - 1] > 0) { agree += 1 }
        }
        #expect(agree == states.rows - 1)
    }
}
