import MimicCore
import MimicMath

/// Why a rollout did not succeed. A failed rollout is data, not an error.
public enum RolloutFailure: Sendable, Equatable, CustomStringConvertible {
    /// Every action ran and the success test never held.
    case noSuccess(steps: Int)
    /// MuJoCo found a non-finite qpos, qvel or qacc during control step `step` (and reset itself):
    /// the simulation diverged. The rollout stops there.
    case unstable(step: Int)
    /// Action row `step` has a non-finite value in `column`. The rollout stops there.
    case nonFiniteAction(step: Int, column: Int)
    /// MuJoCo raised an error during control step `step` (``MuJoCoError``). The rollout stops there.
    case simulatorError(step: Int, message: String)
    /// With ``SuccessRule/end``: the success test held after action `firstSuccess` but not in the
    /// last recorded state (row `steps - 1`): the task was undone (an object slipped or fell).
    case successNotHeld(firstSuccess: Int, steps: Int)

    public var description: String {
        switch self {
        case .noSuccess(let steps): return "the success test never held in \(steps) control steps"
        case .unstable(let step): return "the simulation diverged at control step \(step) (MuJoCo found a non-finite qpos, qvel or qacc)"
        case .nonFiniteAction(let step, let column): return "action \(step) has a non-finite value in column \(column)"
        case .simulatorError(let step, let message): return "MuJoCo failed at control step \(step): \(message)"
        case .successNotHeld(let first, let steps):
            return "the success test held after action \(first) but not in the last recorded state (row \(steps - 1))"
        }
    }
}

/// When a rollout counts as a success.
public enum SuccessRule: String, Sendable, Equatable, CaseIterable {
    /// The success test held after some action (MimicGen's and Isaac Lab Mimic's criterion; what
    /// robomimic's playback and ``Executor/replay(actions:from:success:options:file:path:)`` check).
    case anyStep = "any-step"
    /// The success test held after some action *and* holds in the last recorded state, evaluated
    /// on that state's own kinematics and contacts (what a check by states sees): the demo ends
    /// with the task done, not with the object dropped after a success.
    case end
}

/// Options of one rollout.
public struct RolloutOptions: Sendable, Equatable {
    /// Stop this many control steps after the first step at which the success test holds (0: stop
    /// right after it); nil runs every action.
    public var stopAfterSuccess: Int?
    /// When the rollout succeeds (default ``SuccessRule/anyStep``).
    public var successRule: SuccessRule
    /// Reproduce robosuite 1.5's first control step after a state is loaded (default true).
    ///
    /// robosuite builds its controllers when it resets the scene, with the arms at their
    /// `init_qpos` and everything else at the model's `qpos0`, at rest; `reset_to` then loads
    /// the recorded state. With `lite_physics` the controller skips its kinematics update on the
    /// first `set_goal` and the first physics step, so the first action's goal and first torques
    /// use the reset configuration's end-effector pose, Jacobian, inertia and joint positions (and
    /// zero velocities); only the bias forces are current. Datasets recorded through
    /// `DataCollectionWrapper` (and robomimic's replays) contain this, so replays match them only
    /// with it. Applies to robots with a known nullspace posture (Panda); false uses the loaded
    /// state throughout.
    public var robosuiteFirstStep: Bool
    public init(stopAfterSuccess: Int? = nil, successRule: SuccessRule = .anyStep, robosuiteFirstStep: Bool = true) {
        self.stopAfterSuccess = stopAfterSuccess
        self.successRule = successRule
        self.robosuiteFirstStep = robosuiteFirstStep
    }
}

/// The result of executing actions in the simulator: what happened at each control step.
///
/// Row `t` of ``states`` is the state *before* action `t` (robosuite's `states` layout, `[time,
/// qpos..., qvel...]`), so a rollout of `steps` actions has `steps` rows plus ``finalState``.
/// ``eefPoses`` and ``targetPoses`` have one track per robot: the measured grip-site pose before
/// action `t` and the controller goal (world frame) that action `t` set.
public struct Rollout: Sendable {
    /// Values per state row (`1 + nq + nv`).
    public var stateSize: Int
    /// `steps × stateSize` values, row-major.
    public var states: [Double]
    /// The state after the last executed action.
    public var finalState: [Double]
    /// Values per action row.
    public var actionWidth: Int
    /// The executed actions, `steps × actionWidth` row-major (for ``Executor/track(targets:layouts:actions:from:success:options:)``,
    /// the actions computed against the measured poses).
    public var actions: [Double]
    /// Per robot (in `robot<k>` order), worldFromEef before each action.
    public var eefPoses: [PoseTrack]
    /// Per robot, the world-frame goal the controller aimed at during each action.
    public var targetPoses: [PoseTrack]
    /// Control steps executed (rows of ``states`` and ``actions``).
    public var steps: Int
    /// The first control step `t` after whose action the success test held; nil if it never did.
    public var firstSuccessStep: Int?
    /// Why the rollout failed; nil when it succeeded.
    public var failure: RolloutFailure?
    /// Physics steps simulated (`steps × physics steps per action`).
    public var physicsSteps: Int

    /// True when the rollout succeeded under its ``RolloutOptions/successRule`` (and did not fail otherwise).
    public var success: Bool { failure == nil }

    /// State row `t` (the state before action `t`).
    public func state(_ t: Int) -> ArraySlice<Double> { states[t * stateSize..<(t + 1) * stateSize] }
}

/// Runs actions through robosuite-compatible controllers in one ``SimWorld``: the simulator
/// checker's inner loop. One executor per worker (it owns mutable controller state).
///
/// Each control step, like robosuite 1.5 with `lite_physics`: `mj_step1` (kinematics, inertia,
/// bias forces, contacts), the goal of every robot is set from its action slice against the
/// measured end-effector pose, then for each of the ``ControllerConfig/physicsStepsPerAction(timestep:)``
/// physics steps the torques are recomputed from the fixed goal and `mj_step2` integrates; the
/// next physics step starts with `mj_step1` again. The success test runs after each control step
/// on the kinematics and contacts of the last physics step, as robosuite's `_check_success` does
/// after `env.step`.
///
/// The loop variant is the config's ``ControllerConfig/loop``, chosen from the dataset's
/// controller config: ``ControlLoop/robosuite14`` (robosuite ≤ 1.4 flat `OSC_POSE` configs, e.g.
/// MimicGen's datasets) has the same sequence of MuJoCo calls (robosuite 1.4's per-physics-step
/// `sim.forward()`, `control`, `sim.step()` computes the same as `mj_step1`, controls, `mj_step2`)
/// but advances the Panda gripper command every physics step and holds the orientation goal
/// through zero-rotation actions; see ``ControlLoop``.
public final class Executor {
    public let world: SimWorld
    public let config: ControllerConfig
    /// The controllers of the scene's robots, in action order.
    public let control: any RobotControl
    let physicsStepsPerAction: Int
    private let fullM: UnsafeMutablePointer<Double>

    /// Drives `world`'s robots with `controller`: robosuite's `WHOLE_BODY_IK` composite
    /// (``WholeBodyIKController``) when the config has one, else one `OSC_POSE` arm per robot in
    /// `robot<k>` order (``OSCArms``).
    ///
    /// - Throws: ``DatasetError`` when the scene does not have what the config drives (robots,
    ///   sites, hands) or a nullspace posture has the wrong length.
    public init(world: SimWorld, controller: ControllerConfig) throws(DatasetError) {
        let scene = world.scene
        self.world = world
        self.config = controller
        if let wholeBody = controller.wholeBody {
            control = try WholeBodyIKController(scene: scene, config: wholeBody, robotModel: controller.robotModels.first)
        } else {
            control = try OSCArms(scene: scene, config: controller)
        }
        physicsStepsPerAction = controller.physicsStepsPerAction(timestep: scene.timestep)
        fullM = .allocate(capacity: scene.nv * scene.nv)
    }

    deinit { fullM.deallocate() }

    /// The end effectors driven (`robot0`, `robot0_right`, ...), in action order.
    public var effectorNames: [String] { control.effectorNames }

    /// The action layout of every end effector, in the controller's convention and frame (read
    /// from `world`'s current kinematics; robots do not move their base). Feed these to
    /// `EndEffectorLayout.writeAction` / `targetPose`.
    public func endEffectorLayouts() -> [EndEffectorLayout] { control.endEffectorLayouts(world: world) }

    /// Replays `actions` (`T × actionWidth` values, row-major) open loop from `initialState`.
    ///
    /// - Parameters:
    ///   - success: the test run after every control step; nil never succeeds (``Rollout/failure`` is then `.noSuccess`).
    /// - Throws: ``DatasetError`` for malformed input only (wrong action width, wrong state size);
    ///   a rollout that fails or diverges is returned with its ``Rollout/failure``.
    public func replay(
        actions: [Double], from initialState: [Double], success: SuccessCheck?,
        options: RolloutOptions = RolloutOptions(), file: String = "<actions>", path: String = ""
    ) throws(DatasetError) -> Rollout {
        let width = config.actionWidth
        guard actions.count % width == 0 else {
            throw DatasetError(file: file, path: path, "\(actions.count) action values are not whole rows of \(width)")
        }
        try checkScene(success, file: file, path: path)
        try world.restore(state: initialState, file: file, path: path)
        return actions.withUnsafeBufferPointer { all in
            run(steps: actions.count / width, success: success, options: options) { t, _, row in
                for i in 0..<width { row[i] = all[t * width + i] }
                return true
            }
        }
    }

    /// Follows target end-effector poses closed loop from `initialState`, MimicGen style: before
    /// each control step `t`, the pose columns of action row `t` are recomputed from
    /// `targets[e][t]` and the *measured* end-effector pose with `layouts[e].writeAction`; every
    /// other column (grippers) is taken from `actions`. (With ``RolloutOptions/robosuiteFirstStep``
    /// the first action is computed against the pose the controller then uses, so its goal is the target.)
    ///
    /// - Parameters:
    ///   - targets: one worldFromEef track per layout, all of the same length `T`.
    ///   - layouts: which end effector (by ``EndEffectorLayout/name``) and columns each track drives; usually ``endEffectorLayouts()``.
    ///   - actions: `T × actionWidth` values supplying the non-pose columns.
    /// - Throws: ``DatasetError`` for malformed input (lengths, unknown robot name).
    public func track(
        targets: [PoseTrack], layouts: [EndEffectorLayout], actions: [Double], from initialState: [Double],
        success: SuccessCheck?, options: RolloutOptions = RolloutOptions(),
        file: String = "<targets>", path: String = ""
    ) throws(DatasetError) -> Rollout {
        let width = config.actionWidth
        guard targets.count == layouts.count else {
            throw DatasetError(file: file, path: path, "\(targets.count) target tracks for \(layouts.count) end-effector layouts")
        }
        let steps = targets.first?.count ?? actions.count / width
        guard actions.count == steps * width, targets.allSatisfy({ $0.count == steps }) else {
            throw DatasetError(
                file: file, path: path,
                "targets have \(targets.map(\.count)) steps and actions \(actions.count) values; expected \(steps) steps of \(width) values")
        }
        var robotIndex: [Int] = []
        for layout in layouts {
            guard let k = effectorNames.firstIndex(of: layout.name) else {
                throw DatasetError(
                    file: file, path: path, "layout \"\(layout.name)\" names no end effector of the scene (\(effectorNames.joined(separator: ", ")))")
            }
            guard layout.poseColumns.upperBound <= width, layout.gripperColumns.upperBound <= width else {
                throw DatasetError(file: file, path: path, "layout \"\(layout.name)\" has columns beyond the action width \(width)")
            }
            robotIndex.append(k)
        }
        try checkScene(success, file: file, path: path)
        try world.restore(state: initialState, file: file, path: path)
        return actions.withUnsafeBufferPointer { all in
            run(steps: steps, success: success, options: options) { t, _, row in
                for i in 0..<width { row[i] = all[t * width + i] }
                for (e, layout) in layouts.enumerated() {
                    layout.writeAction(target: targets[e][t], worldFromEef: controlledEefPose(robotIndex[e]), into: row)
                }
                return true
            }
        }
    }

    /// Drives the robots closed loop from `initialState` for at most `maxSteps` control steps:
    /// before each step `t`, `makeAction(t, succeedsNow, row)` fills the whole action row from the
    /// world as it is then (the kinematics of the state before action `t`: read
    /// ``controlledEefPose(_:)`` and object poses from ``world``); `succeedsNow` is whether the
    /// success test holds in that state, on its own kinematics and contacts (as a check of recorded
    /// states sees it). Returning false ends the rollout there, with `t` steps executed. MimicGen's
    /// closed loop, for plans made as the episode unfolds.
    ///
    /// - Throws: ``DatasetError`` for a wrong state size or a success check of another scene.
    public func drive(
        from initialState: [Double], success: SuccessCheck?, maxSteps: Int,
        options: RolloutOptions = RolloutOptions(), file: String = "<plan>", path: String = "",
        makeAction: (Int, Bool, UnsafeMutableBufferPointer<Double>) -> Bool
    ) throws(DatasetError) -> Rollout {
        try checkScene(success, file: file, path: path)
        try world.restore(state: initialState, file: file, path: path)
        return run(steps: maxSteps, success: success, options: options, makeAction: makeAction)
    }

    /// The pose end effector `k`'s controller will apply the next action to: the measured site
    /// pose, or on robosuite's first step after a load the reset pose it still uses (see
    /// ``RolloutOptions/robosuiteFirstStep``). Actions computed against it reach their target.
    public func controlledEefPose(_ k: Int) -> Pose { control.controlledEefPose(effector: k, world: world) }

    private func checkScene(_ success: SuccessCheck?, file: String, path: String) throws(DatasetError) {
        if let success, !success.isResolved(in: world.scene) {
            throw DatasetError(file: file, path: path, "the success check was resolved in another scene than the executor's world")
        }
    }

    /// The control loop. `makeAction(t, succeedsNow, row)` fills action row `t` right after `mj_step1`, so the
    /// world's kinematics are those of the state before action `t`.
    private func run(
        steps: Int, success: SuccessCheck?, options: RolloutOptions,
        makeAction: (Int, Bool, UnsafeMutableBufferPointer<Double>) -> Bool
    ) -> Rollout {
        let scene = world.scene
        let width = config.actionWidth, stateSize = scene.stateSize
        var failure: RolloutFailure?
        do {
            try control.beginRollout(world: world, robosuiteFirstStep: options.robosuiteFirstStep, fullM: fullM)
        } catch {
            failure = .simulatorError(step: 0, message: error.description)
        }
        let effectors = control.effectorSites.count
        // Rows are appended as they are made (a driven rollout does not know its length ahead).
        let expected = min(steps, 4096)
        var states: [Double] = []
        var executed: [Double] = []
        states.reserveCapacity(expected * stateSize)
        executed.reserveCapacity(expected * width)
        var eef = Array(repeating: [Pose](), count: effectors)
        var goals = Array(repeating: [Pose](), count: effectors)
        for k in 0..<effectors { eef[k].reserveCapacity(expected); goals[k].reserveCapacity(expected) }
        let stateRow = UnsafeMutableBufferPointer<Double>.allocate(capacity: stateSize)
        defer { stateRow.deallocate() }
        var firstSuccess: Int?
        var lastRowSucceeds = false
        var done = 0
        var physics = 0
        let instabilityBefore = world.instabilityCount
        let row = UnsafeMutableBufferPointer<Double>.allocate(capacity: width)
        defer { row.deallocate() }

        for t in 0..<steps where failure == nil {
            world.writeState(into: stateRow)
            do { try world.stepFirstHalf() } catch {
                failure = .simulatorError(step: t, message: error.description)
                break
            }
            // The success test on this state's own kinematics and contacts (mj_step1 computed them).
            let succeedsNow = success?.evaluate(world) ?? false
            guard makeAction(t, succeedsNow, row) else { done = t; break }
            lastRowSucceeds = succeedsNow
            states.append(contentsOf: stateRow)
            executed.append(contentsOf: row)
            if let bad = row.firstIndex(where: { !$0.isFinite }) {
                failure = .nonFiniteAction(step: t, column: bad)
                done = t
                break
            }
            for (k, site) in control.effectorSites.enumerated() { eef[k].append(world.pose(of: site)) }
            control.setGoal(action: UnsafeBufferPointer(row), world: world)
            for k in 0..<effectors { goals[k].append(control.worldGoal(effector: k, world: world)) }
            do {
                for substep in 0..<physicsStepsPerAction {
                    if substep > 0 { try world.stepFirstHalf() }
                    world.fullInertia(into: fullM)
                    control.applyControls(world: world, fullM: fullM)
                    try world.stepSecondHalf()
                    physics += 1
                }
            } catch {
                failure = .simulatorError(step: t, message: error.description)
                done = t + 1
                break
            }
            done = t + 1
            if world.instabilityCount != instabilityBefore {
                failure = .unstable(step: t)
                break
            }
            if firstSuccess == nil, let success, success.evaluate(world) { firstSuccess = t }
            if let f = firstSuccess, let extra = options.stopAfterSuccess, t >= f + extra { break }
        }
        if failure == nil {
            if let first = firstSuccess {
                if options.successRule == .end && !lastRowSucceeds { failure = .successNotHeld(firstSuccess: first, steps: done) }
            } else {
                failure = .noSuccess(steps: done)
            }
        }
        states.removeSubrange(min(done * stateSize, states.count)...)
        executed.removeSubrange(min(done * width, executed.count)...)
        for k in 0..<effectors {
            eef[k].removeSubrange(min(done, eef[k].count)...)
            goals[k].removeSubrange(min(done, goals[k].count)...)
        }
        return Rollout(
            stateSize: stateSize, states: states, finalState: world.state(), actionWidth: width, actions: executed,
            eefPoses: eef.map(PoseTrack.init), targetPoses: goals.map(PoseTrack.init), steps: done,
            firstSuccessStep: firstSuccess, failure: failure, physicsSteps: physics)
    }
}
