import Foundation
import Testing
@testable import MimicCore

@Suite struct MimicGenConfigTests {
    static let stack = """
        {"name": "stack", "type": "robosuite",
         "experiment": {"name": "demo", "seed": 5, "render_video": false,
           "source": {"dataset_path": "x.hdf5", "filter_key": null},
           "generation": {"path": "out", "guarantee": true, "keep_failed": false, "num_trials": 25,
                          "select_src_per_subtask": true, "transform_first_robot_pose": false, "interpolate_from_last_target_pose": true}},
         "obs": {"collect_obs": true},
         "task": {"name": "Stack_D0", "task_spec": {
           "subtask_1": {"object_ref": "cubeA", "subtask_term_signal": "grasp", "subtask_term_offset_range": [10, 20],
                         "selection_strategy": "nearest_neighbor_object", "selection_strategy_kwargs": {"nn_k": 3},
                         "action_noise": 0.05, "num_interpolation_steps": 5, "num_fixed_steps": 0, "apply_noise_during_interpolation": false},
           "subtask_2": {"object_ref": "cubeB", "subtask_term_signal": null, "subtask_term_offset_range": null,
                         "selection_strategy": "nearest_neighbor_robot_distance", "selection_strategy_kwargs": {"nn_k": 2},
                         "action_noise": 0.03, "num_interpolation_steps": 7, "num_fixed_steps": 1, "apply_noise_during_interpolation": true}}}}
        """

    @Test func mapsSubtasksSwitchesSeedAndTrials() throws {
        let config = try MimicGenConfig(json: Data(Self.stack.utf8), file: "c.json")
        let subtasks = try #require(config.spec.endEffectors?.first?.subtasks)
        #expect(subtasks.count == 2)
        #expect(subtasks[0].object == "cubeA")
        #expect(subtasks[0].endSignal == "grasp")
        #expect(subtasks[0].endOffset == [10, 20])
        #expect(subtasks[0].selection == .nearestObject)
        #expect(subtasks[0].nnK == 3)
        #expect(subtasks[1].endSignal == nil)
        #expect(subtasks[1].selection == .nearestEndEffector)
        #expect(subtasks[1].nnK == 2)
        #expect(subtasks[1].actionNoise == 0.03)
        #expect(subtasks[1].interpolationSteps == 7)
        #expect(subtasks[1].fixedSteps == 1)
        #expect(subtasks[1].noiseDuringInterpolation)
        #expect(config.spec.selectPerSubtask == true)
        #expect(config.seed == 5)
        #expect(config.trials == 25)
    }

    @Test func namesTheKeysItDoesNotUse() throws {
        let config = try MimicGenConfig(json: Data(Self.stack.utf8), file: "c.json")
        for key in ["experiment.generation.guarantee", "experiment.generation.keep_failed", "experiment.render_video", "obs", "task.name"] {
            #expect(config.ignoredKeys.contains(key), "\(key)")
        }
        #expect(!config.ignoredKeys.contains("experiment.generation.num_trials"))
    }

    @Test func subtasksAreOrderedNumerically() throws {
        var json = "{\"task\": {\"task_spec\": {"
        json += (1...11).map { "\"subtask_\($0)\": {\"object_ref\": \"o\($0)\", \"subtask_term_signal\": \"s\($0)\"}" }.joined(separator: ", ")
        json += "}}}"
        let config = try MimicGenConfig(json: Data(json.utf8), file: "c.json")
        let objects = config.spec.endEffectors?.first?.subtasks?.map(\.object)
        #expect(objects == (1...11).map { "o\($0)" })
        // The last subtask ends with the demo whatever its signal says.
        #expect(config.spec.endEffectors?.first?.subtasks?.last?.endSignal == nil)
    }

    @Test func badConfigsNameTheirPath() {
        let cases: [(String, String)] = [
            ("[1]", "(top level)"),
            (#"{"experiment": {}}"#, "task.task_spec"),
            (#"{"task": {"task_spec": {}}}"#, "task.task_spec"),
            (#"{"task": {"task_spec": {"subtask_1": {"selection_strategy": "closest"}}}}"#, "task.task_spec.subtask_1.selection_strategy"),
            (#"{"task": {"task_spec": {"subtask_1": {"subtask_term_offset_range": [5, 1]}}}}"#, "task.task_spec.subtask_1.subtask_term_offset_range"),
        ]
        for (json, path) in cases {
            do {
                _ = try MimicGenConfig(json: Data(json.utf8), file: "c.json")
                Issue.record("accepted \(json)")
            } catch {
                #expect(error.path == path, "\(json)")
            }
        }
    }
}
