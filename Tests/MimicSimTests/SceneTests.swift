import Foundation
import Testing
import MimicCore
@testable import MimicSim

@Suite struct SceneTests {
    @Test func loadsABundledModelFile() throws {
        let scene = try Bundled.scene("lift")
        #expect(scene.nq == 16)
        #expect(scene.nv == 15)
        #expect(scene.stateSize == 32)
        #expect(scene.timestep == 0.002)
        #expect(scene.robots.count == 1)
        let robot = try scene.robot("robot0")
        #expect(robot.armJoints.count == 7)
        #expect(robot.armActuators.count == 7)
        #expect(robot.gripperJoints.count == 2)
        #expect(robot.gripperActuators.count == 2)
        #expect(robot.leftFingerPads.count == 1 && robot.rightFingerPads.count == 1)
        #expect(scene.name(of: robot.eefSite) == "gripper0_right_grip_site")
        #expect(scene.controlRange(of: robot.armActuators[0]) == -80...80)
        #expect(scene.controlRange(of: robot.armActuators[6]) == -12...12)
    }

    @Test func findsTwoRobots() throws {
        let scene = try Bundled.scene("two_arm_handover")
        #expect(scene.robots.map(\.name) == ["robot0", "robot1"])
        #expect(scene.robots[1].armQposAddresses[0] > scene.robots[0].armQposAddresses[6])
        #expect(scene.name(of: scene.robots[1].eefSite) == "gripper1_right_grip_site")
    }

    @Test func namedLookups() throws {
        let scene = try Bundled.scene("lift")
        let cube = try scene.body("cube_main")
        #expect(scene.name(of: cube) == "cube_main")
        #expect(scene.bodyIfPresent("no_such_body") == nil)
        #expect(scene.kind(of: try scene.joint("cube_joint0")) == .free)
        #expect(scene.collisionGeoms(under: cube).map { scene.name(of: $0) } == ["cube_g0"])
        #expect(scene.freeJoint(of: cube).map { scene.name(of: $0) } == "cube_joint0")
        #expect(scene.freeJoint(of: try scene.body("table")) == nil)
        #expect(throws: DatasetError.self) { try scene.geom("cube_g7") }
        do {
            _ = try scene.site("nope_site")
        } catch {
            #expect(error.description.contains("no site named \"nope_site\""))
            #expect(error.file.hasSuffix("lift.hdf5"))
        }
    }

    @Test func badMJCFIsAnError() {
        do {
            _ = try Scene(mjcf: "<mujoco><worldbody><body><geom type=\"sphere\" size=\"oops\"/></body></worldbody></mujoco>", file: "bad.xml", path: "/x")
            Issue.record("expected an error")
        } catch {
            #expect(error.kind == .invalidData)
            #expect(error.file == "bad.xml")
            #expect(error.description.contains("cannot compile"))
        }
        #expect(throws: DatasetError.self) { try Scene(mjcf: "not xml at all") }
    }

    @Test func missingAssetIsAnError() {
        let xml = #"<mujoco><asset><mesh name="m" file="/path/to/site-packages/robosuite/models/assets/nope.stl"/></asset><worldbody/></mujoco>"#
        #expect(throws: DatasetError.self) { try Scene(mjcf: xml, assetsRoot: "/nonexistent/models/assets") }
        // Without an asset directory nothing is looked up: the error says what to pass.
        do {
            _ = try Scene(mjcf: xml, file: "d.hdf5", path: "/data/demo_0.attrs[model_file]")
            Issue.record("expected an error")
        } catch {
            #expect(error.description.contains("--robosuite-assets"))
            #expect(error.path == "/data/demo_0.attrs[model_file]")
        }
    }

    /// A copy is a model of its own: changing it leaves the original as compiled.
    @Test func copiesAreIndependent() throws {
        let scene = try Scene(mjcf: "<mujoco><worldbody><body name=\"b\"><freejoint/><geom type=\"sphere\" size=\"0.1\"/></body></worldbody></mujoco>")
        let copy = try scene.copy()
        copy.model.pointee.body_mass[1] *= 2
        #expect(copy.model.pointee.body_mass[1] == 2 * scene.model.pointee.body_mass[1])
        #expect(copy.stateSize == scene.stateSize)
    }

    @Test func sceneWithoutRobots() throws {
        let scene = try Scene(mjcf: "<mujoco><worldbody><body name=\"b\"><freejoint name=\"j\"/><geom type=\"sphere\" size=\"0.1\"/></body></worldbody></mujoco>")
        #expect(scene.robots.isEmpty)
        #expect(scene.stateSize == 1 + 7 + 6)
        #expect(throws: DatasetError.self) { try scene.robot("robot0") }
    }
}

@Suite struct SceneTextureTests {
    @Test func removesImageTexturesAndTheirReferences() {
        let xml =
            #"<asset><texture type="2d" name="t1" file="/a/b.png"/><texture type="cube" name="t2" builtin="flat" rgb1="1 1 1" width="4" height="4"/><material name="m1" texture="t1" rgba="1 0 0 1"/><material name="m2" texture="t2"/></asset>"#
        #expect(
            Scene.removingImageTextures(from: xml)
                == #"<asset><texture type="cube" name="t2" builtin="flat" rgb1="1 1 1" width="4" height="4"/><material name="m1" rgba="1 0 0 1"/><material name="m2" texture="t2"/></asset>"#
        )
    }

    @Test func texturesCanBeKept() throws {
        let xml = try Bundled.dataset("lift").demos[0].modelXML!
        let with = try Scene(mjcf: xml, assetsRoot: Bundled.assetsRoot, loadTextures: true)
        let without = try Bundled.scene("lift")
        #expect(with.stateSize == without.stateSize)
        #expect(with.model.pointee.ntex > without.model.pointee.ntex)
    }
}
