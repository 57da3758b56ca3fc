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
    /// Where a key's values come from: a frame's position or orientation (x,y,z,w), or joint
    /// coordinates by `qpos` / `qvel` address.
    enum Source: Sendable {
        case bodyPos(BodyID), bodyQuat(BodyID), sitePos(SiteID), siteQuat(SiteID), geomPos(GeomID)
        /// The site's orientation in a body's frame (robosuite's `robot0_base_to_<arm>_eef_quat_site`).
        case siteQuatInBody(SiteID, BodyID)
        case qpos([Int]), qposCos([Int]), qposSin([Int]), qvel([Int]), qacc([Int])
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
            out.append(("#\(scene.name(of: body))_pos", .bodyPos(body), 3))
            out.append(("#\(scene.name(of: body))_quat", .bodyQuat(body), 4))
        }
        for robot in scene.robots {
            guard let hand = scene.bodyIfPresent("\(robot.name)_right_hand") else { continue }
            out.append(("#\(robot.name)_eef_pos", .sitePos(robot.eefSite), 3))
            out.append(("#\(robot.name)_eef_quat", .bodyQuat(hand), 4))
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
                }.map { .qpos([scene.qposAddress(of: $0)]) }
            case 3:
                candidates[key] =
                    scene.bodyNames.compactMap(scene.bodyIfPresent).map { .bodyPos($0) }
                    + scene.siteNames.compactMap(scene.siteIfPresent).map { .sitePos($0) }
                    + scene.geomNames.compactMap(scene.geomIfPresent).map { .geomPos($0) }
            case 4:
                candidates[key] = scene.bodyNames.compactMap(scene.bodyIfPresent).map { .bodyQuat($0) }
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
            let gripper = (robot.gripperJoints.map(scene.qposAddress(of:)), robot.gripperJoints.map(scene.qvelAddress(of:)))
            switch key.dropFirst(robot.name.count + 1) {
            case "eef_pos": return (.sitePos(robot.eefSite), 3)
            case "eef_quat": return scene.bodyIfPresent("\(robot.name)_right_hand").map { (.bodyQuat($0), 4) }
            case "eef_quat_site": return (.siteQuat(robot.eefSite), 4)
            default: return jointSource(key.dropFirst(robot.name.count + 1), arm: (robot.armQposAddresses, robot.armQvelAddresses), gripper: gripper)
            }
        }
        if let humanoid = humanoidSource(for: key, scene: scene) { return humanoid }
        for (suffix, isPosition) in [("_pos", true), ("_quat", false)] where key.hasSuffix(suffix) {
            let stem = String(key.dropLast(suffix.count))
            guard let joint = scene.jointIfPresent("\(stem)_joint0"), scene.kind(of: joint) == .free else { return nil }
            let body = scene.body(of: joint)
            return isPosition ? (.bodyPos(body), 3) : (.bodyQuat(body), 4)
        }
        return nil
    }

    /// robosuite's joint keys of a robot (`joint_pos`, `_cos`, `_sin`, `_vel`, `_acc` over its arm
    /// joints; `gripper_qpos`, `_qvel` over its gripper's), from their addresses.
    static func jointSource(_ name: Substring, arm: ([Int], [Int]), gripper: ([Int], [Int])) -> (Source, Int)? {
        switch name {
        case "gripper_qpos": return (.qpos(gripper.0), gripper.0.count)
        case "gripper_qvel": return (.qvel(gripper.1), gripper.1.count)
        case "joint_pos": return (.qpos(arm.0), arm.0.count)
        case "joint_pos_cos": return (.qposCos(arm.0), arm.0.count)
        case "joint_pos_sin": return (.qposSin(arm.0), arm.0.count)
        case "joint_vel": return (.qvel(arm.1), arm.1.count)
        case "joint_acc": return (.qacc(arm.1), arm.1.count)
        default: return nil
        }
    }

    /// The keys robosuite writes for a two-armed humanoid (the GR1): `robot0_joint_*` over the
    /// robot's joints (torso and head where it moves them, then right arm, left arm), and per arm `robot0_<side>_eef_pos`, `_eef_quat_site`
    /// (its grip site) and `_gripper_qpos`, `_gripper_qvel` (its hand's joints, `gripper0_<side>_…`),
    /// and `robot0_base_to_<side>_eef_quat_site` (the grip site in the frame of body `robot0_base`).
    static func humanoidSource(for key: String, scene: Scene) -> (Source, Int)? {
        guard key.hasPrefix("robot0_"), scene.robots.isEmpty else { return nil }
        let arms = ["right", "left"].compactMap { side in (try? HumanoidArm.find(site: "gripper0_\(side)_grip_site", in: scene)).map { (side, $0) } }
        guard arms.count == 2 else { return nil }
        let rest = key.dropFirst("robot0_".count)
        for (side, arm) in arms where rest == "base_to_\(side)_eef_quat_site" {
            return scene.bodyIfPresent("robot0_base").map { (.siteQuatInBody(arm.site, $0), 4) }
        }
        for (side, arm) in arms where rest.hasPrefix(side + "_") {
            let name = rest.dropFirst(side.count + 1)
            switch name {
            case "eef_pos": return (.sitePos(arm.site), 3)
            case "eef_quat_site": return (.siteQuat(arm.site), 4)
            default:
                let hand = scene.jointNames.filter { $0.hasPrefix("gripper0_\(side)_") }.compactMap(scene.jointIfPresent)
                guard name.hasPrefix("gripper_") else { return nil }
                return jointSource(name, arm: ([], []), gripper: (hand.map(scene.qposAddress(of:)), hand.map(scene.qvelAddress(of:))))
            }
        }
        let joints = HumanoidArm.robotJoints(in: scene)
        return jointSource(rest, arm: (joints.map(scene.qposAddress(of:)), joints.map(scene.qvelAddress(of:))), gripper: ([], []))
    }

    /// Appends one step of every key's values to `rows` (keyed like `keys`).
    public func record(_ world: SimWorld, into rows: inout [String: [Double]]) {
        for (i, source) in sources.enumerated() {
            rows[sourceKeys[i], default: []] += Self.value(of: source, in: world)
        }
        derived.record(into: &rows, widths: baseWidths)
    }

    static func value(of source: Source, in world: SimWorld) -> [Double] {
        switch source {
        case .bodyPos(let b): return array(world.position(of: b))
        case .bodyQuat(let b): return xyzw(world.pose(of: b).rotation)
        case .sitePos(let s): return array(world.position(of: s))
        case .siteQuat(let s): return xyzw(world.pose(of: s).rotation)
        case .siteQuatInBody(let s, let b): return xyzw(world.pose(of: b).rotation.conjugate * world.pose(of: s).rotation)
        case .geomPos(let g): return array(world.position(of: g))
        case .qpos(let addresses): return addresses.map(world.qpos)
        case .qposCos(let addresses): return addresses.map { cos(world.qpos($0)) }
        case .qposSin(let addresses): return addresses.map { sin(world.qpos($0)) }
        case .qvel(let addresses): return addresses.map(world.qvel)
        case .qacc(let addresses): return addresses.map(world.qacc)
        }
    }

    static func array(_ v: SIMD3<Double>) -> [Double] { [v.x, v.y, v.z] }
    static func xyzw(_ q: Quaternion) -> [Double] { [q.x, q.y, q.z, q.w] }
}
