import Foundation
import MimicCore
import MimicMath

/// Computes robosuite's low-dimensional observations from a world, for the keys a dataset uses:
/// per robot `robot<k>_eef_pos`, `_eef_quat` (the hand body, x,y,z,w), `_eef_quat_site`,
/// `_gripper_qpos`, `_gripper_qvel`, `_joint_pos`, `_joint_pos_cos`, `_joint_pos_sin`,
/// `_joint_vel`, `_joint_acc` (`qacc` of `mj_forward` at the state, as robomimic's conversion
/// from states gives it, up to the solver's warm start); per object `<name>_pos` and
/// `<name>_quat` of the body moved by the free joint `<name>_joint0` (robosuite's naming). Given
/// the source demos, it also computes what robosuite's task code adds (see
/// ``init(world:keys:sources:file:)``). Keys it cannot compute (images, vectors no formula
/// reproduces) are listed in `uncomputable`.
public struct ObservationRecorder: Sendable {
    enum Source: Sendable {
        case eefPos(Robot), eefQuat(BodyID), eefQuatSite(Robot)
        case gripperQpos(Robot), gripperQvel(Robot)
        case jointPos(Robot), jointCos(Robot), jointSin(Robot), jointVel(Robot), jointAcc(Robot)
        case objectPos(BodyID), objectQuat(BodyID)
        case sitePos(SiteID), geomPos(GeomID), jointQpos(Int)
    }

    /// The keys it computes with values per step: read from the world, then derived.
    public let keys: [String]
    public let widths: [Int]
    public let uncomputable: [String]
    let sources: [Source]
    /// The key of each of `sources` (hidden inputs included).
    let sourceKeys: [String]
    /// The width of every key read from the world, for the derived keys' inputs.
    let baseWidths: [String: Int]
    /// Keys computed from the others (robosuite's `object` vector, relative positions).
    public let derived: DerivedObservations

    /// The keys named as robosuite names them (see the type's description).
    public init(scene: Scene, keys requested: [String]) {
        var keys: [String] = [], widths: [Int] = [], sources: [Source] = [], missing: [String] = []
        for key in requested {
            guard let (source, width) = Self.source(for: key, scene: scene) else { missing.append(key); continue }
            keys.append(key)
            widths.append(width)
            sources.append(source)
        }
        self.init(keys: keys, widths: widths, sources: sources, derived: DerivedObservations(entries: [], unmatched: missing))
    }

    /// The keys named as robosuite names them, then for the others, found in the source demos:
    /// the position of a body, site or geom, the orientation of a body, or the position of a
    /// hinge or slide joint that reproduces the key at every state of the first source demos (of
    /// the first demo's scene, which `world` holds);
    /// last, a formula over the recorded keys (``DerivedObservations``), such as robosuite's
    /// `object` vector.
    public init(world: SimWorld, keys requested: [String], sources demos: [Demo], file: String) throws(DatasetError) {
        let named = ObservationRecorder(scene: world.scene, keys: requested)
        var keys = named.keys, widths = named.widths, sources = named.sources
        // Scenes differ between demos (robosuite draws object sizes at reset), so elements are
        // matched on the first demos recorded in the first demo's scene, which `world` must hold.
        let sameScene = demos.prefix(3).filter { $0.modelXML == demos.first?.modelXML }
        let matched = try Self.matchElements(named.uncomputable, world: world, demos: sameScene, file: file)
        for key in named.uncomputable {
            guard let (source, width) = matched[key] else { continue }
            keys.append(key)
            widths.append(width)
            sources.append(source)
        }
        // Ten demos are evidence enough that a formula holds, and keep large sources quick.
        var derived = DerivedObservations.discover(
            targets: named.uncomputable.filter { matched[$0] == nil },
            known: keys, demos: Array(demos.prefix(10)))
        if !derived.unmatched.isEmpty {
            // Task vectors whose parts the file does not keep (robomimic's datasets store only
            // `object`): offer every free body's pose and every hand's pose as hidden inputs,
            // read at the states of this scene's demos.
            let hidden = Self.hiddenSources(world.scene)
            let augmented = try Self.recording(hidden, at: sameScene, world: world, file: file)
            let more = DerivedObservations.discover(
                targets: derived.unmatched,
                known: keys + derived.entries.map(\.key) + hidden.map(\.key), demos: augmented)
            if !more.entries.isEmpty {
                keys += hidden.map(\.key)
                widths += hidden.map(\.width)
                sources += hidden.map(\.source)
                derived = DerivedObservations(entries: derived.entries + more.entries, unmatched: more.unmatched)
            }
        }
        self.init(keys: keys, widths: widths, sources: sources, derived: derived)
    }

    init(keys: [String], widths: [Int], sources: [Source], derived: DerivedObservations) {
        let all = zip(keys + derived.entries.map(\.key), widths + derived.entries.map(\.width))
            .filter { !DerivedObservations.isHidden($0.0) }
        self.keys = all.map(\.0)
        self.widths = all.map(\.1)
        self.sources = sources
        sourceKeys = keys
        baseWidths = Dictionary(uniqueKeysWithValues: zip(keys, widths))
        self.derived = derived
        uncomputable = derived.unmatched
    }

    /// Hidden inputs (``DerivedObservations/isHidden(_:)``): `#<body>_pos`/`_quat` of every body
    /// moved by a free joint, and `#<robot>_eef_pos`/`_quat` (grip site, hand body) of every robot.
    static func hiddenSources(_ scene: Scene) -> [(key: String, source: Source, width: Int)] {
        var out: [(key: String, source: Source, width: Int)] = []
        for name in scene.jointNames {
            guard let joint = scene.jointIfPresent(name), scene.kind(of: joint) == .free else { continue }
            let body = scene.body(of: joint)
            out.append(("#\(scene.name(of: body))_pos", .objectPos(body), 3))
            out.append(("#\(scene.name(of: body))_quat", .objectQuat(body), 4))
        }
        for robot in scene.robots {
            guard let hand = scene.bodyIfPresent("\(robot.name)_right_hand") else { continue }
            out.append(("#\(robot.name)_eef_pos", .eefPos(robot), 3))
            out.append(("#\(robot.name)_eef_quat", .eefQuat(hand), 4))
        }
        return out
    }

    /// Copies of `demos` with `obs/<key>` added for each source, read at every recorded state.
    static func recording(
        _ extra: [(key: String, source: Source, width: Int)], at demos: [Demo], world: SimWorld,
        file: String
    ) throws(DatasetError) -> [Demo] {
        var out: [Demo] = []
        for var demo in demos {
            guard let states = demo.arrays["states"], states.rowWidth == world.scene.stateSize else { continue }
            var rows = [[Double]](repeating: [], count: extra.count)
            try restoring(states, steps: states.rows, of: demo, in: world, file: file) { _ in
                for (i, item) in extra.enumerated() { rows[i] += value(of: item.source, in: world) }
            }
            for (i, item) in extra.enumerated() {
                demo.arrays["obs/" + item.key] = Tensor(shape: [states.rows, item.width], float64: rows[i])
            }
            out.append(demo)
        }
        return out
    }

    /// For each key, the first scene element whose value equals it at every state of `demos`.
    static func matchElements(_ requested: [String], world: SimWorld, demos: [Demo], file: String) throws(DatasetError) -> [String: (Source, Int)] {
        let scene = world.scene
        let robotJoints = Set(scene.robots.flatMap { $0.armQposAddresses + $0.gripperJoints.map(scene.qposAddress(of:)) })
        var candidates: [String: [Source]] = [:]
        for key in requested {
            guard let obs = demos.first?.obs(key), obs.shape.count == 2, obs.isFloatingPoint else { continue }
            let width = obs.rowWidth
            switch width {
            case 1:
                candidates[key] = scene.jointNames.compactMap(scene.jointIfPresent).filter {
                    [.hinge, .slide].contains(scene.kind(of: $0)) && !robotJoints.contains(scene.qposAddress(of: $0))
                }.map { .jointQpos(scene.qposAddress(of: $0)) }
            case 3:
                candidates[key] =
                    scene.bodyNames.compactMap(scene.bodyIfPresent).map { .objectPos($0) }
                    + scene.siteNames.compactMap(scene.siteIfPresent).map { .sitePos($0) }
                    + scene.geomNames.compactMap(scene.geomIfPresent).map { .geomPos($0) }
            case 4:
                candidates[key] = scene.bodyNames.compactMap(scene.bodyIfPresent).map { .objectQuat($0) }
            default:
                continue
            }
        }
        for demo in demos {
            guard !candidates.isEmpty, let states = demo.arrays["states"], states.rowWidth == scene.stateSize else { break }
            let expected = candidates.keys.reduce(into: [String: (values: [Double], width: Int, tolerance: Double)]()) {
                guard let obs = demo.obs($1) else { return }
                $0[$1] = (obs.doubles, obs.rowWidth, obs.dtypeName == "float32" ? 1e-4 : 1e-6)
            }
            try restoring(states, steps: min(states.rows, demo.length), of: demo, in: world, file: file) { t in
                for (key, sources) in candidates {
                    guard let (values, width, tolerance) = expected[key], values.count >= (t + 1) * width else {
                        candidates[key] = nil
                        continue
                    }
                    let row = values[(t * width)..<((t + 1) * width)]
                    candidates[key] = sources.filter { zip(value(of: $0, in: world), row).allSatisfy { abs($0 - $1) <= tolerance } }
                }
            }
        }
        return candidates.compactMapValues { sources in sources.first.map { ($0, value(of: $0, in: world).count) } }
    }

    /// Restores `demo`'s first `steps` recorded states in turn, calling `body` with each step.
    static func restoring(
        _ states: Tensor, steps: Int, of demo: Demo, in world: SimWorld, file: String,
        _ body: (Int) -> Void
    ) throws(DatasetError) {
        let all = states.doubles, width = states.rowWidth
        for t in 0..<steps {
            try world.restore(state: Array(all[(t * width)..<((t + 1) * width)]), file: file, path: "/data/\(demo.name)/states")
            body(t)
        }
    }

    static func source(for key: String, scene: Scene) -> (Source, Int)? {
        for robot in scene.robots where key.hasPrefix(robot.name + "_") {
            switch key.dropFirst(robot.name.count + 1) {
            case "eef_pos": return (.eefPos(robot), 3)
            case "eef_quat": return scene.bodyIfPresent("\(robot.name)_right_hand").map { (.eefQuat($0), 4) }
            case "eef_quat_site": return (.eefQuatSite(robot), 4)
            case "gripper_qpos": return (.gripperQpos(robot), robot.gripperJoints.count)
            case "gripper_qvel": return (.gripperQvel(robot), robot.gripperJoints.count)
            case "joint_pos": return (.jointPos(robot), robot.armJoints.count)
            case "joint_pos_cos": return (.jointCos(robot), robot.armJoints.count)
            case "joint_pos_sin": return (.jointSin(robot), robot.armJoints.count)
            case "joint_vel": return (.jointVel(robot), robot.armJoints.count)
            case "joint_acc": return (.jointAcc(robot), robot.armJoints.count)
            default: return nil
            }
        }
        for (suffix, isPosition) in [("_pos", true), ("_quat", false)] where key.hasSuffix(suffix) {
            let stem = String(key.dropLast(suffix.count))
            guard let joint = scene.jointIfPresent("\(stem)_joint0"), scene.kind(of: joint) == .free else { return nil }
            let body = scene.body(of: joint)
            return isPosition ? (.objectPos(body), 3) : (.objectQuat(body), 4)
        }
        return nil
    }

    /// Appends one step of every key's values to `rows` (keyed like `keys`).
    public func record(_ world: SimWorld, into rows: inout [String: [Double]]) {
        for (i, source) in sources.enumerated() {
            rows[sourceKeys[i], default: []] += Self.value(of: source, in: world)
        }
        derived.record(into: &rows, widths: baseWidths)
    }

    static func value(of source: Source, in world: SimWorld) -> [Double] {
        let scene = world.scene
        switch source {
        case .eefPos(let r): return array(world.position(of: r.eefSite))
        case .eefQuat(let b): return xyzw(world.pose(of: b).rotation)
        case .eefQuatSite(let r): return xyzw(world.pose(of: r.eefSite).rotation)
        case .gripperQpos(let r): return r.gripperJoints.map { world.qpos(scene.qposAddress(of: $0)) }
        case .gripperQvel(let r): return r.gripperJoints.map { world.qvel(scene.qvelAddress(of: $0)) }
        case .jointPos(let r): return r.armQposAddresses.map(world.qpos)
        case .jointCos(let r): return r.armQposAddresses.map { cos(world.qpos($0)) }
        case .jointSin(let r): return r.armQposAddresses.map { sin(world.qpos($0)) }
        case .jointVel(let r): return r.armQvelAddresses.map(world.qvel)
        case .jointAcc(let r): return r.armQvelAddresses.map(world.qacc)
        case .objectPos(let b): return array(world.position(of: b))
        case .objectQuat(let b): return xyzw(world.pose(of: b).rotation)
        case .sitePos(let s): return array(world.position(of: s))
        case .geomPos(let g): return array(world.position(of: g))
        case .jointQpos(let address): return [world.qpos(address)]
        }
    }

    static func array(_ v: SIMD3<Double>) -> [Double] { [v.x, v.y, v.z] }
    static func xyzw(_ q: Quaternion) -> [Double] { [q.x, q.y, q.z, q.w] }
}
