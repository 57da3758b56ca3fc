import MimicCore

/// The scenes generated attempts run in: each source demo's own `model_file` (robosuite draws
/// object sizes at every reset, so a source's grasps fit the objects of its own scene), or one
/// MJCF file for all (a task spec's `mjcf`). Each distinct scene is compiled once, on first use,
/// with what an ``EpisodeRunner`` needs there. Not thread-safe: call ``entry(forSource:)`` from
/// one thread, then share the entries.
public final class ExecutionScenes: @unchecked Sendable {
    /// One scene and what runs in it.
    public struct Entry: Sendable {
        public let scene: Scene
        /// The MJCF text, stored as the `model_file` of the demos run here.
        public let xml: String
        /// The first state of the first source demo recorded in this scene.
        public let baseState: [Double]
        /// Task object → its free joint here (objects absent are fixed).
        public let objectJoints: [String: String]
        public let recorder: ObservationRecorder
    }

    let demos: [Demo]
    let mjcf: String?
    let specFile: String?
    let spec: TaskSpec
    let objectNames: [String]
    let assetsRoot: String?
    let file: String
    /// Per source demo, the index of its scene in `entries`.
    public let sceneOfSource: [Int]
    private var entries: [Entry?]

    /// - Parameters:
    ///   - demos: the source demos, in the generator's order.
    ///   - spec: the task spec (its `mjcf`, and its objects' joints).
    ///   - specFile: the file the spec came from, for errors.
    public init(demos: [Demo], spec: TaskSpec, specFile: String?, objectNames: [String], assetsRoot: String?, file: String) {
        self.demos = demos
        mjcf = spec.mjcf
        self.specFile = specFile
        self.spec = spec
        self.objectNames = objectNames
        self.assetsRoot = assetsRoot
        self.file = file
        var keys: [String: Int] = [:]
        sceneOfSource = demos.map { demo in
            let key = spec.mjcf ?? demo.modelXML ?? ""
            if let known = keys[key] { return known }
            keys[key] = keys.count
            return keys.count - 1
        }
        entries = Array(repeating: nil, count: keys.count)
    }

    /// Source demo `d`'s scene, compiled now if it is the first attempt there.
    public func entry(forSource d: Int) throws(DatasetError) -> (index: Int, entry: Entry) {
        let index = sceneOfSource[d]
        if let entry = entries[index] { return (index, entry) }
        let demo = demos[d]
        let path = "/data/\(demo.name)"
        guard let states = demo.arrays["states"], states.rows > 0 else {
            throw DatasetError(file: file, path: "\(path)/states", "missing: --execute starts from the recorded first state")
        }
        let (scene, xml) = try Scene.forDemo(modelXML: demo.modelXML, mjcf: mjcf, specFile: specFile, assetsRoot: assetsRoot,
                                             file: file, demoPath: path)
        guard states.rowWidth == scene.stateSize else {
            throw DatasetError(file: file, path: "\(path)/states",
                               "has \(states.rowWidth) values per row, the scene's state has \(scene.stateSize) (1 + nq + nv)")
        }
        // Observations: the first source's keys, matched first on the demos of this scene.
        let here = demos.indices.filter { sceneOfSource[$0] == index }.map { demos[$0] }
        let recorder = try ObservationRecorder(world: SimWorld(scene: scene), keys: demos[0].obsKeys,
                                               sources: here + demos.filter { d in !here.contains { $0.name == d.name } }, file: file)
        let entry = Entry(scene: scene, xml: xml, baseState: Array(states.doubles.prefix(states.rowWidth)),
                          objectJoints: try scene.objectJoints(for: objectNames, spec: spec, file: file), recorder: recorder)
        entries[index] = entry
        return (index, entry)
    }
}
