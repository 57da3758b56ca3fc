import Foundation

/// A task description in JSON (docs/task-spec.md): how to read a dataset's end effectors,
/// objects and actions, how to cut demos into subtasks and how to place objects in new scenes.
/// Every field is optional: what is absent is inferred from the file. Decoding rejects unknown
/// keys and names the key and where it is.
public struct TaskSpec: Sendable, Equatable, Decodable {
    public var name: String?
    public var endEffectors: [EndEffectorSpec]?
    public var action: ActionSpec?
    public var objects: [ObjectSpec]?
    public var placement: PlacementSpec?
    /// Choose a new source demo for every subtask (true) or once per episode (false, MimicGen's default).
    public var selectPerSubtask: Bool?
    /// With several end effectors, all follow the source demo the first one picked (default true).
    public var shareSourceDemo: Bool?
    /// Start each segment with the source's measured eef pose at its start, not only its targets.
    public var transformFirstRobotPose: Bool?
    /// Interpolate from the last target pose (true, default) or from the current eef pose.
    public var interpolateFromLastTargetPose: Bool?
    /// Constraints between subtasks of different end effectors (Isaac Lab Mimic's
    /// `SubTaskConstraintConfig`): coordinated subtasks share a source demo and a transform and end
    /// together; a sequential subtask waits for another to end.
    public var constraints: [ConstraintSpec]?
    /// Dynamics randomization when executing (`mimic augment --execute`): scale ranges.
    public var dynamics: DynamicsSpec?
    /// The task's success test in the simulator (docs/simulator.md), e.g.
    /// `{"lifted": {"object": "cube_main", "above": 0.84}}`. Every built-in profile has its task's
    /// (``SuccessPredicate/robosuite(envName:)``).
    public var success: SuccessPredicate?
    /// An MJCF scene file for the simulator, used instead of the demos' `model_file` (for files
    /// that have none, or to run another scene). A relative path is relative to the spec file.
    public var mjcf: String?

    /// One end effector: its action columns and the observation keys of its measured pose.
    public struct EndEffectorSpec: Sendable, Equatable, Decodable {
        public var name: String
        /// `[start, end)` action columns of the pose command.
        public var poseColumns: [Int]?
        /// `[start, end)` action columns of the gripper or hand command.
        public var gripperColumns: [Int]?
        /// Observation key of the eef position (default `<name>_eef_pos`).
        public var posKey: String?
        /// Observation key of the eef orientation, x,y,z,w (default `<name>_eef_quat_site`, else `<name>_eef_quat`).
        public var quatKey: String?
        /// The ordered subtasks this end effector performs (generation).
        public var subtasks: [SubtaskSpec]?

        enum CodingKeys: String, CodingKey, CaseIterable { case name, poseColumns, gripperColumns, posKey, quatKey, subtasks }
        public init(from decoder: any Decoder) throws {
            try decoder.rejectUnknownKeys(CodingKeys.self)
            let c = try decoder.container(keyedBy: CodingKeys.self)
            name = try c.decode(String.self, forKey: .name)
            poseColumns = try c.decodeRange(.poseColumns)
            gripperColumns = try c.decodeRange(.gripperColumns)
            posKey = try c.decodeIfPresent(String.self, forKey: .posKey)
            quatKey = try c.decodeIfPresent(String.self, forKey: .quatKey)
            subtasks = try c.decodeIfPresent([SubtaskSpec].self, forKey: .subtasks)
        }

        public init(name: String, subtasks: [SubtaskSpec]? = nil) {
            self.name = name
            self.subtasks = subtasks
        }
    }

    /// One subtask of an end effector (MimicGen's `subtask_N`): a motion relative to one object,
    /// ending where `endSignal` first rises (the last subtask ends with the demo).
    public struct SubtaskSpec: Sendable, Equatable, Decodable {
        public enum Selection: String, Sendable, Equatable, Decodable, CaseIterable {
            case random, nearestObject, nearestEndEffector
        }
        /// The reference object; nil replays the segment in the world frame.
        public var object: String?
        public var endSignal: String?
        /// Random integer shift [lo, hi] of the subtask's end on every attempt.
        public var endOffset: [Int]
        public var selection: Selection
        public var nnK: Int
        /// Standard deviation of the Gaussian action noise (normalized delta units for OSC delta,
        /// metres and radians for absolute poses).
        public var actionNoise: Double
        public var interpolationSteps: Int
        public var fixedSteps: Int
        public var noiseDuringInterpolation: Bool
        /// Time-warp factor range [lo, hi] (Mimic's own): 2 plays the segment twice as fast.
        public var speed: [Double]

        enum CodingKeys: String, CodingKey, CaseIterable {
            case object, endSignal, endOffset, selection, nnK, actionNoise, interpolationSteps, fixedSteps, noiseDuringInterpolation, speed
        }

        public init(
            object: String?, endSignal: String?, endOffset: [Int] = [0, 0], selection: Selection = .random,
            nnK: Int = 3, actionNoise: Double = 0.05, interpolationSteps: Int = 5, fixedSteps: Int = 0,
            noiseDuringInterpolation: Bool = false, speed: [Double] = [1, 1]
        ) {
            self.object = object
            self.endSignal = endSignal
            self.endOffset = endOffset
            self.selection = selection
            self.nnK = nnK
            self.actionNoise = actionNoise
            self.interpolationSteps = interpolationSteps
            self.fixedSteps = fixedSteps
            self.noiseDuringInterpolation = noiseDuringInterpolation
            self.speed = speed
        }

        public init(from decoder: any Decoder) throws {
            try decoder.rejectUnknownKeys(CodingKeys.self)
            let c = try decoder.container(keyedBy: CodingKeys.self)
            self.init(
                object: try c.decodeIfPresent(String.self, forKey: .object),
                endSignal: try c.decodeIfPresent(String.self, forKey: .endSignal))
            endOffset = try c.decodeIfPresent([Int].self, forKey: .endOffset) ?? [0, 0]
            guard endOffset.count == 2, endOffset[0] <= endOffset[1] else {
                throw DecodingError.dataCorruptedError(forKey: .endOffset, in: c, debugDescription: "expected [lo, hi] with lo <= hi, found \(endOffset)")
            }
            selection = try c.decodeIfPresent(Selection.self, forKey: .selection) ?? .random
            nnK = try c.decodeIfPresent(Int.self, forKey: .nnK) ?? 3
            guard nnK >= 1 else { throw DecodingError.dataCorruptedError(forKey: .nnK, in: c, debugDescription: "expected at least 1, found \(nnK)") }
            actionNoise = try c.decodeIfPresent(Double.self, forKey: .actionNoise) ?? 0.05
            guard actionNoise >= 0 else { throw DecodingError.dataCorruptedError(forKey: .actionNoise, in: c, debugDescription: "must not be negative") }
            interpolationSteps = try c.decodeIfPresent(Int.self, forKey: .interpolationSteps) ?? 5
            fixedSteps = try c.decodeIfPresent(Int.self, forKey: .fixedSteps) ?? 0
            guard interpolationSteps >= 0 else { throw DecodingError.dataCorruptedError(forKey: .interpolationSteps, in: c, debugDescription: "must not be negative") }
            guard fixedSteps >= 0 else { throw DecodingError.dataCorruptedError(forKey: .fixedSteps, in: c, debugDescription: "must not be negative") }
            noiseDuringInterpolation = try c.decodeIfPresent(Bool.self, forKey: .noiseDuringInterpolation) ?? false
            speed = try c.decodeIfPresent([Double].self, forKey: .speed) ?? [1, 1]
            guard speed.count == 2, speed[0] > 0, speed[0] <= speed[1] else {
                throw DecodingError.dataCorruptedError(forKey: .speed, in: c, debugDescription: "expected [lo, hi] with 0 < lo <= hi, found \(speed)")
            }
        }
    }

    /// A constraint between two subtasks of different end effectors, as Isaac Lab Mimic's
    /// `SubTaskConstraintConfig` (docs/task-spec.md has the field-by-field mapping).
    ///
    /// JSON: `{"type": "coordination", "subtasks": [["robot0_right", 0], ["robot0_left", 0]],
    /// "scheme": "transform"}` or `{"type": "sequential", "subtasks": [["robot0", 0], ["robot1", 0]],
    /// "minTimeDiff": -1}` (the earlier subtask first).
    public struct ConstraintSpec: Sendable, Equatable, Decodable {
        public enum Kind: String, Sendable, Equatable, Decodable, CaseIterable {
            /// The later subtask waits until the earlier one has ended (or until `minTimeDiff` steps remain).
            case sequential
            /// Both subtasks follow the same source demo with one shared transform and end on the same step.
            case coordination
        }
        /// How a coordinated pair's shared transform is made from its reference object.
        public enum Scheme: String, Sendable, Equatable, Decodable, CaseIterable {
            /// No transform: the source segments replay in the world frame.
            case replay
            /// The object's full rigid motion from the source to the new scene.
            case transform
            /// The object's translation only.
            case translate
        }
        /// One subtask: an end effector's name and the subtask's index in its list.
        public struct SubtaskRef: Sendable, Equatable, Decodable {
            public var endEffector: String
            public var subtask: Int

            public init(endEffector: String, subtask: Int) {
                self.endEffector = endEffector
                self.subtask = subtask
            }

            /// `["robot0", 1]`.
            public init(from decoder: any Decoder) throws {
                var c = try decoder.unkeyedContainer()
                endEffector = try c.decode(String.self)
                subtask = try c.decode(Int.self)
                guard c.isAtEnd, subtask >= 0 else {
                    throw DecodingError.dataCorrupted(
                        .init(
                            codingPath: decoder.codingPath,
                            debugDescription: "expected [\"end effector\", subtask index >= 0]"))
                }
            }
        }

        public var kind: Kind
        /// Two subtasks of different end effectors; for `sequential`, the earlier one first.
        public var subtasks: [SubtaskRef]
        /// `sequential`: the later subtask runs until this many of its steps remain, then waits for
        /// the earlier one to end; -1 (default) waits at its first step, 0 never waits.
        public var minTimeDiff: Int
        /// `coordination`: the shared transform (default `replay`, as Isaac Lab Mimic).
        public var scheme: Scheme
        /// `coordination`: half-widths of uniform noise on the shared transform, per axis (metres, radians).
        public var positionNoise: Double
        public var rotationNoise: Double
        /// `coordination`: each end effector holds its first step until the other starts its subtask.
        public var synchronizeStart: Bool

        enum CodingKeys: String, CodingKey, CaseIterable {
            case type, subtasks, minTimeDiff, scheme, positionNoise, rotationNoise, synchronizeStart
        }

        public init(
            kind: Kind, subtasks: [SubtaskRef], minTimeDiff: Int = -1, scheme: Scheme = .replay,
            positionNoise: Double = 0, rotationNoise: Double = 0, synchronizeStart: Bool = false
        ) {
            self.kind = kind
            self.subtasks = subtasks
            self.minTimeDiff = minTimeDiff
            self.scheme = scheme
            self.positionNoise = positionNoise
            self.rotationNoise = rotationNoise
            self.synchronizeStart = synchronizeStart
        }

        public init(from decoder: any Decoder) throws {
            try decoder.rejectUnknownKeys(CodingKeys.self)
            let c = try decoder.container(keyedBy: CodingKeys.self)
            kind = try c.decode(Kind.self, forKey: .type)
            subtasks = try c.decode([SubtaskRef].self, forKey: .subtasks)
            guard subtasks.count == 2, subtasks[0].endEffector != subtasks[1].endEffector else {
                throw DecodingError.dataCorruptedError(
                    forKey: .subtasks, in: c,
                    debugDescription: "expected two subtasks of different end effectors, e.g. [[\"robot0\", 0], [\"robot1\", 0]]")
            }
            minTimeDiff = try c.decodeIfPresent(Int.self, forKey: .minTimeDiff) ?? -1
            guard minTimeDiff >= -1 else { throw DecodingError.dataCorruptedError(forKey: .minTimeDiff, in: c, debugDescription: "expected -1 or more") }
            scheme = try c.decodeIfPresent(Scheme.self, forKey: .scheme) ?? .replay
            positionNoise = try c.decodeIfPresent(Double.self, forKey: .positionNoise) ?? 0
            rotationNoise = try c.decodeIfPresent(Double.self, forKey: .rotationNoise) ?? 0
            guard positionNoise >= 0, rotationNoise >= 0 else {
                throw DecodingError.dataCorruptedError(forKey: .positionNoise, in: c, debugDescription: "noise scales must not be negative")
            }
            synchronizeStart = try c.decodeIfPresent(Bool.self, forKey: .synchronizeStart) ?? false
            let sequentialOnly = [CodingKeys.minTimeDiff], coordinationOnly = [CodingKeys.scheme, .positionNoise, .rotationNoise, .synchronizeStart]
            for key in kind == .sequential ? coordinationOnly : sequentialOnly where c.contains(key) {
                throw DecodingError.dataCorruptedError(forKey: key, in: c, debugDescription: "does not apply to a \(kind.rawValue) constraint")
            }
        }
    }

    /// Where objects go in a new scene, as robosuite's placement samplers do: x and y uniform in
    /// ranges around `reference` (the table top centre), yaw uniform in a range, z kept.
    public struct PlacementSpec: Sendable, Equatable, Decodable {
        /// The point the x/y ranges are relative to, world frame, metres.
        public var reference: [Double]
        /// Minimum horizontal distance between any two placed objects, metres.
        public var minSeparation: Double
        public var objects: [String: ObjectPlacement]
        /// `"source"`: each scene starts from the objects' initial poses in one source demo drawn
        /// at random, and x, y and yaw are offsets from them (`reference` unused): new scenes stay
        /// near scenes a person actually solved (an object's side facing up, a heading the robot
        /// can reach). nil: x, y and yaw are drawn around `reference` for any source.
        public var around: Around?

        public enum Around: String, Sendable, Equatable, Decodable { case source }

        public struct ObjectPlacement: Sendable, Equatable, Decodable {
            public var x: [Double]
            public var y: [Double]
            /// Rotation about the world z axis, radians, applied to the object's upright orientation.
            public var yaw: [Double]
            /// Height of the object's frame; default: its height in the source demos.
            public var z: Double?

            enum CodingKeys: String, CodingKey, CaseIterable { case x, y, yaw, z }

            public init(x: [Double], y: [Double], yaw: [Double], z: Double? = nil) {
                self.x = x
                self.y = y
                self.yaw = yaw
                self.z = z
            }

            public init(from decoder: any Decoder) throws {
                try decoder.rejectUnknownKeys(CodingKeys.self)
                let c = try decoder.container(keyedBy: CodingKeys.self)
                func range(_ key: CodingKeys, _ fallback: [Double]?) throws -> [Double] {
                    guard let r = try c.decodeIfPresent([Double].self, forKey: key) ?? fallback else {
                        throw DecodingError.keyNotFound(key, .init(codingPath: c.codingPath, debugDescription: "required"))
                    }
                    guard r.count == 2, r[0] <= r[1], r.allSatisfy(\.isFinite) else {
                        throw DecodingError.dataCorruptedError(forKey: key, in: c, debugDescription: "expected [lo, hi] with lo <= hi, found \(r)")
                    }
                    return r
                }
                x = try range(.x, nil)
                y = try range(.y, nil)
                yaw = try range(.yaw, [0, 0])
                z = try c.decodeIfPresent(Double.self, forKey: .z)
            }
        }

        enum CodingKeys: String, CodingKey, CaseIterable { case reference, minSeparation, objects, around }

        public init(reference: [Double] = [0, 0, 0], minSeparation: Double = 0, objects: [String: ObjectPlacement], around: Around? = nil) {
            self.reference = reference
            self.minSeparation = minSeparation
            self.objects = objects
            self.around = around
        }

        public init(from decoder: any Decoder) throws {
            try decoder.rejectUnknownKeys(CodingKeys.self)
            let c = try decoder.container(keyedBy: CodingKeys.self)
            reference = try c.decodeIfPresent([Double].self, forKey: .reference) ?? [0, 0, 0]
            guard reference.count == 3 else {
                throw DecodingError.dataCorruptedError(forKey: .reference, in: c, debugDescription: "expected [x, y, z]")
            }
            minSeparation = try c.decodeIfPresent(Double.self, forKey: .minSeparation) ?? 0
            objects = try c.decode([String: ObjectPlacement].self, forKey: .objects)
            around = try c.decodeIfPresent(Around.self, forKey: .around)
        }
    }

    /// What the pose columns of the actions mean.
    public struct ActionSpec: Sendable, Equatable, Decodable {
        public enum Convention: String, Sendable, Equatable, Decodable, CaseIterable {
            case oscDelta, oscAbsolute, absoluteWXYZ, absoluteXYZW
        }
        public var convention: Convention
        /// Controller output limits for `oscDelta` (6 values: metres then radians); default ±0.05, ±0.5.
        public var outputMax: [Double]?
        /// `world` or `base` (the robot base frame, robosuite 1.5's default); default `world`.
        public var frame: String?

        enum CodingKeys: String, CodingKey, CaseIterable { case convention, outputMax, frame }
        public init(from decoder: any Decoder) throws {
            try decoder.rejectUnknownKeys(CodingKeys.self)
            let c = try decoder.container(keyedBy: CodingKeys.self)
            convention = try c.decode(Convention.self, forKey: .convention)
            outputMax = try c.decodeIfPresent([Double].self, forKey: .outputMax)
            if let m = outputMax, m.count != 6 || m.contains(where: { !($0 > 0) }) {
                throw DecodingError.dataCorruptedError(forKey: .outputMax, in: c, debugDescription: "expected 6 positive numbers")
            }
            frame = try c.decodeIfPresent(String.self, forKey: .frame)
            if let f = frame, f != "world", f != "base" {
                throw DecodingError.dataCorruptedError(forKey: .frame, in: c, debugDescription: "expected \"world\" or \"base\", found \"\(f)\"")
            }
        }
    }

    /// A task object whose pose is read from observations: a position (3 values) and a
    /// quaternion (4 values) at given offsets of observation keys, e.g. slices of `object`;
    /// or, with `body`, a body fixed in the scene whose pose is read from the demo's `model_file`.
    public struct ObjectSpec: Sendable, Equatable, Decodable {
        public var name: String
        public var posKey: String
        public var posStart: Int
        public var quatKey: String
        public var quatStart: Int
        /// `xyzw` (robosuite, default) or `wxyz`.
        public var quatOrder: String
        /// A fixed MJCF body (e.g. robosuite's `peg1`): the pose comes from the scene, not observations.
        public var body: String?
        /// The object's free joint in the scene, read from `states` when the pose observations are
        /// absent (default: robosuite's `<name>_joint0` after the `<name>_pos` key).
        public var joint: String?

        enum CodingKeys: String, CodingKey, CaseIterable { case name, posKey, posStart, quatKey, quatStart, quatOrder, body, joint }
        public init(from decoder: any Decoder) throws {
            try decoder.rejectUnknownKeys(CodingKeys.self)
            let c = try decoder.container(keyedBy: CodingKeys.self)
            name = try c.decode(String.self, forKey: .name)
            body = try c.decodeIfPresent(String.self, forKey: .body)
            joint = try c.decodeIfPresent(String.self, forKey: .joint)
            posKey = try c.decodeIfPresent(String.self, forKey: .posKey) ?? "\(name)_pos"
            posStart = try c.decodeIfPresent(Int.self, forKey: .posStart) ?? 0
            quatKey = try c.decodeIfPresent(String.self, forKey: .quatKey) ?? "\(name)_quat"
            quatStart = try c.decodeIfPresent(Int.self, forKey: .quatStart) ?? 0
            quatOrder = try c.decodeIfPresent(String.self, forKey: .quatOrder) ?? "xyzw"
            if quatOrder != "xyzw", quatOrder != "wxyz" {
                throw DecodingError.dataCorruptedError(forKey: .quatOrder, in: c, debugDescription: "expected \"xyzw\" or \"wxyz\", found \"\(quatOrder)\"")
            }
            if posStart < 0 || quatStart < 0 {
                throw DecodingError.dataCorruptedError(forKey: .posStart, in: c, debugDescription: "offsets must not be negative")
            }
        }
    }

    enum CodingKeys: String, CodingKey, CaseIterable {
        case name, endEffectors, action, objects, placement, selectPerSubtask, shareSourceDemo, transformFirstRobotPose, interpolateFromLastTargetPose
        case constraints, success, dynamics, mjcf
    }
    public init(from decoder: any Decoder) throws {
        try decoder.rejectUnknownKeys(CodingKeys.self)
        let c = try decoder.container(keyedBy: CodingKeys.self)
        name = try c.decodeIfPresent(String.self, forKey: .name)
        endEffectors = try c.decodeIfPresent([EndEffectorSpec].self, forKey: .endEffectors)
        action = try c.decodeIfPresent(ActionSpec.self, forKey: .action)
        objects = try c.decodeIfPresent([ObjectSpec].self, forKey: .objects)
        placement = try c.decodeIfPresent(PlacementSpec.self, forKey: .placement)
        selectPerSubtask = try c.decodeIfPresent(Bool.self, forKey: .selectPerSubtask)
        shareSourceDemo = try c.decodeIfPresent(Bool.self, forKey: .shareSourceDemo)
        transformFirstRobotPose = try c.decodeIfPresent(Bool.self, forKey: .transformFirstRobotPose)
        interpolateFromLastTargetPose = try c.decodeIfPresent(Bool.self, forKey: .interpolateFromLastTargetPose)
        constraints = try c.decodeIfPresent([ConstraintSpec].self, forKey: .constraints)
        success = try c.decodeIfPresent(SuccessPredicate.self, forKey: .success)
        dynamics = try c.decodeIfPresent(DynamicsSpec.self, forKey: .dynamics)
        mjcf = try c.decodeIfPresent(String.self, forKey: .mjcf)
    }

    /// Ranges [lo, hi] of scale factors drawn per executed demo: every geom's sliding friction,
    /// every body's mass (and inertia), every joint's damping. Absent ranges leave it as recorded.
    public struct DynamicsSpec: Sendable, Equatable, Decodable {
        public var friction: [Double]?
        public var mass: [Double]?
        public var damping: [Double]?

        enum CodingKeys: String, CodingKey, CaseIterable { case friction, mass, damping }
        public init(friction: [Double]? = nil, mass: [Double]? = nil, damping: [Double]? = nil) {
            self.friction = friction
            self.mass = mass
            self.damping = damping
        }
        public init(from decoder: any Decoder) throws {
            try decoder.rejectUnknownKeys(CodingKeys.self)
            let c = try decoder.container(keyedBy: CodingKeys.self)
            func range(_ key: CodingKeys) throws -> [Double]? {
                guard let r = try c.decodeIfPresent([Double].self, forKey: key) else { return nil }
                guard r.count == 2, r[0] > 0, r[0] <= r[1] else {
                    throw DecodingError.dataCorruptedError(forKey: key, in: c, debugDescription: "expected [lo, hi] with 0 < lo <= hi, found \(r)")
                }
                return r
            }
            friction = try range(.friction)
            mass = try range(.mass)
            damping = try range(.damping)
        }
    }

    public init(
        name: String? = nil, endEffectors: [EndEffectorSpec]? = nil, action: ActionSpec? = nil, objects: [ObjectSpec]? = nil,
        placement: PlacementSpec? = nil
    ) {
        self.name = name
        self.endEffectors = endEffectors
        self.action = action
        self.objects = objects
        self.placement = placement
    }

    /// Reads a task spec from JSON text; errors name `file` and the JSON path.
    /// Decodes a spec read from `file`; a relative `mjcf` becomes relative to `file`'s directory.
    public static func decode(_ data: Data, file: String) throws(DatasetError) -> TaskSpec {
        var spec = try decodeStrictJSON(TaskSpec.self, from: data, file: file)
        if let mjcf = spec.mjcf, !mjcf.hasPrefix("/") {
            spec.mjcf = URL(fileURLWithPath: file).deletingLastPathComponent().appendingPathComponent(mjcf).path
        }
        return spec
    }
}

extension TaskSpec {
    /// The success test to run: ``success``, which a built-in profile always has.
    ///
    /// - Throws: ``DatasetError`` naming `file`'s `env_args` when there is none, saying how to give one.
    public func requireSuccess(envName: String?, file: String) throws(DatasetError) -> SuccessPredicate {
        if let success { return success }
        throw DatasetError(
            file: file, path: "/data.attrs[env_args]",
            "env_name \(envName ?? "(none)") has no built-in success check (known: \(TaskProfiles.envNames.joined(separator: ", "))); give one with --task SPEC.json and its \"success\" (docs/task-spec.md)"
        )
    }
}

extension KeyedDecodingContainer {
    /// Decodes an optional `[start, end)` pair of non-negative integers with start < end.
    func decodeRange(_ key: Key) throws -> [Int]? {
        guard let r = try decodeIfPresent([Int].self, forKey: key) else { return nil }
        guard r.count == 2, r[0] >= 0, r[0] < r[1] else {
            throw DecodingError.dataCorruptedError(forKey: key, in: self, debugDescription: "expected [start, end) with 0 <= start < end, found \(r)")
        }
        return r
    }
}
