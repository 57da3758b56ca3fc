import Testing
import MimicMath
@testable import MimicCore

@Suite struct MJCFFramesTests {
    static let xml = """
        <mujoco model="t">
          <compiler angle="radian"/>
          <worldbody>
            <body name="robot0_base" pos="-0.5 0.1 0.9" quat="0 0 0 1">
              <body name="robot0_link1" pos="0 0 0.3">
                <joint name="j1" axis="0 0 1"/>
                <body name="robot0_right_hand" pos="0 0 0.1" quat="0.92388 0 0 -0.382683">
                  <body name="gripper0_eef" pos="0 0 0.097" quat="1 0 0 0">
                    <site name="gripper0_right_grip_site" pos="0 0 0"/>
                  </body>
                </body>
              </body>
            </body>
            <body name="cube" pos="0 0 0.8"><freejoint/></body>
            <body name="tilted" axisangle="0 0 1 1.5707963"/>
          </worldbody>
        </mujoco>
        """

    @Test func worldPoseOfAFixedBody() throws {
        let frames = try #require(MJCFFrames(xml: Self.xml))
        let base = try #require(frames.worldPose(ofBody: "robot0_base"))
        #expect(simdLength(base.position - SIMD3(-0.5, 0.1, 0.9)) < 1e-12)
        #expect(base.rotation.angle(to: Quaternion(axisAngle: SIMD3(0, 0, .pi))) < 1e-9)
        let tilted = try #require(frames.worldPose(ofBody: "tilted"))
        #expect(tilted.rotation.angle(to: Quaternion(axisAngle: SIMD3(0, 0, .pi / 2))) < 1e-6)
    }

    @Test func bodiesBehindAJointHaveNoFixedWorldPose() throws {
        let frames = try #require(MJCFFrames(xml: Self.xml))
        #expect(frames.worldPose(ofBody: "robot0_right_hand") == nil)
        #expect(frames.worldPose(ofBody: "cube") == nil)
        #expect(frames.worldPose(ofBody: "missing") == nil)
    }

    @Test func siteInHandIsFixed() throws {
        let frames = try #require(MJCFFrames(xml: Self.xml))
        let site = try #require(frames.pose(ofSite: "gripper0_right_grip_site", inBody: "robot0_right_hand"))
        #expect(simdLength(site.position - SIMD3(0, 0, 0.097)) < 1e-12)
        #expect(frames.site("gripper0_right_grip_site", isInside: "robot0_right_hand"))
        #expect(!frames.site("gripper0_right_grip_site", isInside: "cube"))
        // Through the joint of link1 the site is not fixed relative to the base.
        #expect(frames.pose(ofSite: "gripper0_right_grip_site", inBody: "robot0_base") == nil)
    }

    @Test func handToGripSiteOffsetForRobosuiteNames() throws {
        let frames = MJCFFrames(xml: Self.xml)
        let offset = try #require(PrepareSetup.handFromGripSite(eef: "robot0", frames: frames))
        #expect(offset.angle(to: .identity) < 1e-12)
        #expect(PrepareSetup.handFromGripSite(eef: "robot1", frames: frames) == nil)
    }

    @Test func jointsGetMuJoCosQposAndQvelAddresses() throws {
        let frames = try #require(MJCFFrames(xml: Self.xml))
        // j1 is a hinge (the default type), the cube's freejoint follows it.
        #expect(frames.joints.map(\.name) == ["j1", "#joint1"])
        #expect(frames.joints[1].kind == .free)
        #expect(frames.joints[1].qposAddress == 1)
        #expect(frames.joints[1].qvelAddress == 1)
        #expect(frames.nq == 8 && frames.nv == 7)
        let xml =
            "<mujoco><default><joint type=\"slide\"/></default><worldbody><body><joint name=\"b\" type=\"ball\"/>"
            + "<body><joint name=\"s\" type=\"slide\"/></body></body></worldbody></mujoco>"
        let other = try #require(MJCFFrames(xml: xml))
        #expect(other.joints.map(\.name) == ["b", "s"])  // the <default> joint is not a joint
        #expect(other.joint("s")?.qposAddress == 4)
        #expect(other.nq == 5 && other.nv == 4)
    }

    @Test func malformedXMLIsNil() {
        #expect(MJCFFrames(xml: "<mujoco><worldbody>") == nil)
    }
}
