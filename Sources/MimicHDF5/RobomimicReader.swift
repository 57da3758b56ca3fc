import MimicCore

/// Reads robomimic-layout files (and MimicGen's, robosuite's raw recordings, Isaac Lab's
/// recognisably) one demo at a time, so memory stays bounded by the largest demo.
///
/// Every error names the file and the HDF5 path. Files are opened read-only: a reader never
/// modifies its input.
public final class RobomimicReader {
    public let file: HDF5File
    public var path: String { file.path }
    /// The `data` group.
    public let data: HDF5Group
    /// Demo names sorted by their integer (`demo_2` before `demo_10`).
    public let demoNames: [String]
    public let format: DatasetFormat
    /// `data.attrs[env_args]`, parsed, when present.
    public let envArgs: EnvArgs?
    /// `mask/<key>` → demo names.
    public let masks: [String: [String]]
    /// Every attribute of the `data` group (`env_args`, `total`, ...).
    public let dataAttributes: [String: AttributeValue]

    public init(path: String) throws {
        file = try HDF5File.open(path)
        guard file.root.kind(of: "data") == .group else {
            throw DatasetError(file: path, path: "/data", "missing: expected a robomimic-style file with a data group holding demo_N groups")
        }
        data = try file.root.group("data")
        var names: [String] = []
        for name in try data.children() where data.kind(of: name) == .group { names.append(name) }
        demoNames = Demo.sortedNames(names)
        var attributes: [String: AttributeValue] = [:]
        for name in try data.attributes.names() { attributes[name] = try data.attributes.value(name) }
        dataAttributes = attributes
        if let json = try data.attributes.contains("env_args") ? data.attributes.string("env_args") : nil {
            envArgs = try EnvArgs(json: json, file: path)
        } else {
            envArgs = nil
        }
        var masks: [String: [String]] = [:]
        if file.root.kind(of: "mask") == .group {
            let maskGroup = try file.root.group("mask")
            for key in try maskGroup.children() where maskGroup.kind(of: key) == .dataset {
                masks[key] = try maskGroup.readStrings(key)
            }
        }
        self.masks = masks
        format = try Self.detect(data: data, demos: demoNames, envArgs: envArgs)
    }

    static func detect(data: HDF5Group, demos: [String], envArgs: EnvArgs?) throws -> DatasetFormat {
        guard let first = demos.first else { return .robomimic }
        let demo = try data.group(first)
        if demo.exists("obs/datagen_info") || demo.kind(of: "states") == .group || envArgs?.type == 2 { return .isaacLab }
        if demo.exists("datagen_info") { return .robomimicDatagen }
        if !demo.exists("obs"), data.attributes.contains("env") || demo.attributes.contains("model_file") { return .robosuiteRaw }
        return .robomimic
    }

    /// Reads every dataset and attribute of demo `name`, checking that all per-step arrays have
    /// the same number of steps.
    public func demo(_ name: String) throws -> Demo {
        let group = try data.group(name)
        var demo = Demo(name: name)
        for attr in try group.attributes.names() { demo.attributes[attr] = try group.attributes.value(attr) }
        try collect(group, prefix: "", into: &demo)
        try Self.checkLengths(demo, file: path)
        return demo
    }

    private func collect(_ group: HDF5Group, prefix: String, into demo: inout Demo) throws {
        for child in try group.children() {
            switch group.kind(of: child) {
            case .group?:
                let sub = try group.group(child)
                let names = try sub.attributes.names()
                if !names.isEmpty {
                    var values: [String: AttributeValue] = [:]
                    for n in names { values[n] = try sub.attributes.value(n) }
                    demo.groupAttributes[prefix + child] = values
                }
                try collect(sub, prefix: prefix + child + "/", into: &demo)
            case .dataset?:
                let ds = try group.dataset(child)
                switch ds.dtype {
                case .fixedString, .variableString, .other: continue  // non-numeric side data is not per-step
                default: demo.arrays[prefix + child] = try ds.read()
                }
            case nil: continue
            }
        }
    }

    /// Per-step arrays: actions, states, rewards, dones, obs/, next_obs/, datagen_info/ and src_demo_labels.
    static func isPerStep(_ path: String) -> Bool {
        ["actions", "states", "rewards", "dones", "src_demo_labels", "processed_actions"].contains(path)
            || path.hasPrefix("obs/") || path.hasPrefix("next_obs/") || path.hasPrefix("datagen_info/")
            || path.hasPrefix("states/")
    }

    static func checkLengths(_ demo: Demo, file: String) throws {
        let perStep = demo.arrays.filter { isPerStep($0.key) }.sorted { $0.key < $1.key }
        guard let reference = perStep.first(where: { $0.key == "actions" }) ?? perStep.first else { return }
        for (path, tensor) in perStep where tensor.shape.isEmpty || tensor.rows != reference.value.rows {
            throw DatasetError(file: file, path: "/data/\(demo.name)/\(path)",
                               "has \(tensor.shape.first ?? 0) steps, /data/\(demo.name)/\(reference.key) has \(reference.value.rows)")
        }
        if let n = demo.attributes["num_samples"]?.intValue, n != reference.value.rows {
            throw DatasetError(file: file, path: "/data/\(demo.name).attrs[num_samples]",
                               "is \(n), /data/\(demo.name)/\(reference.key) has \(reference.value.rows) steps")
        }
    }
}
