import CMuJoCo
import CMuJoCoShim
import MimicCore

/// A scene's named cameras rendered offscreen by MuJoCo's own renderer, as robosuite renders
/// its camera observations.
///
/// The GL context is OSMesa's (software, no GPU or display; CMuJoCoShim), made as robosuite's
/// `MUJOCO_GL=osmesa` context is, and the drawing is robosuite's `MjRenderContext`: a scene of
/// up to 10,000 geoms, MuJoCo's default visualization options (but for the geom groups robosuite shows), a fixed camera, all categories,
/// MuJoCo's offscreen framebuffer (with the model's multisampling). Images come out as OpenGL
/// reads them, bottom row first: robosuite's default ("opengl") image convention, the one its
/// datasets and robomimic's use. Depth is the raw depth buffer in [0, 1], as robosuite returns it.
///
/// The renderer draws from its own copy of the scene's model, so ``VisualRandomization`` can
/// change lights, colours, materials and camera poses per demo while the shared ``Scene`` (and the
/// physics of every world) stays untouched. The scene must be compiled with its textures
/// (`Scene(mjcf:loadTextures: true)`) for images to look like robosuite's.
///
/// One renderer per worker and scene, used by one thread at a time: each call makes its GL context
/// current on the calling thread and releases it before returning.
public final class CameraRenderer {
    /// The scene whose worlds this renderer draws.
    public let scene: Scene
    /// The model it draws with: a private copy of `scene`'s, with the visual changes of the last
    /// ``VisualRandomization/apply(to:)``.
    let visual: Scene
    /// Camera names and their indices in the model, in the order given.
    public let cameras: [(name: String, index: Int)]
    public let width: Int
    public let height: Int
    public let depth: Bool
    /// Leave out of each frame the geoms that cannot show in it (``mimic_cull_scene``): the same
    /// pixels, fewer triangles for the software rasterizer. On by default; off only to compare.
    public var cull = true
    /// Whether the model's look differs from the scene's (``randomizeVisuals(_:seed:index:)``).
    var randomized = false
    /// The geom groups shown: 0 (collision meshes) and 1 (visual meshes); group 2 always.
    let shownGroups: (collision: Bool, visual: Bool)

    private let gl: OpaquePointer
    private var context = mjrContext()
    private var geoms = mjvScene()
    private var options = mjvOption()
    private var perturbation = mjvPerturb()
    private var camera = mjvCamera()
    private var sceneMade = false
    private var contextMade = false

    /// - Parameters:
    ///   - cameras: names of cameras of the scene (`agentview`, `robot0_eye_in_hand`, ...).
    ///   - width, height: image size in pixels.
    ///   - depth: also read the depth buffer.
    ///   - collisionGeoms, visualGeoms: show geom group 0 (robosuite's collision meshes) and group 1
    ///     (its visual meshes); robosuite's environments hide the first and show the second unless
    ///     `render_collision_mesh` / `render_visual_mesh` say otherwise.
    /// - Throws: ``DatasetError`` naming the scene when a camera is not in it (listing those that
    ///   are), or when the GL context or MuJoCo's rendering context cannot be made.
    public init(
        scene: Scene, cameras: [String], width: Int, height: Int, depth: Bool = false, collisionGeoms: Bool = false, visualGeoms: Bool = true
    ) throws(DatasetError) {
        precondition(width > 0 && height > 0, "an image of \(width)x\(height) pixels")
        self.scene = scene
        self.width = width
        self.height = height
        self.depth = depth
        shownGroups = (collisionGeoms, visualGeoms)
        var resolved: [(name: String, index: Int)] = []
        for name in cameras {
            guard let index = scene.id(mjOBJ_CAMERA, name) else {
                let known = scene.names(mjOBJ_CAMERA)
                throw DatasetError(
                    file: scene.file, path: scene.path,
                    "the scene has no camera named \"\(name)\" (its cameras: \(known.isEmpty ? "none" : known.joined(separator: ", ")))")
            }
            resolved.append((name, index))
        }
        self.cameras = resolved
        visual = try scene.copy()
        var message = [CChar](repeating: 0, count: 256)
        guard let made = message.withUnsafeMutableBufferPointer({ mimic_gl_create(Int32(width), Int32(height), $0.baseAddress, 256) }) else {
            throw DatasetError(.io, file: scene.file, path: scene.path, message.withUnsafeBufferPointer { String(cString: $0.baseAddress!) })
        }
        gl = made
        guard mimic_gl_make_current(gl) == 0 else {
            throw DatasetError(.io, file: scene.file, path: scene.path, "OSMesa could not make its GL context current")
        }
        defer { mimic_gl_release() }
        mjv_defaultOption(&options)
        options.geomgroup.0 = collisionGeoms ? 1 : 0
        options.geomgroup.1 = visualGeoms ? 1 : 0
        mjv_defaultPerturb(&perturbation)
        mjv_defaultCamera(&camera)
        camera.type = Int32(mjCAMERA_FIXED.rawValue)
        mjv_defaultScene(&geoms)
        mjv_makeScene(visual.model, &geoms, 10_000)
        sceneMade = true
        mjr_defaultContext(&context)
        guard mimic_mjr_makeOffscreenContext(visual.model, &context, Int32(width), Int32(height)) == 0 else {
            throw DatasetError(.io, file: scene.file, path: scene.path, "MuJoCo cannot make its rendering context: \(MuJoCoError.lastMessage)")
        }
        contextMade = true
    }

    deinit {
        if mimic_gl_make_current(gl) == 0 {
            if contextMade { mjr_freeContext(&context) }
            mimic_gl_release()
        }
        if sceneMade { mjv_freeScene(&geoms) }
        mimic_gl_free(gl)
    }

    /// Copies the model's material textures into the rendering context, which keeps its own copy
    /// from when it was made (``VisualRandomization`` changes them in the model).
    func syncMaterialTextures() {
        mimic_mjr_copyMaterialTextures(visual.model, &context)
    }

    /// Bytes of one RGB image (`height * width * 3`).
    public var imageBytes: Int { width * height * 3 }

    /// Renders every camera at each state of `states` (rows of ``Scene/stateSize`` values, as
    /// robosuite stores them): for row t, restores the state in `world` (``SimWorld/restore(state:file:path:)``,
    /// robosuite's `reset_to`) and draws each camera.
    ///
    /// - Returns: per camera, in ``cameras`` order, the images (`rows * height * width * 3` bytes,
    ///   row t's image at offset `t * imageBytes`) and, with `depth`, the depth buffers.
    /// - Throws: ``DatasetError`` naming `file`/`path` when a state does not fit the scene, or
    ///   when MuJoCo raises an error drawing.
    public func render(
        states: UnsafeBufferPointer<Double>, rows: Int, in world: SimWorld, file: String, path: String
    ) throws(DatasetError) -> [(rgb: [UInt8], depth: [Float]?)] {
        precondition(world.scene === scene, "a world of another scene")
        let stateSize = scene.stateSize
        guard states.count == rows * stateSize else {
            throw DatasetError(file: file, path: path, "has \(states.count) values, \(rows) states of \(stateSize) values expected")
        }
        var rgb = cameras.map { _ in [UInt8](repeating: 0, count: rows * imageBytes) }
        var depths: [[Float]]? = depth ? cameras.map { _ in [Float](repeating: 0, count: rows * width * height) } : nil
        guard mimic_gl_make_current(gl) == 0 else {
            throw DatasetError(.io, file: file, path: path, "OSMesa could not make its GL context current")
        }
        defer { mimic_gl_release() }
        for t in 0..<rows {
            try world.restore(state: UnsafeBufferPointer(rebasing: states[(t * stateSize)..<((t + 1) * stateSize)]), file: file, path: "\(path)[\(t)]")
            // Moved cameras and lights: their world poses from this model's, on the same kinematics.
            if randomized { mj_camlight(visual.model, world.data) }
            for (c, cam) in cameras.enumerated() {
                try draw(camera: cam.index, world: world, rgb: &rgb[c], depth: &depths, slot: c, frame: t, file: file, path: path)
            }
        }
        return cameras.indices.map { (rgb[$0], depths?[$0]) }
    }

    private func draw(
        camera index: Int, world: SimWorld, rgb: inout [UInt8], depth: inout [[Float]]?, slot: Int, frame: Int, file: String, path: String
    ) throws(DatasetError) {
        camera.fixedcamid = Int32(index)
        let pixels = width * height
        let status = rgb.withUnsafeMutableBufferPointer { image in
            let rgbStart = image.baseAddress! + frame * imageBytes
            guard depth != nil else {
                return mimic_mjr_renderCamera(
                    visual.model, world.data, &options, &perturbation, &camera, &geoms, &context, Int32(width), Int32(height), cull ? 1 : 0, rgbStart, nil)
            }
            return depth![slot].withUnsafeMutableBufferPointer { d in
                mimic_mjr_renderCamera(
                    visual.model, world.data, &options, &perturbation, &camera, &geoms, &context, Int32(width), Int32(height), cull ? 1 : 0, rgbStart,
                    d.baseAddress! + frame * pixels)
            }
        }
        guard status == 0 else {
            throw DatasetError(file: file, path: "\(path)[\(frame)]", "MuJoCo cannot render camera \(scene.name(mjOBJ_CAMERA, index)): \(MuJoCoError.lastMessage)")
        }
    }
}

extension CameraRenderer {
    /// The camera observations of `demo` at its recorded `states`, under robosuite's keys:
    /// `obs/<camera>_image` (uint8, T x H x W x 3) and, with depth, `obs/<camera>_depth`
    /// (float32, T x H x W x 1). When the demo has `next_obs`, `next_obs/<camera>_image` (and
    /// depth) hold the next step's image; for the last step, the image at `finalState` (the state
    /// after the last action, which an executed demo knows), else the last step's own.
    ///
    /// - Throws: ``DatasetError`` naming `file` and the demo's `states` when they are missing or do
    ///   not fit the scene, or when MuJoCo cannot draw.
    public func observations(of demo: Demo, in world: SimWorld, file: String, finalState: [Double]? = nil) throws(DatasetError) -> [String: Tensor] {
        let path = "/data/\(demo.name)/states"
        guard let states = demo.arrays["states"], states.shape.count == 2, states.rows > 0 else {
            throw DatasetError(file: file, path: path, "missing or empty: images are drawn at the recorded states")
        }
        let hasNext = demo.arrays.keys.contains { $0.hasPrefix("next_obs/") }
        var values = states.doubles
        let rows = states.rows
        let extra = hasNext && finalState != nil
        if extra, let finalState { values += finalState }
        let drawn = try values.withUnsafeBufferPointer { (buffer) throws(DatasetError) in
            try render(states: buffer, rows: rows + (extra ? 1 : 0), in: world, file: file, path: path)
        }
        let pixels = width * height
        var result: [String: Tensor] = [:]
        for (c, cam) in cameras.enumerated() {
            let (rgb, depth) = drawn[c]
            result["obs/\(cam.name)_image"] = Tensor(shape: [rows, height, width, 3], storage: .uint8(Array(rgb.prefix(rows * imageBytes))))
            if let depth {
                result["obs/\(cam.name)_depth"] = Tensor(shape: [rows, height, width, 1], storage: .float32(Array(depth.prefix(rows * pixels))))
            }
            guard hasNext else { continue }
            // Rows 1...T (T the extra final state), or rows 1..<T and row T - 1 again.
            let next = extra ? Array(rgb[imageBytes...]) : Array(rgb[imageBytes...]) + rgb[((rows - 1) * imageBytes)...]
            result["next_obs/\(cam.name)_image"] = Tensor(shape: [rows, height, width, 3], storage: .uint8(next))
            if let depth {
                let nextDepth = extra ? Array(depth[pixels...]) : Array(depth[pixels...]) + depth[((rows - 1) * pixels)...]
                result["next_obs/\(cam.name)_depth"] = Tensor(shape: [rows, height, width, 1], storage: .float32(nextDepth))
            }
        }
        return result
    }
}
