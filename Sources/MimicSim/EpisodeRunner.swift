import MimicCore
import MimicMath

/// A generated episode executed in the simulator: the rollout, and the demo it makes.
public struct ExecutedEpisode: Sendable {
    public var index: Int
    public var rollout: Rollout
    /// The demo in robomimic's layout (states, actions, obs, rewards, dones, datagen_info, ...).
    public var demo: Demo
    /// Seconds the worker spent in the closed loop (control, physics, the planning of each
    /// subtask as it starts) and in recording observations at the recorded states.
    public var physicsSeconds: Double = 0
    public var observationSeconds: Double = 0
    public var success: Bool { rollout.success }
}

/// What every executed attempt of a run shares: the planner, the controllers, the success test,
/// how demos are written, and the dynamics randomization.
public struct ExecutionSetup: Sendable {
    public var generator: Generator
    public var controller: ControllerConfig
    public var success: SuccessPredicate
    public var format: OutputFormat
    /// Dynamics randomization: scale ranges drawn per demo (each runner then owns its scene copy).
    public var dynamics: TaskSpec.DynamicsSpec?
    /// The source file, for errors.
    public var file: String

    public init(
        generator: Generator, controller: ControllerConfig, success: SuccessPredicate, format: OutputFormat,
        dynamics: TaskSpec.DynamicsSpec? = nil, file: String
    ) {
        self.generator = generator
        self.controller = controller
        self.success = success
        self.format = format
        self.dynamics = dynamics
        self.file = file
    }

    /// Attempt `index`'s episode with its first source chosen (``Episode/selectFirstSource()``):
    /// the attempt runs in that source's scene.
    public func episode(_ index: Int) -> Episode {
        var episode = Episode(generator: generator, index: index)
        _ = episode.selectFirstSource()
        return episode
    }
}

/// MimicGen's closed loop with Mimic's planner: for a generated demo, place the objects of its
/// sampled placement in a copy of a source's initial state, then at every control step plan with
/// the *measured* end effector and object poses (`Episode.next`), turn the commands into an action
/// against the pose the controller will use, and step the physics. One runner per worker and
/// scene (``EpisodeRunnerPool``), with a world of its own.
public final class EpisodeRunner {
    public let setup: ExecutionSetup
    public let entry: ExecutionScenes.Entry
    public let executor: Executor
    let success: SuccessCheck
    /// Task object → the body its free joint moves (nil for objects fixed in the scene).
    let objectBodies: [String: BodyID?]
    /// The randomizer of this runner's own scene copy, with dynamics randomization.
    let randomizer: DynamicsRandomizer?

    /// A runner in `entry`'s scene: a world of its own (on a private copy of the scene when the
    /// setup randomizes dynamics), the controllers and the resolved success test.
    ///
    /// - Throws: ``DatasetError`` when the scene lacks a robot the task drives, an object's joint,
    ///   or a name the success test uses.
    public init(setup: ExecutionSetup, entry: ExecutionScenes.Entry) throws(DatasetError) {
        self.setup = setup
        self.entry = entry
        let world = try SimWorld(scene: setup.dynamics != nil ? entry.scene.copy() : entry.scene)
        executor = try Executor(world: world, controller: setup.controller)
        success = try SuccessCheck(setup.success, scene: world.scene)
        var bodies: [String: BodyID?] = [:]
        for name in setup.generator.objectNames {
            if let joint = entry.objectJoints[name] {
                bodies[name] = world.scene.body(of: try world.scene.joint(joint))
            } else {
                bodies[name] = .some(nil)
            }
        }
        objectBodies = bodies
        randomizer = setup.dynamics != nil ? DynamicsRandomizer(world: world) : nil
        for effector in setup.generator.task.effectors where !executor.effectorNames.contains(effector.layout.name) {
            throw DatasetError(
                file: setup.file, path: "/data",
                "end effector \(effector.layout.name) is not driven in the scene (\(executor.effectorNames.joined(separator: ", ")))")
        }
    }

    /// Runs `episode` (from ``ExecutionSetup/episode(_:)``, whose first source runs in this
    /// runner's scene).
    public func run(_ episode: Episode, options: RolloutOptions) throws(DatasetError) -> ExecutedEpisode {
        precondition(episode.firstSource != nil, "an episode runs in the scene of its first source: plan it with ExecutionSetup.episode(_:)")
        var episode = episode
        let generator = setup.generator, file = setup.file, index = episode.index
        let world = executor.world
        // Dynamics from their own stream, so they never change the plan's random draws.
        var scales: DynamicsScales?
        if let dynamics = setup.dynamics, let randomizer {
            var rng = RandomStream(seed: generator.seed ^ 0x6479_6E61_6D69_6373, stream: UInt64(index))
            let drawn = DynamicsScales.draw(dynamics, using: &rng)
            do { try randomizer.apply(drawn) } catch { throw DatasetError(file: file, path: "/data", error.description) }
            scales = drawn
        }
        try world.restore(state: entry.baseState, file: file, path: "/data/\(generator.sources[0].name)/states")
        for (name, body) in objectBodies {
            guard let body, let joint = world.scene.freeJoint(of: body), let pose = episode.placement[name] else { continue }
            try world.setFreeJointPose(joint, to: pose)
        }
        let initial = world.state()
        let task = generator.task
        let robotOf = task.effectors.map { e in executor.effectorNames.firstIndex(of: e.layout.name)! }
        let fixed = generator.sources[0].info.objectPoses.mapValues { $0[0] }
        var provenance = task.effectors.map { _ in [(demo: Int, step: Int)?]() }
        var labels: [Int] = []
        var row = [Double](repeating: 0, count: task.actionWidth)
        var last: [Command] = []
        var held = false
        let clock = ContinuousClock()
        let started = clock.now
        let rollout = try executor.drive(
            from: initial, success: success, maxSteps: generator.maxSteps, options: options,
            file: file, path: "/data/demo_\(index)"
        ) { t, succeedsNow, out in
            let eefs = robotOf.map { executor.controlledEefPose($0) }
            var objects: [String: Pose] = [:]
            for (name, body) in objectBodies { objects[name] = body.map { world.pose(of: $0) } ?? fixed[name] }
            let commands: [Command]
            if let planned = episode.next(eefPoses: eefs, objects: objects) {
                commands = planned
            } else {
                // The plan is done. `states` holds the state before each action, so the state
                // after the last one is not recorded: when it shows success, hold every end
                // effector's last target and hand command one more step, so that the recorded
                // states end with it (robosuite's replay by states, `validate --mode states`,
                // ``SuccessRule/end``).
                guard succeedsNow, !held, !last.isEmpty else { return false }
                held = true
                commands = last.map(\.held)
            }
            last = commands
            episode.action(for: commands, eefPoses: eefs, into: &row)
            for e in commands.indices {
                provenance[e].append(commands[e].source)
                labels.append(commands[e].source?.demo ?? episode.currentSources[e])
            }
            for i in 0..<row.count { out[i] = row[i] }
            return true
        }
        let driven = clock.now
        var demo = try makeDemo(index: index, episode: episode, rollout: rollout, provenance: provenance, labels: labels, file: file)
        if let scales { demo.attributes["mimic_dynamics"] = .doubles(scales.array) }
        return ExecutedEpisode(
            index: index, rollout: rollout, demo: demo, physicsSeconds: (driven - started).seconds,
            observationSeconds: (clock.now - driven).seconds)
    }

    func makeDemo(
        index: Int, episode: Episode, rollout: Rollout, provenance: [[(demo: Int, step: Int)?]], labels: [Int],
        file: String
    ) throws(DatasetError) -> Demo {
        let t = rollout.steps, width = rollout.actionWidth
        let world = executor.world
        let generator = setup.generator, recorder = entry.recorder, format = setup.format
        // Observations and object poses: replay each recorded state.
        var rows: [String: [Double]] = [:]
        var objectTracks = generator.objectNames.reduce(into: [String: [Pose]]()) { $0[$1] = [] }
        let fixed = generator.sources[0].info.objectPoses.mapValues { $0[0] }
        try rollout.states.withUnsafeBufferPointer { all throws(DatasetError) in
            for s in 0..<t {
                try world.restore(
                    state: UnsafeBufferPointer(rebasing: all[(s * rollout.stateSize)..<((s + 1) * rollout.stateSize)]),
                    file: file, path: "/data/demo_\(index)/states")
                recorder.record(world, into: &rows)
                for (name, body) in objectBodies { objectTracks[name]!.append(body.map { world.pose(of: $0) } ?? fixed[name]!) }
            }
        }
        // The observations after the last action, for next_obs (robomimic's row t + 1).
        var last: [String: [Double]] = [:]
        if format.nextObservations {
            try world.restore(state: rollout.finalState, file: file, path: "/data/demo_\(index)/states")
            recorder.record(world, into: &last)
        }
        var demo = Demo(name: "demo_\(index)")
        demo.arrays["actions"] = format.tensor("actions", shape: [t, width], rollout.actions)
        demo.arrays["states"] = Tensor(shape: [t, rollout.stateSize], float64: rollout.states)
        let first = rollout.firstSuccessStep ?? Int.max
        demo.arrays["rewards"] = Tensor(shape: [t], float64: (0..<t).map { $0 >= first ? 1 : 0 })
        demo.arrays["dones"] = Tensor(shape: [t], storage: .int64((0..<t).map { $0 == t - 1 ? 1 : 0 }))
        for (i, key) in recorder.keys.enumerated() {
            let w = recorder.widths[i]
            demo.arrays["obs/\(key)"] = format.tensor("obs/\(key)", shape: [t, w], rows[key] ?? [])
            if format.nextObservations {
                demo.arrays["next_obs/\(key)"] = format.tensor(
                    "next_obs/\(key)", shape: [t, w],
                    Array((rows[key] ?? []).dropFirst(w)) + (last[key] ?? []))
            }
        }
        let robotOf = generator.task.effectors.map { e in executor.effectorNames.firstIndex(of: e.layout.name)! }
        var effectors: [EndEffectorTrack] = []
        for (e, effector) in generator.task.effectors.enumerated() {
            let g = effector.layout.gripperColumns
            var gripper: [Double] = []
            for s in 0..<t { for c in g { gripper.append(rollout.actions[s * width + c]) } }
            effectors.append(
                EndEffectorTrack(
                    name: effector.layout.name, eefPose: rollout.eefPoses[robotOf[e]],
                    targetPose: rollout.targetPoses[robotOf[e]], gripperAction: Tensor(shape: [t, g.count], float64: gripper)))
        }
        let info = DatagenInfo(
            endEffectors: effectors, objectPoses: objectTracks.mapValues { PoseTrack($0) },
            subtaskTermSignals: generator.signals(provenance: provenance, steps: t))
        demo.setDatagenInfo(info, format: format)
        demo.recordGeneration(
            index: index, runSeed: generator.seed, kinematic: false, sourceDemos: episode.sourceDemos,
            offsets: episode.offsets, speeds: episode.speeds, labels: labels, placement: episode.placement)
        demo.attributes["model_file"] = .string(entry.xml)
        demo.attributes["mimic_physics_steps"] = .int(rollout.physicsSteps)
        if let step = rollout.firstSuccessStep { demo.attributes["mimic_first_success_step"] = .int(step) }
        if let failure = rollout.failure { demo.attributes["mimic_failure"] = .string(failure.description) }
        return demo
    }
}

extension Scene {
    /// The free joint that moves each task object in this scene: the spec's `joint`, else
    /// robosuite's `<stem>_joint0` after the object's `<stem>_pos` observation key, else
    /// `<name>_joint0`. Objects fixed in the scene (a `body` in the spec, or a body of that name
    /// without a free joint) have none.
    ///
    /// - Throws: ``DatasetError`` naming `file` when an object is neither.
    public func objectJoints(for names: [String], spec: TaskSpec?, file: String) throws(DatasetError) -> [String: String] {
        var joints: [String: String] = [:]
        for name in names {
            let object = spec?.objects?.first { $0.name == name }
            if object?.body != nil { continue }
            var candidates: [String] = []
            if let joint = object?.joint { candidates.append(joint) }
            if let key = object?.posKey, key.hasSuffix("_pos") { candidates.append(String(key.dropLast(4)) + "_joint0") }
            candidates.append(name + "_joint0")
            if let joint = candidates.first(where: { jointIfPresent($0).map { kind(of: $0) == .free } ?? false }) {
                joints[name] = joint
            } else if bodyIfPresent(name) == nil {
                throw DatasetError(
                    file: file, path: path.isEmpty ? "/" : path,
                    "has no free joint for object \(name) (tried \(candidates.joined(separator: ", "))); name it with \"joint\" in a --task spec")
            }
        }
        return joints
    }
}
