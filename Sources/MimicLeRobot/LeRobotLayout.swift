import MimicCore

/// What a dataset's demos become in LeRobot's layout: how `observation.state` and `action` are
/// made and sliced (GR00T's `modality.json`), and which observations are cameras. Inferred once,
/// from the first demo and `env_args`; every demo is then checked against it (`check`).
///
/// - `observation.state`: robot by robot, `robot<K>_joint_pos`, then per end effector (right arm
///   before left) `<eef>_eef_pos`, `<eef>_eef_quat` (x, y, z, w as robosuite stores it) and
///   `<eef>_gripper_qpos`, as far as the demo has them; or the observation keys given.
/// - `action`: the demo's actions as they are; their slices per end effector come from the action
///   convention `env_args` gives (`PrepareSetup.actionLayouts`): `<eef>_eef_pos`, `<eef>_eef_rot`
///   (axis-angle, relative for OSC delta control) or `<eef>_eef_quat`, `<eef>_gripper` (a
///   gripper's or a hand's commands). Columns no end effector uses are a slice of their own.
/// - cameras: every `obs/<camera>_image` of uint8 (T, H, W, 3).
public struct LeRobotLayout: Sendable, Equatable {
    /// One named slice of `observation.state` or `action`.
    public struct Slice: Sendable, Equatable {
        public var name: String
        public var start: Int
        public var end: Int
        /// GR00T's `rotation_type` (`quaternion`, `axis_angle`), nil for other values.
        public var rotation: String?
        /// Whether the values are absolute (false: deltas from the current state).
        public var absolute: Bool
        /// The observation it is copied from (state slices).
        public var key: String?
        /// A name per dimension.
        public var dimensionNames: [String]

        public var width: Int { end - start }
    }

    public struct Camera: Sendable, Equatable {
        /// `agentview` for `obs/agentview_image`.
        public var name: String
        public var height: Int
        public var width: Int

        public var observationKey: String { name + "_image" }
        /// LeRobot's feature name.
        public var videoKey: String { "observation.images." + name }
    }

    public var state: [Slice]
    public var action: [Slice]
    public var cameras: [Camera]
    /// The robot types of `env_args`, joined with `_` (`Panda`, `Panda_Panda`, `GR1ArmsOnly`).
    public var robotType: String?
    /// What was assumed, for the user.
    public var notes: [String]

    public var stateWidth: Int { state.last?.end ?? 0 }
    public var actionWidth: Int { action.last?.end ?? 0 }

    /// Infers the layout from `demo` (the first of `file`) and `envArgs`; `stateKeys`, when given,
    /// are the observations `observation.state` is made of, in order.
    public static func infer(demo: Demo, envArgs: EnvArgs?, stateKeys: [String]? = nil, file: String) throws(DatasetError) -> LeRobotLayout {
        let keys = Set(demo.obsKeys)
        let effectors = PrepareSetup.endEffectorNames(obsKeys: keys)
        var notes: [String] = []
        let state = try stateSlices(demo: demo, keys: stateKeys ?? defaultStateKeys(effectors: effectors, keys: keys), explicit: stateKeys != nil, file: file)
        let action = try actionSlices(demo: demo, effectors: effectors, envArgs: envArgs, file: file, notes: &notes)
        var cameras: [Camera] = []
        for key in demo.obsKeys {
            if key.hasSuffix("_depth") { notes.append("obs/\(key): depth images are not exported (LeRobot's videos are RGB)") }
            guard key.hasSuffix("_image"), let t = demo.obs(key) else { continue }
            guard t.shape.count == 4, t.shape[3] == 3, case .uint8 = t.storage else {
                throw DatasetError(
                    file: file, path: "/data/\(demo.name)/obs/\(key)",
                    "is \(t.dtypeName) \(t.shape), expected a camera's uint8 (T, H, W, 3) RGB frames")
            }
            cameras.append(Camera(name: String(key.dropLast("_image".count)), height: t.shape[1], width: t.shape[2]))
        }
        let robots = envArgs?.robots ?? []
        return LeRobotLayout(
            state: state, action: action, cameras: cameras, robotType: robots.isEmpty ? nil : robots.joined(separator: "_"), notes: notes)
    }

    /// Robot by robot: joint positions, then each end effector's pose and gripper, where present.
    static func defaultStateKeys(effectors: [String], keys: Set<String>) -> [String] {
        var robots: [String] = []
        for e in effectors {
            let robot = String(e.split(separator: "_")[0])
            if !robots.contains(robot) { robots.append(robot) }
        }
        var out: [String] = []
        for robot in robots {
            out.append(robot + "_joint_pos")
            for e in effectors where e == robot || e.hasPrefix(robot + "_") {
                out += [e + "_eef_pos", e + "_eef_quat", e + "_gripper_qpos"]
            }
        }
        return out.filter(keys.contains)
    }

    static func stateSlices(demo: Demo, keys: [String], explicit: Bool, file: String) throws(DatasetError) -> [Slice] {
        guard !keys.isEmpty else {
            throw DatasetError(
                file: file, path: "/data/\(demo.name)/obs",
                "has no robot<K>_joint_pos or robot<K>[_right|_left]_eef_pos / _eef_quat / _gripper_qpos observations to make observation.state of; name its observations with --state-keys"
            )
        }
        var slices: [Slice] = []
        var start = 0
        for key in keys {
            guard let t = demo.obs(key) else {
                throw DatasetError(file: file, path: "/data/\(demo.name)/obs/\(key)", "missing: \(explicit ? "--state-keys names it" : "observation.state is made of it")")
            }
            guard t.shape.count == 2, t.isFloatingPoint || explicit else {
                throw DatasetError(file: file, path: "/data/\(demo.name)/obs/\(key)", "is \(t.dtypeName) \(t.shape), expected (T, n) numbers for observation.state")
            }
            let width = t.rowWidth
            let quaternion = key.hasSuffix("_quat") && width == 4
            slices.append(
                Slice(
                    name: key, start: start, end: start + width, rotation: quaternion ? "quaternion" : nil, absolute: true, key: key,
                    dimensionNames: dimensionNames(key, width: width, components: quaternion ? ["qx", "qy", "qz", "qw"] : nil)))
            start += width
        }
        return slices
    }

    static func actionSlices(demo: Demo, effectors: [String], envArgs: EnvArgs?, file: String, notes: inout [String]) throws(DatasetError) -> [Slice] {
        guard let actions = demo.actions, actions.shape.count == 2 else {
            throw DatasetError(file: file, path: "/data/\(demo.name)/actions", "missing or not (T, A): LeRobot's action is a vector per step")
        }
        let width = actions.shape[1]
        var slices: [Slice] = []
        if effectors.isEmpty {
            notes.append("no robot<K>_eef_pos observations: action is one slice, assumed absolute")
        } else {
            let layouts = try PrepareSetup.actionLayouts(
                names: effectors, actionDim: width, envArgs: envArgs, spec: nil, model: demo.modelXML, demo: demo, file: file, notes: &notes)
            for l in layouts {
                let c = l.poseColumns.lowerBound
                switch l.convention {
                case .oscDelta, .oscAbsolute:
                    let absolute = l.convention == .oscAbsolute
                    slices.append(slice(l.name + "_eef_pos", c, c + 3, absolute: absolute, components: ["x", "y", "z"]))
                    slices.append(slice(l.name + "_eef_rot", c + 3, c + 6, rotation: "axis_angle", absolute: absolute, components: ["rx", "ry", "rz"]))
                case .absoluteWXYZ:
                    slices.append(slice(l.name + "_eef_pos", c, c + 3, absolute: true, components: ["x", "y", "z"]))
                    slices.append(slice(l.name + "_eef_quat", c + 3, c + 7, rotation: "quaternion", absolute: true, components: ["qw", "qx", "qy", "qz"]))
                case .absoluteXYZW:
                    slices.append(slice(l.name + "_eef_pos", c, c + 3, absolute: true, components: ["x", "y", "z"]))
                    slices.append(slice(l.name + "_eef_quat", c + 3, c + 7, rotation: "quaternion", absolute: true, components: ["qx", "qy", "qz", "qw"]))
                }
                if !l.gripperColumns.isEmpty {
                    slices.append(slice(l.name + "_gripper", l.gripperColumns.lowerBound, l.gripperColumns.upperBound, absolute: true))
                }
            }
        }
        return covering(slices, width: width)
    }

    /// `slices` in order with the columns none of them claims as slices of their own
    /// (`action_<start>_<end>`, or `action` for the whole vector), so that they cover 0..<width.
    static func covering(_ slices: [Slice], width: Int) -> [Slice] {
        var covered: [Slice] = []
        var next = 0
        for s in slices.sorted(by: { $0.start < $1.start }) + [slice("", width, width, absolute: true)] {
            if s.start > next { covered.append(slice(next == 0 && s.start == width ? "action" : "action_\(next)_\(s.start)", next, s.start, absolute: true)) }
            if s.end > s.start { covered.append(s) }
            next = max(next, s.end)
        }
        return covered
    }

    static func slice(_ name: String, _ start: Int, _ end: Int, rotation: String? = nil, absolute: Bool, components: [String]? = nil) -> Slice {
        Slice(
            name: name, start: start, end: end, rotation: rotation, absolute: absolute, key: nil,
            dimensionNames: dimensionNames(name, width: end - start, components: components))
    }

    /// `<name>.x`, ... when `components` names each dimension, else `<name>.0`, `<name>.1`, ...
    /// (`<name>.x/y/z` for a 3-vector named `..._pos`).
    static func dimensionNames(_ name: String, width: Int, components: [String]?) -> [String] {
        if let components, components.count == width { return components.map { "\(name).\($0)" } }
        if name.hasSuffix("_pos") && width == 3 { return ["x", "y", "z"].map { "\(name).\($0)" } }
        return (0..<width).map { "\(name).\($0)" }
    }

    /// Throws unless `demo` has what the layout reads, in the same widths and frame sizes.
    public func check(_ demo: Demo, file: String) throws(DatasetError) {
        let path = "/data/\(demo.name)"
        guard let actions = demo.actions, actions.shape.count == 2, actions.shape[1] == actionWidth else {
            throw DatasetError(
                file: file, path: path + "/actions", "is \(demo.actions?.shape ?? []), expected (T, \(actionWidth)) like the first demo")
        }
        for s in state {
            guard let key = s.key, let t = demo.obs(key), t.shape.count == 2, t.rowWidth == s.width, t.rows == demo.length else {
                throw DatasetError(
                    file: file, path: path + "/obs/\(s.key ?? s.name)",
                    "is \(demo.obs(s.key ?? s.name)?.shape ?? []), expected (\(demo.length), \(s.width)) like the first demo")
            }
            try t.requireFinite(file: file, path: path + "/obs/\(key)")
        }
        for c in cameras {
            guard let t = demo.obs(c.observationKey), t.shape == [demo.length, c.height, c.width, 3], case .uint8 = t.storage else {
                throw DatasetError(
                    file: file, path: path + "/obs/\(c.observationKey)",
                    "is \(demo.obs(c.observationKey).map { "\($0.dtypeName) \($0.shape)" } ?? "missing"), expected uint8 (\(demo.length), \(c.height), \(c.width), 3) like the first demo"
                )
            }
        }
    }
}
