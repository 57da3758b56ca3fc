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
        if let v = override.shareSourceDemo { out.shareSourceDemo = v }
        if let v = override.transformFirstRobotPose { out.transformFirstRobotPose = v }
        if let v = override.interpolateFromLastTargetPose { out.interpolateFromLastTargetPose = v }
        if let v = override.constraints { out.constraints = v }
        if let v = override.success { out.success = v }
        if let v = override.dynamics { out.dynamics = v }
        if let v = override.mjcf { out.mjcf = v }
        return out
    }
}

extension GenerationTask {
    /// Resolves `spec` against a prepared dataset whose first demo is `demo`; `infos` are the
    /// datagen_info of all its demos (the first is `demo`'s).
    ///
    /// End effectors are the datagen_info's, in ``effectorOrder(_:spec:)``; their action columns and convention come from
    /// `actionLayouts`. Subtasks come from the spec; an end effector without any gets two (see
    /// `defaultSubtasks`).
    public static func resolve(
        spec: TaskSpec?, envArgs: EnvArgs?, demo: Demo, infos: [DatagenInfo], file: String,
        notes: inout [String]
    ) throws(DatasetError) -> GenerationTask {
        guard let first = infos.first else { throw DatasetError(file: file, path: "/data", "holds no demos") }
        guard let actions = demo.actions, actions.shape.count == 2 else {
            throw DatasetError(file: file, path: "/data/\(demo.name)/actions", "missing or not (T, A)")
        }
        let names = effectorOrder(first.endEffectors.map(\.name), spec: spec)
        let infos = infos.map { info in
            var ordered = info
            ordered.endEffectors = names.compactMap { name in info.endEffectors.first { $0.name == name } }
            return ordered
        }
        let info = infos[0]
        let specs = try endEffectorSpecs(spec, names: names, file: file)
        let layouts = try actionLayouts(spec: spec, envArgs: envArgs, demo: demo, info: info, file: file, notes: &notes)
        var effectors: [Effector] = []
        for (i, layout) in layouts.enumerated() {
            if let subtasks = specs?[i].subtasks, !subtasks.isEmpty {
                effectors.append(Effector(layout: layout, subtasks: subtasks))
            } else {
                let subtasks = defaultSubtasks(infos: infos, effector: i, effectorCount: names.count)
                notes.append(
                    "\(names[i]): no subtasks in the task spec; using " + subtasks.map { "[\($0.object ?? "world") until \($0.endSignal ?? "end")]" }.joined(separator: " then "))
                effectors.append(Effector(layout: layout, subtasks: subtasks))
            }
        }
        var task = GenerationTask(effectors: effectors, actionWidth: actions.shape[1], placement: spec?.placement)
        task.selectPerSubtask = spec?.selectPerSubtask ?? false
        task.shareSourceDemo = spec?.shareSourceDemo ?? true
        task.transformFirstRobotPose = spec?.transformFirstRobotPose ?? false
        task.interpolateFromLastTargetPose = spec?.interpolateFromLastTargetPose ?? true
        task.constraints = try resolveConstraints(spec?.constraints ?? [], effectors: effectors, file: file)
        return task
    }

    /// The order of the task's end effectors (a file's datagen_info lists them alphabetically):
    /// the spec's where it names them, then robosuite's (robot by robot, right arm before left).
    static func effectorOrder(_ names: [String], spec: TaskSpec?) -> [String] {
        let listed = (spec?.endEffectors ?? []).map(\.name).filter(names.contains)
        return listed + PrepareSetup.robosuiteOrder(names).joined().map { names[$0] }.filter { !listed.contains($0) }
    }

    /// The action layout of each end effector of `info`, in its order and named as there: columns
    /// and convention from `spec` (its end effectors matched by name), else from `env_args`
    /// (`PrepareSetup.actionLayouts`). An Isaac Lab annotation keeps no gripper commands, so
    /// where they are must be known, not assumed: from a controller per end effector in
    /// `env_args` (Mimic's own Isaac Lab output), or from the spec's `action.convention` and every
    /// end effector's `poseColumns` and `gripperColumns` (Isaac Lab's files).
    public static func actionLayouts(
        spec: TaskSpec?, envArgs: EnvArgs?, demo: Demo, info: DatagenInfo, file: String, notes: inout [String]
    ) throws(DatasetError) -> [EndEffectorLayout] {
        guard let actions = demo.actions, actions.shape.count == 2 else {
            throw DatasetError(file: file, path: "/data/\(demo.name)/actions", "missing or not (T, A)")
        }
        let names = info.endEffectors.map(\.name)
        var layoutSpec = spec
        layoutSpec?.endEffectors = try endEffectorSpecs(spec, names: names, file: file)
        if info.origin == .isaacLab, envArgs?.armControllers.flatMap({ $0 }).count != names.count,
            layoutSpec?.action == nil || layoutSpec?.endEffectors?.allSatisfy({ $0.poseColumns != nil && $0.gripperColumns != nil }) != true
        {
            throw DatasetError(
                file: file, path: "/data/\(demo.name)/actions",
                "has no known column layout: an Isaac Lab annotation keeps no gripper commands and env_args no controller config; give action.convention and poseColumns and gripperColumns of every end effector (\(names.joined(separator: ", "))) in a --task spec"
            )
        }
        var layouts = try PrepareSetup.actionLayouts(
            names: names, actionDim: actions.shape[1], envArgs: envArgs, spec: layoutSpec,
            model: demo.modelXML, demo: demo, file: file, notes: &notes)
        for i in layouts.indices { layouts[i].name = names[i] }
        return layouts
    }

    /// The spec's end effectors in the order of `names` (the dataset's): matched by name, else by
    /// position when there are as many; nil without any.
    static func endEffectorSpecs(_ spec: TaskSpec?, names: [String], file: String) throws(DatasetError) -> [TaskSpec.EndEffectorSpec]? {
        guard let effectors = spec?.endEffectors else { return nil }
        return try names.enumerated().map { (i, name) throws(DatasetError) in
            if let match = effectors.first(where: { $0.name == name }) { return match }
            if effectors.count == names.count { return effectors[i] }
            throw DatasetError(
                file: file, path: "task.endEffectors",
                "has no entry for end effector \(name) of the dataset (\(names.joined(separator: ", ")))")
        }
    }

    /// The spec's constraints by end effector index, checked: names of end effectors of the
    /// dataset, existing subtasks, at most one constraint of each kind per subtask.
    static func resolveConstraints(_ specs: [TaskSpec.ConstraintSpec], effectors: [Effector], file: String) throws(DatasetError) -> [Constraint] {
        var constraints: [Constraint] = []
        var seen: [TaskSpec.ConstraintSpec.Kind: Set<[Int]>] = [:]
        for (i, spec) in specs.enumerated() {
            let path = "task.constraints[\(i)]"
            var refs: [(effector: Int, subtask: Int)] = []
            for ref in spec.subtasks {
                guard let e = effectors.firstIndex(where: { $0.layout.name == ref.endEffector }) else {
                    throw DatasetError(
                        file: file, path: path, "names end effector \(ref.endEffector), which the dataset does not have (\(effectors.map(\.layout.name).joined(separator: ", ")))")
                }
                guard ref.subtask < effectors[e].subtasks.count else {
                    throw DatasetError(file: file, path: path, "names subtask \(ref.subtask) of \(ref.endEffector), which has \(effectors[e].subtasks.count)")
                }
                guard seen[spec.kind, default: []].insert([e, ref.subtask]).inserted else {
                    throw DatasetError(file: file, path: path, "subtask \(ref.subtask) of \(ref.endEffector) is in two \(spec.kind.rawValue) constraints")
                }
                refs.append((e, ref.subtask))
            }
            if spec.kind == .coordination, spec.scheme != .replay,
                effectors[refs[0].effector].subtasks[refs[0].subtask].object == nil || effectors[refs[1].effector].subtasks[refs[1].subtask].object == nil
            {
                throw DatasetError(file: file, path: path, "the \(spec.scheme.rawValue) scheme needs an object on both subtasks (or use \"replay\")")
            }
            constraints.append(Constraint(spec: spec, first: refs[0], second: refs[1]))
        }
        return constraints
    }

    /// Subtasks inferred from the data: up to the first rise of the end effector's grasp signal,
    /// relative to the object nearest the hand at that step; then the rest, relative to the object
    /// nearest the hand at the end among the others. When there is no other object, the rest is
    /// relative to the grasped object if it ends where it started plus a fixed offset (it was
    /// lifted or moved relative to itself), or in the world frame if it ends at a fixed place (it
    /// was put somewhere): whichever varies less across the source demos.
    static func defaultSubtasks(infos: [DatagenInfo], effector e: Int, effectorCount: Int) -> [TaskSpec.SubtaskSpec] {
        let info = infos[0]
        let track = info.endEffectors[e]
        let t = info.length
        let objects = info.objectPoses.keys.sorted()
        func nearest(at s: Int, among names: [String]) -> String? {
            let hand = track.eefPose[s].position
            return names.min { euclideanNorm(info.objectPoses[$0]![s].position - hand) < euclideanNorm(info.objectPoses[$1]![s].position - hand) }
        }
        let graspName = effectorCount > 1 ? "grasp_\(track.name)" : "grasp"
        guard t > 0 else { return [TaskSpec.SubtaskSpec(object: nil, endSignal: nil)] }
        guard let signal = info.subtaskTermSignals[graspName], let rise = DatagenInfo.firstRise(signal), rise + 1 < t,
            let grasped = nearest(at: rise, among: objects)
        else {
            return [TaskSpec.SubtaskSpec(object: nearest(at: t - 1, among: objects), endSignal: nil, selection: .nearestObject)]
        }
        var rest = nearest(at: t - 1, among: objects.filter { $0 != grasped })
        if rest == nil {
            func variance(_ points: [SIMD3<Double>]) -> Double {
                let mean = points.reduce(SIMD3<Double>(), +) / Double(points.count)
                return points.map { ($0 - mean) * ($0 - mean) }.reduce(SIMD3<Double>(), +).sum()
            }
            let finals = infos.map { $0.objectPoses[grasped]![$0.length - 1].position }
            let moves = infos.map { $0.objectPoses[grasped]![$0.length - 1].position - $0.objectPoses[grasped]![0].position }
            rest = infos.count > 1 && variance(finals) < variance(moves) ? nil : grasped
        }
        return [
            TaskSpec.SubtaskSpec(object: grasped, endSignal: graspName, selection: .nearestObject),
            TaskSpec.SubtaskSpec(object: rest, endSignal: nil, selection: .nearestObject),
        ]
    }
}
