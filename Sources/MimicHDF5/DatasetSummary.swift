import MimicCore

/// What `mimic inspect` reports about a dataset, read from shapes and attributes (and the small
/// subtask signal arrays) without loading the demos.
public struct DatasetSummary: Sendable {
    /// One dataset inside a demo group: its path relative to the demo, shape in the first demo, dtype.
    public struct Key: Sendable, Equatable {
        public var path: String
        public var shape: [Int]
        public var dtype: String
    }

    /// MimicGen / Isaac Lab datagen_info: names, and per demo the step where each signal first rises.
    public struct DatagenSummary: Sendable, Equatable {
        public var endEffectors: [String]
        public var objects: [String]
        public var signals: [String]
        /// Demo name → signal name → first 0→1 step (nil: never rises).
        public var firstRise: [(demo: String, steps: [String: Int?])]

        public static func == (a: Self, b: Self) -> Bool {
            a.endEffectors == b.endEffectors && a.objects == b.objects && a.signals == b.signals
                && a.firstRise.map(\.demo) == b.firstRise.map(\.demo) && a.firstRise.map(\.steps) == b.firstRise.map(\.steps)
        }
    }

    public var file: String
    public var format: DatasetFormat
    public var envName: String?
    public var envVersion: String?
    public var envType: Int?
    public var demoNames: [String]
    /// Steps per demo, in `demoNames` order.
    public var lengths: [Int]
    public var actionDim: Int?
    public var keys: [Key]
    /// Mask name → demo names.
    public var masks: [String: [String]]
    public var datagenInfo: DatagenSummary?

    public var samples: Int { lengths.reduce(0, +) }
}

extension RobomimicReader {
    /// Summarizes the file. Demo lengths come from `actions` (else `states`) shapes.
    public func summary() throws -> DatasetSummary {
        var lengths: [Int] = []
        var actionDim: Int?
        for name in demoNames {
            let group = try data.group(name)
            let main = group.kind(of: "actions") == .dataset ? "actions" : "states"
            guard group.kind(of: main) == .dataset else {
                throw DatasetError(file: path, path: "/data/\(name)/actions", "missing: every demo needs actions or states")
            }
            let shape = try group.dataset(main).shape
            guard let steps = shape.first else {
                throw DatasetError(file: path, path: "/data/\(name)/\(main)", "is a scalar, expected (T, ...)")
            }
            lengths.append(steps)
            if main == "actions", actionDim == nil { actionDim = shape.count > 1 ? shape[1] : 1 }
        }
        var keys: [DatasetSummary.Key] = []
        if let first = demoNames.first { try listKeys(try data.group(first), prefix: "", into: &keys) }
        return DatasetSummary(file: path, format: format, envName: envArgs?.envName, envVersion: envArgs?.envVersion,
                              envType: envArgs?.type, demoNames: demoNames, lengths: lengths, actionDim: actionDim,
                              keys: keys.sorted { $0.path < $1.path }, masks: masks, datagenInfo: try datagenSummary())
    }

    private func listKeys(_ group: HDF5Group, prefix: String, into keys: inout [DatasetSummary.Key]) throws {
        for child in try group.children() {
            switch group.kind(of: child) {
            case .group?: try listKeys(try group.group(child), prefix: prefix + child + "/", into: &keys)
            case .dataset?:
                let ds = try group.dataset(child)
                keys.append(.init(path: prefix + child, shape: ds.shape, dtype: ds.dtype.description))
            case nil: continue
            }
        }
    }

    private func datagenSummary() throws -> DatasetSummary.DatagenSummary? {
        guard let first = demoNames.first else { return nil }
        let firstGroup = try data.group(first)
        // robomimic/MimicGen: datagen_info/{object_poses, subtask_term_signals}; Isaac Lab: obs/datagen_info/{object_pose, ...}.
        let location: String, objectsName: String
        if firstGroup.kind(of: "datagen_info") == .group {
            (location, objectsName) = ("datagen_info", "object_poses")
        } else if firstGroup.kind(of: "obs/datagen_info") == .group {
            (location, objectsName) = ("obs/datagen_info", "object_pose")
        } else {
            return nil
        }
        let info = try firstGroup.group(location)
        func names(_ sub: String) throws -> [String] {
            info.kind(of: sub) == .group ? try info.group(sub).children().sorted() : []
        }
        var effectors = info.kind(of: "eef_pose") == .group ? try names("eef_pose") : []
        if info.kind(of: "eef_pose") == .dataset { effectors = ["robot0"] }
        let signals = try names("subtask_term_signals")
        var rises: [(demo: String, steps: [String: Int?])] = []
        for name in demoNames {
            let group = try data.group(name)
            var steps: [String: Int?] = [:]
            for signal in signals {
                let p = "\(location)/subtask_term_signals/\(signal)"
                guard group.kind(of: p) == .dataset else {
                    throw DatasetError(file: path, path: "/data/\(name)/\(p)", "missing (the first demo has this signal)")
                }
                steps[signal] = DatagenInfo.firstRise(try group.read(p).doubles.map { $0 != 0 ? 1 : 0 })
            }
            rises.append((name, steps))
        }
        return .init(endEffectors: effectors, objects: try names(objectsName), signals: signals, firstRise: rises)
    }
}
