import Foundation
import MimicCore

/// The distinct MuJoCo scenes a dataset's demos run in, each compiled once, on first use.
///
/// A demo runs in its own `model_file` (robosuite stores the whole scene with every demo, with
/// the object sizes drawn at that reset, so demos of one file differ), or, when a task spec names
/// an `mjcf` file, every demo runs in that one. Demos with the same MJCF share one ``Scene``.
/// Not thread-safe: use it from the thread that reads the file, then share the scenes.
public final class SceneCatalog: @unchecked Sendable {
    /// A compiled scene and the MJCF text that made it (stored as the `model_file` of demos run there).
    public struct Compiled: Sendable {
        public let scene: Scene
        public let xml: String
    }

    let mjcf: String?
    let specFile: String?
    /// robosuite's asset directory: as given, else looked up on the first scene that needs it.
    private var assetsRoot: String?
    let file: String
    /// Compile image textures too (for rendering; see ``Scene/init(mjcf:assetsRoot:loadTextures:file:path:)``).
    let loadTextures: Bool
    private var indexOfKey: [String: Int] = [:]
    private var compiled: [Compiled?] = []

    /// - Parameters:
    ///   - mjcf: a task spec's MJCF file, used for every demo; nil runs each demo in its `model_file`.
    ///   - specFile: the task spec that named `mjcf`, for errors.
    ///   - assetsRoot: robosuite's `models/assets` directory (or the package directory); nil looks up
    ///     the installed robosuite's (``RobosuiteAssets/installed(python:)``) when a scene needs it.
    ///   - file: the dataset, for errors.
    ///   - loadTextures: compile the scenes' image textures, which only rendering needs.
    public init(mjcf: String?, specFile: String?, assetsRoot: String?, file: String, loadTextures: Bool = false) {
        self.loadTextures = loadTextures
        self.mjcf = mjcf
        self.specFile = specFile
        self.assetsRoot = assetsRoot
        self.file = file
    }

    /// How many distinct scenes have been indexed so far.
    public var count: Int { compiled.count }

    /// The index of `demo`'s scene (demos with the same scene share it), numbered in order of
    /// first request, without compiling it.
    public func index(of demo: Demo) -> Int {
        let key = mjcf ?? demo.modelXML ?? ""
        if let known = indexOfKey[key] { return known }
        indexOfKey[key] = compiled.count
        compiled.append(nil)
        return compiled.count - 1
    }

    /// `demo`'s scene, compiled now if it is the first request for it.
    ///
    /// - Throws: ``DatasetError`` naming the file and the demo when there is no scene (no
    ///   `model_file` and no `mjcf`), it does not compile, or the demo's `states` rows do not have
    ///   the scene's state size (1 + nq + nv).
    public func scene(of demo: Demo) throws(DatasetError) -> (index: Int, compiled: Compiled) {
        let index = index(of: demo)
        let path = "/data/\(demo.name)"
        let entry: Compiled
        if let known = compiled[index] {
            entry = known
        } else {
            entry = try compile(modelXML: demo.modelXML, demoPath: path)
            compiled[index] = entry
        }
        if let states = demo.arrays["states"], states.shape.count == 2, states.rowWidth != entry.scene.stateSize {
            throw DatasetError(
                file: file, path: "\(path)/states",
                "has \(states.rowWidth) values per row, the scene's state has \(entry.scene.stateSize) (1 + nq + nv)")
        }
        return (index, entry)
    }

    /// The task spec's `mjcf` file when there is one, else the demo's own `model_file`.
    private func compile(modelXML: String?, demoPath: String) throws(DatasetError) -> Compiled {
        if let mjcf {
            let named = specFile ?? "task spec"
            guard let text = try? String(contentsOfFile: mjcf, encoding: .utf8) else {
                throw DatasetError(.io, file: named, path: "mjcf", "cannot read the MJCF file \(mjcf)")
            }
            return Compiled(scene: try Scene(mjcfFile: mjcf, file: named, path: "mjcf"), xml: text)
        }
        guard let modelXML else {
            throw DatasetError(
                file: file, path: "\(demoPath).attrs[model_file]",
                "missing: the demo's MuJoCo scene (or name one with a task spec's \"mjcf\")")
        }
        if assetsRoot == nil, RobosuiteAssets.isNeeded(by: modelXML) { assetsRoot = try RobosuiteAssets.installed() }
        return Compiled(
            scene: try Scene(mjcf: modelXML, assetsRoot: assetsRoot, loadTextures: loadTextures, file: file, path: "\(demoPath).attrs[model_file]"),
            xml: modelXML)
    }
}
