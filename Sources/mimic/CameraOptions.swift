import ArgumentParser
import Foundation
import MimicCore
import MimicSim

/// The camera flags `augment --execute` and `render` share.
struct CameraOptions: ParsableArguments {
    @Option(
        help: ArgumentHelp(
            "Render these cameras of the scene into obs/<camera>_image (comma-separated, e.g. agentview,robot0_eye_in_hand).",
            valueName: "names"))
    var cameras: String?

    @Option(help: ArgumentHelp("Image size, WIDTHxHEIGHT or one number for a square.", valueName: "size"))
    var imageSize: String = "84x84"

    @Flag(help: "Also store each camera's depth buffer in obs/<camera>_depth (float32 in [0, 1], robosuite's raw depth).")
    var depth = false

    @Option(
        help: ArgumentHelp(
            "Visual domain randomization per demo: all, or any of lights,colors,textures,cameras (comma-separated); physics untouched, drawn values in each demo's mimic_visual attribute.",
            valueName: "kinds"))
    var randomizeVisuals: Randomization?

    /// `--randomize-visuals`.
    struct Randomization: ExpressibleByArgument {
        var value: VisualRandomization
        init?(argument: String) {
            guard let value = VisualRandomization(parsing: argument) else { return nil }
            self.value = value
        }
        static var allValueStrings: [String] { ["all"] + VisualRandomization.kinds }
    }

    /// The camera names, in the order given; empty without --cameras.
    var names: [String] { (cameras ?? "").split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty } }

    /// (width, height) of --image-size.
    var size: (width: Int, height: Int) {
        get throws {
            let parts = imageSize.lowercased().split(separator: "x", omittingEmptySubsequences: false).map { Int($0) }
            let values = parts.compactMap { $0 }
            guard values.count == parts.count, (1...2).contains(values.count), values.allSatisfy({ (1...4096).contains($0) }) else {
                throw ValidationError("--image-size takes WIDTHxHEIGHT or one number, each 1...4096; got \(imageSize)")
            }
            return (values[0], values.last!)
        }
    }

    func validate() throws {
        _ = try size
        if cameras != nil, names.isEmpty { throw ValidationError("--cameras needs at least one camera name") }
        if Set(names).count != names.count { throw ValidationError("--cameras names a camera twice: \(cameras ?? "")") }
        if randomizeVisuals != nil, cameras == nil { throw ValidationError("--randomize-visuals needs --cameras") }
    }

    /// Per worker and scene, a world and the renderer of these cameras in it.
    func renderers(workers: Int) -> WorkerPool<(SimWorld, CameraRenderer)> { WorkerPool(workers: workers) }

    /// Worker `w`'s world and renderer for `scene` (made on first use).
    /// Geom groups as robosuite's environment of `envArgs` shows them.
    func renderer(
        _ pool: WorkerPool<(SimWorld, CameraRenderer)>, worker: Int, sceneIndex: Int, scene: Scene, envArgs: EnvArgs?
    ) throws(DatasetError) -> (SimWorld, CameraRenderer) {
        let (width, height) = (try? size) ?? (84, 84)
        return try pool.value(worker: worker, scene: sceneIndex) { () throws(DatasetError) in
            (
                try SimWorld(scene: scene),
                try CameraRenderer(
                    scene: scene, cameras: names, width: width, height: height, depth: depth,
                    collisionGeoms: envArgs?.renderCollisionMesh ?? false, visualGeoms: envArgs?.renderVisualMesh ?? true)
            )
        }
    }

    /// Draws `demo`'s cameras with `renderer` in `world` (after demo `index`'s visual
    /// randomization of a run with `seed`, recorded in `mimic_visual`) and adds them to the demo.
    func addImages(
        to demo: inout Demo, index: Int, seed: UInt64, renderer: CameraRenderer, world: SimWorld, file: String, finalState: [Double]? = nil
    ) throws(DatasetError) {
        let drawn = renderer.randomizeVisuals(randomizeVisuals?.value ?? VisualRandomization(), seed: seed, index: index)
        let images = try renderer.observations(of: demo, in: world, file: file, finalState: finalState)
        demo.arrays.merge(images) { _, new in new }
        if let drawn { demo.attributes["mimic_visual"] = .string(drawn.json) }
    }
}
