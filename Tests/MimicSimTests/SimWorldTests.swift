import Foundation
import Testing
import MimicCore
import MimicMath
@testable import MimicSim

@Suite struct SimWorldTests {
    /// Restoring every recorded state puts the grip site where robosuite's observation says (1e-6 m).
    @Test(arguments: ["lift", "pick_place_can", "two_arm_handover"])
    func restoredStatesReproduceEefObservations(_ name: String) throws {
        let dataset = try Bundled.dataset(name)
        var worst = 0.0
        for (i, demo) in dataset.demos.enumerated() {
            let scene = try Bundled.scene(name, demo: i)
            let world = try SimWorld(scene: scene)
            let states = demo.arrays["states"]!
            for robot in scene.robots {
                let eef = demo.obs("\(robot.name)_eef_pos")!
                for t in 0..<states.rows {
                    try world.restore(state: states.row(t))
                    let p = world.eefPose(of: robot).position
                    worst = max(worst, maxAbsDifference([p.x, p.y, p.z], eef.row(t)))
                }
            }
        }
        #expect(worst <= 1e-6, "max eef position difference \(worst) m")
    }

    @Test func stateRoundTrips() throws {
        let demo = try Bundled.dataset("lift").demos[0]
        let world = try SimWorld(scene: try Bundled.scene("lift"))
        let s = demo.arrays["states"]!.row(5)
        try world.restore(state: s)
        #expect(world.state() == s)
        #expect(world.time == s[0])
    }

    @Test func wrongStateSizeIsAnError() throws {
        let world = try SimWorld(scene: try Bundled.scene("lift"))
        do {
            try world.restore(state: [0, 1, 2], file: "x.hdf5", path: "/data/demo_0/states[0]")
            Issue.record("expected an error")
        } catch {
            #expect(error.path == "/data/demo_0/states[0]")
            #expect(error.detail.contains("32 values"))
        }
        var bad = [Double](repeating: 0, count: 32)
        bad[3] = .nan
        #expect(throws: DatasetError.self) { try world.restore(state: bad) }
    }

    @Test func setsAFreeJointPose() throws {
        let scene = try Bundled.scene("lift")
        let world = try SimWorld(scene: scene)
        let joint = try scene.joint("cube_joint0")
        let pose = Pose(position: SIMD3(0.1, -0.05, 0.9), rotation: Quaternion(axis: SIMD3(0, 0, 1), angle: 0.3))
        try world.setFreeJointPose(joint, to: pose)
        try world.forward()
        let cube = world.pose(of: try scene.body("cube_main"))
        #expect(maxAbsDifference([cube.position.x, cube.position.y, cube.position.z], [0.1, -0.05, 0.9]) < 1e-12)
        #expect(cube.rotation.angle(to: pose.rotation) < 1e-9)
        #expect(throws: DatasetError.self) { try world.setFreeJointPose(try scene.joint("robot0_joint1"), to: pose) }
    }

    @Test func contactsBetweenGeomSets() throws {
        let scene = try Bundled.scene("lift")
        let world = try SimWorld(scene: scene)
        // The cube is dropped 1 cm above the table at reset and rests on it a few steps later.
        try world.restore(state: try Bundled.dataset("lift").demos[0].arrays["states"]!.row(10))
        let cube = scene.collisionGeoms(under: try scene.body("cube_main"))
        let table = [try scene.geom("table_collision")]
        #expect(world.inContact(cube, table))
        #expect(!world.inContact(cube, scene.robots[0].leftFingerPads))
    }

    /// A MuJoCo error inside a step (here the stack of a scene whose `memory` is too small for its
    /// contacts) comes back as a typed error with MuJoCo's message, instead of MuJoCo's default
    /// handler ending the process; the world is usable again after a restore.
    @Test func muJoCoErrorsAreTypedAndRecoverable() throws {
        // 20 boxes 5 cm apart fall onto each other: at about step 70 the contacts outgrow 32 KB.
        let boxes = (0..<20).map { #"<body pos="0 0 \#(0.25 * Double($0) + 0.15)"><freejoint/><geom type="box" size="0.1 0.1 0.1"/></body>"# }
        let xml = #"<mujoco><size memory="32K"/><worldbody><geom type="plane" size="5 5 .1"/>"# + boxes.joined() + "</worldbody></mujoco>"
        let world = try SimWorld(scene: try Scene(mjcf: xml, file: "tiny.xml", path: "/"))
        let start = world.state()
        var raised: MuJoCoError?
        for _ in 0..<600 where raised == nil {
            do { try world.step() } catch { raised = error }
        }
        let error = try #require(raised)
        #expect(error.function == "mj_step")
        #expect(error.message.contains("mj_stackAlloc"))
        try world.restore(state: start)
        #expect(world.state() == start)
    }

    /// MuJoCo's warnings go to Mimic's handler (counted in the world), never to stdout.
    @Test func warningsAreCountedNotPrinted() throws {
        let boxes = (0..<20).map { #"<body pos="0 0 \#(0.19 * Double($0) + 0.1)"><freejoint/><geom type="box" size="0.1 0.1 0.1"/></body>"# }
        let xml = #"<mujoco><size memory="64K"/><worldbody><geom type="plane" size="5 5 .1"/>"# + boxes.joined() + "</worldbody></mujoco>"
        let world = try SimWorld(scene: try Scene(mjcf: xml))
        try world.step(count: 300)
        #expect(world.warningCounts.reduce(0, +) > 0)
    }
}
