import Foundation

/// A MimicGen experiment config (the JSON its `generate_dataset.py` takes), read as a task spec so
/// users keep their configs: `task.task_spec.subtask_N` become the subtasks of the (single) arm,
/// `experiment.generation` switches become the spec's, `experiment.seed` and
/// `experiment.generation.num_trials` give the run's seed and demo count.
public struct MimicGenConfig: Sendable {
    public var spec: TaskSpec
    public var seed: UInt64?
    public var trials: Int?
    /// Keys that Mimic does not use, named for a warning.
    public var ignoredKeys: [String]

    public init(json data: Data, file: String) throws(DatasetError) {
        guard let root = (try? JSONSerialization.jsonObject(with: data)) as? [String: Any] else {
            throw DatasetError(file: file, path: "(top level)", "expected a JSON object (a MimicGen experiment config)")
        }
        var ignored: [String] = []
        guard let task = root["task"] as? [String: Any], let taskSpec = task["task_spec"] as? [String: Any] else {
            throw DatasetError(file: file, path: "task.task_spec", "missing: a MimicGen config names its subtasks there")
        }
        for key in task.keys.sorted() where key != "task_spec" { ignored.append("task.\(key)") }
        let subtaskKeys = taskSpec.keys.filter { $0.hasPrefix("subtask_") }
            .sorted { (Int($0.dropFirst(8)) ?? 0) < (Int($1.dropFirst(8)) ?? 0) }
        for key in taskSpec.keys.sorted() where !key.hasPrefix("subtask_") { ignored.append("task.task_spec.\(key)") }
        guard !subtaskKeys.isEmpty else {
            throw DatasetError(file: file, path: "task.task_spec", "has no subtask_N entries")
        }
        var subtasks: [TaskSpec.SubtaskSpec] = []
        let known: Set<String> = [
            "object_ref", "subtask_term_signal", "subtask_term_offset_range", "selection_strategy",
            "selection_strategy_kwargs", "action_noise", "num_interpolation_steps", "num_fixed_steps",
            "apply_noise_during_interpolation",
        ]
        for (i, key) in subtaskKeys.enumerated() {
            let path = "task.task_spec.\(key)"
            guard let entry = taskSpec[key] as? [String: Any] else {
                throw DatasetError(file: file, path: path, "expected an object")
            }
            for k in entry.keys.sorted() where !known.contains(k) { ignored.append("\(path).\(k)") }
            var subtask = TaskSpec.SubtaskSpec(object: entry["object_ref"] as? String, endSignal: entry["subtask_term_signal"] as? String)
            if i == subtaskKeys.count - 1 { subtask.endSignal = nil }
            if let range = entry["subtask_term_offset_range"] as? [NSNumber] {
                guard range.count == 2, range[0].intValue <= range[1].intValue else {
                    throw DatasetError(file: file, path: "\(path).subtask_term_offset_range", "expected [lo, hi] with lo <= hi")
                }
                subtask.endOffset = [range[0].intValue, range[1].intValue]
            }
            switch entry["selection_strategy"] as? String {
            case nil, "random"?: subtask.selection = .random
            case "nearest_neighbor_object"?: subtask.selection = .nearestObject
            case "nearest_neighbor_robot_distance"?: subtask.selection = .nearestEndEffector
            case let other?:
                throw DatasetError(
                    file: file, path: "\(path).selection_strategy",
                    "\(other) is not one of random, nearest_neighbor_object, nearest_neighbor_robot_distance")
            }
            if let kwargs = entry["selection_strategy_kwargs"] as? [String: Any] {
                if let k = kwargs["nn_k"] as? NSNumber { subtask.nnK = max(1, k.intValue) }
                for k in kwargs.keys.sorted() where k != "nn_k" { ignored.append("\(path).selection_strategy_kwargs.\(k)") }
            }
            if let v = entry["action_noise"] as? NSNumber { subtask.actionNoise = v.doubleValue }
            if let v = entry["num_interpolation_steps"] as? NSNumber { subtask.interpolationSteps = max(0, v.intValue) }
            if let v = entry["num_fixed_steps"] as? NSNumber { subtask.fixedSteps = max(0, v.intValue) }
            if let v = entry["apply_noise_during_interpolation"] as? Bool { subtask.noiseDuringInterpolation = v }
            subtasks.append(subtask)
        }
        spec = TaskSpec(name: (root["name"] as? String), endEffectors: [TaskSpec.EndEffectorSpec(name: "robot0", subtasks: subtasks)])

        let experiment = root["experiment"] as? [String: Any] ?? [:]
        let generation = experiment["generation"] as? [String: Any] ?? [:]
        let usedGeneration: Set<String> = ["select_src_per_subtask", "transform_first_robot_pose", "interpolate_from_last_target_pose", "num_trials"]
        for k in generation.keys.sorted() where !usedGeneration.contains(k) { ignored.append("experiment.generation.\(k)") }
        spec.selectPerSubtask = generation["select_src_per_subtask"] as? Bool
        spec.transformFirstRobotPose = generation["transform_first_robot_pose"] as? Bool
        spec.interpolateFromLastTargetPose = generation["interpolate_from_last_target_pose"] as? Bool
        trials = (generation["num_trials"] as? NSNumber)?.intValue
        seed = (experiment["seed"] as? NSNumber).map { UInt64(truncatingIfNeeded: $0.int64Value) }
        for k in experiment.keys.sorted() where !["generation", "seed", "name"].contains(k) { ignored.append("experiment.\(k)") }
        for k in root.keys.sorted() where !["task", "experiment", "name", "type"].contains(k) { ignored.append(k) }
        ignoredKeys = ignored
    }
}
