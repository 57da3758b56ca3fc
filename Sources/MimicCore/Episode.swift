import MimicMath

/// One command for one end effector at one control step.
public struct Command: Sendable {
    /// worldFromEef the end effector should reach.
    public var target: Pose
    /// The gripper or hand columns of the action.
    public var gripper: ArraySlice<Double>
    /// The source demo and step the command comes from; nil for interpolation and holding.
    public var source: (demo: Int, step: Int)?
    /// Standard deviation of the action noise to add (see `EndEffectorLayout.addNoise`).
    public var noise: Double

    /// The same target and gripper command, held: no source step, no noise.
    public var held: Command { Command(target: target, gripper: gripper, source: nil, noise: 0) }
}

/// One generated demo in progress: its sampled object placement and, for every end effector, the commands
/// of its subtasks, each subtask planned when it starts from where the objects and the hand are
/// then (docs/augment.md). The kinematic generator and a simulator drive it the same way:
/// ask `next` for this step's commands, turn them into an action with `action`, move the world.
///
/// All randomness comes from `rng`, seeded by (run seed, index) and drawn in a fixed order, so an
/// episode is the same whatever else runs.
public struct Episode: Sendable {
    public let generator: Generator
    public let index: Int
    /// The sampled placement: the initial pose of every object.
    public let placement: [String: Pose]
    /// Per end effector, the random shift of each subtask's end.
    public let offsets: [[Int]]
    /// Per end effector, the source demo of each subtask planned so far.
    public private(set) var sourceDemos: [[Int]]
    /// Per end effector, the time-warp factor of each subtask planned so far.
    public private(set) var speeds: [[Double]]
    public var rng: RandomStream

    private var lastTarget: [Pose?]
    private var queue: [[Command]]
    private var cursor: [Int]
    private var nextSubtask: [Int]
    private var chosen: [Int]
    /// Per coordination constraint (by index in the task's list), the source demo and transform
    /// its first planned subtask chose, and the steps both play in lockstep at the end.
    private var coordination: [Int: (demo: Int, transform: Pose, synchronousSteps: Int)] = [:]
    /// The first end effector's first source, when chosen before the first step (``selectFirstSource()``).
    public private(set) var firstSource: Int?

    public init(generator: Generator, index: Int) {
        self.generator = generator
        self.index = index
        var rng = RandomStream(seed: generator.seed, stream: UInt64(index))
        placement = generator.samplePlacement(&rng)
        offsets = generator.task.effectors.map { effector in
            effector.subtasks.map { rng.integer($0.endOffset[0], $0.endOffset[1]) }
        }
        self.rng = rng
        let count = generator.task.effectors.count
        sourceDemos = Array(repeating: [], count: count)
        speeds = Array(repeating: [], count: count)
        lastTarget = Array(repeating: nil, count: count)
        queue = Array(repeating: [], count: count)
        cursor = Array(repeating: 0, count: count)
        nextSubtask = Array(repeating: 0, count: count)
        chosen = Array(repeating: 0, count: count)
    }

    /// The source demo each end effector follows now.
    public var currentSources: [Int] { chosen }

    /// Chooses the source demo of the first end effector's first subtask now, before the first
    /// step, so a simulator can run the attempt in that source's scene (robosuite draws object
    /// sizes per reset, so each source's grasps fit its own scene). It draws what the first
    /// ``next(eefPoses:objects:)`` would, judging from the sampled object poses (fixed objects
    /// where the first source has them) and the first source's initial end effector poses.
    public mutating func selectFirstSource() -> Int {
        if let firstSource { return firstSource }
        let first = generator.sources[0].info
        var objects = first.objectPoses.mapValues { $0[0] }
        for (name, pose) in placement { objects[name] = pose }
        let subtask = generator.task.effectors[0].subtasks[0]
        let d = generator.select(
            subtask, effector: 0, subtaskIndex: 0, offsets: offsets[0], objects: objects,
            eefPose: first.endEffectors[0].eefPose[0], rng: &rng)
        firstSource = d
        return d
    }

    /// This control step's commands, one per end effector, given the measured end effector poses
    /// and the objects' current poses; nil when every end effector has finished its subtasks. An
    /// end effector that finished holds its last command (no source, no noise) until all are done.
    ///
    /// Constraints (Isaac Lab Mimic's semantics, docs/task-spec.md): a sequential subtask holds a
    /// step (its first with `minTimeDiff` -1, else the one that leaves `minTimeDiff` steps) until
    /// the earlier subtask has played its last command; a coordinated pair shares the source demo
    /// and the transform the first of them to start chose, and each holds the step before its last
    /// `S` until the other has reached its last `S` (`S` the shorter of the two source segments),
    /// so both end on the same step; with `synchronizeStart` each also holds its first step until
    /// the other has started. A held step repeats its command (noise drawn anew).
    public mutating func next(eefPoses: [Pose], objects: [String: Pose]) -> [Command]? {
        let task = generator.task
        for e in task.effectors.indices where cursor[e] >= queue[e].count && nextSubtask[e] < task.effectors[e].subtasks.count {
            planSubtask(effector: e, eefPoses: eefPoses, objects: objects)
        }
        guard task.effectors.indices.contains(where: { cursor[$0] < queue[$0].count }) else { return nil }
        // Which step each end effector plays, judged on the cursors before any moves.
        let plays = task.effectors.indices.map { stepToPlay(effector: $0) }
        return task.effectors.indices.map { e in
            var command = queue[e][min(plays[e].step, queue[e].count - 1)]
            if plays[e].step >= queue[e].count {
                command.source = nil
                command.noise = 0
            }
            if plays[e].advance { cursor[e] += 1 }
            lastTarget[e] = command.target
            return command
        }
    }

    /// Plans end effector `e`'s next subtask from the current poses: its source demo (shared with
    /// a coordinated partner that already chose), its transform, its commands.
    private mutating func planSubtask(effector e: Int, eefPoses: [Pose], objects: [String: Pose]) {
        let task = generator.task
        let j = nextSubtask[e]
        let subtask = task.effectors[e].subtasks[j]
        let coordinated = task.constraints.indices.first { task.constraints[$0].spec.kind == .coordination && task.constraints[$0].partner(of: e, j) != nil }
        if let c = coordinated, let shared = coordination[c] {
            chosen[e] = shared.demo
        } else if e > 0, j == 0, task.shareSourceDemo, !task.selectPerSubtask {
            chosen[e] = chosen[0]
        } else if e == 0, j == 0, let firstSource {
            chosen[e] = firstSource
        } else if j == 0 || task.selectPerSubtask {
            chosen[e] = generator.select(
                subtask, effector: e, subtaskIndex: j, offsets: offsets[e], objects: objects,
                eefPose: eefPoses[e], rng: &rng)
        }
        var transform: Pose?
        if let c = coordinated {
            if let shared = coordination[c] {
                transform = shared.transform
            } else {
                let constraint = task.constraints[c]
                let partner = constraint.partner(of: e, j)!
                let source = generator.sources[chosen[e]]
                let synchronous = min(
                    source.segment(effector: e, subtask: j, offsets: offsets[e]).count,
                    source.segment(effector: partner.effector, subtask: partner.subtask, offsets: offsets[partner.effector]).count)
                let shared = generator.coordinatedTransform(
                    constraint.spec, subtask: subtask, effector: e, subtaskIndex: j, demo: chosen[e],
                    offsets: offsets[e], objects: objects, rng: &rng)
                coordination[c] = (chosen[e], shared, synchronous)
                transform = shared
            }
        }
        let speed = rng.uniform(subtask.speed[0], subtask.speed[1])
        sourceDemos[e].append(chosen[e])
        speeds[e].append(speed)
        let from = task.interpolateFromLastTargetPose ? (lastTarget[e] ?? eefPoses[e]) : eefPoses[e]
        queue[e] = generator.plan(
            subtask, effector: e, subtaskIndex: j, demo: chosen[e], offsets: offsets[e],
            speed: speed, objects: objects, from: from, transform: transform)
        cursor[e] = 0
        nextSubtask[e] += 1
    }

    /// The step of its queue end effector `e` plays now, and whether it then moves on (false: it
    /// holds that step, waiting on a constraint).
    private func stepToPlay(effector e: Int) -> (step: Int, advance: Bool) {
        let task = generator.task
        let k = cursor[e], length = queue[e].count
        guard k < length else { return (k, true) }
        let j = nextSubtask[e] - 1
        /// Hold at `w` once the cursor has passed it.
        func hold(at w: Int) -> (step: Int, advance: Bool)? { k > w ? (max(w, 0), false) : nil }
        for (c, constraint) in task.constraints.enumerated() {
            guard let partner = constraint.partner(of: e, j) else { continue }
            switch constraint.spec.kind {
            case .sequential:
                // Only the later subtask waits, and only until the earlier one has played its last command.
                guard constraint.second == (e, j), !hasFinished(partner) else { continue }
                let d = constraint.spec.minTimeDiff
                if d == 0 { continue }
                if let held = hold(at: d < 0 ? 0 : length - d - 1) { return held }
            case .coordination:
                let partnerSubtask = nextSubtask[partner.effector] - 1
                if constraint.spec.synchronizeStart, partnerSubtask < partner.subtask, let held = hold(at: 0) { return held }
                guard let shared = coordination[c] else { continue }
                let window = length - shared.synchronousSteps
                guard k >= window else { continue }
                let partnerLength = queue[partner.effector].count
                let partnerReady =
                    partnerSubtask > partner.subtask
                    || (partnerSubtask == partner.subtask && cursor[partner.effector] >= partnerLength - shared.synchronousSteps)
                if !partnerReady { return (max(window - 1, 0), false) }
            }
        }
        return (k, true)
    }

    /// Whether subtask `ref` of its end effector has played its last command.
    private func hasFinished(_ ref: (effector: Int, subtask: Int)) -> Bool {
        let current = nextSubtask[ref.effector] - 1
        return current > ref.subtask || (current == ref.subtask && cursor[ref.effector] >= queue[ref.effector].count)
    }

    /// Writes the action row for `commands`: each end effector's pose columns commanding its
    /// target from its measured pose, plus noise, and its gripper columns. Other columns are 0.
    public mutating func action(for commands: [Command], eefPoses: [Pose], into row: inout [Double]) {
        for i in row.indices { row[i] = 0 }
        for (e, effector) in generator.task.effectors.enumerated() {
            let command = commands[e]
            let layout = effector.layout
            row.withUnsafeMutableBufferPointer { buffer in
                layout.writeAction(target: command.target, worldFromEef: eefPoses[e], into: buffer)
                layout.addNoise(command.noise, to: buffer, using: &rng)
                for (k, column) in layout.gripperColumns.enumerated() { buffer[column] = command.gripper[command.gripper.startIndex + k] }
            }
        }
    }
}
