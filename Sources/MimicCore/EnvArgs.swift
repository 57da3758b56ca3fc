import Foundation

/// The `env_args` JSON string robomimic stores on `data`: which simulator environment made the
/// demos and how its controllers were configured.
///
/// robosuite 1.5 nests arm controllers under `controller_configs.body_parts.<arm>`; robosuite
/// 1.2-1.4 (and MimicGen's datasets) store one flat `controller_configs` with `type: OSC_POSE`.
/// Both are read.
public struct EnvArgs: Sendable, Equatable {
    /// The JSON text as stored.
    public var json: String
    public var envName: String?
    /// 1 = robosuite, 2 = gym-style (Isaac Lab), 3 = ... as robomimic's `EnvType`.
    public var type: Int?
    public var envVersion: String?
    /// Robot names in action order (`env_kwargs.robots`; a single string becomes one robot).
    public var robots: [String]
    /// The arm controllers of each robot, in action order.
    public var armControllers: [[ArmController]]
    /// Which geoms robosuite's cameras show (`env_kwargs.render_collision_mesh`, default false:
    /// geom group 0 hidden; `render_visual_mesh`, default true: group 1 shown).
    public var renderCollisionMesh: Bool
    public var renderVisualMesh: Bool

    /// One arm's controller, as far as Mimic needs it to read and write actions.
    public struct ArmController: Sendable, Equatable {
        /// `right` / `left`: the body part name (robosuite 1.5), `right` for the flat layout.
        public var part: String
        /// `OSC_POSE`, `OSC_POSITION`, `IK_POSE`, ...
        public var type: String
        public var inputMax: [Double]
        public var inputMin: [Double]
        public var outputMax: [Double]
        public var outputMin: [Double]
        /// true: actions are deltas applied to the current pose; false: absolute poses.
        public var delta: Bool
        /// true: actions are expressed in the robot base frame (robosuite 1.5 default); false: world.
        public var baseFrame: Bool
    }

    /// Parses `json`; throws `DatasetError` naming `file` and `path` (the attribute) if it is not a JSON object.
    public init(json: String, file: String, path: String = "/data.attrs[env_args]") throws(DatasetError) {
        guard let data = json.data(using: .utf8),
            let object = try? JSONSerialization.jsonObject(with: data) as? [String: Any]
        else {
            throw DatasetError(file: file, path: path, "expected a JSON object, found \(json.prefix(40).debugDescription)")
        }
        self.json = json
        envName = object["env_name"] as? String
        type = (object["type"] as? NSNumber)?.intValue
        envVersion = object["env_version"] as? String
        let kwargs = object["env_kwargs"] as? [String: Any] ?? [:]
        if let list = kwargs["robots"] as? [String] {
            robots = list
        } else if let one = kwargs["robots"] as? String {
            robots = [one]
        } else {
            robots = []
        }
        renderCollisionMesh = (kwargs["render_collision_mesh"] as? Bool) ?? false
        renderVisualMesh = (kwargs["render_visual_mesh"] as? Bool) ?? true
        let major15 = Self.versionAtLeast(envVersion, 1, 5)
        var perRobot: [Any] = []
        if let list = kwargs["controller_configs"] as? [Any] {
            perRobot = list
        } else if let one = kwargs["controller_configs"] {
            perRobot = Array(repeating: one, count: max(robots.count, 1))
        }
        armControllers = perRobot.map { Self.arms(of: $0 as? [String: Any] ?? [:], defaultBaseFrame: major15) }
    }

    /// The JSON text with robosuite's camera settings in `env_kwargs`, as an environment that
    /// renders these cameras serializes itself (what robomimic's conversion of states to image
    /// observations stores): `has_offscreen_renderer` and `use_camera_obs` true, `camera_names`,
    /// `camera_heights`, `camera_widths` and `camera_depths`. Everything else is kept; keys come
    /// out sorted.
    public func withCameras(_ names: [String], height: Int, width: Int, depth: Bool) -> String {
        guard let data = json.data(using: .utf8), var object = try? JSONSerialization.jsonObject(with: data) as? [String: Any] else {
            return json
        }
        var kwargs = object["env_kwargs"] as? [String: Any] ?? [:]
        kwargs["has_offscreen_renderer"] = true
        kwargs["use_camera_obs"] = true
        kwargs["camera_names"] = names
        kwargs["camera_heights"] = height
        kwargs["camera_widths"] = width
        kwargs["camera_depths"] = depth
        object["env_kwargs"] = kwargs
        guard let text = try? JSONSerialization.data(withJSONObject: object, options: [.sortedKeys, .withoutEscapingSlashes]) else { return json }
        return String(decoding: text, as: UTF8.self)
    }

    /// Whether `version` ("1.5.2") is at least major.minor; nil counts as older.
    static func versionAtLeast(_ version: String?, _ major: Int, _ minor: Int) -> Bool {
        guard let parts = version?.split(separator: ".").compactMap({ Int($0) }), parts.count >= 2 else { return false }
        return parts[0] > major || (parts[0] == major && parts[1] >= minor)
    }

    static func arms(of config: [String: Any], defaultBaseFrame: Bool) -> [ArmController] {
        if let type = config["type"] as? String, type == "WHOLE_BODY_IK" || type == "WHOLE_BODY_MINK_IK" {
            // robosuite 1.5's whole-body IKs (the GR1's; the mink one takes the same actions): one
            // absolute axis-angle pose per controlled site (`ref_name`, right then left), in the
            // robot base frame unless it says "world".
            let specific = config["composite_controller_specific_configs"] as? [String: Any] ?? [:]
            let sites = specific["ref_name"] as? [String] ?? ["gripper0_right_grip_site", "gripper0_left_grip_site"]
            let base = (specific["ik_input_ref_frame"] as? String ?? "base") == "base"
            return sites.map { site in
                let part = site.contains("left") ? "left" : "right"
                return ArmController(
                    part: part, type: type, inputMax: Array(repeating: 1, count: 6), inputMin: Array(repeating: -1, count: 6),
                    outputMax: Array(repeating: 1, count: 6), outputMin: Array(repeating: -1, count: 6), delta: false, baseFrame: base)
            }
        }
        if let parts = config["body_parts"] as? [String: Any] {
            // robosuite 1.5 composite config. Arms may sit directly under body_parts or under body_parts.arms.
            var arms: [String: Any] = parts
            if let nested = parts["arms"] as? [String: Any] { arms = nested }
            let order = ["right", "left"] + arms.keys.sorted().filter { $0 != "right" && $0 != "left" }
            return order.compactMap { part in
                guard let c = arms[part] as? [String: Any], let type = c["type"] as? String,
                    type.hasPrefix("OSC") || type.hasPrefix("IK")
                else { return nil }
                return controller(c, part: part, type: type, defaultBaseFrame: true)
            }
        }
        if let type = config["type"] as? String, type.hasPrefix("OSC") || type.hasPrefix("IK") {
            return [controller(config, part: "right", type: type, defaultBaseFrame: defaultBaseFrame)]
        }
        return []
    }

    static func controller(_ c: [String: Any], part: String, type: String, defaultBaseFrame: Bool) -> ArmController {
        func vector(_ key: String, _ fallback: Double) -> [Double] {
            if let list = c[key] as? [NSNumber] { return list.map(\.doubleValue) }
            if let one = c[key] as? NSNumber { return Array(repeating: one.doubleValue, count: 6) }
            return Array(repeating: fallback, count: 6)
        }
        let delta: Bool
        if let inputType = c["input_type"] as? String {
            delta = inputType != "absolute"
        } else if let controlDelta = c["control_delta"] as? Bool {
            delta = controlDelta
        } else {
            delta = true
        }
        let baseFrame: Bool
        if let frame = c["input_ref_frame"] as? String { baseFrame = frame == "base" } else { baseFrame = defaultBaseFrame && c["input_type"] != nil }
        return ArmController(
            part: part, type: type, inputMax: vector("input_max", 1), inputMin: vector("input_min", -1),
            outputMax: vector("output_max", 1), outputMin: vector("output_min", -1),
            delta: delta, baseFrame: baseFrame)
    }
}
