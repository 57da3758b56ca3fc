import CMuJoCo
import Foundation
import MimicCore
import MimicMath

/// Visual domain randomization of rendered demos: what a demo's images look like, never its
/// physics. Each demo draws its own values from `RandomStream(seed ^ visual, index)`, so a demo
/// looks the same for any number of workers and whatever else is randomized, and the drawn values
/// are recorded with the demo (``Drawn/json``).
///
/// - lights: each light's diffuse colour scaled by 0.5...1.5 (clamped to 1), ambient shifted by
///   -0.1...0.1, position moved up to 0.3 m along each axis, direction turned by up to 15°; the
///   headlight's diffuse and ambient likewise.
/// - colors: a uniform random RGB (opacity kept) for every scene material, or geom colour without a
///   material, of the geoms that are not a robot's (bodies named `robot<k>_…`, `gripper<k>_…`,
///   `mount<k>_…` and everything below them): table, walls, floor, objects.
/// - textures: each of those materials that has a colour texture takes one of the scene's textures
///   of the same kind (2-D or cube; the skybox stays), drawn uniformly.
/// - cameras: each rendered camera moved up to 1 cm along each axis and turned by up to 2° about a
///   uniformly drawn axis.
public struct VisualRandomization: Sendable, Equatable {
    public var lights = false
    public var colors = false
    public var textures = false
    public var cameras = false

    public init(lights: Bool = false, colors: Bool = false, textures: Bool = false, cameras: Bool = false) {
        self.lights = lights
        self.colors = colors
        self.textures = textures
        self.cameras = cameras
    }

    /// Every kind.
    public static let all = VisualRandomization(lights: true, colors: true, textures: true, cameras: true)

    /// The names `--randomize-visuals` takes.
    public static let kinds = ["lights", "colors", "textures", "cameras"]

    /// "all", or a comma-separated list of ``kinds``; nil for anything else.
    public init?(parsing text: String) {
        let names = text.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }
        guard !names.isEmpty else { return nil }
        for name in names {
            switch name {
            case "all": self = .all
            case "lights": lights = true
            case "colors": colors = true
            case "textures": textures = true
            case "cameras": cameras = true
            default: return nil
            }
        }
    }

    /// Whether anything is randomized.
    public var isEmpty: Bool { !(lights || colors || textures || cameras) }

    /// The values one demo drew, as stored in its `mimic_visual` attribute (JSON, keys sorted).
    public struct Drawn: Codable, Sendable, Equatable {
        public struct Light: Codable, Sendable, Equatable {
            public var diffuse: [Float], ambient: [Float], pos: [Double], dir: [Double]
        }
        public struct Surface: Codable, Sendable, Equatable {
            public var rgba: [Float]
            public var texture: String?
        }
        public struct Camera: Codable, Sendable, Equatable {
            public var pos: [Double], quat: [Double]
        }
        public var lights: [Light]?
        public var headlight: Light?
        /// By material name (or `#index`), and by geom name for geoms without a material.
        public var materials: [String: Surface]?
        public var geoms: [String: Surface]?
        public var cameras: [String: Camera]?

        public var json: String {
            let encoder = JSONEncoder()
            encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
            return (try? encoder.encode(self)).map { String(decoding: $0, as: UTF8.self) } ?? "{}"
        }
    }

    /// The stream a demo's visual values come from, apart from the plan's and the dynamics'.
    static let streamSalt: UInt64 = 0x7669_7375_616C_7321
}

extension CameraRenderer {
    /// Sets this renderer's model to the scene's own look and then, for demo `index` of a run with
    /// `seed`, draws `randomization`'s changes into it. Every image rendered afterwards shows them.
    ///
    /// - Returns: the drawn values (nil when nothing is randomized).
    @discardableResult
    public func randomizeVisuals(_ randomization: VisualRandomization, seed: UInt64, index: Int) -> VisualRandomization.Drawn? {
        let m = visual.model, original = scene.model
        restoreLook(of: m, from: original)
        defer { syncMaterialTextures() }
        randomized = !randomization.isEmpty
        guard randomized else { return nil }
        var rng = RandomStream(seed: seed ^ VisualRandomization.streamSalt, stream: UInt64(index))
        var drawn = VisualRandomization.Drawn()
        if randomization.lights {
            var lights: [VisualRandomization.Drawn.Light] = []
            for l in 0..<Int(m.pointee.nlight) {
                let diffuse: UnsafeMutablePointer<Float> = m.pointee.light_diffuse + 3 * l
                let ambient: UnsafeMutablePointer<Float> = m.pointee.light_ambient + 3 * l
                let pos: UnsafeMutablePointer<Double> = m.pointee.light_pos + 3 * l
                let dir: UnsafeMutablePointer<Double> = m.pointee.light_dir + 3 * l
                lights.append(Self.jitterLight(diffuse: diffuse, ambient: ambient, pos: pos, dir: dir, using: &rng))
            }
            drawn.lights = lights
            // The headlight: ambient[3], diffuse[3], specular[3] floats, then `active`.
            let head = UnsafeMutableRawPointer(m).advanced(by: MemoryLayout<mjModel>.offset(of: \mjModel.vis.headlight)!)
                .assumingMemoryBound(to: Float.self)
            drawn.headlight = Self.jitterLight(diffuse: head + 3, ambient: head, pos: nil, dir: nil, using: &rng)
        }
        if randomization.colors || randomization.textures {
            let (materials, geoms) = sceneSurfaces()
            var byMaterial: [String: VisualRandomization.Drawn.Surface] = [:]
            for mat in materials {
                let rgba = m.pointee.mat_rgba + 4 * mat
                if randomization.colors { for c in 0..<3 { rgba[c] = Float(rng.uniform(0, 1)) } }
                var texture: String?
                let slot = m.pointee.mat_texid + Int(mjNTEXROLE.rawValue) * mat + Int(mjTEXROLE_RGB.rawValue)
                if randomization.textures, slot.pointee >= 0 {
                    let kind = m.pointee.tex_type[Int(slot.pointee)]
                    let candidates = (0..<Int(m.pointee.ntex)).filter { m.pointee.tex_type[$0] == kind }
                    slot.pointee = Int32(candidates[rng.integer(0, candidates.count - 1)])
                    texture = scene.name(mjOBJ_TEXTURE, Int(slot.pointee))
                }
                byMaterial[scene.name(mjOBJ_MATERIAL, mat)] = .init(rgba: Array(UnsafeBufferPointer(start: rgba, count: 4)), texture: texture)
            }
            var byGeom: [String: VisualRandomization.Drawn.Surface] = [:]
            if randomization.colors {
                for g in geoms {
                    let rgba = m.pointee.geom_rgba + 4 * g
                    for c in 0..<3 { rgba[c] = Float(rng.uniform(0, 1)) }
                    byGeom[scene.name(mjOBJ_GEOM, g)] = .init(rgba: Array(UnsafeBufferPointer(start: rgba, count: 4)), texture: nil)
                }
            }
            drawn.materials = byMaterial
            drawn.geoms = byGeom
        }
        if randomization.cameras {
            var moved: [String: VisualRandomization.Drawn.Camera] = [:]
            for cam in cameras {
                let pos = m.pointee.cam_pos + 3 * cam.index, quat = m.pointee.cam_quat + 4 * cam.index
                for k in 0..<3 { pos[k] += rng.uniform(-0.01, 0.01) }
                let turn = Self.randomTurn(maxDegrees: 2, using: &rng)
                let q = (turn * Quaternion(wxyz: SIMD4(quat[0], quat[1], quat[2], quat[3]))).normalized
                (quat[0], quat[1], quat[2], quat[3]) = (q.w, q.x, q.y, q.z)
                moved[cam.name] = .init(pos: Array(UnsafeBufferPointer(start: pos, count: 3)), quat: [q.w, q.x, q.y, q.z])
            }
            drawn.cameras = moved
        }
        return drawn
    }

    /// The scene's non-robot materials (those of visible non-robot geoms) and the non-robot geoms
    /// without a material, in index order.
    func sceneSurfaces() -> (materials: [Int], geoms: [Int]) {
        let m = scene.model.pointee
        var robotBody = [Bool](repeating: false, count: Int(m.nbody))
        for b in 1..<Int(m.nbody) {
            let name = scene.name(mjOBJ_BODY, b)
            let owned = ["robot", "gripper", "mount"].contains { prefix in
                name.hasPrefix(prefix) && name.dropFirst(prefix.count).first?.isNumber == true
            }
            robotBody[b] = owned || robotBody[Int(m.body_parentid[b])]
        }
        var materials = Set<Int>(), geoms: [Int] = []
        for g in 0..<Int(m.ngeom) where !robotBody[Int(m.geom_bodyid[g])] {
            let group = Int(m.geom_group[g])
            guard group == 1 || (group == 0 && shownGroups.collision) || group == 2 else { continue }
            let mat = Int(m.geom_matid[g])
            if mat >= 0 { materials.insert(mat) } else { geoms.append(g) }
        }
        return (materials.sorted(), geoms)
    }

    /// Copies the look (lights, headlight, colours, textures of materials, camera poses) of
    /// `original` into `m`.
    private func restoreLook(of m: UnsafeMutablePointer<mjModel>, from original: UnsafeMutablePointer<mjModel>) {
        let a = m.pointee, o = original.pointee
        func copy<T>(_ to: UnsafeMutablePointer<T>, _ from: UnsafeMutablePointer<T>, _ count: Int) {
            to.update(from: from, count: count)
        }
        copy(a.light_diffuse, o.light_diffuse, 3 * Int(o.nlight))
        copy(a.light_ambient, o.light_ambient, 3 * Int(o.nlight))
        copy(a.light_pos, o.light_pos, 3 * Int(o.nlight))
        copy(a.light_dir, o.light_dir, 3 * Int(o.nlight))
        m.pointee.vis.headlight = o.vis.headlight
        copy(a.mat_rgba, o.mat_rgba, 4 * Int(o.nmat))
        copy(a.mat_texid, o.mat_texid, Int(mjNTEXROLE.rawValue) * Int(o.nmat))
        copy(a.geom_rgba, o.geom_rgba, 4 * Int(o.ngeom))
        copy(a.cam_pos, o.cam_pos, 3 * Int(o.ncam))
        copy(a.cam_quat, o.cam_quat, 4 * Int(o.ncam))
    }

    private static func jitterLight(
        diffuse: UnsafeMutablePointer<Float>, ambient: UnsafeMutablePointer<Float>, pos: UnsafeMutablePointer<Double>?,
        dir: UnsafeMutablePointer<Double>?, using rng: inout RandomStream
    ) -> VisualRandomization.Drawn.Light {
        let scale = Float(rng.uniform(0.5, 1.5)), shift = Float(rng.uniform(-0.1, 0.1))
        for c in 0..<3 {
            diffuse[c] = min(diffuse[c] * scale, 1)
            ambient[c] = min(max(ambient[c] + shift, 0), 1)
        }
        if let pos { for k in 0..<3 { pos[k] += rng.uniform(-0.3, 0.3) } }
        if let dir {
            let turned = randomTurn(maxDegrees: 15, using: &rng).act(SIMD3(dir[0], dir[1], dir[2]))
            (dir[0], dir[1], dir[2]) = (turned.x, turned.y, turned.z)
        }
        return .init(
            diffuse: Array(UnsafeBufferPointer(start: diffuse, count: 3)), ambient: Array(UnsafeBufferPointer(start: ambient, count: 3)),
            pos: pos.map { Array(UnsafeBufferPointer(start: $0, count: 3)) } ?? [], dir: dir.map { Array(UnsafeBufferPointer(start: $0, count: 3)) } ?? [])
    }

    /// A rotation by a uniform angle in [0, maxDegrees] about a uniformly drawn axis.
    static func randomTurn(maxDegrees: Double, using rng: inout RandomStream) -> Quaternion {
        var axis = SIMD3(rng.normal(), rng.normal(), rng.normal())
        let length = (axis * axis).sum().squareRoot()
        axis = length > 1e-12 ? axis / length : SIMD3(0, 0, 1)
        let angle = rng.uniform(0, maxDegrees) * .pi / 180
        return Quaternion(axis: axis, angle: angle)
    }
}
