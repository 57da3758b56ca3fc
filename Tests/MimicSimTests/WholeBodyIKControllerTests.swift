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

    /// A fixture written by `Demos/verify/ik_targets.py`: robosuite's own `WHOLE_BODY_IK`, wrapped
    /// inside `env.step` of a continuous replay of a dataset's demos, at a few control steps
    /// `t >= 1` each: the state its IK saw, the action, the joint targets it returned, those of the
    /// same IK with only the float32 `mat2quat` of the goal orientation replaced by float64 ones
    /// (Shepperd's method, as Mimic; `mat2quat`'s own eigenvector method), the world-frame goals (position, quaternion wxyz per site), the grip sites' distances from them
    /// after the control step, and the grip sites' poses after the same control step run from the
    /// state restored as ``SimWorld/restore(state:file:path:)`` restores it.
    struct IKTargetsFixture: Decodable {
        struct Sample: Decodable {
            var t: Int
            var stateIsRecorded: Bool
            var state: [Double]
            var action: [Double]
            var targets: [Double]
            var targetsF64Goal: [Double]
            var targetsEigh64Goal: [Double]
            var goalPos: [Double]
            var goalQuat: [Double]
            var trackingPos: [Double]
            var trackingRot: [Double]
            var restoredSitePosAfter: [Double]
            var restoredSiteQuatAfter: [Double]
        }
        struct DemoSamples: Decodable {
            var name: String
            var index: Int
            var samples: [Sample]
        }
        var dataset: String
        var sites: [String]
        var joints: [String]
        var demos: [DemoSamples]

        static func load(_ dataset: String) throws -> IKTargetsFixture {
            let url = Bundled.packageRoot.appendingPathComponent("Tests/Fixtures/ik_targets_\(dataset).json")
            let decoder = JSONDecoder()
            decoder.keyDecodingStrategy = .convertFromSnakeCase
            return try decoder.decode(IKTargetsFixture.self, from: Data(contentsOf: url))
        }
    }

    /// Mimic's joint targets against robosuite's IK fed the same state and action, and the control
    /// step that follows.
    ///
    /// Measured on these fixtures (`python3 Demos/verify/ik_targets.py`, and the same with
    /// `Tests/Fixtures/gr1_fixed_lower_body_two_arm_lift.hdf5 --samples 10`; 30 and 10 samples), and
    /// the same way on temporary fixtures of the other bundled GR1 files (Door, Lift, TwoArmHandover):
    /// - Against robosuite itself: 3.1e-7 rad (torso and head too: 2.4e-7; the other files up to
    ///   4.1e-7). The whole difference is robosuite's goal orientation. `IKSolver.solve` turns the
    ///   base-frame goal into a world-frame matrix and back into a quaternion with
    ///   `transform_utils.mat2quat`, which casts the matrix to float32 and takes the eigenvector of a
    ///   4x4 matrix built from it, in float32 (`np.linalg.eigh`, LAPACK): that quaternion is off by
    ///   up to 7e-7 rad (in the pot lift, rounding the matrix to float32 alone makes 7e-9). Over
    ///   every control step of the five files the targets move by up to 4.9e-7 rad for it
    ///   (`ik_targets.py` prints it), hence the bound asserted. The goal positions agree exactly.
    /// - Against robosuite's IK with only that function replaced by a float64 Shepperd conversion,
    ///   the one Mimic uses (`targets_f64_goal`): 6.3e-15 rad (all five files: at most 6.3e-15).
    /// - Against it with `mat2quat`'s own eigenvector method in float64 (`targets_eigh64_goal`):
    ///   5.3e-8 rad (1e-7 over every step of the five files). The goal matrix is orthonormal only to
    ///   float32 precision (robosuite's float32 `quat2mat` of the action, which Mimic reproduces), so
    ///   the conversion method matters at that level.
    /// - After the control step (25 physics steps, from the state restored as robosuite's `reset_to`
    ///   restores it) the grip sites are where robosuite's are: within 2e-9 m and 8e-8 rad before the
    ///   hands touch the pot; contact then amplifies the 3e-7 rad target difference, to 1.0e-6 m and
    ///   1.5e-5 rad at most (the last step of demo_4, the pot lifted).
    /// - Tracking: the grip sites' distance from the goal after each control step is Mimic's as it is
    ///   robosuite's (asserted on the samples; `ik_targets.py` prints it over every step).
    @Test(arguments: ["gr1_two_arm_lift", "gr1_fixed_lower_body_two_arm_lift"])
    func jointTargetsAgreeWithRobosuitesIK(dataset: String) throws {
        let fixture = try IKTargetsFixture.load(dataset)
        let data = try Bundled.dataset(dataset)
        let config = try #require(try WholeBodyIKConfig(envArgs: data.envArgs, file: dataset))
        #expect(config.sites == fixture.sites)
        var vsF64 = 0.0, vsEigh64 = 0.0, vsRobosuite = 0.0, goalPosition = 0.0, goalAngle = 0.0, sitePosition = 0.0, siteAngle = 0.0
        var trackingDifference = 0.0
        var samples = 0
        for demo in fixture.demos {
            let scene = try Bundled.scene(dataset, demo: demo.index)
            let controller = try WholeBodyIKController(scene: scene, config: config, robotModel: data.envArgs.robots.first)
            #expect(controller.joints.map { scene.name(of: $0) } == fixture.joints)
            let world = try SimWorld(scene: scene)
            let fullM = UnsafeMutablePointer<Double>.allocate(capacity: scene.nv * scene.nv)
            defer { fullM.deallocate() }
            let recorded = data.demos[demo.index].arrays["states"]!
            for sample in demo.samples {
                // The fixture's numbers are the file's, bit for bit, where robosuite's replay is the recording.
                if sample.stateIsRecorded { #expect(sample.state == recorded.row(sample.t), "\(demo.name) t=\(sample.t)") }
                try world.restore(state: sample.state)
                try world.stepFirstHalf()
                sample.action.withUnsafeBufferPointer { controller.setGoal(action: $0, world: world) }
                vsF64 = max(vsF64, maxAbsDifference(controller.jointTargets, sample.targetsF64Goal))
                vsEigh64 = max(vsEigh64, maxAbsDifference(controller.jointTargets, sample.targetsEigh64Goal))
                vsRobosuite = max(vsRobosuite, maxAbsDifference(controller.jointTargets, sample.targets))
                var goals: [Pose] = []
                for k in controller.arms.indices {
                    let goal = controller.worldGoal(effector: k, world: world)
                    let p = sample.goalPos[3 * k..<3 * k + 3].map { $0 }, q = sample.goalQuat[4 * k..<4 * k + 4].map { $0 }
                    let robosuites = Pose(position: SIMD3(p[0], p[1], p[2]), rotation: Quaternion(wxyz: SIMD4(q[0], q[1], q[2], q[3])))
                    goalPosition = max(goalPosition, maxAbsDifference([goal.position.x, goal.position.y, goal.position.z], p))
                    goalAngle = max(goalAngle, goal.rotation.angle(to: robosuites.rotation))
                    goals.append(robosuites)
                }
                // The rest of the control step: 25 physics steps of the part controllers' torques.
                for substep in 0..<25 {
                    if substep > 0 { try world.stepFirstHalf() }
                    world.fullInertia(into: fullM)
                    controller.applyControls(world: world, fullM: fullM)
                    try world.stepSecondHalf()
                }
                try world.forward()  // the grip sites at the qpos the step ends in
                for k in controller.arms.indices {
                    let site = world.pose(of: controller.arms[k].site)
                    let p = sample.restoredSitePosAfter[3 * k..<3 * k + 3].map { $0 }, q = sample.restoredSiteQuatAfter[4 * k..<4 * k + 4].map { $0 }
                    sitePosition = max(sitePosition, maxAbsDifference([site.position.x, site.position.y, site.position.z], p))
                    siteAngle = max(siteAngle, site.rotation.angle(to: Quaternion(wxyz: SIMD4(q[0], q[1], q[2], q[3]))))
                    let d = site.position - goals[k].position
                    trackingDifference = max(trackingDifference, abs((d * d).sum().squareRoot() - sample.trackingPos[k]))
                }
                samples += 1
            }
        }
        #expect(samples > 0)
        #expect(vsF64 < 1e-12, "\(vsF64)")  // measured 6.3e-15
        #expect(vsEigh64 < 1.5e-7, "\(vsEigh64)")  // the conversion method on a float32-orthonormal matrix
        #expect(vsRobosuite < 5e-7, "\(vsRobosuite)")  // robosuite's float32 mat2quat of the goal orientation
        #expect(goalPosition <= 1e-15, "\(goalPosition)")  // measured 0
        #expect(goalAngle < 8e-7, "\(goalAngle)")  // measured 4.3e-7 here, 7.0e-7 over every step of the five files
        #expect(sitePosition < 2e-6 && siteAngle < 3e-5, "\(sitePosition) m, \(siteAngle) rad")
        // Mimic's tracking errors are robosuite's (those of its continuous replay, whose control step
        // from the same state differs from the restored one's by up to 1.7e-6).
        #expect(trackingDifference < 5e-6, "\(trackingDifference)")
    }
}
