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
/// per end effector under the same names (`eef_pose/<eef>`, ...). See docs/datagen-info.md.
public struct DatagenInfo: Sendable, Equatable {
    public var endEffectors: [EndEffectorTrack]
    public var objectPoses: [String: PoseTrack]
    /// Per signal name, one 0/1 value per step.
    public var subtaskTermSignals: [String: [Int]]

    public init(endEffectors: [EndEffectorTrack], objectPoses: [String: PoseTrack], subtaskTermSignals: [String: [Int]]) {
        self.endEffectors = endEffectors
        self.objectPoses = objectPoses
        self.subtaskTermSignals = subtaskTermSignals
    }

    /// The group name inside a demo.
    public static let groupName = "datagen_info"

    /// Number of steps.
    public var length: Int { endEffectors.first?.eefPose.count ?? objectPoses.values.first?.count ?? 0 }

    /// The first step at which `signal` rises from 0 to 1 (step 0 counts when it starts at 1), or nil.
    public static func firstRise(_ signal: [Int]) -> Int? {
        signal.indices.first { signal[$0] != 0 && ($0 == 0 || signal[$0 - 1] == 0) }
    }

    /// The datasets of this datagen_info, by path relative to the demo group.
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

    /// Reads the datagen_info of `demo` from its arrays (paths `datagen_info/...`), or nil when it has none.
    ///
    /// - Parameter singleEndEffectorName: the name given to the end effector of MimicGen's one-arm layout.
    /// - Throws: `DatasetError` naming the path when a dataset has the wrong shape or values.
    public init?(demo: Demo, file: String, singleEndEffectorName: String = "robot0") throws(DatasetError) {
        let g = Self.groupName + "/"
        let mine = demo.arrays.filter { $0.key.hasPrefix(g) }
        guard !mine.isEmpty else { return nil }
        let base = "/data/\(demo.name)/\(Self.groupName)"
        func track(_ rel: String) throws(DatasetError) -> PoseTrack {
            let t = mine[g + rel]!
            guard t.shape.count == 3, t.shape[1] == 4, t.shape[2] == 4, t.isFloatingPoint else {
                throw DatasetError(file: file, path: "\(base)/\(rel)", "expected a (T, 4, 4) float pose stack, found shape \(t.shape) \(t.dtypeName)")
            }
            try t.requireFinite(file: file, path: "\(base)/\(rel)")
            return PoseTrack(matrices: t.doubles)
        }
        func gripper(_ rel: String) throws(DatasetError) -> Tensor {
            let t = mine[g + rel]!
            try t.requireFinite(file: file, path: "\(base)/\(rel)")
            return t
        }
        func names(under prefix: String) -> [String] {
            mine.keys.compactMap { $0.hasPrefix(g + prefix + "/") ? String($0.dropFirst(g.count + prefix.count + 1)) : nil }.sorted()
        }
        var effectors: [EndEffectorTrack] = []
        if mine[g + "eef_pose"] != nil {
            for rel in ["target_pose", "gripper_action"] where mine[g + rel] == nil {
                throw DatasetError(file: file, path: "\(base)/\(rel)", "missing (eef_pose is present, so MimicGen's one-arm layout is expected)")
            }
            effectors.append(
                EndEffectorTrack(
                    name: singleEndEffectorName, eefPose: try track("eef_pose"),
                    targetPose: try track("target_pose"), gripperAction: try gripper("gripper_action")))
        } else {
            for name in names(under: "eef_pose") {
                for rel in ["target_pose/\(name)", "gripper_action/\(name)"] where mine[g + rel] == nil {
                    throw DatasetError(file: file, path: "\(base)/\(rel)", "missing (eef_pose/\(name) is present)")
                }
                effectors.append(
                    EndEffectorTrack(
                        name: name, eefPose: try track("eef_pose/\(name)"),
                        targetPose: try track("target_pose/\(name)"),
                        gripperAction: try gripper("gripper_action/\(name)")))
            }
        }
        guard !effectors.isEmpty else {
            throw DatasetError(file: file, path: "\(base)/eef_pose", "missing: datagen_info needs the pose of at least one end effector")
        }
        var objects: [String: PoseTrack] = [:]
        for name in names(under: "object_poses") { objects[name] = try track("object_poses/\(name)") }
        var signals: [String: [Int]] = [:]
        for name in names(under: "subtask_term_signals") {
            let t = mine[g + "subtask_term_signals/" + name]!
            guard t.shape.count == 1 || (t.shape.count == 2 && t.shape[1] == 1) else {
                throw DatasetError(file: file, path: "\(base)/subtask_term_signals/\(name)", "expected a (T,) 0/1 signal, found shape \(t.shape)")
            }
            try t.requireFinite(file: file, path: "\(base)/subtask_term_signals/\(name)")
            signals[name] = t.doubles.map { $0 != 0 ? 1 : 0 }
        }
        let info = DatagenInfo(endEffectors: effectors, objectPoses: objects, subtaskTermSignals: signals)
        let t = info.length
        for (rel, tensor) in mine where tensor.rows != t {
            throw DatasetError(file: file, path: "/data/\(demo.name)/\(rel)", "has \(tensor.rows) steps, other datagen_info arrays have \(t)")
        }
        self = info
    }
}
