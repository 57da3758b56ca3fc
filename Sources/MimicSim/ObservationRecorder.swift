import Foundation
import MimicCore
import MimicMath

/// Computes robosuite's low-dimensional observations from a world, for the keys a dataset uses:
/// per robot `robot<k>_eef_pos`, `_eef_quat` (the hand body, x,y,z,w), `_eef_quat_site`,
/// `_gripper_qpos`, `_gripper_qvel`, `_joint_pos`, `_joint_pos_cos`, `_joint_pos_sin`,
/// `_joint_vel`; per object `<name>_pos` and `<name>_quat` of the body moved by the free joint
/// `<name>_joint0` (robosuite's naming). Keys it cannot compute (images, task-specific vectors)
/// are listed in `uncomputable`.
public struct ObservationRecorder: Sendable {
    enum Source: Sendable {
        case eefPos(Robot), eefQuat(BodyID), eefQuatSite(Robot)
        case gripperQpos(Robot), gripperQvel(Robot)
        case jointPos(Robot), jointCos(Robot), jointSin(Robot), jointVel(Robot)
        case objectPos(BodyID), objectQuat(BodyID)
    }

    /// The keys it computes, in the order given, with values per step.
    public let keys: [String]
    public let widths: [Int]
    public let uncomputable: [String]
    let sources: [Source]

    public init(scene: Scene, keys requested: [String]) {
        var keys: [String] = [], widths: [Int] = [], sources: [Source] = [], missing: [String] = []
        for key in requested {
            guard let (source, width) = Self.source(for: key, scene: scene) else { missing.append(key); continue }
            keys.append(key)
            widths.append(width)
            sources.append(source)
        }
        self.keys = keys
        self.widths = widths
        self.sources = sources
        uncomputable = missing
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
        let scene = world.scene
        for (i, source) in sources.enumerated() {
            let key = keys[i]
            switch source {
            case .eefPos(let r): rows[key, default: []] += Self.array(world.position(of: r.eefSite))
            case .eefQuat(let b): rows[key, default: []] += Self.xyzw(world.pose(of: b).rotation)
            case .eefQuatSite(let r): rows[key, default: []] += Self.xyzw(world.pose(of: r.eefSite).rotation)
            case .gripperQpos(let r): rows[key, default: []] += r.gripperJoints.map { world.qpos(scene.qposAddress(of: $0)) }
            case .gripperQvel(let r): rows[key, default: []] += r.gripperJoints.map { world.qvel(scene.qvelAddress(of: $0)) }
            case .jointPos(let r): rows[key, default: []] += r.armQposAddresses.map(world.qpos)
            case .jointCos(let r): rows[key, default: []] += r.armQposAddresses.map { cos(world.qpos($0)) }
            case .jointSin(let r): rows[key, default: []] += r.armQposAddresses.map { sin(world.qpos($0)) }
            case .jointVel(let r): rows[key, default: []] += r.armQvelAddresses.map(world.qvel)
            case .objectPos(let b): rows[key, default: []] += Self.array(world.position(of: b))
            case .objectQuat(let b): rows[key, default: []] += Self.xyzw(world.pose(of: b).rotation)
            }
        }
    }

    static func array(_ v: SIMD3<Double>) -> [Double] { [v.x, v.y, v.z] }
    static func xyzw(_ q: Quaternion) -> [Double] { [q.x, q.y, q.z, q.w] }
}
