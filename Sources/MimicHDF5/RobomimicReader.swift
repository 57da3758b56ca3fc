import MimicCore

/// Reads robomimic-layout files (and MimicGen's, robosuite's raw recordings, Isaac Lab's
/// recognisably) one demo at a time, so memory stays bounded by the largest demo.
///
/// Every error names the file and the HDF5 path. Files are opened read-only: a reader never
/// modifies its input.
///
/// Damaged input is refused before it is used (docs/input-checks.md): `/data` must hold only
/// `demo_<N>` groups with distinct N, masks must name demos of the file, and a demo's datasets
/// are checked from their shapes before any value is read (sizes against the file and memory,
/// `ReadLimit`; per-step arrays numeric and of one length, matching `num_samples`); `actions`
/// and `states` must be finite.
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
        for (name, kind) in try data.members() {
            guard kind == .group else {
                throw DatasetError(
                    file: path, path: "/data/\(name)",
                    "is a dataset; /data holds only demo_<N> groups (robomimic's loaders read every member of /data as a demo)")
            }
            names.append(name)
        }
        demoNames = try Demo.checkedNames(names, file: path)
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
            let demos = Set(demoNames)
            for (key, kind) in try maskGroup.members() where kind == .dataset {
                let listed = try maskGroup.readStrings(key)
                if let missing = listed.first(where: { !demos.contains($0) }) {
                    throw DatasetError(file: path, path: "/mask/\(key)", "lists \(missing), which is not a demo in /data")
                }
                masks[key] = listed
            }
        }
        self.masks = masks
        format = try Self.detect(data: data, demos: demoNames, envArgs: envArgs)
    }

    static func detect(data: HDF5Group, demos: [String], envArgs: EnvArgs?) throws -> DatasetFormat {
        guard let first = demos.first else { return .robomimic }
        let demo = try data.group(first)
        // A prepared Isaac Lab file is in the robomimic layout (its datagen_info translated), even with Isaac Sim's states.
        if demo.exists("datagen_info") { return .robomimicDatagen }
        if demo.exists("obs/datagen_info") || demo.kind(of: "states") == .group || envArgs?.type == 2 { return .isaacLab }
        if !demo.exists("obs"), data.attributes.contains("env") || demo.attributes.contains("model_file") { return .robosuiteRaw }
        return .robomimic
    }

    /// Throws unless the first demo was recorded in MuJoCo, as `purpose` (`validate`, `augment
    /// --execute`) needs: Isaac Lab's own files come from Isaac Sim, with `states` a tree of
    /// articulation and rigid-object arrays and no MuJoCo scene (`model_file`).
    public func requireMuJoCoRecording(for purpose: String) throws {
        guard let first = demoNames.first else { return }
        let demo = try data.group(first)
        let why = "\(purpose) runs demos in MuJoCo, from a MuJoCo recording (flat states [time, qpos, qvel] and model_file)"
        if demo.kind(of: "states") == .group {
            throw DatasetError(
                file: path, path: "/data/\(first)/states", "is Isaac Sim's state tree (articulation/..., rigid_object/...), not a MuJoCo state: \(why)")
        }
        if format == .isaacLab, !demo.attributes.contains("model_file") {
            throw DatasetError(file: path, path: "/data/\(first).attrs[model_file]", "missing: this Isaac Lab file has no MuJoCo scene; \(why)")
        }
    }

    /// The error for a command that needs observations, on a raw robosuite recording (which has none).
    public func rawRecordingError() -> DatasetError {
        DatasetError(
            file: path, path: "/data/\(demoNames.first ?? "demo_0")/obs",
            "missing: a raw robosuite recording has no observations; convert it to the robomimic layout first")
    }

    /// Reads every dataset and attribute of demo `name`, after `layout(of:)` has checked their
    /// shapes; `actions` and `states` must be finite.
    public func demo(_ name: String) throws -> Demo {
        let layout = try self.layout(of: name)
        var demo = layout.demo
        for (path, dataset) in layout.datasets where dataset.isNumeric {
            let tensor = try dataset.read()
            if Self.mustBeFinite(path) { try tensor.requireFinite(file: self.path, path: dataset.path) }
            demo.arrays[path] = tensor
        }
        return demo
    }

    /// A demo's attributes and open datasets, checked from their shapes and types alone (no
    /// value is read): `demo` has the attributes of the demo and of its groups, no arrays.
    public struct Layout {
        public var demo: Demo
        /// Every dataset below the demo group, by path relative to it, in name order.
        public var datasets: [(path: String, dataset: HDF5Dataset)]
    }

    /// Opens demo `name` and checks it before anything is read: the walk (no link cycles, no
    /// links that lead nowhere), each dataset's size (`HDF5Dataset.checkSize`), per-step arrays
    /// numeric, of one length and matching `num_samples`.
    public func layout(of name: String) throws -> Layout {
        let group = try data.group(name)
        var demo = Demo(name: name)
        for attr in try group.attributes.names() { demo.attributes[attr] = try group.attributes.value(attr) }
        var datasets: [(path: String, dataset: HDF5Dataset)] = []
        for entry in try group.walk() {
            switch entry {
            case .group(let path, let sub):
                let names = try sub.attributes.names()
                if !names.isEmpty {
                    var values: [String: AttributeValue] = [:]
                    for n in names { values[n] = try sub.attributes.value(n) }
                    demo.groupAttributes[path] = values
                }
            case .dataset(let path, let dataset):
                try dataset.checkSize()
                if Self.isPerStep(path), !dataset.isNumeric {
                    throw DatasetError(
                        file: self.path, path: dataset.path,
                        "holds \(dataset.dtype.isString ? "strings" : "values") of type \(dataset.dtype), expected numbers (per-step arrays are numeric)")
                }
                datasets.append((path, dataset))
            }
        }
        try Self.checkLengths(datasets.map { ($0.path, $0.dataset.shape) }, demo: demo, file: path)
        return Layout(demo: demo, datasets: datasets)
    }

    /// Per-step arrays: actions, states, rewards, dones, obs/, next_obs/, datagen_info/ and src_demo_labels.
    static func isPerStep(_ path: String) -> Bool {
        ["actions", "states", "rewards", "dones", "src_demo_labels", "processed_actions"].contains(path)
            || path.hasPrefix("obs/") || path.hasPrefix("next_obs/") || path.hasPrefix("datagen_info/")
            || path.hasPrefix("states/")
    }

    /// Arrays every command uses, whose values must be finite: `actions` and `states` (also
    /// Isaac Lab's `states/...`). Commands check what else they use (datagen_info, observations).
    static func mustBeFinite(_ path: String) -> Bool {
        path == "actions" || path == "states" || path.hasPrefix("states/")
    }

    /// Per-step arrays (by their shapes) have one length, that of `actions` (else the first),
    /// and `num_samples` agrees with it.
    static func checkLengths(_ shapes: [(path: String, shape: [Int])], demo: Demo, file: String) throws {
        let perStep = shapes.filter { isPerStep($0.path) }.sorted { $0.path < $1.path }
        guard let reference = perStep.first(where: { $0.path == "actions" }) ?? perStep.first else { return }
        let steps = reference.shape.first ?? 0
        for (path, shape) in perStep where shape.isEmpty || shape[0] != steps {
            throw DatasetError(
                file: file, path: "/data/\(demo.name)/\(path)",
                "has \(shape.first ?? 0) steps, /data/\(demo.name)/\(reference.path) has \(steps)")
        }
        if let n = demo.attributes["num_samples"]?.intValue, n != steps {
            throw DatasetError(
                file: file, path: "/data/\(demo.name).attrs[num_samples]",
                "is \(n), /data/\(demo.name)/\(reference.path) has \(steps) steps")
        }
    }
}
