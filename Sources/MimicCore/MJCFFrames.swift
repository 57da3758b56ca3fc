import Foundation
#if canImport(FoundationXML)
import FoundationXML
#endif
import MimicMath

/// The static frame tree of an MJCF scene (the `model_file` robosuite stores with each demo):
/// every body and site with its pose relative to its parent body and whether the body moves
/// (has a joint). Enough to find fixed transforms, e.g. a robot's base in the world or the grip
/// site in the hand body, without a simulator.
///
/// Orientations are read from `quat` (w, x, y, z, normalized as MuJoCo does) and from
/// `axisangle` with the compiler's angle unit; other orientation attributes make the frame unknown.
public struct MJCFFrames: Sendable {
    struct Frame: Sendable {
        var parent: Int?
        var parentFromFrame: Pose?
        var movable: Bool
    }

    var bodies: [String: Int] = [:]
    var sites: [String: Int] = [:]
    var frames: [Frame] = []

    /// A joint, in MuJoCo's order (the order of the XML): its qpos and qvel addresses.
    public struct Joint: Sendable, Equatable {
        public enum Kind: Sendable, Equatable { case free, ball, slide, hinge }
        public var name: String
        public var kind: Kind
        public var qposAddress: Int
        public var qvelAddress: Int
    }

    /// Every joint, in qpos order.
    public private(set) var joints: [Joint] = []
    /// Sizes of MuJoCo's qpos and qvel for this scene.
    public private(set) var nq = 0
    public private(set) var nv = 0

    /// Parses `xml`; returns nil when it is not well-formed XML.
    public init?(xml: String) {
        let delegate = Delegate()
        let parser = XMLParser(data: Data(xml.utf8))
        parser.delegate = delegate
        guard parser.parse(), delegate.stack.isEmpty else { return nil }
        bodies = delegate.bodies
        sites = delegate.sites
        frames = delegate.frames
        for (name, kind) in delegate.joints {
            joints.append(Joint(name: name, kind: kind, qposAddress: nq, qvelAddress: nv))
            switch kind {
            case .free: nq += 7; nv += 6
            case .ball: nq += 4; nv += 3
            case .slide, .hinge: nq += 1; nv += 1
            }
        }
    }

    /// The joint named `name`, if any.
    public func joint(_ name: String) -> Joint? { joints.first { $0.name == name } }

    /// All site names, sorted.
    public var siteNames: [String] { sites.keys.sorted() }

    /// worldFromBody when no body from the world down to `body` has a joint; nil otherwise or if unknown.
    public func worldPose(ofBody body: String) -> Pose? {
        guard let id = bodies[body] else { return nil }
        return pose(of: id, relativeTo: nil)
    }

    /// bodyFromSite when `site` is fixed in `body` (no joint in between); nil otherwise.
    public func pose(ofSite site: String, inBody body: String) -> Pose? {
        guard let s = sites[site], let b = bodies[body] else { return nil }
        return pose(of: s, relativeTo: b)
    }

    /// Whether `site` lies in the subtree of `body`.
    public func site(_ site: String, isInside body: String) -> Bool {
        guard var i = sites[site], let b = bodies[body] else { return false }
        while let p = frames[i].parent {
            if p == b { return true }
            i = p
        }
        return false
    }

    private func pose(of frame: Int, relativeTo ancestor: Int?) -> Pose? {
        var result = Pose.identity
        var i = frame
        while i != ancestor {
            let f = frames[i]
            // A body with a joint moves relative to its parent: nothing through it is fixed.
            guard let local = f.parentFromFrame, !f.movable else { return nil }
            result = local * result
            guard let p = f.parent else { return ancestor == nil ? result : nil }
            i = p
        }
        return result
    }

    private final class Delegate: NSObject, XMLParserDelegate {
        var bodies: [String: Int] = [:]
        var sites: [String: Int] = [:]
        var frames: [Frame] = []
        var stack: [Int?] = []  // frame index per open element (nil for non-frames)
        var radians = false
        var anonymous = 0
        var joints: [(String, Joint.Kind)] = []
        var inWorldbody = false

        func parser(
            _ parser: XMLParser, didStartElement name: String, namespaceURI: String?,
            qualifiedName: String?, attributes: [String: String] = [:]
        ) {
            let parent = stack.last(where: { $0 != nil }) ?? nil
            switch name {
            case "compiler":
                radians = attributes["angle"] == "radian"
                stack.append(nil)
            case "body", "site":
                let index = frames.count
                frames.append(Frame(parent: parent, parentFromFrame: localPose(attributes), movable: false))
                let key = attributes["name"] ?? "#\(anonymous)"
                anonymous += 1
                if name == "body" { bodies[key] = index } else { sites[key] = index }
                stack.append(index)
            case "worldbody":
                inWorldbody = true
                stack.append(nil)
            case "joint", "freejoint":
                // Joints under <default> only set defaults; real ones sit in the body tree.
                if inWorldbody, let p = parent {
                    frames[p].movable = true
                    let kind: Joint.Kind
                    switch name == "freejoint" ? "free" : attributes["type"] ?? "hinge" {
                    case "free": kind = .free
                    case "ball": kind = .ball
                    case "slide": kind = .slide
                    default: kind = .hinge
                    }
                    joints.append((attributes["name"] ?? "#joint\(joints.count)", kind))
                }
                stack.append(nil)
            default:
                stack.append(nil)
            }
        }

        func parser(_ parser: XMLParser, didEndElement name: String, namespaceURI: String?, qualifiedName: String?) {
            if name == "worldbody" { inWorldbody = false }
            _ = stack.popLast()
        }

        func localPose(_ a: [String: String]) -> Pose? {
            func numbers(_ key: String) -> [Double]? {
                a[key].map { $0.split(whereSeparator: { $0 == " " || $0 == "\t" || $0 == "\n" }).compactMap { Double($0) } }
            }
            let p = numbers("pos") ?? [0, 0, 0]
            guard p.count == 3 else { return nil }
            var rotation = Quaternion.identity
            if let q = numbers("quat") {
                guard q.count == 4 else { return nil }
                rotation = Quaternion(wxyz: SIMD4(q[0], q[1], q[2], q[3])).normalized
            } else if let aa = numbers("axisangle") {
                guard aa.count == 4 else { return nil }
                let axis = SIMD3(aa[0], aa[1], aa[2])
                let norm = (axis * axis).sum().squareRoot()
                let angle = radians ? aa[3] : aa[3] * .pi / 180
                rotation = norm > 0 ? Quaternion(axisAngle: axis / norm * angle) : .identity
            } else if a["euler"] != nil || a["xyaxes"] != nil || a["zaxis"] != nil {
                return nil
            }
            return Pose(position: SIMD3(p[0], p[1], p[2]), rotation: rotation)
        }
    }
}
