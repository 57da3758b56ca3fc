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
    /// Summarizes the file. Demo lengths come from `actions` (else `states`) shapes. Every demo
    /// gets the reader's checks (`layout(of:)`, finite `actions` and `states`) and its subtask
    /// signals must be finite, so `inspect` refuses what the other commands refuse.
    public func summary() throws -> DatasetSummary {
        var lengths: [Int] = []
        var actionDim: Int?
        var keys: [DatasetSummary.Key] = []
        let datagen = try datagenLocation()
        var rises: [(demo: String, steps: [String: Int?])] = []
        for name in demoNames {
            let layout = try self.layout(of: name)
            let datasets = Dictionary(layout.datasets.map { ($0.path, $0.dataset) }, uniquingKeysWith: { a, _ in a })
            let main = datasets["actions"] != nil ? "actions" : "states"
            guard let shape = datasets[main]?.shape else {
                throw DatasetError(file: path, path: "/data/\(name)/actions", "missing: every demo needs actions or states")
            }
            guard let steps = shape.first else {
                throw DatasetError(file: path, path: "/data/\(name)/\(main)", "is a scalar, expected (T, ...)")
            }
            lengths.append(steps)
            if main == "actions", actionDim == nil { actionDim = shape.count > 1 ? shape[1] : 1 }
            for (path, dataset) in layout.datasets where Self.mustBeFinite(path) {
                try dataset.read().requireFinite(file: self.path, path: dataset.path)
            }
            if keys.isEmpty {
                keys = layout.datasets.map { .init(path: $0.path, shape: $0.dataset.shape, dtype: $0.dataset.dtype.description) }
            }
            if let datagen {
                var steps: [String: Int?] = [:]
                for signal in datagen.signals {
                    let p = "\(datagen.location)/subtask_term_signals/\(signal)"
                    guard let dataset = datasets[p] else {
                        throw DatasetError(file: path, path: "/data/\(name)/\(p)", "missing (the first demo has this signal)")
                    }
                    let values = try dataset.read()
                    try values.requireFinite(file: path, path: dataset.path)
                    steps[signal] = DatagenInfo.firstRise(values.doubles.map { $0 != 0 ? 1 : 0 })
                }
                rises.append((name, steps))
            }
        }
        let info = datagen.map { DatasetSummary.DatagenSummary(endEffectors: $0.effectors, objects: $0.objects, signals: $0.signals, firstRise: rises) }
        return DatasetSummary(
            file: path, format: format, envName: envArgs?.envName, envVersion: envArgs?.envVersion,
            envType: envArgs?.type, demoNames: demoNames, lengths: lengths, actionDim: actionDim,
            keys: keys.sorted { $0.path < $1.path }, masks: masks, datagenInfo: info)
    }

    /// Where the first demo keeps its datagen_info and the names in it, or nil when it has none.
    private func datagenLocation() throws -> (location: String, effectors: [String], objects: [String], signals: [String])? {
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
        return (location, effectors, try names(objectsName), try names("subtask_term_signals"))
    }
}
