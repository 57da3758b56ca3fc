import MimicCore

/// The scenes generated attempts run in, with what an ``EpisodeRunner`` needs in each: each
/// source demo's own scene (robosuite draws object sizes at every reset, so a source's grasps
/// fit the objects of its own scene), or one MJCF file for all (a task spec's `mjcf`), through a
/// ``SceneCatalog``. Not thread-safe: call ``entry(forSource:)`` from one thread, then share the
/// entries.
public final class ExecutionScenes: @unchecked Sendable {
    /// One scene and what runs in it.
    public struct Entry: Sendable {
        /// The index of the scene in the catalog (the same for sources that share a scene).
        public let index: Int
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
    let catalog: SceneCatalog
    let spec: TaskSpec
    let objectNames: [String]
    let file: String
    private var entries: [Int: Entry] = [:]

    /// - Parameters:
    ///   - demos: the source demos, in the generator's order.
    ///   - spec: the task spec (its `mjcf`, and its objects' joints).
    ///   - specFile: the file the spec came from, for errors.
    ///   - assetsRoot: robosuite's asset directory, or nil to use the installed robosuite's (``SceneCatalog``).
    ///   - loadTextures: compile the scenes' image textures too, for a run that renders cameras.
    public init(
        demos: [Demo], spec: TaskSpec, specFile: String?, objectNames: [String], assetsRoot: String?, file: String, loadTextures: Bool = false
    ) {
        self.demos = demos
        catalog = SceneCatalog(mjcf: spec.mjcf, specFile: specFile, assetsRoot: assetsRoot, file: file, loadTextures: loadTextures)
        self.spec = spec
        self.objectNames = objectNames
        self.file = file
        for demo in demos { _ = catalog.index(of: demo) }
    }

    /// The index of source demo `d`'s scene (sources that share a scene share it), without compiling it.
    public func sceneIndex(ofSource d: Int) -> Int { catalog.index(of: demos[d]) }

    /// Source demo `d`'s scene, compiled now if it is the first attempt there.
    public func entry(forSource d: Int) throws(DatasetError) -> Entry {
        let demo = demos[d]
        let index = catalog.index(of: demo)
        if let entry = entries[index] { return entry }
        guard let states = demo.arrays["states"], states.rows > 0 else {
            throw DatasetError(file: file, path: "/data/\(demo.name)/states", "missing: --execute starts from the recorded first state")
        }
        let compiled = try catalog.scene(of: demo).compiled
        // Observations: the first source's keys, matched first on the demos of this scene.
        let here = demos.filter { catalog.index(of: $0) == index }
        let recorder = try ObservationRecorder(
            world: SimWorld(scene: compiled.scene), keys: demos[0].obsKeys,
            sources: here + demos.filter { d in !here.contains { $0.name == d.name } }, file: file)
        let entry = Entry(
            index: index, scene: compiled.scene, xml: compiled.xml, baseState: Array(states.doubles.prefix(states.rowWidth)),
            objectJoints: try compiled.scene.objectJoints(for: objectNames, spec: spec, file: file), recorder: recorder)
        entries[index] = entry
        return entry
    }
}
