import MimicCore
import MimicMath

/// robosuite's controllers of a scene's robots as the ``Executor`` drives them: an action row
/// becomes goals once per control step, and goals become actuator controls every physics step.
/// One value per executor (it holds per-rollout controller state). A new controller is a new
/// conforming type: ``OSCArms`` (Panda arms, `BASIC` composite with `OSC_POSE`),
/// ``WholeBodyIKController`` (GR1, `WHOLE_BODY_IK`).
///
/// End effectors are the controlled sites, in action order, named as their observation keys are
/// prefixed (`robot0`, or `robot0_right` / `robot0_left` for a two-armed robot).
public protocol RobotControl: AnyObject {
    /// The end effectors' names and sites, in action order.
    var effectorNames: [String] { get }
    var effectorSites: [SiteID] { get }
    /// Values per action row.
    var actionWidth: Int { get }
    /// Each end effector's action columns and convention, for turning target poses into actions
    /// (the action frame read from `world`'s current kinematics).
    func endEffectorLayouts(world: SimWorld) -> [EndEffectorLayout]
    /// Resets the controllers for a rollout from `world`'s current state; with `robosuiteFirstStep`
    /// they also take the stale kinematics robosuite's controllers have on the first step after a
    /// state load (``RolloutOptions/robosuiteFirstStep``).
    func beginRollout(world: SimWorld, robosuiteFirstStep: Bool, fullM: UnsafeMutablePointer<Double>) throws(MuJoCoError)
    /// Fixes this control step's goals from `action` (called right after the step's first `mj_step1`).
    func setGoal(action: UnsafeBufferPointer<Double>, world: SimWorld)
    /// End effector `e`'s world-frame goal set by the last ``setGoal(action:world:)``.
    func worldGoal(effector e: Int, world: SimWorld) -> Pose
    /// Writes the actuator controls of one physics step (`fullM`: the dense joint-space inertia).
    func applyControls(world: SimWorld, fullM: UnsafePointer<Double>)
    /// The pose end effector `e`'s next action is applied to (actions computed against it reach
    /// their target): the measured site pose, or the stale one robosuite's controller still uses.
    func controlledEefPose(effector e: Int, world: SimWorld) -> Pose
}
