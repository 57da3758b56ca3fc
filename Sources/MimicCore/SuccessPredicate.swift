import Foundation

/// A task's success test, declared as data: what must hold in one simulator state.
///
/// Names refer to the scene: a `body`/`object` is a body name or else a site name (its world
/// position is used); an object's geoms are given as geom names or body names (a body stands for
/// the collision geoms of it and its children, robosuite's `contact_geoms`); a `robot` is
/// `robot0`, `robot1`, … (see ``Robot``). Positions are world positions in metres; comparisons are
/// strict, as in robosuite.
///
/// JSON has one key per predicate, e.g. `{"lifted": {"object": "cube_main", "above": 0.84}}`,
/// `{"all": [ … ]}`, `{"not": { … }}`, `{"task": "Lift"}`; unknown keys are errors.
public indirect enum SuccessPredicate: Sendable, Equatable {
    /// `z(object) > above` (+ `z(relativeTo)` when given).
    case lifted(object: String, above: Double, relativeTo: String? = nil)
    /// The object's position lies strictly inside `region` (bounds left nil are open).
    case inRegion(object: String, region: Region)
    /// robosuite's `_check_grasp`: each finger-pad group of the robot's gripper (Panda: left pad,
    /// right pad) touches at least one of the object's geoms.
    case grasped(robot: String, object: [String])
    /// Some contact between a geom of `a` and a geom of `b`.
    case touching(_ a: [String], _ b: [String])
    /// The object rests on `support`: their geoms touch, the object's origin is higher than the
    /// support's, and, when `releasedBy` names a robot, that robot does not grasp the object.
    case onTop(object: String, support: String, releasedBy: String? = nil)
    /// The robot's grip site is farther than `distance` from the object's origin (robosuite's
    /// "released" test `1 - tanh(10 d) < 0.6` is `distance` = atanh(0.4) / 10 ≈ 0.0424 m).
    case gripperAway(robot: String, from: String, distance: Double)
    /// robosuite TwoArmHandover's hammer test: handle geom height, minus the handle radius, minus
    /// `(handle length / 2 + 2 · head half size) · sin(elevation of the hammer's z axis)`, above the
    /// `table_top` site by more than `above`. Needs geoms `hammer_handle`, `hammer_head`, body `hammer_root`.
    case hammerLifted(above: Double)
    case not(SuccessPredicate)
    case all([SuccessPredicate])
    case any([SuccessPredicate])
    /// The built-in test of a robosuite task (`Lift`, `Stack`, `PickPlaceCan`, …, MimicGen's `Stack_D0`):
    /// see ``robosuite(envName:)``. Decoding refuses a name without one.
    case task(String)

    /// An axis-aligned box in world axes; with `relativeTo`, offset by that body's world position.
    public struct Region: Sendable, Equatable, Codable {
        /// Lower bounds x, y, z (exclusive); nil means unbounded.
        public var min: [Double?]
        /// Upper bounds x, y, z (exclusive); nil means unbounded.
        public var max: [Double?]
        public var relativeTo: String?
        public init(min: [Double?], max: [Double?], relativeTo: String? = nil) {
            self.min = min
            self.max = max
            self.relativeTo = relativeTo
        }
    }

    /// robosuite's "released" distance: `1 - tanh(10 d) < 0.6` ⇔ `d > atanh(0.4) / 10`.
    public static let robosuiteReleaseDistance = atanh(0.4) / 10

    /// The success test of a robosuite 1.5 task, by `env_name`, as robosuite's `_check_success`
    /// evaluates it (docs/profiles.md lists the sources); nil for other names. MimicGen's variants
    /// (`Stack_D0`) use their task's. The names are ``TaskProfiles/envNames``: every built-in
    /// profile carries its task's test.
    ///
    /// - Lift: `cube_main` z > 0.84.
    /// - Stack: `cubeA_main` z > 0.84, not grasped by robot0, touching `cubeB_main`.
    /// - PickPlace{Milk,Bread,Cereal,Can}: the object's body strictly inside its bin2 quadrant,
    ///   0.8 < z < 0.9, robot0's grip site farther than 0.0424 m.
    /// - NutAssembly{Square,Round}: nut body within ±0.03 of peg1/peg2 in x and y, z < 0.87, released.
    /// - TwoArmLift: site `pot_center` z − 0.07 > site `table_top` z + 0.10.
    /// - TwoArmHandover: robot1 grasps `hammer_handle`, robot0 grasps no hammer geom, ``hammerLifted(above:)`` 0.1.
    ///
    /// With `humanoid`, for a robot with two arms in robosuite's `single-robot` configuration (the
    /// GR1): robosuite's arm 0 is its right hand and arm 1 its left, so `robot0` reads
    /// `robot0_right` and `robot1` reads `robot0_left` (``renamingRobots(_:)``).
    public static func robosuite(envName: String, humanoid: Bool) -> SuccessPredicate? {
        guard let test = robosuite(envName: envName) else { return nil }
        return humanoid ? test.renamingRobots(humanoidArms) : test
    }

    /// robosuite's arms of a two-armed single robot, in the place of its two-robot tests' robots.
    public static let humanoidArms = ["robot0": "robot0_right", "robot1": "robot0_left"]

    /// The same test with every robot name found in `names` replaced by its value.
    public func renamingRobots(_ names: [String: String]) -> SuccessPredicate {
        func rename(_ robot: String) -> String { names[robot] ?? robot }
        switch self {
        case .grasped(let robot, let object): return .grasped(robot: rename(robot), object: object)
        case .onTop(let object, let support, let releasedBy): return .onTop(object: object, support: support, releasedBy: releasedBy.map(rename))
        case .gripperAway(let robot, let from, let distance): return .gripperAway(robot: rename(robot), from: from, distance: distance)
        case .not(let inner): return .not(inner.renamingRobots(names))
        case .all(let list): return .all(list.map { $0.renamingRobots(names) })
        case .any(let list): return .any(list.map { $0.renamingRobots(names) })
        case .lifted, .inRegion, .touching, .hammerLifted, .task: return self
        }
    }

    public static func robosuite(envName: String) -> SuccessPredicate? {
        let released = robosuiteReleaseDistance
        func pickPlace(_ object: String, x: ClosedRange<Double>, y: ClosedRange<Double>) -> SuccessPredicate {
            .all([
                .inRegion(object: "\(object)_main", region: Region(min: [x.lowerBound, y.lowerBound, 0.8], max: [x.upperBound, y.upperBound, 0.9])),
                .gripperAway(robot: "robot0", from: "\(object)_main", distance: released),
            ])
        }
        func nut(_ object: String, peg: String) -> SuccessPredicate {
            .all([
                .inRegion(object: object, region: Region(min: [-0.03, -0.03, nil], max: [0.03, 0.03, nil], relativeTo: peg)),
                .inRegion(object: object, region: Region(min: [nil, nil, nil], max: [nil, nil, 0.82 + 0.05])),
                .gripperAway(robot: "robot0", from: object, distance: released),
            ])
        }
        // bin2 at (0.1, 0.28, 0.8), size 0.39 x 0.49: quadrants per object index (Milk 0, Bread 1, Cereal 2, Can 3).
        let xLow = 0.1 - 0.39 / 2, xHigh = 0.1 + 0.39 / 2, yLow = 0.28 - 0.49 / 2, yHigh = 0.28 + 0.49 / 2
        switch TaskProfiles.mimicGenBase(envName) {
        case "Lift": return .lifted(object: "cube_main", above: 0.8 + 0.04)
        case "Stack":
            return .all([
                .lifted(object: "cubeA_main", above: 0.8 + 0.04),
                .not(.grasped(robot: "robot0", object: ["cubeA_main"])),
                .touching(["cubeA_main"], ["cubeB_main"]),
            ])
        case "PickPlaceMilk": return pickPlace("Milk", x: xLow...0.1, y: yLow...0.28)
        case "PickPlaceBread": return pickPlace("Bread", x: 0.1...xHigh, y: yLow...0.28)
        case "PickPlaceCereal": return pickPlace("Cereal", x: xLow...0.1, y: 0.28...yHigh)
        case "PickPlaceCan": return pickPlace("Can", x: 0.1...xHigh, y: 0.28...yHigh)
        case "NutAssemblySquare": return nut("SquareNut_main", peg: "peg1")
        case "NutAssemblyRound": return nut("RoundNut_main", peg: "peg2")
        case "TwoArmLift": return .lifted(object: "pot_center", above: 0.07 + 0.10, relativeTo: "table_top")
        case "TwoArmHandover":
            return .all([
                .grasped(robot: "robot1", object: ["hammer_handle"]),
                .not(.grasped(robot: "robot0", object: ["hammer_root"])),
                .hammerLifted(above: 0.1),
            ])
        default: return nil
        }
    }
}

// MARK: - Codable (one key per predicate, unknown keys rejected)

extension SuccessPredicate: Codable {
    private struct Key: CodingKey {
        var stringValue: String
        var intValue: Int? { nil }
        init(_ s: String) { stringValue = s }
        init?(stringValue: String) { self.stringValue = stringValue }
        init?(intValue: Int) { nil }
    }

    private static let fields: [String: [String]] = [
        "lifted": ["object", "above", "relativeTo"], "inRegion": ["object", "min", "max", "relativeTo"],
        "grasped": ["robot", "object"], "touching": ["a", "b"], "onTop": ["object", "support", "releasedBy"],
        "gripperAway": ["robot", "from", "distance"], "hammerLifted": ["above"],
        "not": [], "all": [], "any": [], "task": [],
    ]

    public init(from decoder: any Decoder) throws {
        let outer = try decoder.container(keyedBy: Key.self)
        guard outer.allKeys.count == 1, let key = outer.allKeys.first else {
            throw DecodingError.dataCorrupted(
                .init(
                    codingPath: decoder.codingPath,
                    debugDescription: "a success predicate is an object with exactly one key, one of: \(Self.fields.keys.sorted().joined(separator: ", "))"))
        }
        guard let known = Self.fields[key.stringValue] else {
            throw DecodingError.dataCorruptedError(
                forKey: key, in: outer,
                debugDescription: "unknown success predicate \"\(key.stringValue)\" (expected one of: \(Self.fields.keys.sorted().joined(separator: ", ")))")
        }
        switch key.stringValue {
        case "not": self = .not(try outer.decode(SuccessPredicate.self, forKey: key)); return
        case "all": self = .all(try outer.decode([SuccessPredicate].self, forKey: key)); return
        case "any": self = .any(try outer.decode([SuccessPredicate].self, forKey: key)); return
        case "task":
            let name = try outer.decode(String.self, forKey: key)
            guard Self.robosuite(envName: name) != nil else {
                throw DecodingError.dataCorruptedError(
                    forKey: key, in: outer,
                    debugDescription: "no built-in success test for task \"\(name)\" (known: \(TaskProfiles.envNames.joined(separator: ", ")))")
            }
            self = .task(name)
            return
        default: break
        }
        let c = try outer.nestedContainer(keyedBy: Key.self, forKey: key)
        for k in c.allKeys where !known.contains(k.stringValue) {
            throw DecodingError.dataCorruptedError(
                forKey: k, in: c,
                debugDescription: "unknown key \"\(k.stringValue)\" (expected one of: \(known.joined(separator: ", ")))")
        }
        switch key.stringValue {
        case "lifted":
            self = .lifted(
                object: try c.decode(String.self, forKey: Key("object")), above: try c.decode(Double.self, forKey: Key("above")),
                relativeTo: try c.decodeIfPresent(String.self, forKey: Key("relativeTo")))
        case "inRegion":
            self = .inRegion(
                object: try c.decode(String.self, forKey: Key("object")),
                region: Region(
                    min: try c.decode([Double?].self, forKey: Key("min")), max: try c.decode([Double?].self, forKey: Key("max")),
                    relativeTo: try c.decodeIfPresent(String.self, forKey: Key("relativeTo"))))
        case "grasped":
            self = .grasped(robot: try c.decode(String.self, forKey: Key("robot")), object: try Self.names(c, Key("object")))
        case "touching":
            self = .touching(try Self.names(c, Key("a")), try Self.names(c, Key("b")))
        case "onTop":
            self = .onTop(
                object: try c.decode(String.self, forKey: Key("object")), support: try c.decode(String.self, forKey: Key("support")),
                releasedBy: try c.decodeIfPresent(String.self, forKey: Key("releasedBy")))
        case "gripperAway":
            self = .gripperAway(
                robot: try c.decode(String.self, forKey: Key("robot")), from: try c.decode(String.self, forKey: Key("from")),
                distance: try c.decodeIfPresent(Double.self, forKey: Key("distance")) ?? Self.robosuiteReleaseDistance)
        default:
            self = .hammerLifted(above: try c.decode(Double.self, forKey: Key("above")))
        }
    }

    /// A list of names, or one name.
    private static func names(_ c: KeyedDecodingContainer<Key>, _ key: Key) throws -> [String] {
        if let one = try? c.decode(String.self, forKey: key) { return [one] }
        return try c.decode([String].self, forKey: key)
    }

    public func encode(to encoder: any Encoder) throws {
        var outer = encoder.container(keyedBy: Key.self)
        switch self {
        case .not(let inner): try outer.encode(inner, forKey: Key("not")); return
        case .all(let list): try outer.encode(list, forKey: Key("all")); return
        case .any(let list): try outer.encode(list, forKey: Key("any")); return
        case .task(let name): try outer.encode(name, forKey: Key("task")); return
        default: break
        }
        switch self {
        case .lifted(let object, let above, let relativeTo):
            var c = outer.nestedContainer(keyedBy: Key.self, forKey: Key("lifted"))
            try c.encode(object, forKey: Key("object"))
            try c.encode(above, forKey: Key("above"))
            try c.encodeIfPresent(relativeTo, forKey: Key("relativeTo"))
        case .inRegion(let object, let region):
            var c = outer.nestedContainer(keyedBy: Key.self, forKey: Key("inRegion"))
            try c.encode(object, forKey: Key("object"))
            try c.encode(region.min, forKey: Key("min"))
            try c.encode(region.max, forKey: Key("max"))
            try c.encodeIfPresent(region.relativeTo, forKey: Key("relativeTo"))
        case .grasped(let robot, let object):
            var c = outer.nestedContainer(keyedBy: Key.self, forKey: Key("grasped"))
            try c.encode(robot, forKey: Key("robot"))
            try c.encode(object, forKey: Key("object"))
        case .touching(let a, let b):
            var c = outer.nestedContainer(keyedBy: Key.self, forKey: Key("touching"))
            try c.encode(a, forKey: Key("a"))
            try c.encode(b, forKey: Key("b"))
        case .onTop(let object, let support, let releasedBy):
            var c = outer.nestedContainer(keyedBy: Key.self, forKey: Key("onTop"))
            try c.encode(object, forKey: Key("object"))
            try c.encode(support, forKey: Key("support"))
            try c.encodeIfPresent(releasedBy, forKey: Key("releasedBy"))
        case .gripperAway(let robot, let object, let distance):
            var c = outer.nestedContainer(keyedBy: Key.self, forKey: Key("gripperAway"))
            try c.encode(robot, forKey: Key("robot"))
            try c.encode(object, forKey: Key("from"))
            try c.encode(distance, forKey: Key("distance"))
        case .hammerLifted(let above):
            var c = outer.nestedContainer(keyedBy: Key.self, forKey: Key("hammerLifted"))
            try c.encode(above, forKey: Key("above"))
        case .not, .all, .any, .task: break
        }
    }
}
