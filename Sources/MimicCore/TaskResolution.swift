import MimicMath

extension TaskSpec {
    /// This spec with every field that `override` sets taken from `override` (a user's --task over a built-in profile).
    public func merged(with override: TaskSpec) -> TaskSpec {
        var out = self
        if let v = override.name { out.name = v }
        if let v = override.endEffectors { out.endEffectors = v }
        if let v = override.action { out.action = v }
        if let v = override.objects { out.objects = v }
        if let v = override.placement { out.placement = v }
        if let v = override.selectPerSubtask { out.selectPerSubtask = v }
        if let v = override.transformFirstRobotPose { out.transformFirstRobotPose = v }
        if let v = override.interpolateFromLastTargetPose { out.interpolateFromLastTargetPose = v }
        return out
    }
}

extension GenerationTask {
    /// Resolves `spec` against a prepared dataset whose first demo is `demo` (with `info`, its datagen_info).
    ///
    /// End effectors are the datagen_info's; their action columns and convention come from the
    /// spec, else `env_args`. Subtasks come from the spec; an end effector without any gets two:
    /// up to the first rise of its grasp signal relative to the object nearest the hand at that
    /// step, then the rest relative to the object nearest the hand at the end that it does not
    /// carry (the carried one when it carries them all).
    public static func resolve(spec: TaskSpec?, envArgs: EnvArgs?, demo: Demo, info: DatagenInfo, file: String,
                               notes: inout [String]) throws(DatasetError) -> GenerationTask {
        guard let actions = demo.actions, actions.shape.count == 2 else {
            throw DatasetError(file: file, path: "/data/\(demo.name)/actions", "missing or not (T, A)")
        }
        let names = info.endEffectors.map(\.name)
        // Layout: the spec's end effectors may also name columns; match them by name.
        var layoutSpec = spec
        if let effectors = spec?.endEffectors {
            layoutSpec?.endEffectors = try names.enumerated().map { (i, name) throws(DatasetError) in
                if let match = effectors.first(where: { $0.name == name }) { return match }
                if effectors.count == names.count { return effectors[i] }
                throw DatasetError(file: file, path: "task.endEffectors",
                                   "has no entry for end effector \(name) of the dataset (\(names.joined(separator: ", ")))")
            }
        }
        let layouts = try PrepareSetup.actionLayouts(names: names, actionDim: actions.shape[1], envArgs: envArgs, spec: layoutSpec,
                                                     model: demo.modelXML, demo: demo, file: file, notes: &notes)
        var effectors: [Effector] = []
        for (i, layout) in layouts.enumerated() {
            var layout = layout
            layout.name = names[i]
            if let subtasks = layoutSpec?.endEffectors?[i].subtasks, !subtasks.isEmpty {
                effectors.append(Effector(layout: layout, subtasks: subtasks))
            } else {
                let subtasks = defaultSubtasks(info: info, effector: i, effectorCount: names.count)
                notes.append("\(names[i]): no subtasks in the task spec; using " + subtasks.map { "[\($0.object ?? "world") until \($0.endSignal ?? "end")]" }.joined(separator: " then "))
                effectors.append(Effector(layout: layout, subtasks: subtasks))
            }
        }
        var task = GenerationTask(effectors: effectors, actionWidth: actions.shape[1], placement: spec?.placement)
        task.selectPerSubtask = spec?.selectPerSubtask ?? false
        task.transformFirstRobotPose = spec?.transformFirstRobotPose ?? false
        task.interpolateFromLastTargetPose = spec?.interpolateFromLastTargetPose ?? true
        return task
    }

    static func defaultSubtasks(info: DatagenInfo, effector e: Int, effectorCount: Int) -> [TaskSpec.SubtaskSpec] {
        let track = info.endEffectors[e]
        let t = info.length
        func nearest(at s: Int, excludingCarried: Bool) -> String? {
            let hand = track.eefPose[s].position
            let candidates = info.objectPoses.keys.sorted().filter { name in
                !excludingCarried || !SourceDemo.carriedSteps(eef: track.eefPose, object: info.objectPoses[name]!)[s]
            }
            return candidates.min { euclideanNorm(info.objectPoses[$0]![s].position - hand) < euclideanNorm(info.objectPoses[$1]![s].position - hand) }
        }
        let graspName = effectorCount > 1 ? "grasp_\(track.name)" : "grasp"
        guard t > 0 else { return [TaskSpec.SubtaskSpec(object: nil, endSignal: nil)] }
        let last = nearest(at: t - 1, excludingCarried: true) ?? nearest(at: t - 1, excludingCarried: false)
        if let signal = info.subtaskTermSignals[graspName], let rise = DatagenInfo.firstRise(signal), rise + 1 < t {
            return [TaskSpec.SubtaskSpec(object: nearest(at: rise, excludingCarried: false), endSignal: graspName, selection: .nearestObject),
                    TaskSpec.SubtaskSpec(object: last, endSignal: nil, selection: .nearestObject)]
        }
        return [TaskSpec.SubtaskSpec(object: last, endSignal: nil, selection: .nearestObject)]
    }
}
