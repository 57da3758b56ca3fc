/// One demonstration as stored in a robomimic-style file: the group `data/<name>`.
///
/// `arrays` maps each dataset's path relative to the demo group (`actions`, `states`,
/// `obs/robot0_eef_pos`, `datagen_info/eef_pose`, ...) to its values, with the element type the
/// file stored, so a demo read and written back is the same. Per-step arrays have the time axis
/// first: shape `[T, ...]`.
public struct Demo: Sendable, Equatable {
    public var name: String
    public var attributes: [String: AttributeValue]
    public var arrays: [String: Tensor]
    /// Attributes of groups inside the demo, by relative group path (`datagen_info` → its
    /// `env_interface_name`, ...).
    public var groupAttributes: [String: [String: AttributeValue]]

    public init(
        name: String, attributes: [String: AttributeValue] = [:], arrays: [String: Tensor] = [:],
        groupAttributes: [String: [String: AttributeValue]] = [:]
    ) {
        self.name = name
        self.attributes = attributes
        self.arrays = arrays
        self.groupAttributes = groupAttributes
    }

    /// Replaces the demo's `datagen_info` (arrays and group attributes) with `info`, with the
    /// interface attributes of `format`.
    public mutating func setDatagenInfo(_ info: DatagenInfo, format: OutputFormat) {
        let prefix = DatagenInfo.groupName + "/"
        arrays = arrays.filter { !$0.key.hasPrefix(prefix) }
        arrays.merge(info.arrays) { _, new in new }
        groupAttributes[DatagenInfo.groupName] = [
            "env_interface_name": .string(format.interfaceName), "env_interface_type": .string(format.interfaceType),
        ]
    }

    /// The integer N of a demo named `demo_N`, or nil for any other name.
    public static func index(ofName name: String) -> Int? {
        guard name.hasPrefix("demo_") else { return nil }
        let digits = name.dropFirst(5)
        guard !digits.isEmpty, digits.allSatisfy({ $0.isASCII && $0.isNumber }) else { return nil }
        return Int(digits)
    }

    /// `names` (the groups under `/data`) sorted by their integer, after checking that each is
    /// `demo_<N>` with N a decimal integer and no N appears twice: robomimic's loaders sort demos
    /// by `int(name[5:])`, so they fail on other names and confuse `demo_1` with `demo_01`.
    public static func checkedNames(_ names: [String], file: String) throws(DatasetError) -> [String] {
        var seen: [Int: String] = [:]
        for name in names.sorted() {
            guard let n = index(ofName: name) else {
                throw DatasetError(
                    file: file, path: "/data/\(name)",
                    "is not named demo_<N> (N a decimal integer below 2^63): robomimic's loaders sort demos by int(name[5:]); rename the group (h5py: f.move(old, new))")
            }
            if let other = seen[n] {
                throw DatasetError(file: file, path: "/data/\(name)", "has the same number as /data/\(other) (\(n)): every demo_<N> needs its own N")
            }
            seen[n] = name
        }
        return sortedNames(names)
    }

    /// Demo names sorted as robomimic sorts them: by the integer after `demo_`; other names last, by name.
    public static func sortedNames(_ names: [String]) -> [String] {
        names.sorted { a, b in
            switch (index(ofName: a), index(ofName: b)) {
            case let (x?, y?): return x < y
            case (.some, nil): return true
            case (nil, .some): return false
            case (nil, nil): return a < b
            }
        }
    }

    /// Number of steps: rows of `actions`, else of `states`, else the `num_samples` attribute.
    public var length: Int {
        if let a = arrays["actions"] { return a.rows }
        if let s = arrays["states"] { return s.rows }
        return attributes["num_samples"]?.intValue ?? 0
    }

    public var actions: Tensor? { arrays["actions"] }

    /// The observation `key` (`obs/<key>`).
    public func obs(_ key: String) -> Tensor? { arrays["obs/" + key] }

    /// Observation keys, sorted.
    public var obsKeys: [String] {
        arrays.keys.compactMap { $0.hasPrefix("obs/") ? String($0.dropFirst(4)) : nil }
            .filter { !$0.contains("/") }.sorted()
    }

    /// The MJCF scene robosuite stored with the demo (attribute `model_file`), if any.
    public var modelXML: String? { attributes["model_file"]?.stringValue }

    /// This demo with every float64 array stored as float32, but those of `keeping` (half the
    /// bytes; float32 keeps 7 significant digits).
    public func narrowedToFloat32(keeping: Set<String>) -> Demo {
        var demo = self
        for (path, tensor) in arrays where !keeping.contains(path) {
            if case .float64(let values) = tensor.storage { demo.arrays[path] = Tensor(shape: tensor.shape, float32: values.map { Float($0) }) }
        }
        return demo
    }
}
