import Testing
import MimicMath
@testable import MimicCore

@Suite struct DatagenInfoTests {
    static func pose(_ x: Double, yaw: Double = 0) -> Pose {
        Pose(position: SIMD3(x, 0.5, 1), rotation: Quaternion(axisAngle: SIMD3(0, 0, yaw)))
    }

    static func info(effectors: [String]) -> DatagenInfo {
        let track = PoseTrack([pose(0), pose(1, yaw: 0.3)])
        return DatagenInfo(
            endEffectors: effectors.map {
                EndEffectorTrack(
                    name: $0, eefPose: track, targetPose: track,
                    gripperAction: Tensor(shape: [2, 1], float64: [-1, 1]))
            },
            objectPoses: ["cube": track], subtaskTermSignals: ["grasp": [0, 1]])
    }

    @Test func poseTrackRoundTripsThroughMatrices() {
        let poses = [Self.pose(0.1, yaw: 1), Self.pose(-2, yaw: -0.5)]
        let track = PoseTrack(poses)
        #expect(track.count == 2)
        #expect(track.tensor.shape == [2, 4, 4])
        for (a, b) in zip(track.poses, poses) {
            #expect(simdLength(a.position - b.position) < 1e-12)
            #expect(a.rotation.angle(to: b.rotation) < 1e-9)
        }
    }

    @Test func firstRise() {
        #expect(DatagenInfo.firstRise([0, 0, 1, 1, 0, 1]) == 2)
        #expect(DatagenInfo.firstRise([1, 1]) == 0)
        #expect(DatagenInfo.firstRise([0, 0]) == nil)
    }

    @Test func oneEndEffectorUsesMimicGenLayoutAndRoundTrips() throws {
        let info = Self.info(effectors: ["robot0"])
        let arrays = info.arrays
        #expect(arrays["datagen_info/eef_pose"]?.shape == [2, 4, 4])
        #expect(arrays["datagen_info/gripper_action"]?.shape == [2, 1])
        #expect(arrays["datagen_info/object_poses/cube"] != nil)
        let back = try DatagenInfo(demo: Demo(name: "demo_0", arrays: arrays), file: "f")
        #expect(back == info)
    }

    @Test func severalEndEffectorsUsePerEffectorDatasets() throws {
        let info = Self.info(effectors: ["robot0", "robot1"])
        let arrays = info.arrays
        #expect(arrays["datagen_info/eef_pose/robot1"] != nil)
        #expect(arrays["datagen_info/eef_pose"] == nil)
        let back = try DatagenInfo(demo: Demo(name: "demo_0", arrays: arrays), file: "f")
        #expect(back == info)
    }

    @Test func noDatagenInfoGivesNil() throws {
        #expect(try DatagenInfo(demo: Demo(name: "d"), file: "f") == nil)
    }

    @Test func badShapesAndValuesNameThePath() {
        var arrays = Self.info(effectors: ["robot0"]).arrays
        arrays["datagen_info/eef_pose"] = Tensor(shape: [2, 16], float64: .init(repeating: 0, count: 32))
        #expect(throws: DatasetError.self) { try DatagenInfo(demo: Demo(name: "demo_3", arrays: arrays), file: "f") }
        do {
            _ = try DatagenInfo(demo: Demo(name: "demo_3", arrays: arrays), file: "f")
        } catch {
            #expect(error.path == "/data/demo_3/datagen_info/eef_pose")
        }
        var nan = Self.info(effectors: ["robot0"]).arrays
        nan["datagen_info/object_poses/cube"] = Tensor(shape: [2, 4, 4], float64: .init(repeating: .nan, count: 32))
        #expect(throws: DatasetError.self) { try DatagenInfo(demo: Demo(name: "d", arrays: nan), file: "f") }
        var short = Self.info(effectors: ["robot0"]).arrays
        short["datagen_info/subtask_term_signals/grasp"] = Tensor(shape: [3], storage: .int64([0, 0, 1]))
        #expect(throws: DatasetError.self) { try DatagenInfo(demo: Demo(name: "d", arrays: short), file: "f") }
        var missing = Self.info(effectors: ["robot0"]).arrays
        missing["datagen_info/target_pose"] = nil
        #expect(throws: DatasetError.self) { try DatagenInfo(demo: Demo(name: "d", arrays: missing), file: "f") }
    }

    @Test func everyArrayMustBeFiniteAndAnEndEffectorPresent() {
        for (path, tensor) in [
            ("datagen_info/gripper_action", Tensor(shape: [2, 1], float64: [0, .nan])),
            ("datagen_info/subtask_term_signals/grasp", Tensor(shape: [2], float64: [0, .infinity])),
            ("datagen_info/target_pose", Tensor(shape: [2, 4, 4], float64: (0..<32).map { $0 == 20 ? .nan : 0 })),
        ] {
            var arrays = Self.info(effectors: ["robot0"]).arrays
            arrays[path] = tensor
            do {
                _ = try DatagenInfo(demo: Demo(name: "demo_1", arrays: arrays), file: "f")
                Issue.record("accepted a non-finite \(path)")
            } catch {
                #expect(error.path == "/data/demo_1/\(path)")
                #expect(error.detail.hasPrefix("holds") && error.detail.contains("row 1"))
            }
        }
        var noEffector = Self.info(effectors: ["robot0"]).arrays
        for key in ["eef_pose", "target_pose", "gripper_action"] { noEffector["datagen_info/\(key)"] = nil }
        do {
            _ = try DatagenInfo(demo: Demo(name: "demo_1", arrays: noEffector), file: "f")
            Issue.record("accepted a datagen_info without end effectors")
        } catch {
            #expect(error.path == "/data/demo_1/datagen_info/eef_pose")
        }
    }
}

/// Isaac Lab Mimic's annotation, `obs/datagen_info/` with Isaac Lab's names.
@Suite struct IsaacLabDatagenInfoTests {
    /// `info`'s arrays as Isaac Lab stores them: per end effector under Isaac Lab's names, signals
    /// as uint8, no gripper_action; plus actions whose column `c` at step `s` is `100 * s + c`.
    static func demo(_ info: DatagenInfo, name: String = "demo_0", actionWidth: Int = 4) -> Demo {
        var arrays: [String: Tensor] = [:]
        let g = DatagenInfo.Origin.isaacLab.group
        for e in info.endEffectors {
            arrays["\(g)/eef_pose/\(e.name)"] = e.eefPose.tensor
            arrays["\(g)/target_eef_pose/\(e.name)"] = e.targetPose.tensor
        }
        for (o, track) in info.objectPoses { arrays["\(g)/object_pose/\(o)"] = track.tensor }
        for (k, v) in info.subtaskTermSignals { arrays["\(g)/subtask_term_signals/\(k)"] = Tensor(shape: [v.count], storage: .uint8(v.map(UInt8.init))) }
        let t = info.length
        arrays["actions"] = Tensor(shape: [t, actionWidth], float32: (0..<(t * actionWidth)).map { Float(100 * ($0 / actionWidth) + $0 % actionWidth) })
        return Demo(name: name, arrays: arrays)
    }

    @Test func isReadUnderMimicGenNamesWithGripperCommandsFromTheActions() throws {
        let info = DatagenInfoTests.info(effectors: ["left", "right"])
        let demo = Self.demo(info)
        var back = try #require(try DatagenInfo(demo: demo, file: "f"))
        #expect(back.origin == .isaacLab)
        #expect(back.endEffectors.map(\.name) == ["left", "right"])
        #expect(back.endEffectors[0].targetPose == info.endEffectors[0].targetPose)
        #expect(back.objectPoses == info.objectPoses && back.subtaskTermSignals == info.subtaskTermSignals)
        #expect(back.endEffectors.allSatisfy { $0.gripperAction.shape == [2, 0] })
        let layouts = [
            EndEffectorLayout(name: "right", poseColumns: 0..<0, gripperColumns: 3..<4, convention: .absoluteWXYZ),
            EndEffectorLayout(name: "left", poseColumns: 0..<0, gripperColumns: 1..<3, convention: .absoluteWXYZ),
        ]
        try back.takeGripperActions(from: demo, layouts: layouts, file: "f")
        #expect(back.endEffectors[0].gripperAction == Tensor(shape: [2, 2], float64: [1, 2, 101, 102]))
        #expect(back.endEffectors[1].gripperAction == Tensor(shape: [2, 1], float64: [3, 103]))
        // Written back, it is MimicGen's layout.
        #expect(back.arrays["datagen_info/gripper_action/left"]?.shape == [2, 2])
        #expect(back.arrays["datagen_info/target_pose/right"] != nil)
    }

    @Test func mimicGenLayoutKeepsItsStoredGripperCommands() throws {
        let info = DatagenInfoTests.info(effectors: ["robot0"])
        var back = try #require(try DatagenInfo(demo: Demo(name: "demo_0", arrays: info.arrays), file: "f"))
        try back.takeGripperActions(from: Demo(name: "demo_0"), layouts: [], file: "f")
        #expect(back == info)
    }

    @Test func pathsAreTheStoredOnes() {
        #expect(DatagenInfo.Origin.isaacLab.path("object_poses/cube", demo: "demo_2") == "/data/demo_2/obs/datagen_info/object_pose/cube")
        #expect(DatagenInfo.Origin.isaacLab.path("target_pose", demo: "demo_2") == "/data/demo_2/obs/datagen_info/target_eef_pose")
        #expect(DatagenInfo.Origin.isaacLab.path("gripper_action/left", demo: "demo_2") == "/data/demo_2/actions")
        #expect(DatagenInfo.Origin.isaacLab.path(demo: "demo_2") == "/data/demo_2/obs/datagen_info")
        #expect(DatagenInfo.Origin.mimicGen.path("object_poses/cube", demo: "demo_2") == "/data/demo_2/datagen_info/object_poses/cube")
    }

    @Test(arguments: [
        ("missing target", "obs/datagen_info/target_eef_pose/right", nil, "missing (eef_pose/right is present)"),
        ("flat pose", "obs/datagen_info/object_pose/cube", Tensor(shape: [2, 16], float64: .init(repeating: 0, count: 32)), "expected a (T, 4, 4)"),
        ("one-arm layout", "obs/datagen_info/eef_pose", Tensor(shape: [2, 4, 4], float64: .init(repeating: 0, count: 32)), "is a dataset"),
        ("signal shape", "obs/datagen_info/subtask_term_signals/grasp", Tensor(shape: [2, 2], float64: [0, 0, 1, 1]), "expected a (T,) 0/1 signal"),
        ("short signal", "obs/datagen_info/subtask_term_signals/grasp", Tensor(shape: [3], storage: .int8([0, 1, 1])), "has 3 steps"),
    ])
    func badArraysNameTheirPath(_ test: (String, String, Tensor?, String)) throws {
        var demo = Self.demo(DatagenInfoTests.info(effectors: ["left", "right"]), name: "demo_4")
        demo.arrays[test.1] = test.2
        do {
            _ = try DatagenInfo(demo: demo, file: "f")
            Issue.record("accepted \(test.0)")
        } catch {
            #expect(error.path == "/data/demo_4/\(test.1)", "\(test.0)")
            #expect(error.detail.contains(test.3), "\(error.detail)")
        }
    }

    @Test func actionsMustHaveOneRowPerStep() throws {
        var demo = Self.demo(DatagenInfoTests.info(effectors: ["left", "right"]))
        var info = try #require(try DatagenInfo(demo: demo, file: "f"))
        demo.arrays["actions"] = Tensor(shape: [3, 4], float64: .init(repeating: 0, count: 12))
        let layout = EndEffectorLayout(name: "left", poseColumns: 0..<0, gripperColumns: 1..<3, convention: .absoluteWXYZ)
        #expect(throws: DatasetError.self) { try info.takeGripperActions(from: demo, layouts: [layout], file: "f") }
        do {
            try info.takeGripperActions(from: demo, layouts: [layout], file: "f")
        } catch {
            #expect(error.path == "/data/demo_0/actions")
        }
    }
}

func simdLength(_ v: SIMD3<Double>) -> Double { (v * v).sum().squareRoot() }
