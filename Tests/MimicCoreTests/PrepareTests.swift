import Foundation
import Testing
import MimicMath
@testable import MimicCore

/// Builds robosuite-like demos in memory: a Panda eef moving by known delta actions and a cube.
enum Fixture {
    static let envArgs15 = EnvArgsTests.robosuite15

    /// T steps; the gripper closes at `closeAt`, the fingers stop moving 3 steps later.
    static func demo(steps t: Int = 12, closeAt: Int = 5, name: String = "demo_0", prefix: String = "robot0") -> Demo {
        var rng = RandomStream(seed: 42)
        var pose = Pose(position: SIMD3(-0.1, 0, 1.0), rotation: Quaternion(xyzw: SIMD4(1, 0, 0, 0)))
        var actions: [Double] = [], pos: [Double] = [], quat: [Float] = [], fingers: [Double] = []
        for s in 0..<t {
            pos += [pose.position.x, pose.position.y, pose.position.z]
            quat += [pose.rotation.x, pose.rotation.y, pose.rotation.z, pose.rotation.w].map(Float.init)
            let width = s < closeAt ? 0.04 : max(0.02, 0.04 - 0.007 * Double(s - closeAt))
            fingers += [width, -width]
            let a = (0..<6).map { _ in rng.uniform(-0.5, 0.5) }
            actions += a + [s < closeAt ? -1 : 1]
            // The measured next pose is where the action pointed (a perfect controller).
            pose = Pose(
                position: pose.position + SIMD3(a[0], a[1], a[2]) * 0.05,
                rotation: (Quaternion(axisAngle: SIMD3(a[3], a[4], a[5]) * 0.5) * pose.rotation).normalized)
        }
        let cubePos = (0..<t).flatMap { _ in [0.0, 0.02, 0.82] }
        let cubeQuat = (0..<t).flatMap { _ in [0.0, 0.0, 0.0, 1.0] }
        return Demo(
            name: name, attributes: ["num_samples": .int(t)],
            arrays: [
                "actions": Tensor(shape: [t, 7], float64: actions),
                "obs/\(prefix)_eef_pos": Tensor(shape: [t, 3], float64: pos),
                "obs/\(prefix)_eef_quat_site": Tensor(shape: [t, 4], float32: quat),
                "obs/\(prefix)_gripper_qpos": Tensor(shape: [t, 2], float64: fingers),
                "obs/cube_pos": Tensor(shape: [t, 3], float64: cubePos),
                "obs/cube_quat": Tensor(shape: [t, 4], float64: cubeQuat),
                "obs/gripper_to_cube_pos": Tensor(shape: [t, 3], float64: cubePos),
                "obs/cube_to_robot0_eef_pos": Tensor(shape: [t, 3], float64: cubePos),
                "obs/cube_to_robot0_eef_quat": Tensor(shape: [t, 4], float64: cubeQuat),
            ])
    }
}

@Suite struct PrepareTests {
    func prepare(_ demo: Demo, spec: TaskSpec? = nil, annotations: Annotations? = nil) throws(DatasetError) -> DatagenInfo {
        let setup = try PrepareSetup.infer(demo: demo, envArgs: try EnvArgs(json: Fixture.envArgs15, file: "f"), spec: spec, file: "f.hdf5")
        return try DatagenInfoBuilder(setup: setup, annotations: annotations).build(demo, file: "f.hdf5")
    }

    @Test func infersEndEffectorObjectsAndColumns() throws {
        let demo = Fixture.demo()
        let setup = try PrepareSetup.infer(demo: demo, envArgs: try EnvArgs(json: Fixture.envArgs15, file: "f"), spec: nil, file: "f")
        #expect(setup.endEffectors.map(\.layout.name) == ["robot0"])
        #expect(setup.endEffectors[0].quatKey == "robot0_eef_quat_site")
        #expect(setup.endEffectors[0].layout.poseColumns == 0..<6)
        #expect(setup.endEffectors[0].layout.gripperColumns == 6..<7)
        #expect(setup.objects.map(\.name) == ["cube"])  // not gripper_to_cube nor cube_to_robot0_eef
    }

    @Test func targetPoseOfEachStepIsTheNextMeasuredPose() throws {
        let info = try prepare(Fixture.demo())
        let e = info.endEffectors[0]
        for s in 0..<(e.eefPose.count - 1) {
            let target = e.targetPose[s], next = e.eefPose[s + 1]
            #expect(simdLength(target.position - next.position) < 1e-9)
            #expect(target.rotation.angle(to: next.rotation) < 1e-6)  // the fixture stores the quat in float32
        }
        #expect(e.gripperAction.shape == [12, 1])
        #expect(info.objectPoses["cube"]?.count == 12)
    }

    @Test func graspRisesWhenTheClosingFingersSettle() throws {
        let info = try prepare(Fixture.demo(closeAt: 5))
        // Fingers close 0.007 m per step from step 5 and stop at 0.02 from step 8 on: the motion from 8 to 9 is 0.
        #expect(DatagenInfo.firstRise(info.subtaskTermSignals["grasp"]!) == 9)
        #expect(DatagenInfo.firstRise(info.subtaskTermSignals["release"]!) == nil)
    }

    @Test func withoutFingerObservationsGraspRisesWithTheCommand() throws {
        var demo = Fixture.demo(closeAt: 4)
        demo.arrays["obs/robot0_gripper_qpos"] = nil
        let info = try prepare(demo)
        #expect(DatagenInfo.firstRise(info.subtaskTermSignals["grasp"]!) == 4)
    }

    @Test func handBodyOrientationIsTurnedIntoTheGripSiteFrame() throws {
        // robosuite's eef_quat is the hand body; the grip site sits in it turned -90° about z.
        var demo = Fixture.demo()
        let site = demo.obs("robot0_eef_quat_site")!.doubles
        let offset = Quaternion(axisAngle: SIMD3(0, 0, -Double.pi / 2))
        var body: [Double] = []
        for s in 0..<demo.length {
            let q = Quaternion(xyzw: SIMD4(site[4 * s], site[4 * s + 1], site[4 * s + 2], site[4 * s + 3])) * offset.conjugate
            body += [q.x, q.y, q.z, q.w]
        }
        demo.arrays["obs/robot0_eef_quat"] = Tensor(shape: [demo.length, 4], float64: body)
        demo.attributes["model_file"] = .string(
            """
            <mujoco><worldbody><body name="robot0_base"><body name="robot0_right_hand">
              <body name="gripper0_right_eef" pos="0 0 0.1" axisangle="0 0 1 -90"><site name="gripper0_right_grip_site"/></body>
            </body></body></worldbody></mujoco>
            """)
        let setup = try PrepareSetup.infer(demo: demo, envArgs: nil, spec: nil, file: "f")
        #expect(setup.endEffectors[0].quatKey == "robot0_eef_quat")
        let info = try DatagenInfoBuilder(setup: setup).build(demo, file: "f")
        for s in 0..<demo.length {
            let expected = Quaternion(xyzw: SIMD4(site[4 * s], site[4 * s + 1], site[4 * s + 2], site[4 * s + 3]))
            #expect(info.endEffectors[0].eefPose[s].rotation.angle(to: expected) < 1e-6)
        }
    }

    @Test func objectPosesFromFreeJointsWhenObservationsLackThem() throws {
        // A robomimic low-dim file keeps only the `object` vector; the cube's pose is its free joint in states.
        var demo = Fixture.demo()
        let t = demo.length
        demo.arrays = demo.arrays.filter { !$0.key.hasPrefix("obs/cube") && !$0.key.contains("_to_") }
        let angle = 0.3
        // [time, qpos: 1 hinge + free (pos, w x y z), qvel: 1 + 6]
        let row: [Double] = [0, 0.5, 0.1, -0.2, 0.83, cos(angle / 2), 0, 0, sin(angle / 2)] + Array(repeating: 0, count: 7)
        demo.arrays["states"] = Tensor(shape: [t, row.count], float64: (0..<t).flatMap { _ in row })
        demo.attributes["model_file"] = .string(
            """
            <mujoco><worldbody><body name="arm"><joint name="robot0_joint1"/></body>
            <body name="cube_main"><joint name="cube_joint0" type="free"/></body></worldbody></mujoco>
            """)
        let setup = try PrepareSetup.infer(demo: demo, envArgs: nil, spec: nil, file: "f")
        #expect(setup.objects.map(\.name) == ["cube"])
        #expect(setup.notes.contains { $0.contains("free joints") })
        let info = try DatagenInfoBuilder(setup: setup).build(demo, file: "f")
        let cube = try #require(info.objectPoses["cube"])
        #expect(simdLength(cube[3].position - SIMD3(0.1, -0.2, 0.83)) < 1e-12)
        #expect(cube[3].rotation.angle(to: Quaternion(axisAngle: SIMD3(0, 0, angle))) < 1e-12)
        // A spec object whose observations are missing falls back to its <name>_joint0.
        let spec = try TaskSpec.decode(Data(#"{"objects": [{"name": "box", "posKey": "cube_pos", "quatKey": "cube_quat"}]}"#.utf8), file: "t")
        let fromSpec = try PrepareSetup.infer(demo: demo, envArgs: nil, spec: spec, file: "f")
        #expect(fromSpec.objects.first?.stateAddress == 1)
        // A states width that does not match the scene is not trusted.
        demo.arrays["states"] = Tensor(shape: [t, 3], float64: .init(repeating: 0, count: 3 * t))
        #expect(throws: DatasetError.self) { try PrepareSetup.infer(demo: demo, envArgs: nil, spec: spec, file: "f") }
    }

    @Test func releaseAfterClosing() {
        let builder = DatagenInfoBuilder(setup: PrepareSetup(endEffectors: [], objects: [], notes: []))
        let (grasp, release) = builder.gripperSignals(command: [-1, 1, 1, -1, -1, 1], fingers: nil)
        #expect(grasp == [0, 1, 1, 0, 0, 1])
        #expect(release == [0, 0, 0, 1, 1, 0])
    }

    @Test func annotationsReplaceComputedSignals() throws {
        let info = try prepare(Fixture.demo(), annotations: Annotations(steps: ["demo_0": ["grasp": 3, "lift": 7]]))
        #expect(DatagenInfo.firstRise(info.subtaskTermSignals["grasp"]!) == 3)
        #expect(DatagenInfo.firstRise(info.subtaskTermSignals["lift"]!) == 7)
        #expect(info.subtaskTermSignals["release"] == nil)
        #expect(throws: DatasetError.self) { try prepare(Fixture.demo(), annotations: Annotations(steps: ["demo_1": ["grasp": 3]])) }
        #expect(throws: DatasetError.self) { try prepare(Fixture.demo(), annotations: Annotations(steps: ["demo_0": ["grasp": 99]])) }
    }

    @Test func twoRobotsGetPerArmColumnsAndSignals() throws {
        var demo = Fixture.demo()
        let other = Fixture.demo(closeAt: 8, prefix: "robot1")
        for (k, v) in other.arrays where k.hasPrefix("obs/robot1") { demo.arrays[k] = v }
        let a0 = demo.actions!.doubles, a1 = other.actions!.doubles
        var both: [Double] = []
        for s in 0..<12 {
            both += a0[(s * 7)..<(s * 7 + 7)]
            both += a1[(s * 7)..<(s * 7 + 7)]
        }
        demo.arrays["actions"] = Tensor(shape: [12, 14], float64: both)
        let json = Fixture.envArgs15.replacingOccurrences(of: "\"robots\": \"Panda\"", with: "\"robots\": [\"Panda\", \"Panda\"]")
        let setup = try PrepareSetup.infer(demo: demo, envArgs: try EnvArgs(json: json, file: "f"), spec: nil, file: "f")
        #expect(setup.endEffectors.map(\.layout.name) == ["robot0", "robot1"])
        #expect(setup.endEffectors[1].layout.poseColumns == 7..<13)
        #expect(setup.endEffectors[1].layout.gripperColumns == 13..<14)
        let info = try DatagenInfoBuilder(setup: setup).build(demo, file: "f")
        #expect(Set(info.subtaskTermSignals.keys) == ["grasp_robot0", "release_robot0", "grasp_robot1", "release_robot1"])
        let e1 = info.endEffectors[1]
        #expect(simdLength(e1.targetPose[0].position - e1.eefPose[1].position) < 1e-9)
    }

    /// A humanoid's two arms get robosuite's columns (right pose, left pose, right hand, left hand)
    /// by name, in whatever order the names come (a file's datagen_info lists them alphabetically).
    @Test func humanoidArmsGetRobosuitesColumnsInAnyNameOrder() throws {
        let json = #"""
            {"env_name": "TwoArmLift", "env_version": "1.5.2", "type": 1, "env_kwargs": {"robots": "GR1ArmsOnly",
             "controller_configs": {"type": "WHOLE_BODY_IK", "composite_controller_specific_configs":
              {"ref_name": ["gripper0_right_grip_site", "gripper0_left_grip_site"], "ik_input_ref_frame": "base"}}}}
            """#
        let envArgs = try EnvArgs(json: json, file: "f")
        var demo = Demo(name: "demo_0")
        demo.arrays["actions"] = Tensor(shape: [1, 24], float64: Array(repeating: 0, count: 24))
        var notes: [String] = []
        for names in [["robot0_left", "robot0_right"], ["robot0_right", "robot0_left"]] {
            let layouts = try PrepareSetup.actionLayouts(
                names: names, actionDim: 24, envArgs: envArgs, spec: nil, model: nil, demo: demo, file: "f", notes: &notes)
            #expect(layouts.map(\.name) == names)
            let byName = Dictionary(uniqueKeysWithValues: layouts.map { ($0.name, $0) })
            #expect(byName["robot0_right"]?.poseColumns == 0..<6 && byName["robot0_right"]?.gripperColumns == 12..<18, "\(names)")
            #expect(byName["robot0_left"]?.poseColumns == 6..<12 && byName["robot0_left"]?.gripperColumns == 18..<24, "\(names)")
            #expect(layouts.allSatisfy { $0.convention == .oscAbsolute })
        }
    }

    @Test func specObjectsFromSlicesOfTheObjectVector() throws {
        var demo = Fixture.demo()
        let t = demo.length
        demo.arrays["obs/object"] = Tensor(shape: [t, 10], float64: (0..<t).flatMap { _ in [0.3, 0.1, 0.8, 0, 0, 0.7071067811865476, 0.7071067811865476, 9, 9, 9] })
        let spec = try TaskSpec.decode(Data(#"{"objects": [{"name": "box", "posKey": "object", "quatKey": "object", "quatStart": 3}]}"#.utf8), file: "t")
        let info = try prepare(demo, spec: spec)
        let box = try #require(info.objectPoses["box"])
        #expect(simdLength(box[0].position - SIMD3(0.3, 0.1, 0.8)) < 1e-12)
        #expect(box[0].rotation.angle(to: Quaternion(axisAngle: SIMD3(0, 0, .pi / 2))) < 1e-9)
        let tooShort = try TaskSpec.decode(Data(#"{"objects": [{"name": "box", "posKey": "object", "posStart": 8, "quatKey": "object"}]}"#.utf8), file: "t")
        #expect(throws: DatasetError.self) { try prepare(demo, spec: tooShort) }
    }

    @Test func badInputsAreErrorsNamingThePath() {
        func path(_ demo: Demo) -> String? {
            do { _ = try prepare(demo); return nil } catch { return error.path }
        }
        var ints = Fixture.demo()
        ints.arrays["actions"] = Tensor(shape: [12, 7], storage: .int64(.init(repeating: 0, count: 84)))
        #expect(path(ints) == "/data/demo_0/actions")

        var nan = Fixture.demo()
        var pos = nan.arrays["obs/robot0_eef_pos"]!.doubles
        pos[7] = .nan
        nan.arrays["obs/robot0_eef_pos"] = Tensor(shape: [12, 3], float64: pos)
        #expect(path(nan) == "/data/demo_0/obs/robot0_eef_pos")

        var nonUnit = Fixture.demo()
        nonUnit.arrays["obs/cube_quat"] = Tensor(shape: [12, 4], float64: .init(repeating: 0.9, count: 48))
        #expect(path(nonUnit) == "/data/demo_0/obs/cube_quat")

        var empty = Fixture.demo()
        for (k, v) in empty.arrays { empty.arrays[k] = v.rows(0..<0) }
        #expect(path(empty) == "/data/demo_0/actions")

        var noEef = Fixture.demo()
        noEef.arrays = noEef.arrays.filter { !$0.key.hasPrefix("obs/robot0") }
        #expect(path(noEef) == "/data/demo_0/obs")

        var oddActions = Fixture.demo()
        oddActions.arrays["actions"] = Tensor(shape: [12, 5], float64: .init(repeating: 0, count: 60))
        #expect(path(oddActions) == "/data/demo_0/actions")
    }
}
