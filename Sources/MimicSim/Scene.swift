import CMuJoCo
import Foundation
import MimicCore

/// A compiled MuJoCo model: the immutable half of a simulation (MuJoCo's `mjModel`).
///
/// Built once from an MJCF document (for robosuite data, a demo's `model_file` attribute) and
/// shared by every worker: nothing mutates it after `init`, so it is `Sendable`. Each worker
/// simulates in its own ``SimWorld``. Frees the `mjModel` when the last reference goes.
///
/// Names resolve to typed indices once (``body(_:)``, ``site(_:)``, ``geom(_:)``,
/// ``joint(_:)``, ``actuator(_:)``); hot paths use the indices.
public final class Scene: @unchecked Sendable {
    /// The compiled model. Never mutated after `init` (that is what makes `Scene` Sendable).
    let model: UnsafeMutablePointer<mjModel>
    /// Where the MJCF came from, for error messages (`file` and `path` of ``DatasetError``).
    public let file: String
    public let path: String
    /// The robots found by robosuite's naming (`robot0_joint1`, `gripper0_right_grip_site`, ...), in index order.
    public private(set) var robots: [Robot] = []

    /// Compiles `mjcf` with MuJoCo (`mj_loadXML` from an in-memory `mjVFS`; wraps both).
    ///
    /// Asset paths inside robosuite's asset tree (`file=".../robosuite/models/assets/..."`, including
    /// the placeholder `/path/to/site-packages/robosuite` that Mimic's datasets store) are first
    /// rewritten to `assetsRoot` (``RobosuiteAssets/remapping(_:to:)``): the local
    /// `robosuite/models/assets` directory, or the robosuite package directory that contains it.
    /// A ``SceneCatalog`` resolves it once per dataset; nothing is looked up here.
    ///
    /// Image textures (`<texture file=…>`) only colour the rendering and take about half of the
    /// compile time (PNG decoding), so they are left out unless `loadTextures` is true; materials
    /// then lose the texture reference. Nothing physical changes.
    ///
    /// - Parameters:
    ///   - file, path: where the MJCF came from (`lift.hdf5`, `/data/demo_0.attrs[model_file]`), named in errors.
    /// - Throws: ``DatasetError`` (`.invalidData`) with MuJoCo's compiler message when the
    ///   document does not compile (bad XML, unknown attribute, missing mesh), or when it names
    ///   robosuite's assets and `assetsRoot` is nil.
    public init(
        mjcf: String, assetsRoot: String? = nil, loadTextures: Bool = false,
        file: String = "<mjcf>", path: String = ""
    ) throws(DatasetError) {
        self.file = file
        self.path = path
        var xml = loadTextures ? mjcf : Self.removingImageTextures(from: mjcf)
        if RobosuiteAssets.isNeeded(by: xml) {
            guard let assetsRoot else {
                throw DatasetError(
                    file: file, path: path,
                    "names files of robosuite's asset tree; install robosuite 1.5 or pass its models/assets directory (--robosuite-assets)")
            }
            xml = RobosuiteAssets.remapping(xml, to: RobosuiteAssets.normalize(assetsRoot))
        }
        model = try loadModel(xml: xml, file: file, path: path)
        robots = Robot.find(in: self)
    }

    /// Compiles the MJCF file at `mjcfFile` as it is (a task spec's `mjcf`): relative includes and
    /// assets resolve from its directory; nothing is remapped or left out.
    ///
    /// - Parameters:
    ///   - file, path: what named the file (`task.json`, `mjcf`), named in errors.
    public init(mjcfFile: String, file: String, path: String) throws(DatasetError) {
        self.file = file
        self.path = path
        model = try loadModel(mjcfFile: mjcfFile, file: file, path: path)
        robots = Robot.find(in: self)
    }

    private init(copying other: Scene) throws(DatasetError) {
        file = other.file
        path = other.path
        model = try copyModel(other.model, file: other.file, path: other.path)
        robots = Robot.find(in: self)
    }

    /// A private copy of the compiled model (`mj_copyModel`), for a worker that changes physical
    /// parameters (``DynamicsRandomizer``): the shared scene stays untouched. Names resolve to the
    /// same indices.
    ///
    /// - Throws: ``DatasetError`` naming the scene when MuJoCo cannot copy it (out of memory).
    public func copy() throws(DatasetError) -> Scene { try Scene(copying: self) }

    deinit { mj_deleteModel(model) }

    // MARK: - Sizes

    /// Number of generalized coordinates (`nq`, the length of `qpos`).
    public var nq: Int { Int(model.pointee.nq) }
    /// Number of degrees of freedom (`nv`, the length of `qvel`).
    public var nv: Int { Int(model.pointee.nv) }
    /// Number of actuators (`nu`, the length of `ctrl`).
    public var nu: Int { Int(model.pointee.nu) }
    /// Physics time step in seconds (`opt.timestep`; robosuite scenes use MuJoCo's default 0.002).
    public var timestep: Double { model.pointee.opt.timestep }
    /// Length of a robosuite flattened state `[time, qpos..., qvel...]`: `1 + nq + nv`.
    public var stateSize: Int { 1 + nq + nv }
}

// MARK: - Named lookups
/// A body of a ``Scene``: its index in MuJoCo's body arrays.
public struct BodyID: Hashable, Sendable { public let index: Int }
/// A site of a ``Scene``: its index in MuJoCo's site arrays.
public struct SiteID: Hashable, Sendable { public let index: Int }
/// A geom of a ``Scene``: its index in MuJoCo's geom arrays.
public struct GeomID: Hashable, Sendable { public let index: Int }
/// A joint of a ``Scene``: its index in MuJoCo's joint arrays.
public struct JointID: Hashable, Sendable { public let index: Int }
/// An actuator of a ``Scene``: its index in MuJoCo's actuator arrays (and in `ctrl`).
public struct ActuatorID: Hashable, Sendable { public let index: Int }

extension Scene {
    func id(_ type: mjtObj, _ name: String) -> Int? {
        let i = Int(mj_name2id(model, Int32(type.rawValue), name))
        return i >= 0 ? i : nil
    }

    func name(_ type: mjtObj, _ index: Int) -> String {
        mj_id2name(model, Int32(type.rawValue), Int32(index)).map { String(cString: $0) } ?? "#\(index)"
    }

    func count(_ type: mjtObj) -> Int {
        switch type {
        case mjOBJ_BODY: return Int(model.pointee.nbody)
        case mjOBJ_SITE: return Int(model.pointee.nsite)
        case mjOBJ_GEOM: return Int(model.pointee.ngeom)
        case mjOBJ_JOINT: return Int(model.pointee.njnt)
        case mjOBJ_ACTUATOR: return Int(model.pointee.nu)
        case mjOBJ_CAMERA: return Int(model.pointee.ncam)
        default: return 0
        }
    }

    func names(_ type: mjtObj) -> [String] {
        (0..<count(type)).compactMap { i in mj_id2name(model, Int32(type.rawValue), Int32(i)).map { String(cString: $0) } }
    }

    func require(_ type: mjtObj, _ name: String, _ kind: String) throws(DatasetError) -> Int {
        if let i = id(type, name) { return i }
        let similar = names(type).filter { $0.localizedCaseInsensitiveContains(name.split(separator: "_").last.map(String.init) ?? name) }
        let hint = similar.isEmpty ? "" : " (similar: \(similar.prefix(6).joined(separator: ", ")))"
        throw DatasetError(file: file, path: path, "the scene has no \(kind) named \"\(name)\"\(hint)")
    }

    /// The body named `name`, or nil. (`mj_name2id` with `mjOBJ_BODY`.)
    public func bodyIfPresent(_ name: String) -> BodyID? { id(mjOBJ_BODY, name).map(BodyID.init) }
    /// The site named `name`, or nil.
    public func siteIfPresent(_ name: String) -> SiteID? { id(mjOBJ_SITE, name).map(SiteID.init) }
    /// The geom named `name`, or nil.
    public func geomIfPresent(_ name: String) -> GeomID? { id(mjOBJ_GEOM, name).map(GeomID.init) }
    /// The joint named `name`, or nil.
    public func jointIfPresent(_ name: String) -> JointID? { id(mjOBJ_JOINT, name).map(JointID.init) }
    /// The actuator named `name`, or nil.
    public func actuatorIfPresent(_ name: String) -> ActuatorID? { id(mjOBJ_ACTUATOR, name).map(ActuatorID.init) }

    /// The body named `name`; throws a ``DatasetError`` naming the scene and listing similar names if there is none.
    public func body(_ name: String) throws(DatasetError) -> BodyID { BodyID(index: try require(mjOBJ_BODY, name, "body")) }
    /// The site named `name`; throws if there is none.
    public func site(_ name: String) throws(DatasetError) -> SiteID { SiteID(index: try require(mjOBJ_SITE, name, "site")) }
    /// The geom named `name`; throws if there is none.
    public func geom(_ name: String) throws(DatasetError) -> GeomID { GeomID(index: try require(mjOBJ_GEOM, name, "geom")) }
    /// The joint named `name`; throws if there is none.
    public func joint(_ name: String) throws(DatasetError) -> JointID { JointID(index: try require(mjOBJ_JOINT, name, "joint")) }
    /// The actuator named `name`; throws if there is none.
    public func actuator(_ name: String) throws(DatasetError) -> ActuatorID { ActuatorID(index: try require(mjOBJ_ACTUATOR, name, "actuator")) }

    /// The name of a body (`mj_id2name`), or `#index` for an unnamed one.
    public func name(of body: BodyID) -> String { name(mjOBJ_BODY, body.index) }
    /// The name of a site.
    public func name(of site: SiteID) -> String { name(mjOBJ_SITE, site.index) }
    /// The name of a geom.
    public func name(of geom: GeomID) -> String { name(mjOBJ_GEOM, geom.index) }
    /// The name of a joint.
    public func name(of joint: JointID) -> String { name(mjOBJ_JOINT, joint.index) }

    /// Every named body, in MuJoCo's order (the world body first).
    public var bodyNames: [String] { names(mjOBJ_BODY) }
    /// Every named site.
    public var siteNames: [String] { names(mjOBJ_SITE) }
    /// Every named geom.
    public var geomNames: [String] { names(mjOBJ_GEOM) }
    /// Every named joint, in qpos order.
    public var jointNames: [String] { names(mjOBJ_JOINT) }
    /// Every named actuator, in ctrl order.
    public var actuatorNames: [String] { names(mjOBJ_ACTUATOR) }

    /// The geoms attached to `body` (not to its children), in MuJoCo's order.
    public func geoms(of body: BodyID) -> [GeomID] {
        let start = Int(model.pointee.body_geomadr[body.index])
        let n = Int(model.pointee.body_geomnum[body.index])
        return start < 0 ? [] : (start..<start + n).map(GeomID.init)
    }

    /// The geoms of `body` and of every body below it that can collide (`contype` or `conaffinity`
    /// nonzero): robosuite's `contact_geoms` of an object whose root body is `body`.
    public func collisionGeoms(under body: BodyID) -> [GeomID] {
        var result: [GeomID] = []
        let m = model.pointee
        for g in 0..<Int(m.ngeom) {
            var b = Int(m.geom_bodyid[g])
            var inside = false
            while true {
                if b == body.index { inside = true; break }
                if b == 0 { break }
                b = Int(m.body_parentid[b])
            }
            if inside && (m.geom_contype[g] != 0 || m.geom_conaffinity[g] != 0) { result.append(GeomID(index: g)) }
        }
        return result
    }

    /// The size parameters of a geom (`geom_size`, 3 numbers whose meaning depends on the type:
    /// half sizes for a box, radius and half length for a cylinder).
    public func size(of geom: GeomID) -> SIMD3<Double> {
        let s = model.pointee.geom_size + 3 * geom.index
        return SIMD3(s[0], s[1], s[2])
    }

    /// The free joint that moves `body` (robosuite objects: `cube_joint0` on `cube_main`): the
    /// body's own free joint, else the nearest ancestor's; nil if none (a fixed body).
    /// Place objects with ``SimWorld/setFreeJointPose(_:to:zeroVelocity:)``.
    /// The body a joint moves (`jnt_bodyid`).
    public func body(of joint: JointID) -> BodyID { BodyID(index: Int(model.pointee.jnt_bodyid[joint.index])) }

    public func freeJoint(of body: BodyID) -> JointID? {
        let m = model.pointee
        var b = body.index
        while b > 0 {
            let start = Int(m.body_jntadr[b]), count = Int(m.body_jntnum[b])
            if start >= 0 {
                for j in start..<start + count where m.jnt_type[j] == Int32(mjJNT_FREE.rawValue) { return JointID(index: j) }
            }
            b = Int(m.body_parentid[b])
        }
        return nil
    }

    /// What kind of joint `joint` is.
    public func kind(of joint: JointID) -> MJCFFrames.Joint.Kind {
        switch mjtJoint(rawValue: UInt32(model.pointee.jnt_type[joint.index])) {
        case mjJNT_FREE: return .free
        case mjJNT_BALL: return .ball
        case mjJNT_SLIDE: return .slide
        default: return .hinge
        }
    }

    /// Index of the joint's first coordinate in `qpos` (`jnt_qposadr`).
    public func qposAddress(of joint: JointID) -> Int { Int(model.pointee.jnt_qposadr[joint.index]) }
    /// Index of the joint's first degree of freedom in `qvel` (`jnt_dofadr`).
    public func qvelAddress(of joint: JointID) -> Int { Int(model.pointee.jnt_dofadr[joint.index]) }
    /// The control range `[low, high]` of an actuator (`actuator_ctrlrange`); `-inf...inf` when not limited.
    public func controlRange(of actuator: ActuatorID) -> ClosedRange<Double> {
        let m = model.pointee
        guard m.actuator_ctrllimited[actuator.index] != 0 else { return -Double.infinity...Double.infinity }
        return m.actuator_ctrlrange[2 * actuator.index]...m.actuator_ctrlrange[2 * actuator.index + 1]
    }
}

// MARK: - Image textures
extension Scene {
    /// `xml` without its self-closing `<texture … file="…"/>` elements and without the
    /// `texture="name"` attributes that referred to them. Builtin (procedural) textures stay.
    static func removingImageTextures(from xml: String) -> String {
        var removed: Set<Substring> = []
        var out = ""
        out.reserveCapacity(xml.utf8.count)
        var rest = xml[...]
        while let open = rest.range(of: "<texture ") {
            guard let close = rest[open.upperBound...].range(of: "/>") else { break }
            let element = rest[open.lowerBound..<close.upperBound]
            out += rest[..<open.lowerBound]
            if element.contains(" file=\""), let name = attribute("name", in: element) {
                removed.insert(name)
            } else {
                out += element
            }
            rest = rest[close.upperBound...]
        }
        out += rest
        guard !removed.isEmpty else { return out }
        // Drop material references to the removed textures.
        var result = ""
        result.reserveCapacity(out.utf8.count)
        var tail = out[...]
        while let open = tail.range(of: " texture=\"") {
            guard let close = tail[open.upperBound...].firstIndex(of: "\"") else { break }
            let name = tail[open.upperBound..<close]
            result += tail[..<open.lowerBound]
            if !removed.contains(name) { result += tail[open.lowerBound...close] }
            tail = tail[tail.index(after: close)...]
        }
        result += tail
        return result
    }

    static func attribute(_ key: String, in element: Substring) -> Substring? {
        guard let open = element.range(of: " \(key)=\"") else { return nil }
        guard let close = element[open.upperBound...].firstIndex(of: "\"") else { return nil }
        return element[open.upperBound..<close]
    }
}
