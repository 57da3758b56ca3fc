import MimicMath

/// A sequence of T rigid poses stored as T consecutive 4x4 homogeneous matrices, row-major
/// (numpy's `(T, 4, 4)` order), in metres. The frame is named by whoever holds the track
/// (`eefPose` is worldFromEef at each step).
public struct PoseTrack: Sendable, Equatable {
    /// `count * 16` values, row-major, last row of each matrix `0 0 0 1`.
    public private(set) var matrices: [Double]

    /// Creates a track from `count * 16` row-major matrix values.
    public init(matrices: [Double]) {
        precondition(matrices.count % 16 == 0, "a pose track needs 16 values per pose, got \(matrices.count)")
        self.matrices = matrices
    }

    public init(_ poses: [Pose]) {
        var values = [Double](repeating: 0, count: poses.count * 16)
        values.withUnsafeMutableBufferPointer { buffer in
            for (i, pose) in poses.enumerated() { pose.writeMatrix(into: buffer.baseAddress! + 16 * i) }
        }
        self.matrices = values
    }

    public var count: Int { matrices.count / 16 }

    public subscript(t: Int) -> Pose {
        matrices.withUnsafeBufferPointer { Pose(matrix: UnsafeBufferPointer(rebasing: $0[(16 * t)..<(16 * t + 16)])) }
    }

    public var poses: [Pose] { (0..<count).map { self[$0] } }

    /// The track as a float64 tensor of shape `[T, 4, 4]`.
    public var tensor: Tensor { Tensor(shape: [count, 4, 4], float64: matrices) }
}

/// The per-end-effector part of MimicGen's `datagen_info`.
public struct EndEffectorTrack: Sendable, Equatable {
    /// `robot0`, `robot1`, or an Isaac Lab eef name such as `left` / `right`.
    public var name: String
    /// worldFromEef measured at each step (the controller's frame: robosuite's grip site).
    public var eefPose: PoseTrack
    /// worldFromEef that the action at each step commands.
    public var targetPose: PoseTrack
    /// The gripper or hand part of the action, shape `[T, G]`, float64.
    public var gripperAction: Tensor

    public init(name: String, eefPose: PoseTrack, targetPose: PoseTrack, gripperAction: Tensor) {
        self.name = name
        self.eefPose = eefPose
        self.targetPose = targetPose
        self.gripperAction = gripperAction
    }
}

/// MimicGen's per-demo `datagen_info`: where the end effectors and objects are at each step,
/// what each action commands, and the 0/1 subtask termination signals.
///
/// One end effector is stored exactly as MimicGen lays it out (`eef_pose`, `target_pose`,
/// `gripper_action`, `object_poses/<o>`, `subtask_term_signals/<s>`); several store one dataset
/// per end effector under the same names (`eef_pose/<eef>`, ...). Isaac Lab Mimic's annotation
/// (`obs/datagen_info/`, ``Origin/isaacLab``) is read too. See docs/datagen-info.md.
public struct DatagenInfo: Sendable, Equatable {
    public var endEffectors: [EndEffectorTrack]
    public var objectPoses: [String: PoseTrack]
    /// Per signal name, one 0/1 value per step.
    public var subtaskTermSignals: [String: [Int]]
    /// Where the file keeps it: error messages name the paths it was read from.
    public var origin: Origin

    /// The layouts datagen_info is read from.
    public enum Origin: Sendable, Equatable {
        /// `datagen_info/` with MimicGen's names: `mimic prepare`'s output, MimicGen's files, generated files.
        case mimicGen
        /// `obs/datagen_info/` with Isaac Lab's names (``DatagenInfo/isaacLabNames``), as Isaac Lab
        /// Mimic's annotation writes it. It has no gripper_action: Isaac Lab derives the gripper or
        /// hand command from the actions, and so does ``DatagenInfo/takeGripperActions(from:layouts:file:)``.
        case isaacLab

        /// The group inside a demo.
        public var group: String { self == .mimicGen ? DatagenInfo.groupName : "obs/" + DatagenInfo.groupName }

        /// The HDF5 path of `rel` (in MimicGen's names: `object_poses`, `subtask_term_signals/grasp`;
        /// empty for the group) in demo `demo` of a file of this layout. Isaac Lab's gripper
        /// commands are the demo's `actions`.
        public func path(_ rel: String = "", demo: String) -> String {
            guard self == .isaacLab, let first = rel.split(separator: "/").first.map(String.init) else {
                return "/data/\(demo)/\(group)" + (rel.isEmpty ? "" : "/" + rel)
            }
            if first == "gripper_action" { return "/data/\(demo)/actions" }
            return "/data/\(demo)/\(group)/" + (DatagenInfo.isaacLabNames[first] ?? first) + rel.dropFirst(first.count)
        }
    }

    public init(
        endEffectors: [EndEffectorTrack], objectPoses: [String: PoseTrack], subtaskTermSignals: [String: [Int]],
        origin: Origin = .mimicGen
    ) {
        self.endEffectors = endEffectors
        self.objectPoses = objectPoses
        self.subtaskTermSignals = subtaskTermSignals
        self.origin = origin
    }

    /// The group name inside a demo.
    public static let groupName = "datagen_info"

    /// Isaac Lab's name for each of MimicGen's datagen_info groups (MimicGen's `gripper_action` has none).
    public static let isaacLabNames = [
        "eef_pose": "eef_pose", "target_pose": "target_eef_pose", "object_poses": "object_pose",
        "subtask_term_signals": "subtask_term_signals",
    ]

    /// Number of steps.
    public var length: Int { endEffectors.first?.eefPose.count ?? objectPoses.values.first?.count ?? 0 }

    /// The first step at which `signal` rises from 0 to 1 (step 0 counts when it starts at 1), or nil.
    public static func firstRise(_ signal: [Int]) -> Int? {
        signal.indices.first { signal[$0] != 0 && ($0 == 0 || signal[$0 - 1] == 0) }
    }

    /// The datasets of this datagen_info in MimicGen's layout, by path relative to the demo group.
    public var arrays: [String: Tensor] {
        let g = Self.groupName
        var out: [String: Tensor] = [:]
        if endEffectors.count == 1, let e = endEffectors.first {
            out["\(g)/eef_pose"] = e.eefPose.tensor
            out["\(g)/target_pose"] = e.targetPose.tensor
            out["\(g)/gripper_action"] = e.gripperAction
        } else {
            for e in endEffectors {
                out["\(g)/eef_pose/\(e.name)"] = e.eefPose.tensor
                out["\(g)/target_pose/\(e.name)"] = e.targetPose.tensor
                out["\(g)/gripper_action/\(e.name)"] = e.gripperAction
            }
        }
        for (name, track) in objectPoses { out["\(g)/object_poses/\(name)"] = track.tensor }
        for (name, values) in subtaskTermSignals {
            out["\(g)/subtask_term_signals/\(name)"] = Tensor(shape: [values.count], storage: .int64(values.map(Int64.init)))
        }
        return out
    }

    /// Reads the datagen_info of `demo` from its arrays (`datagen_info/...`, else Isaac Lab's
    /// `obs/datagen_info/...`), or nil when it has none. From Isaac Lab's layout every end
    /// effector's `gripperAction` has no columns until ``takeGripperActions(from:layouts:file:)``.
    ///
    /// - Parameter singleEndEffectorName: the name given to the end effector of MimicGen's one-arm layout.
    /// - Throws: `DatasetError` naming the path when a dataset is missing or has the wrong shape or values.
    public init?(demo: Demo, file: String, singleEndEffectorName: String = "robot0") throws(DatasetError) {
        guard let origin = [Origin.mimicGen, .isaacLab].first(where: { o in demo.arrays.keys.contains { $0.hasPrefix(o.group + "/") } }) else {
            return nil
        }
        // Every array under the group by its path relative to it in MimicGen's names (Isaac Lab's
        // arrays of other names are not datagen_info that Mimic uses).
        let g = origin.group + "/"
        var mine: [String: Tensor] = [:]
        for (key, tensor) in demo.arrays where key.hasPrefix(g) {
            let rel = String(key.dropFirst(g.count))
            guard origin == .isaacLab else {
                mine[rel] = tensor
                continue
            }
            let first = String(rel.split(separator: "/").first ?? "")
            if let name = Self.isaacLabNames.first(where: { $0.value == first })?.key { mine[name + rel.dropFirst(first.count)] = tensor }
        }
        func path(_ rel: String) -> String { origin.path(rel, demo: demo.name) }
        func track(_ rel: String) throws(DatasetError) -> PoseTrack {
            let t = mine[rel]!
            guard t.shape.count == 3, t.shape[1] == 4, t.shape[2] == 4, t.isFloatingPoint else {
                throw DatasetError(file: file, path: path(rel), "expected a (T, 4, 4) float pose stack, found shape \(t.shape) \(t.dtypeName)")
            }
            try t.requireFinite(file: file, path: path(rel))
            return PoseTrack(matrices: t.doubles)
        }
        func gripper(_ rel: String) throws(DatasetError) -> Tensor {
            let t = mine[rel]!
            try t.requireFinite(file: file, path: path(rel))
            return t
        }
        func names(under prefix: String) -> [String] {
            mine.keys.compactMap { $0.hasPrefix(prefix + "/") ? String($0.dropFirst(prefix.count + 1)) : nil }.sorted()
        }
        var effectors: [EndEffectorTrack] = []
        if mine["eef_pose"] != nil {
            guard origin == .mimicGen else {
                throw DatasetError(file: file, path: path("eef_pose"), "is a dataset; Isaac Lab's layout has a group with one (T, 4, 4) pose per end effector (eef_pose/<eef>)")
            }
            for rel in ["target_pose", "gripper_action"] where mine[rel] == nil {
                throw DatasetError(file: file, path: path(rel), "missing (eef_pose is present, so MimicGen's one-arm layout is expected)")
            }
            effectors.append(
                EndEffectorTrack(
                    name: singleEndEffectorName, eefPose: try track("eef_pose"),
                    targetPose: try track("target_pose"), gripperAction: try gripper("gripper_action")))
        } else {
            let stored = origin == .mimicGen ? ["target_pose", "gripper_action"] : ["target_pose"]
            for name in names(under: "eef_pose") {
                for rel in stored.map({ "\($0)/\(name)" }) where mine[rel] == nil {
                    throw DatasetError(file: file, path: path(rel), "missing (eef_pose/\(name) is present)")
                }
                let eef = try track("eef_pose/\(name)")
                effectors.append(
                    EndEffectorTrack(
                        name: name, eefPose: eef, targetPose: try track("target_pose/\(name)"),
                        gripperAction: origin == .mimicGen ? try gripper("gripper_action/\(name)") : Tensor(shape: [eef.count, 0], float64: [])))
            }
        }
        guard !effectors.isEmpty else {
            throw DatasetError(file: file, path: path("eef_pose"), "missing: datagen_info needs the pose of at least one end effector")
        }
        var objects: [String: PoseTrack] = [:]
        for name in names(under: "object_poses") { objects[name] = try track("object_poses/\(name)") }
        var signals: [String: [Int]] = [:]
        for name in names(under: "subtask_term_signals") {
            let rel = "subtask_term_signals/" + name
            let t = mine[rel]!
            guard t.shape.count == 1 || (t.shape.count == 2 && t.shape[1] == 1) else {
                throw DatasetError(file: file, path: path(rel), "expected a (T,) 0/1 signal, found shape \(t.shape)")
            }
            try t.requireFinite(file: file, path: path(rel))
            signals[name] = t.doubles.map { $0 != 0 ? 1 : 0 }
        }
        let info = DatagenInfo(endEffectors: effectors, objectPoses: objects, subtaskTermSignals: signals, origin: origin)
        let t = info.length
        for (rel, tensor) in mine where tensor.rows != t {
            throw DatasetError(file: file, path: path(rel), "has \(tensor.rows) steps, other datagen_info arrays have \(t)")
        }
        self = info
    }

    /// Isaac Lab's annotation has no gripper_action: Isaac Lab derives each end effector's gripper
    /// or hand command from the actions. This takes it from `demo`'s actions at the gripper columns
    /// of the end effector's layout in `layouts` (matched by name). MimicGen's layout stores it, and
    /// is left as it is.
    ///
    /// - Throws: `DatasetError` naming `actions` when they do not have one row per step.
    public mutating func takeGripperActions(from demo: Demo, layouts: [EndEffectorLayout], file: String) throws(DatasetError) {
        guard origin == .isaacLab else { return }
        let t = length
        guard let actions = demo.actions, actions.shape.count == 2, actions.rows == t else {
            throw DatasetError(
                file: file, path: "/data/\(demo.name)/actions",
                "expected (\(t), A) actions (one row per datagen_info step): Isaac Lab's gripper commands are read from them")
        }
        let values = actions.doubles, width = actions.rowWidth
        for i in endEffectors.indices {
            guard let columns = layouts.first(where: { $0.name == endEffectors[i].name })?.gripperColumns, columns.upperBound <= width else {
                throw DatasetError(file: file, path: "/data/\(demo.name)/actions", "has no gripper columns for end effector \(endEffectors[i].name)")
            }
            var gripper = [Double](repeating: 0, count: t * columns.count)
            for s in 0..<t { for (j, c) in columns.enumerated() { gripper[s * columns.count + j] = values[s * width + c] } }
            endEffectors[i].gripperAction = Tensor(shape: [t, columns.count], float64: gripper)
        }
    }
}
