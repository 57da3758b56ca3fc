import Foundation

/// A task description in JSON (docs/task-spec.md): how to read a dataset's end effectors,
/// objects and actions. Every field is optional: what is absent is inferred from the file.
/// Decoding rejects unknown keys and names the key and where it is.
public struct TaskSpec: Sendable, Equatable, Decodable {
    public var name: String?
    public var endEffectors: [EndEffectorSpec]?
    public var action: ActionSpec?
    public var objects: [ObjectSpec]?

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

        enum CodingKeys: String, CodingKey, CaseIterable { case name, poseColumns, gripperColumns, posKey, quatKey }
        public init(from decoder: any Decoder) throws {
            try decoder.rejectUnknownKeys(CodingKeys.self)
            let c = try decoder.container(keyedBy: CodingKeys.self)
            name = try c.decode(String.self, forKey: .name)
            poseColumns = try c.decodeRange(.poseColumns)
            gripperColumns = try c.decodeRange(.gripperColumns)
            posKey = try c.decodeIfPresent(String.self, forKey: .posKey)
            quatKey = try c.decodeIfPresent(String.self, forKey: .quatKey)
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
    /// quaternion (4 values) at given offsets of observation keys, e.g. slices of `object`.
    public struct ObjectSpec: Sendable, Equatable, Decodable {
        public var name: String
        public var posKey: String
        public var posStart: Int
        public var quatKey: String
        public var quatStart: Int
        /// `xyzw` (robosuite, default) or `wxyz`.
        public var quatOrder: String

        enum CodingKeys: String, CodingKey, CaseIterable { case name, posKey, posStart, quatKey, quatStart, quatOrder }
        public init(from decoder: any Decoder) throws {
            try decoder.rejectUnknownKeys(CodingKeys.self)
            let c = try decoder.container(keyedBy: CodingKeys.self)
            name = try c.decode(String.self, forKey: .name)
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

    enum CodingKeys: String, CodingKey, CaseIterable { case name, endEffectors, action, objects }
    public init(from decoder: any Decoder) throws {
        try decoder.rejectUnknownKeys(CodingKeys.self)
        let c = try decoder.container(keyedBy: CodingKeys.self)
        name = try c.decodeIfPresent(String.self, forKey: .name)
        endEffectors = try c.decodeIfPresent([EndEffectorSpec].self, forKey: .endEffectors)
        action = try c.decodeIfPresent(ActionSpec.self, forKey: .action)
        objects = try c.decodeIfPresent([ObjectSpec].self, forKey: .objects)
    }

    public init(name: String? = nil, endEffectors: [EndEffectorSpec]? = nil, action: ActionSpec? = nil, objects: [ObjectSpec]? = nil) {
        self.name = name
        self.endEffectors = endEffectors
        self.action = action
        self.objects = objects
    }

    /// Reads a task spec from JSON text; errors name `file` and the JSON path.
    public static func decode(_ data: Data, file: String) throws(DatasetError) -> TaskSpec {
        try decodeStrictJSON(TaskSpec.self, from: data, file: file)
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
