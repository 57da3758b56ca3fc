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

    @Test func remapsRobosuiteAssetPaths() {
        let xml = #"<mesh file="/path/to/site-packages/robosuite/models/assets/robots/panda/meshes/link0.stl"/><texture file="/other/x.png"/><mesh file="/home/u/venv/lib/robosuite/models/assets/a.obj" name="a"/>"#
        let out = Scene.remappingRobosuiteAssets(in: xml, to: "/opt/rs/models/assets/")
        #expect(out == #"<mesh file="/opt/rs/models/assets/robots/panda/meshes/link0.stl"/><texture file="/other/x.png"/><mesh file="/opt/rs/models/assets/a.obj" name="a"/>"#)
    }

    /// A file on disk compiles with its includes resolved from its own directory.
    @Test func compilesAnMJCFFileWithRelativeIncludes() throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("mimic-scene-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir.appendingPathComponent("parts"), withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }
        try #"<mujoco><worldbody><body name="box"><freejoint name="box_joint0"/><geom size="0.02 0.02 0.02" type="box"/></body></worldbody></mujoco>"#
            .write(to: dir.appendingPathComponent("parts/box.xml"), atomically: true, encoding: .utf8)
        try #"<mujoco><include file="parts/box.xml"/></mujoco>"#.write(to: dir.appendingPathComponent("scene.xml"), atomically: true, encoding: .utf8)
        let (scene, xml) = try Scene.forDemo(modelXML: nil, mjcf: dir.appendingPathComponent("scene.xml").path, specFile: "task.json",
                                             assetsRoot: nil, file: "data.hdf5", demoPath: "/data/demo_0")
        #expect(scene.bodyIfPresent("box") != nil && scene.nq == 7)
        #expect(xml.contains("parts/box.xml"))
        #expect(throws: DatasetError.self) {
            try Scene.forDemo(modelXML: nil, mjcf: nil, specFile: nil, assetsRoot: nil, file: "data.hdf5", demoPath: "/data/demo_0")
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
        let xml = #"<asset><texture type="2d" name="t1" file="/a/b.png"/><texture type="cube" name="t2" builtin="flat" rgb1="1 1 1" width="4" height="4"/><material name="m1" texture="t1" rgba="1 0 0 1"/><material name="m2" texture="t2"/></asset>"#
        #expect(Scene.removingImageTextures(from: xml) == #"<asset><texture type="cube" name="t2" builtin="flat" rgb1="1 1 1" width="4" height="4"/><material name="m1" rgba="1 0 0 1"/><material name="m2" texture="t2"/></asset>"#)
    }

    @Test func texturesCanBeKept() throws {
        let xml = try Bundled.dataset("lift").demos[0].modelXML!
        let with = try Scene(mjcf: xml, loadTextures: true)
        let without = try Bundled.scene("lift")
        #expect(with.stateSize == without.stateSize)
        #expect(with.model.pointee.ntex > without.model.pointee.ntex)
    }
}

@Suite struct AssetsRootTests {
    @Test func relativeRootsBecomeAbsolute() {
        let root = Scene.normalizeAssetsRoot("some/dir/")
        #expect(root.hasPrefix("/"))
        #expect(root.hasSuffix("some/dir"))
    }
}
