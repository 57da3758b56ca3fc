import Foundation
import Testing
import MimicMath
@testable import MimicCore

@Suite struct TaskResolutionTests {
    static func demo(actionWidth: Int = 7) -> Demo {
        Demo(name: "demo_0", arrays: ["actions": Tensor(shape: [40, actionWidth], float64: .init(repeating: 0, count: 40 * actionWidth))])
    }

    @Test func mergedTakesEveryFieldTheOverrideSets() throws {
        let base = try TaskSpec.decode(Data(#"{"name": "base", "selectPerSubtask": false, "objects": [{"name": "a"}]}"#.utf8), file: "b")
        let over = try TaskSpec.decode(Data(#"{"selectPerSubtask": true}"#.utf8), file: "o")
        let merged = base.merged(with: over)
        #expect(merged.name == "base")
        #expect(merged.selectPerSubtask == true)
        #expect(merged.objects?.first?.name == "a")
    }

    @Test func specSubtasksAndSwitchesAreUsed() throws {
        let spec = try TaskSpec.decode(
            Data(
                """
                {"endEffectors": [{"name": "robot0", "subtasks": [{"object": "cube", "endSignal": "grasp"}, {"object": null}]}],
                 "transformFirstRobotPose": true}
                """.utf8), file: "t")
        var notes: [String] = []
        let info = GenerationFixture.info(cubeAt: SIMD3(0, 0, 0.82))
        let task = try GenerationTask.resolve(spec: spec, envArgs: nil, demo: Self.demo(), infos: [info], file: "f", notes: &notes)
        #expect(task.effectors.count == 1)
        #expect(task.effectors[0].subtasks.map(\.object) == ["cube", nil])
        #expect(task.effectors[0].layout.poseColumns == 0..<6)
        #expect(task.transformFirstRobotPose)
        #expect(task.interpolateFromLastTargetPose)
    }

    @Test func defaultSubtasksGraspThenFollowTheObjectWhenItMovesWithIt() throws {
        // The fixture lifts the cube: its final pose is its start plus a fixed offset.
        let infos = [SIMD3(0.0, 0, 0.82), SIMD3(0.05, -0.04, 0.82), SIMD3(-0.06, 0.03, 0.82)].map { GenerationFixture.info(cubeAt: $0) }
        var notes: [String] = []
        let task = try GenerationTask.resolve(spec: nil, envArgs: nil, demo: Self.demo(), infos: infos, file: "f", notes: &notes)
        #expect(task.effectors[0].subtasks.map(\.object) == ["cube", "cube"])
        #expect(task.effectors[0].subtasks.map(\.endSignal) == ["grasp", nil])
        #expect(notes.contains { $0.contains("no subtasks") })
    }

    @Test func defaultSubtasksUseTheWorldWhenTheObjectEndsAtAFixedPlace() throws {
        // Move each demo's cube to the same final place (a bin): the place motion is in the world frame.
        let infos = [SIMD3(0.0, 0, 0.82), SIMD3(0.05, -0.04, 0.82), SIMD3(-0.06, 0.03, 0.82)].map { start -> DatagenInfo in
            var info = GenerationFixture.info(cubeAt: start)
            var poses = info.objectPoses["cube"]!.poses
            poses[poses.count - 1] = Pose(position: SIMD3(0.3, 0.3, 0.9), rotation: .identity)
            info.objectPoses["cube"] = PoseTrack(poses)
            return info
        }
        var notes: [String] = []
        let task = try GenerationTask.resolve(spec: nil, envArgs: nil, demo: Self.demo(), infos: infos, file: "f", notes: &notes)
        #expect(task.effectors[0].subtasks.map(\.object) == ["cube", nil])
    }

    /// A file lists its end effectors alphabetically (`robot0_left` first); the task takes the
    /// spec's order, else robosuite's (right arm first), so "the first end effector" (whose first
    /// subtask picks the source demo) is the one the spec or robosuite puts first.
    @Test func endEffectorsComeInTheSpecsOrderElseRobosuites() throws {
        var info = GenerationFixture.info(cubeAt: SIMD3(0, 0, 0.82))
        let track = info.endEffectors[0]
        info.endEffectors = ["robot0_left", "robot0_right"].map { name in
            var t = track
            t.name = name
            return t
        }
        var notes: [String] = []
        let inferred = try GenerationTask.resolve(spec: nil, envArgs: nil, demo: Self.demo(actionWidth: 14), infos: [info], file: "f", notes: &notes)
        #expect(inferred.effectors.map(\.layout.name) == ["robot0_right", "robot0_left"])
        #expect(inferred.effectors[0].layout.poseColumns == 0..<6)
        let spec = try TaskSpec.decode(Data(#"{"endEffectors": [{"name": "robot0_left"}, {"name": "robot0_right"}]}"#.utf8), file: "t")
        let listed = try GenerationTask.resolve(spec: spec, envArgs: nil, demo: Self.demo(actionWidth: 14), infos: [info], file: "f", notes: &notes)
        #expect(listed.effectors.map(\.layout.name) == ["robot0_left", "robot0_right"])
        // Columns stay robosuite's whatever the order: the right arm's pose comes first.
        #expect(listed.effectors[1].layout.poseColumns == 0..<6 && listed.effectors[0].layout.poseColumns == 6..<12)
    }

    @Test func specEndEffectorsMustMatchTheData() throws {
        let spec = try TaskSpec.decode(Data(#"{"endEffectors": [{"name": "left"}, {"name": "right"}]}"#.utf8), file: "t")
        var notes: [String] = []
        let info = GenerationFixture.info(cubeAt: SIMD3(0, 0, 0.82))
        #expect(throws: DatasetError.self) {
            try GenerationTask.resolve(spec: spec, envArgs: nil, demo: Self.demo(), infos: [info], file: "f", notes: &notes)
        }
    }

    /// An Isaac Lab annotation has no gripper commands: their columns must be given, not guessed.
    @Test func isaacLabAnnotationsNeedKnownActionColumns() throws {
        let info = try #require(try DatagenInfo(demo: IsaacLabDatagenInfoTests.demo(DatagenInfoTests.info(effectors: ["left", "right"]), actionWidth: 16), file: "f"))
        let demo = Demo(name: "demo_0", arrays: ["actions": Tensor(shape: [2, 16], float64: .init(repeating: 0, count: 32))])
        var notes: [String] = []
        do {
            _ = try GenerationTask.actionLayouts(spec: nil, envArgs: nil, demo: demo, info: info, file: "f", notes: &notes)
            Issue.record("guessed the action columns of an Isaac Lab annotation")
        } catch {
            #expect(error.path == "/data/demo_0/actions" && error.detail.contains("--task"))
        }
        let spec = try TaskSpec.decode(
            Data(
                """
                {"action": {"convention": "absoluteWXYZ"}, "endEffectors": [
                  {"name": "right", "poseColumns": [7, 14], "gripperColumns": [15, 16]},
                  {"name": "left", "poseColumns": [0, 7], "gripperColumns": [14, 15]}]}
                """.utf8), file: "t")
        let layouts = try GenerationTask.actionLayouts(spec: spec, envArgs: nil, demo: demo, info: info, file: "f", notes: &notes)
        #expect(layouts.map(\.name) == ["left", "right"])
        #expect(layouts.map(\.gripperColumns) == [14..<15, 15..<16])
        #expect(layouts[0].convention == .absoluteWXYZ)
    }
}
