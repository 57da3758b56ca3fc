import CMuJoCo
import MimicCore
import MimicMath

/// A fixed-base robot arm with a gripper, found in a robosuite scene by robosuite's naming.
///
/// For robot `k`: arm joints `robot<k>_joint1, 2, …` (in that order), the arm's actuators are
/// those driving these joints (robosuite's `robot<k>_torq_j<i>` torque motors), the gripper's
/// joints are the joints named `gripper<k>_right_…` and its actuators those driving them, the
/// end-effector frame is site `gripper<k>_right_grip_site` (the OSC controller's `ref_name`, the
/// frame of `robot<k>_eef_pos`), the controller origin is site `robot<k>_right_center` (the frame
/// of base-frame actions), and the base is body `robot<k>_base`. Panda finger pads
/// (`gripper<k>_right_finger1_pad_collision`, `…finger2_pad_collision`) are robosuite's
/// `left_fingerpad` / `right_fingerpad` grasp groups.
///
/// robosuite ≤ 1.4 scenes name the gripper without the arm: `gripper<k>_grip_site`,
/// `gripper<k>_finger_joint1`, `gripper<k>_finger1_pad_collision`, and have no
/// `robot<k>_right_center` site (their actions are in the world frame); both namings are found.
public struct Robot: Sendable, Equatable {
    /// `k` in `robot<k>`.
    public var index: Int
    /// `robot<k>`: the prefix of the robot's observation keys and of its action layout name.
    public var name: String { "robot\(index)" }
    /// `gripper<k>_right` (robosuite 1.5) or `gripper<k>` (robosuite ≤ 1.4): the prefix of the gripper's MJCF names.
    public var gripperPrefix: String
    public var armJoints: [JointID]
    /// `qpos` / `qvel` indices of the arm joints, in joint order.
    public var armQposAddresses: [Int]
    public var armQvelAddresses: [Int]
    /// The actuator driving each arm joint (same order as ``armJoints``).
    public var armActuators: [ActuatorID]
    public var gripperJoints: [JointID]
    /// The gripper's actuators, in MuJoCo's order (Panda: finger 1, finger 2).
    public var gripperActuators: [ActuatorID]
    /// The end-effector site (`gripper<k>_right_grip_site`).
    public var eefSite: SiteID
    /// The controller origin site (`robot<k>_right_center`); nil if the scene has none, and then
    /// base-frame actions use the base body.
    public var originSite: SiteID?
    /// The base body (`robot<k>_base`), nil if absent.
    public var base: BodyID?
    /// robosuite's `left_fingerpad` and `right_fingerpad` geom groups; empty when the gripper is not a Panda gripper.
    public var leftFingerPads: [GeomID]
    public var rightFingerPads: [GeomID]
    /// Every collision geom of the gripper (`gripper<k>_right_…` geoms that can collide).
    public var gripperGeoms: [GeomID]

    /// Finds `robot0`, `robot1`, … in order, stopping at the first index without `robot<k>_joint1`.
    /// A robot without an end-effector site is skipped (and ends the search).
    static func find(in scene: Scene) -> [Robot] {
        var robots: [Robot] = []
        let m = scene.model.pointee
        var k = 0
        while scene.jointIfPresent("robot\(k)_joint1") != nil,
            let (eef, prefix) = scene.siteIfPresent("gripper\(k)_right_grip_site").map({ ($0, "gripper\(k)_right") })
                ?? scene.siteIfPresent("gripper\(k)_grip_site").map({ ($0, "gripper\(k)") })
        {
            var joints: [JointID] = []
            var i = 1
            while let j = scene.jointIfPresent("robot\(k)_joint\(i)") { joints.append(j); i += 1 }
            let gripperPrefix = prefix + "_"
            let gripperJoints = (0..<Int(m.njnt)).map(JointID.init).filter { scene.name(of: $0).hasPrefix(gripperPrefix) }
            func actuator(driving joint: JointID) -> ActuatorID? {
                for a in 0..<Int(m.nu) where m.actuator_trntype[a] == Int32(mjTRN_JOINT.rawValue) && Int(m.actuator_trnid[2 * a]) == joint.index {
                    return ActuatorID(index: a)
                }
                return nil
            }
            let armActuators = joints.compactMap(actuator(driving:))
            guard armActuators.count == joints.count else { break }
            let geoms = (0..<Int(m.ngeom)).map(GeomID.init)
            let gripperGeoms = geoms.filter { g in
                scene.name(of: g).hasPrefix(gripperPrefix) && (m.geom_contype[g.index] != 0 || m.geom_conaffinity[g.index] != 0)
            }
            robots.append(
                Robot(
                    index: k, gripperPrefix: prefix, armJoints: joints,
                    armQposAddresses: joints.map(scene.qposAddress(of:)), armQvelAddresses: joints.map(scene.qvelAddress(of:)),
                    armActuators: armActuators, gripperJoints: gripperJoints,
                    gripperActuators: gripperJoints.compactMap(actuator(driving:)),
                    eefSite: eef, originSite: scene.siteIfPresent("robot\(k)_right_center"),
                    base: scene.bodyIfPresent("robot\(k)_base"),
                    leftFingerPads: [scene.geomIfPresent("\(gripperPrefix)finger1_pad_collision")].compactMap { $0 },
                    rightFingerPads: [scene.geomIfPresent("\(gripperPrefix)finger2_pad_collision")].compactMap { $0 },
                    gripperGeoms: gripperGeoms))
            k += 1
        }
        return robots
    }
}

extension Scene {
    /// The robot named `robot<k>` (`name` is `robot0`, `robot1`, …).
    ///
    /// - Throws: ``DatasetError`` listing the robots the scene has.
    public func robot(_ name: String) throws(DatasetError) -> Robot {
        if let r = robots.first(where: { $0.name == name }) { return r }
        throw DatasetError(
            file: file, path: path,
            "the scene has no robot \"\(name)\" (found: \(robots.isEmpty ? "none" : robots.map(\.name).joined(separator: ", ")); robots are found by robosuite's names robot<k>_joint1 and gripper<k>_right_grip_site)"
        )
    }
}

extension SimWorld {
    /// worldFromEef: the robot's end-effector site pose (robosuite's `robot<k>_eef_pos` and `_eef_quat_site`).
    public func eefPose(of robot: Robot) -> Pose { pose(of: robot.eefSite) }

    /// The arm joint positions of `robot` (robosuite's `robot<k>_joint_pos`).
    public func armJointPositions(of robot: Robot) -> [Double] { robot.armQposAddresses.map(qpos) }

    /// The gripper joint positions of `robot` (robosuite's `robot<k>_gripper_qpos`).
    public func gripperJointPositions(of robot: Robot) -> [Double] {
        robot.gripperJoints.map { qpos(scene.qposAddress(of: $0)) }
    }
}
