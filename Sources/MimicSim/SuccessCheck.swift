import CMuJoCo
import MimicCore
import MimicMath

/// A ``SuccessPredicate`` with every name resolved in one ``Scene``: evaluate it on any
/// ``SimWorld`` of that scene. Resolving once keeps the per-step check free of name lookups.
public struct SuccessCheck: Sendable {
    indirect enum Node: Sendable {
        case above(Point, Double, Point?)
        case inRegion(Point, min: SIMD3<Double>, max: SIMD3<Double>, Point?)
        case grasped(groups: [[GeomID]], object: Set<GeomID>)
        case touching(Set<GeomID>, Set<GeomID>)
        case onTop(object: Point, objectGeoms: Set<GeomID>, support: Point, supportGeoms: Set<GeomID>, release: Node?)
        case away(SiteID, Point, Double)
        case hammer(handle: GeomID, root: BodyID, table: SiteID, topOffset: Double, lever: Double, above: Double)
        case not(Node)
        case all([Node])
        case any([Node])
        case constant(Bool)
    }

    enum Point: Sendable {
        case body(BodyID)
        case site(SiteID)
    }

    public let predicate: SuccessPredicate
    let root: Node
    /// The scene the names were resolved in: a check is only valid for worlds of that scene.
    let scene: ObjectIdentifier

    /// Resolves `predicate`'s names in `scene`.
    ///
    /// - Throws: ``DatasetError`` naming the scene when a name does not exist, a robot has no
    ///   finger pads, or a `task` is not a known robosuite task.
    public init(_ predicate: SuccessPredicate, scene: Scene) throws(DatasetError) {
        self.predicate = predicate
        self.scene = ObjectIdentifier(scene)
        root = try Self.resolve(predicate, scene)
    }

    /// Whether the predicate holds in `world`'s current kinematics and contacts. `world` must
    /// simulate the scene the check was resolved in (a programmer error otherwise).
    public func evaluate(_ world: SimWorld) -> Bool {
        precondition(ObjectIdentifier(world.scene) == scene, "a SuccessCheck is evaluated on a world of another scene")
        return Self.evaluate(root, world)
    }

    /// Whether this check was resolved in `scene`.
    public func isResolved(in scene: Scene) -> Bool { ObjectIdentifier(scene) == self.scene }

    static func point(_ name: String, _ scene: Scene) throws(DatasetError) -> Point {
        if let b = scene.bodyIfPresent(name) { return .body(b) }
        if let s = scene.siteIfPresent(name) { return .site(s) }
        throw DatasetError(file: scene.file, path: scene.path, "success predicate: the scene has no body or site named \"\(name)\"")
    }

    static func geoms(_ names: [String], _ scene: Scene) throws(DatasetError) -> Set<GeomID> {
        var result: Set<GeomID> = []
        for name in names {
            if let g = scene.geomIfPresent(name) {
                result.insert(g)
            } else if let b = scene.bodyIfPresent(name) {
                result.formUnion(scene.collisionGeoms(under: b))
            } else {
                throw DatasetError(file: scene.file, path: scene.path, "success predicate: the scene has no geom or body named \"\(name)\"")
            }
        }
        return result
    }

    static func grasp(_ robotName: String, _ object: [String], _ scene: Scene) throws(DatasetError) -> Node {
        if let groups = HumanoidArm.fingerGroups(of: robotName, in: scene) {
            return .grasped(groups: groups, object: try geoms(object, scene))
        }
        let robot = try scene.robot(robotName)
        guard !robot.leftFingerPads.isEmpty, !robot.rightFingerPads.isEmpty else {
            throw DatasetError(
                file: scene.file, path: scene.path, "success predicate: \(robotName)'s gripper has no known finger pads (Panda: \(robot.gripperPrefix)_finger1_pad_collision)")
        }
        return .grasped(groups: [robot.leftFingerPads, robot.rightFingerPads], object: try geoms(object, scene))
    }

    /// The grip site of `robotName`: a robot's (``Robot/eefSite``), or a humanoid hand's
    /// (`robot0_right` → `gripper0_right_grip_site`).
    static func gripSite(_ robotName: String, _ scene: Scene) throws(DatasetError) -> SiteID {
        let parts = robotName.split(separator: "_")
        if parts.count == 2, parts[0].hasPrefix("robot"), let site = scene.siteIfPresent("gripper\(parts[0].dropFirst("robot".count))_\(parts[1])_grip_site") {
            return site
        }
        return try scene.robot(robotName).eefSite
    }

    static func resolve(_ p: SuccessPredicate, _ scene: Scene) throws(DatasetError) -> Node {
        switch p {
        case .lifted(let object, let above, let relativeTo):
            return .above(try point(object, scene), above, try relativeTo.map { (name) throws(DatasetError) in try point(name, scene) })
        case .inRegion(let object, let region):
            guard region.min.count == 3, region.max.count == 3 else {
                throw DatasetError(file: scene.file, path: scene.path, "success predicate: a region needs 3 lower and 3 upper bounds")
            }
            let lo = SIMD3(region.min[0] ?? -.infinity, region.min[1] ?? -.infinity, region.min[2] ?? -.infinity)
            let hi = SIMD3(region.max[0] ?? .infinity, region.max[1] ?? .infinity, region.max[2] ?? .infinity)
            return .inRegion(
                try point(object, scene), min: lo, max: hi,
                try region.relativeTo.map { (name) throws(DatasetError) in try point(name, scene) })
        case .grasped(let robot, let object):
            return try grasp(robot, object, scene)
        case .touching(let a, let b):
            return .touching(try geoms(a, scene), try geoms(b, scene))
        case .onTop(let object, let support, let releasedBy):
            return .onTop(
                object: try point(object, scene), objectGeoms: try geoms([object], scene),
                support: try point(support, scene), supportGeoms: try geoms([support], scene),
                release: try releasedBy.map { (robot) throws(DatasetError) in try grasp(robot, [object], scene) })
        case .gripperAway(let robot, let object, let distance):
            return .away(try gripSite(robot, scene), try point(object, scene), distance)
        case .hammerLifted(let above):
            let handle = try scene.geom("hammer_handle")
            let head = try scene.geom("hammer_head")
            let handleSize = scene.size(of: handle)
            // Box handle: size (r, r, L/2); cylinder handle: (r, L/2, -). Head box half sizes (2h, h, h).
            let isBox = scene.model.pointee.geom_type[handle.index] == Int32(mjGEOM_BOX.rawValue)
            let halfLength = isBox ? handleSize.z : handleSize.y
            let lever = halfLength + 2 * scene.size(of: head).y
            return .hammer(
                handle: handle, root: try scene.body("hammer_root"), table: try scene.site("table_top"),
                topOffset: handleSize.x, lever: lever, above: above)
        case .not(let inner): return .not(try resolve(inner, scene))
        case .all(let list):
            var nodes: [Node] = []
            for item in list { nodes.append(try resolve(item, scene)) }
            return .all(nodes)
        case .any(let list):
            var nodes: [Node] = []
            for item in list { nodes.append(try resolve(item, scene)) }
            return .any(nodes)
        case .task(let name):
            // A scene whose robot0 is a two-handed humanoid reads the test for its hands.
            let humanoid = scene.robots.isEmpty && HumanoidArm.fingerGroups(of: "robot0_right", in: scene) != nil
            guard let builtIn = SuccessPredicate.robosuite(envName: name, humanoid: humanoid) else {
                throw DatasetError(
                    file: scene.file, path: scene.path,
                    "no built-in success test for task \"\(name)\" (known: \(TaskProfiles.envNames.joined(separator: ", ")))")
            }
            return try resolve(builtIn, scene)
        }
    }

    static func position(_ p: Point, _ world: SimWorld) -> SIMD3<Double> {
        switch p {
        case .body(let b): return world.position(of: b)
        case .site(let s): return world.position(of: s)
        }
    }

    static func evaluate(_ node: Node, _ world: SimWorld) -> Bool {
        switch node {
        case .above(let p, let z, let reference):
            return position(p, world).z > z + (reference.map { position($0, world).z } ?? 0)
        case .inRegion(let p, let lo, let hi, let reference):
            let offset = reference.map { position($0, world) } ?? .zero
            let x = position(p, world) - offset
            return lo.x < x.x && x.x < hi.x && lo.y < x.y && x.y < hi.y && lo.z < x.z && x.z < hi.z
        case .grasped(let groups, let object):
            return groups.allSatisfy { world.inContact($0, object) }
        case .touching(let a, let b):
            return world.inContact(a, b)
        case .onTop(let object, let objectGeoms, let support, let supportGeoms, let release):
            guard world.inContact(objectGeoms, supportGeoms), position(object, world).z > position(support, world).z else { return false }
            return release.map { !evaluate($0, world) } ?? true
        case .away(let site, let p, let distance):
            let d = world.position(of: site) - position(p, world)
            return (d * d).sum().squareRoot() > distance
        case .hammer(let handle, let root, let table, let topOffset, let lever, let above):
            // Elevation of the hammer's z axis: π/2 - acos(ẑ · R ẑ) = asin(R[2][2]).
            let zz = max(-1, min(1, world.rotationMatrix(of: root).row2.z))
            let angle = Double.pi / 2 - acos(zz)
            let height = world.position(of: handle).z - topOffset - lever * sin(angle)
            return height - world.position(of: table).z > above
        case .not(let inner): return !evaluate(inner, world)
        case .all(let list): return list.allSatisfy { evaluate($0, world) }
        case .any(let list): return list.contains { evaluate($0, world) }
        case .constant(let value): return value
        }
    }
}
