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

func simdLength(_ v: SIMD3<Double>) -> Double { (v * v).sum().squareRoot() }
