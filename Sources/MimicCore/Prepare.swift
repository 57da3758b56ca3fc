import Foundation
import MimicMath

/// How `mimic prepare` reads a dataset's end effectors, objects and signals: the result of
/// inferring from the file (obs keys, `env_args`, the stored MJCF) and the task spec.
public struct PrepareSetup: Sendable {
    /// One end effector: where its commands are and which observations measure it.
    public struct EndEffector: Sendable {
        public var layout: EndEffectorLayout
        public var posKey: String
        /// Orientation observation, quaternion x,y,z,w.
        public var quatKey: String
        /// frameFromEef applied to the observed orientation (robosuite's `eef_quat` is the hand
        /// body; the controller frame is the grip site fixed in it). Identity when the key is the site.
        public var observedFromEef: Quaternion
        /// Finger positions, used to tell when a closing gripper has settled on an object.
        public var gripperQposKey: String?
    }

    /// A task object read from observations.
    public struct Object: Sendable {
        public var name: String
        public var posKey: String
        public var posStart: Int
        public var quatKey: String
        public var quatStart: Int
        public var quatIsWXYZ: Bool
        /// worldFromObject of an object fixed in the scene (read from `model_file`), instead of observations.
        public var fixedPose: Pose?
        /// qpos address of the object's free joint in `states` rows (after the time column), used
        /// when the file has no pose observations for it: position, then quaternion w,x,y,z.
        public var stateAddress: Int?
    }

    public var endEffectors: [EndEffector]
    public var objects: [Object]
    /// Things the user should know about what was assumed (printed as warnings).
    public var notes: [String]

    /// Infers the setup from `demo` (the first demo of the file), the file's `env_args` and
    /// `spec`. Throws when neither the file nor the spec says where the end effectors are.
    public static func infer(demo: Demo, envArgs: EnvArgs?, spec: TaskSpec?, file: String) throws(DatasetError) -> PrepareSetup {
        var notes: [String] = []
        let keys = Set(demo.obsKeys)
        guard let actions = demo.actions else {
            throw DatasetError(file: file, path: "/data/\(demo.name)/actions", "missing: prepare derives target poses from the actions")
        }
        guard actions.shape.count == 2 else {
            throw DatasetError(file: file, path: "/data/\(demo.name)/actions", "expected shape (T, A), found \(actions.shape)")
        }
        let actionDim = actions.shape[1]

        // End effector names: from the spec, else every robot<K>[_arm]_eef_pos observation.
        let names: [String]
        if let specs = spec?.endEffectors {
            names = specs.map(\.name)
        } else {
            names = endEffectorNames(obsKeys: keys)
        }
        guard !names.isEmpty else {
            throw DatasetError(
                file: file, path: "/data/\(demo.name)/obs",
                "no end effector found: expected robot<K>_eef_pos observations or endEffectors in a --task spec")
        }

        let layouts = try actionLayouts(
            names: names, actionDim: actionDim, envArgs: envArgs, spec: spec,
            model: demo.modelXML, demo: demo, file: file, notes: &notes)
        let frames = demo.modelXML.flatMap(MJCFFrames.init(xml:))
        var effectors: [EndEffector] = []
        for (i, name) in names.enumerated() {
            let s = spec?.endEffectors?[i]
            let posKey = s?.posKey ?? "\(name)_eef_pos"
            var quatKey = s?.quatKey ?? "\(name)_eef_quat_site"
            var offset = Quaternion.identity
            if s?.quatKey == nil {
                // Prefer the hand body's orientation (float64 in robosuite files) turned by the fixed
                // hand → grip-site rotation of the stored scene; `eef_quat_site` is only float32.
                if keys.contains("\(name)_eef_quat"), let o = handFromGripSite(eef: name, frames: frames) {
                    quatKey = "\(name)_eef_quat"
                    offset = o
                } else if !keys.contains(quatKey) {
                    quatKey = "\(name)_eef_quat"
                    notes.append("\(name): no \(name)_eef_quat_site and no grip site in model_file; using \(quatKey) as the controller frame")
                }
            }
            for key in [posKey, quatKey] where !keys.contains(key) {
                throw DatasetError(file: file, path: "/data/\(demo.name)/obs/\(key)", "missing: needed for the pose of end effector \(name)")
            }
            let qpos = "\(name)_gripper_qpos"
            effectors.append(
                EndEffector(
                    layout: layouts[i], posKey: posKey, quatKey: quatKey, observedFromEef: offset,
                    gripperQposKey: keys.contains(qpos) ? qpos : nil))
        }

        var objects: [Object] = []
        // Free joints of the stored scene, usable when `states` matches it ([time, qpos, qvel]).
        var freeJoints: [String: Int] = [:]
        if let frames, let states = demo.arrays["states"], states.rowWidth == 1 + frames.nq + frames.nv {
            for j in frames.joints where j.kind == .free { freeJoints[j.name] = j.qposAddress }
        }
        if let specs = spec?.objects {
            for s in specs {
                var object = Object(
                    name: s.name, posKey: s.posKey, posStart: s.posStart, quatKey: s.quatKey,
                    quatStart: s.quatStart, quatIsWXYZ: s.quatOrder == "wxyz", fixedPose: nil, stateAddress: nil)
                if let body = s.body {
                    guard let pose = frames?.worldPose(ofBody: body) else {
                        throw DatasetError(
                            file: file, path: "/data/\(demo.name).attrs[model_file]",
                            "has no fixed body \(body) (object \(s.name) of the task spec)")
                    }
                    object.fixedPose = pose
                } else if !keys.contains(s.posKey) || !keys.contains(s.quatKey) {
                    // robosuite names an object's free joint <name>_joint0 after its <name>_pos observation.
                    let stem = s.posKey.hasSuffix("_pos") ? String(s.posKey.dropLast(4)) : s.posKey
                    if let address = freeJoints[s.joint ?? "\(stem)_joint0"] { object.stateAddress = address }
                }
                objects.append(object)
            }
        } else {
            for key in keys.sorted() where key.hasSuffix("_pos") {
                let name = String(key.dropLast(4))
                guard keys.contains(name + "_quat"), !name.contains("_to_"), !name.hasPrefix("gripper"),
                    name.range(of: #"^robot\d+"#, options: .regularExpression) == nil
                else { continue }
                objects.append(
                    Object(
                        name: name, posKey: key, posStart: 0, quatKey: name + "_quat", quatStart: 0,
                        quatIsWXYZ: false, fixedPose: nil, stateAddress: nil))
            }
            if objects.isEmpty {
                // No pose observations (e.g. robomimic's low-dim files keep only the `object` vector):
                // every free joint of the scene is an object.
                for (joint, address) in freeJoints.sorted(by: { $0.value < $1.value }) {
                    let name = joint.hasSuffix("_joint0") ? String(joint.dropLast(7)) : joint
                    objects.append(
                        Object(
                            name: name, posKey: "", posStart: 0, quatKey: "", quatStart: 0,
                            quatIsWXYZ: true, fixedPose: nil, stateAddress: address))
                }
                if !objects.isEmpty {
                    notes.append("object poses from the free joints in states: \(objects.map(\.name).joined(separator: ", "))")
                }
            }
            if objects.isEmpty {
                notes.append("no <name>_pos/<name>_quat observation pairs and no free joints in states: no object poses (give objects in a --task spec, e.g. slices of obs/object)")
            }
        }
        for o in objects where o.fixedPose == nil && o.stateAddress == nil {
            for (key, start, width) in [(o.posKey, o.posStart, 3), (o.quatKey, o.quatStart, 4)] {
                guard let t = demo.obs(key) else {
                    throw DatasetError(file: file, path: "/data/\(demo.name)/obs/\(key)", "missing: needed for the pose of object \(o.name)")
                }
                guard t.rowWidth >= start + width else {
                    throw DatasetError(
                        file: file, path: "/data/\(demo.name)/obs/\(key)",
                        "has \(t.rowWidth) values per step, object \(o.name) needs values \(start)..<\(start + width)")
                }
            }
        }
        return PrepareSetup(endEffectors: effectors, objects: objects, notes: notes)
    }

    /// robosuite's end effectors among observation keys: every `robot<K>[_right|_left]` with a
    /// `<name>_eef_pos` observation, robot by robot, right arm before left.
    public static func endEffectorNames(obsKeys keys: Set<String>) -> [String] {
        let names = keys.compactMap { key -> String? in
            guard key.hasSuffix("_eef_pos") else { return nil }
            let prefix = String(key.dropLast("_eef_pos".count))
            return prefix.range(of: #"^robot\d+(_(right|left))?$"#, options: .regularExpression) != nil ? prefix : nil
        }
        return names.sorted { a, b in
            // robot index first, then right before left (robosuite's arm order).
            let ka = (a.split(separator: "_").first ?? "", a.hasSuffix("_left") ? 1 : 0)
            let kb = (b.split(separator: "_").first ?? "", b.hasSuffix("_left") ? 1 : 0)
            return ka.0 != kb.0 ? ka.0.localizedStandardCompare(kb.0) == .orderedAscending : ka.1 < kb.1
        }
    }

    /// handFromGripSite for robosuite end effector `eef` (`robot0`, `robot0_left`): the fixed
    /// rotation from the hand body that `eef_quat` reports to the grip site the controller uses.
    static func handFromGripSite(eef: String, frames: MJCFFrames?) -> Quaternion? {
        guard let frames else { return nil }
        let parts = eef.split(separator: "_")
        let robot = String(parts[0])
        let arm = parts.count > 1 ? String(parts[1]) : "right"
        let hand = "\(robot)_\(arm)_hand"
        let candidates = frames.siteNames.filter { $0.hasSuffix("grip_site") && frames.site($0, isInside: hand) }
        guard candidates.count == 1, let pose = frames.pose(ofSite: candidates[0], inBody: hand) else { return nil }
        return pose.rotation
    }

    /// The indices of `names` (end effectors `robot0`, `robot0_right`, `robot1`, …) in robosuite's
    /// order, robot by robot: robots in order of first appearance (the prefix before the first
    /// `_`), each robot's arms right, then left, then others.
    public static func robosuiteOrder(_ names: [String]) -> [[Int]] {
        func armOrder(_ i: Int) -> Int {
            switch names[i].split(separator: "_").dropFirst().first {
            case "right": 0
            case "left": 1
            default: 2
            }
        }
        var robots: [(String, [Int])] = []
        for (i, n) in names.enumerated() {
            let robot = String(n.split(separator: "_").first ?? Substring(n))
            if let k = robots.firstIndex(where: { $0.0 == robot }) { robots[k].1.append(i) } else { robots.append((robot, [i])) }
        }
        return robots.map { $0.1.sorted { (armOrder($0), $0) < (armOrder($1), $1) } }
    }

    public static func actionLayouts(
        names: [String], actionDim: Int, envArgs: EnvArgs?, spec: TaskSpec?, model: String?,
        demo: Demo, file: String, notes: inout [String]
    ) throws(DatasetError) -> [EndEffectorLayout] {
        let path = "/data/\(demo.name)/actions"
        let frames = model.flatMap(MJCFFrames.init(xml:))
        // Convention per end effector: the spec, else the file's controller config, else robosuite's default.
        var conventions: [PoseActionConvention] = []
        var baseFrames: [Bool] = []
        // robosuite's order of the end effectors, whatever order `names` come in.
        let robosuiteOrder = Self.robosuiteOrder(names)
        var controllerOf = [Int](repeating: 0, count: names.count)
        for (k, i) in robosuiteOrder.joined().enumerated() { controllerOf[i] = k }
        let controllers = envArgs?.armControllers.flatMap { $0 } ?? []
        for i in names.indices {
            if let a = spec?.action {
                switch a.convention {
                case .oscDelta:
                    var scaling = ActionScaling.robosuiteDefault
                    if let m = a.outputMax { scaling.outputMax = m; scaling.outputMin = m.map { -$0 } }
                    conventions.append(.oscDelta(scaling))
                case .oscAbsolute: conventions.append(.oscAbsolute)
                case .absoluteWXYZ: conventions.append(.absoluteWXYZ)
                case .absoluteXYZW: conventions.append(.absoluteXYZW)
                }
                baseFrames.append(a.frame == "base")
            } else if controllers.count == names.count {
                let c = controllers[controllerOf[i]]
                guard ["OSC_POSE", "IK_POSE", "WHOLE_BODY_IK", "WHOLE_BODY_MINK_IK"].contains(c.type) else {
                    throw DatasetError(
                        file: file, path: "/data.attrs[env_args]",
                        "controller \(c.type) of \(names[i]) is not a pose controller; give the action convention in a --task spec")
                }
                conventions.append(
                    c.delta
                        ? .oscDelta(
                            ActionScaling(
                                inputMin: c.inputMin, inputMax: c.inputMax,
                                outputMin: c.outputMin, outputMax: c.outputMax)) : .oscAbsolute)
                baseFrames.append(c.baseFrame)
            } else {
                if i == 0 {
                    notes.append(
                        "no controller config for \(names.count) end effector(s) in env_args: assuming robosuite OSC_POSE delta actions (±0.05 m, ±0.5 rad) in the world frame")
                }
                conventions.append(.oscDelta(.robosuiteDefault))
                baseFrames.append(false)
            }
        }

        // Columns: the spec's, else robosuite's order (per robot: its arms' pose columns, then its grippers).
        var layouts: [EndEffectorLayout] = []
        if let specs = spec?.endEffectors, specs.allSatisfy({ $0.poseColumns != nil && $0.gripperColumns != nil }) {
            for (i, s) in specs.enumerated() {
                let pose = s.poseColumns![0]..<s.poseColumns![1], grip = s.gripperColumns![0]..<s.gripperColumns![1]
                guard pose.count == conventions[i].width else {
                    throw DatasetError(
                        file: file, path: "task.endEffectors[\(i)].poseColumns",
                        "has \(pose.count) columns, the action convention needs \(conventions[i].width)")
                }
                layouts.append(EndEffectorLayout(name: s.name, poseColumns: pose, gripperColumns: grip, convention: conventions[i]))
            }
        } else {
            let poseWidth = conventions.map(\.width).reduce(0, +)
            let gripperTotal = actionDim - poseWidth
            guard gripperTotal >= 0, gripperTotal % names.count == 0 else {
                throw DatasetError(
                    file: file, path: path,
                    "has \(actionDim) columns, which does not split into \(names.count) end effector(s) of \(conventions.map(\.width)) pose columns plus equal gripper columns; give columns in a --task spec"
                )
            }
            let g = gripperTotal / names.count
            var result = [EndEffectorLayout?](repeating: nil, count: names.count)
            var column = 0
            for members in robosuiteOrder {
                var poses: [Int: Range<Int>] = [:]
                for i in members { poses[i] = column..<(column + conventions[i].width); column += conventions[i].width }
                for i in members {
                    result[i] = EndEffectorLayout(name: names[i], poseColumns: poses[i]!, gripperColumns: column..<(column + g), convention: conventions[i])
                    column += g
                }
            }
            layouts = result.map { $0! }
        }
        for l in layouts where l.poseColumns.upperBound > actionDim || l.gripperColumns.upperBound > actionDim {
            throw DatasetError(
                file: file, path: path, "has \(actionDim) columns, end effector \(l.name) uses columns up to \(max(l.poseColumns.upperBound, l.gripperColumns.upperBound))")
        }
        // Actions expressed in the robot base frame need the base's pose in the world, from the stored scene.
        for (i, base) in baseFrames.enumerated() where base {
            let robot = String(names[i].split(separator: "_").first ?? "")
            if let pose = frames?.worldPose(ofBody: "\(robot)_base") {
                layouts[i].worldFromActionFrame = pose
            } else {
                notes.append("\(names[i]): actions are in the robot base frame but model_file has no fixed \(robot)_base body; using the world frame")
            }
        }
        return layouts
    }
}

/// Subtask boundaries a person marked by hand: `{"demo_0": {"grasp": 37, "release": 80}}`,
/// the step at which each signal rises to 1 (and stays 1).
public struct Annotations: Sendable, Equatable {
    public var steps: [String: [String: Int]]

    public init(steps: [String: [String: Int]]) { self.steps = steps }

    public static func decode(_ data: Data, file: String) throws(DatasetError) -> Annotations {
        Annotations(steps: try decodeStrictJSON([String: [String: Int]].self, from: data, file: file))
    }
}

/// Computes MimicGen's `datagen_info` for one demo from what the file holds.
public struct DatagenInfoBuilder: Sendable {
    public var setup: PrepareSetup
    public var annotations: Annotations?
    /// Finger motion per step (sum of |Δqpos|, metres) under which a closing gripper counts as settled.
    public var settleTolerance = 2e-4

    public init(setup: PrepareSetup, annotations: Annotations? = nil) {
        self.setup = setup
        self.annotations = annotations
    }

    /// The datagen_info of `demo`. Throws `DatasetError` naming the demo's path for integer
    /// actions, missing or short observations, NaN/Inf values, non-unit quaternions, empty demos.
    public func build(_ demo: Demo, file: String) throws(DatasetError) -> DatagenInfo {
        let base = "/data/\(demo.name)"
        guard let actionTensor = demo.actions else { throw DatasetError(file: file, path: base + "/actions", "missing") }
        guard actionTensor.isFloatingPoint else {
            throw DatasetError(file: file, path: base + "/actions", "expected float actions, found \(actionTensor.dtypeName)")
        }
        let t = actionTensor.rows
        guard t > 0 else { throw DatasetError(file: file, path: base + "/actions", "demo has zero steps") }
        let width = actionTensor.rowWidth
        try actionTensor.requireFinite(file: file, path: base + "/actions")
        let actions = actionTensor.doubles

        func column(_ key: String, _ start: Int, _ count: Int, path: String? = nil, tensor: Tensor? = nil) throws(DatasetError) -> [Double] {
            let path = path ?? "\(base)/obs/\(key)"
            guard let tensor = tensor ?? demo.obs(key) else { throw DatasetError(file: file, path: path, "missing") }
            guard tensor.rows == t, tensor.rowWidth >= start + count else {
                throw DatasetError(file: file, path: path, "expected \(t) steps of at least \(start + count) values, found shape \(tensor.shape)")
            }
            let all = tensor.doubles, w = tensor.rowWidth
            var out = [Double](repeating: 0, count: t * count)
            for s in 0..<t {
                for j in 0..<count {
                    let v = all[s * w + start + j]
                    guard v.isFinite else { throw Tensor.nonFiniteError(v, at: "row \(s), column \(start + j)", file: file, path: path) }
                    out[s * count + j] = v
                }
            }
            return out
        }
        func poses(posKey: String, posStart: Int, quatKey: String, quatStart: Int, wxyz: Bool, offset: Quaternion) throws(DatasetError) -> [Pose] {
            let p = try column(posKey, posStart, 3), q = try column(quatKey, quatStart, 4)
            var out: [Pose] = []
            out.reserveCapacity(t)
            for s in 0..<t {
                let raw = SIMD4(q[4 * s], q[4 * s + 1], q[4 * s + 2], q[4 * s + 3])
                let quat = wxyz ? Quaternion(wxyz: raw) : Quaternion(xyzw: raw)
                guard abs(quat.norm - 1) < 1e-3 else {
                    throw DatasetError(file: file, path: "\(base)/obs/\(quatKey)", "non-unit quaternion at step \(s) (norm \(quat.norm))")
                }
                out.append(Pose(position: SIMD3(p[3 * s], p[3 * s + 1], p[3 * s + 2]), rotation: quat.normalized * offset))
            }
            return out
        }

        var effectors: [EndEffectorTrack] = []
        var signals: [String: [Int]] = [:]
        for e in setup.endEffectors {
            let measured = try poses(posKey: e.posKey, posStart: 0, quatKey: e.quatKey, quatStart: 0, wxyz: false, offset: e.observedFromEef)
            var targets: [Pose] = []
            targets.reserveCapacity(t)
            actions.withUnsafeBufferPointer { all in
                for s in 0..<t {
                    targets.append(e.layout.targetPose(action: UnsafeBufferPointer(rebasing: all[(s * width)..<((s + 1) * width)]), worldFromEef: measured[s]))
                }
            }
            let g = e.layout.gripperColumns
            var gripper = [Double](repeating: 0, count: t * g.count)
            for s in 0..<t { for (j, c) in g.enumerated() { gripper[s * g.count + j] = actions[s * width + c] } }
            effectors.append(
                EndEffectorTrack(
                    name: e.layout.name, eefPose: PoseTrack(measured), targetPose: PoseTrack(targets),
                    gripperAction: Tensor(shape: [t, g.count], float64: gripper)))
            if annotations == nil, g.count > 0 {
                let suffix = setup.endEffectors.count > 1 ? "_\(e.layout.name)" : ""
                let qpos = try e.gripperQposKey.map { key throws(DatasetError) in try column(key, 0, demo.obs(key)!.rowWidth) }
                let (grasp, release) = gripperSignals(command: (0..<t).map { gripper[$0 * g.count] }, fingers: qpos)
                signals["grasp" + suffix] = grasp
                signals["release" + suffix] = release
            }
        }
        if let annotations {
            guard let marks = annotations.steps[demo.name] else {
                throw DatasetError(file: file, path: base, "not in the annotations file (every demo needs its subtask steps)")
            }
            for (name, step) in marks {
                guard (0..<t).contains(step) else {
                    throw DatasetError(file: file, path: base, "annotation \(name) at step \(step) is outside the demo's \(t) steps")
                }
                signals[name] = (0..<t).map { $0 >= step ? 1 : 0 }
            }
        }
        var objects: [String: PoseTrack] = [:]
        for o in setup.objects {
            if let fixed = o.fixedPose {
                objects[o.name] = PoseTrack([Pose](repeating: fixed, count: t))
                continue
            }
            if let address = o.stateAddress {
                // states rows are [time, qpos, qvel]: the free joint's qpos is position then w,x,y,z.
                let start = 1 + address
                let values = try column("", start, 7, path: "\(base)/states", tensor: demo.arrays["states"])
                var poses: [Pose] = []
                for s in 0..<t {
                    let v = values[(7 * s)..<(7 * s + 7)].map { $0 }
                    let q = Quaternion(wxyz: SIMD4(v[3], v[4], v[5], v[6]))
                    guard abs(q.norm - 1) < 1e-3 else {
                        throw DatasetError(file: file, path: "\(base)/states", "non-unit quaternion of object \(o.name) at step \(s)")
                    }
                    poses.append(Pose(position: SIMD3(v[0], v[1], v[2]), rotation: q.normalized))
                }
                objects[o.name] = PoseTrack(poses)
                continue
            }
            objects[o.name] = PoseTrack(
                try poses(
                    posKey: o.posKey, posStart: o.posStart, quatKey: o.quatKey,
                    quatStart: o.quatStart, wxyz: o.quatIsWXYZ, offset: .identity))
        }
        return DatagenInfo(endEffectors: effectors, objectPoses: objects, subtaskTermSignals: signals)
    }

    /// 0/1 signals from a gripper command (robosuite: > 0 closes, <= 0 opens).
    ///
    /// `grasp` is 1 while the command is closed and the fingers have stopped moving (they rest on
    /// the object); without finger observations, from the first closed step. `release` is 1 while
    /// the command is open after having been closed.
    func gripperSignals(command: [Double], fingers: [Double]?) -> (grasp: [Int], release: [Int]) {
        let t = command.count
        var grasp = [Int](repeating: 0, count: t), release = [Int](repeating: 0, count: t)
        let fingerWidth = fingers.map { $0.count / max(t, 1) } ?? 0
        func settled(_ s: Int) -> Bool {
            guard let f = fingers, s > 0, fingerWidth > 0 else { return true }
            var motion = 0.0
            for j in 0..<fingerWidth { motion += abs(f[s * fingerWidth + j] - f[(s - 1) * fingerWidth + j]) }
            return motion < settleTolerance
        }
        var everClosed = false
        var s = 0
        while s < t {
            if command[s] > 0 {
                var end = s
                while end < t, command[end] > 0 { end += 1 }
                // With finger observations: the first settled step after the close began (the
                // fingers only start moving after the closing command). Without: the close itself.
                let rise = fingers == nil ? s : (s + 1..<end).first(where: settled) ?? s
                for k in rise..<end { grasp[k] = 1 }
                everClosed = true
                s = end
            } else {
                if everClosed { release[s] = 1 }
                s += 1
            }
        }
        return (grasp, release)
    }
}
