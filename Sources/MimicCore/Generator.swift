import Foundation
import MimicMath

/// A task resolved against a dataset: each end effector's action layout and subtasks, where
/// objects go in new scenes, and MimicGen's generation switches.
public struct GenerationTask: Sendable {
    public struct Effector: Sendable {
        public var layout: EndEffectorLayout
        public var subtasks: [TaskSpec.SubtaskSpec]
        public init(layout: EndEffectorLayout, subtasks: [TaskSpec.SubtaskSpec]) {
            self.layout = layout
            self.subtasks = subtasks
        }
    }
    public var effectors: [Effector]
    /// Columns of one action row.
    public var actionWidth: Int
    /// Object placement; objects it does not name are placed within the span of their source poses.
    public var placement: TaskSpec.PlacementSpec?
    public var selectPerSubtask = false
    /// With several end effectors, all follow the source demo the first one picked (their motions
    /// stay in step, as in the recording); false lets each pick its own.
    public var shareSourceDemo = true
    public var transformFirstRobotPose = false
    public var interpolateFromLastTargetPose = true
    /// Constraints between subtasks of different end effectors.
    public var constraints: [Constraint] = []

    /// A ``TaskSpec/ConstraintSpec`` resolved to end effector indices; for `sequential`, `first`
    /// is the earlier subtask.
    public struct Constraint: Sendable, Equatable {
        public var spec: TaskSpec.ConstraintSpec
        public var first: (effector: Int, subtask: Int)
        public var second: (effector: Int, subtask: Int)

        public init(spec: TaskSpec.ConstraintSpec, first: (effector: Int, subtask: Int), second: (effector: Int, subtask: Int)) {
            self.spec = spec
            self.first = first
            self.second = second
        }

        public static func == (a: Constraint, b: Constraint) -> Bool {
            a.spec == b.spec && a.first == b.first && a.second == b.second
        }

        /// The other end of the constraint for subtask `subtask` of `effector`, if it is one end.
        func partner(of effector: Int, _ subtask: Int) -> (effector: Int, subtask: Int)? {
            if first == (effector, subtask) { return second }
            if second == (effector, subtask) { return first }
            return nil
        }
    }

    public init(effectors: [Effector], actionWidth: Int, placement: TaskSpec.PlacementSpec?) {
        self.effectors = effectors
        self.actionWidth = actionWidth
        self.placement = placement
    }
}

/// One generated demo: actions in the source's action convention and a datagen_info consistent
/// with them, plus everything needed to regenerate it.
public struct GeneratedDemo: Sendable {
    public var index: Int
    /// `length * actionWidth` values, row-major.
    public var actions: [Double]
    public var info: DatagenInfo
    /// Per end effector, the source demo index used for each subtask.
    public var sourceDemos: [[Int]]
    /// Per end effector, the random shift of each subtask's end.
    public var offsets: [[Int]]
    /// Per end effector, the time-warp factor of each subtask.
    public var speeds: [[Double]]
    /// Per step, the source demo each end effector's command came from (step-major, one per end effector).
    public var sourceLabels: [Int]
    /// The sampled placement: the initial pose of every object.
    public var placement: [String: Pose]
    public var length: Int { info.length }
}

/// Generates demos from prepared sources with MimicGen's algorithm (docs/augment.md): sample an
/// object placement, and for each end effector and subtask pick a source segment, carry it into
/// the placement relative to its object, bridge to it by interpolation, add noise; then track the
/// result with a kinematic model (the end effector reaches what each action commands). Objects stay where
/// they were placed until the source shows them carried, then move rigidly with the hand.
///
/// `generate(i)` depends only on (task, sources, seed, i): any number of workers in any order
/// produce the same demos.
public struct Generator: Sendable {
    public let task: GenerationTask
    public let sources: [SourceDemo]
    public let seed: UInt64
    public let objectNames: [String]
    /// Per object: its orientation with the yaw removed, and its mean initial height, over the sources.
    let upright: [String: (rotation: Quaternion, z: Double)]
    /// Where each object goes: the task's placement, else the box its initial poses span in the
    /// sources (x, y and yaw uniform between their extremes; an object that never moves stays put).
    let placement: TaskSpec.PlacementSpec
    /// Limit on generated steps (a safety net: a demo never runs longer than this).
    public let maxSteps: Int
    /// Per source, per object (in `objectNames` order): its pose track, and per end effector the
    /// steps at which it is carried (index lookups for the per-step loop).
    let sourceObjects: [[PoseTrack]]
    let sourceCarried: [[[[Bool]]]]

    public init(task: GenerationTask, sources: [SourceDemo], seed: UInt64, file: String) throws(DatasetError) {
        guard let first = sources.first else { throw DatasetError(file: file, path: "/data", "holds no source demos") }
        self.task = task
        self.sources = sources
        self.seed = seed
        objectNames = first.info.objectPoses.keys.sorted()
        for source in sources where source.info.objectPoses.keys.sorted() != objectNames {
            throw DatasetError(
                file: file, path: source.info.origin.path("object_poses", demo: source.name),
                "has objects \(source.info.objectPoses.keys.sorted()), the first demo has \(objectNames)")
        }
        for (e, effector) in task.effectors.enumerated() {
            for (j, subtask) in effector.subtasks.enumerated() {
                if let object = subtask.object, !objectNames.contains(object) {
                    throw DatasetError(
                        file: file, path: "task.endEffectors[\(e)].subtasks[\(j)].object",
                        "names \(object), the dataset's objects are: \(objectNames.joined(separator: ", "))")
                }
            }
        }
        for (e, effector) in task.effectors.enumerated() {
            for source in sources where source.info.endEffectors[e].gripperAction.rowWidth != effector.layout.gripperColumns.count {
                throw DatasetError(
                    file: file, path: source.info.origin.path("gripper_action", demo: source.name),
                    "has \(source.info.endEffectors[e].gripperAction.rowWidth) columns for \(effector.layout.name), its action layout has \(effector.layout.gripperColumns.count) gripper columns"
                )
            }
        }
        if let placement = task.placement {
            for name in placement.objects.keys.sorted() where !objectNames.contains(name) {
                throw DatasetError(
                    file: file, path: "task.placement.objects.\(name)",
                    "is not an object of the dataset (\(objectNames.joined(separator: ", ")))")
            }
        }
        var upright: [String: (Quaternion, Double)] = [:]
        for name in objectNames {
            let initial = first.info.objectPoses[name]![0]
            let yaw = Self.yaw(of: initial.rotation)
            let z = sources.map { $0.info.objectPoses[name]![0].position.z }.reduce(0, +) / Double(sources.count)
            upright[name] = ((Quaternion(axisAngle: SIMD3(0, 0, -yaw)) * initial.rotation).normalized, z)
        }
        self.upright = upright
        let names = objectNames
        sourceObjects = sources.map { s in names.map { s.info.objectPoses[$0]! } }
        sourceCarried = sources.map { s in s.carried.map { flags in names.map { flags[$0]! } } }
        var placement = task.placement ?? TaskSpec.PlacementSpec(objects: [:])
        let reference = SIMD3(placement.reference[0], placement.reference[1], placement.reference[2])
        for name in objectNames where placement.objects[name] == nil {
            // Around a source, an object the placement does not name keeps that source's pose.
            guard placement.around == nil else {
                placement.objects[name] = .init(x: [0, 0], y: [0, 0], yaw: [0, 0])
                continue
            }
            let initial = sources.map { $0.info.objectPoses[name]![0] }
            let firstYaw = Self.yaw(of: initial[0].rotation)
            // Yaws unwrapped around the first source's, so a span across ±π stays small.
            let yaws = initial.map { pose -> Double in
                var d = Self.yaw(of: pose.rotation) - firstYaw
                while d > .pi { d -= 2 * .pi }
                while d < -.pi { d += 2 * .pi }
                return firstYaw + d
            }
            let xs = initial.map { $0.position.x - reference.x }, ys = initial.map { $0.position.y - reference.y }
            placement.objects[name] = .init(x: [xs.min()!, xs.max()!], y: [ys.min()!, ys.max()!], yaw: [yaws.min()!, yaws.max()!])
        }
        self.placement = placement
        maxSteps = 8 * (sources.map(\.length).max() ?? 0) + 1000
    }

    /// Rotation about world z of a frame's x axis (its heading).
    static func yaw(of q: Quaternion) -> Double {
        let x = q.act(SIMD3(1, 0, 0))
        return atan2(x.y, x.x)
    }

    /// Samples an episode's object placement: the initial pose of every placed object; with
    /// `around: source`, offsets from the initial poses in a source demo drawn first.
    func samplePlacement(_ rng: inout RandomStream) -> [String: Pose] {
        var poses: [String: Pose] = [:]
        let separation = placement.minSeparation
        let origin = placement.around == .source ? rng.integer(0, sources.count - 1) : nil
        var placed: [SIMD2<Double>] = []
        for name in objectNames {
            let range = placement.objects[name]!
            // What the ranges are drawn around: the reference point and the upright orientation, or the drawn source's initial pose.
            let base: (position: SIMD3<Double>, rotation: Quaternion)
            if let origin {
                let initial = sourceObjects[origin][objectNames.firstIndex(of: name)!][0]
                base = (initial.position, initial.rotation)
            } else {
                let r = placement.reference
                base = (SIMD3(r[0], r[1], upright[name]!.z), upright[name]!.rotation)
            }
            var pose = Pose.identity
            for attempt in 0..<1000 {
                let x = base.position.x + rng.uniform(range.x[0], range.x[1])
                let y = base.position.y + rng.uniform(range.y[0], range.y[1])
                let yaw = rng.uniform(range.yaw[0], range.yaw[1])
                pose = Pose(
                    position: SIMD3(x, y, range.z ?? base.position.z),
                    rotation: (Quaternion(axisAngle: SIMD3(0, 0, yaw)) * base.rotation).normalized)
                let xy = SIMD2(x, y)
                let clear = placed.allSatisfy { (($0 - xy) * ($0 - xy)).sum().squareRoot() >= separation }
                if clear || attempt == 999 { placed.append(xy); break }
            }
            poses[name] = pose
        }
        return poses
    }

    /// Generates demo `index` with kinematic tracking: the end effector reaches what each action
    /// commands, and objects follow the hands that carry them in the source.
    public func generate(_ index: Int) -> GeneratedDemo {
        var episode = Episode(generator: self, index: index)
        // Object poses by index for the per-step loop; the dictionary is what planning reads.
        var objects = episode.placement
        var objectPoses = objectNames.map { objects[$0]! }
        let effectorCount = task.effectors.count
        var eefPose = task.effectors.indices.map { sources[0].info.endEffectors[$0].eefPose[0] }
        // Carried objects: object index → (end effector, eefFromObject).
        var carriedBy = [(effector: Int, relative: Pose)?](repeating: nil, count: objectNames.count)

        let width = task.actionWidth
        var actions: [Double] = []
        var eefTracks = task.effectors.map { _ in [Pose]() }
        var targetTracks = task.effectors.map { _ in [Pose]() }
        var gripperTracks = task.effectors.map { _ in [Double]() }
        var objectTracks = objectNames.map { _ in [Pose]() }
        var provenance = task.effectors.map { _ in [(demo: Int, step: Int)?]() }
        var labels: [Int] = []
        var row = [Double](repeating: 0, count: width)

        for _ in 0..<maxSteps {
            guard let commands = episode.next(eefPoses: eefPose, objects: objects) else { break }
            for o in objectPoses.indices { objectTracks[o].append(objectPoses[o]) }
            episode.action(for: commands, eefPoses: eefPose, into: &row)
            for e in 0..<effectorCount {
                let commanded = row.withUnsafeBufferPointer { task.effectors[e].layout.targetPose(action: $0, worldFromEef: eefPose[e]) }
                eefTracks[e].append(eefPose[e])
                targetTracks[e].append(commanded)
                gripperTracks[e].append(contentsOf: commands[e].gripper)
                provenance[e].append(commands[e].source)
                labels.append(commands[e].source?.demo ?? episode.currentSources[e])
                eefPose[e] = commanded
            }
            actions.append(contentsOf: row)

            // Objects follow the hands that carry them in the source.
            for o in objectPoses.indices {
                for e in 0..<effectorCount {
                    guard let (d, s) = commands[e].source else { continue }
                    let flags = sourceCarried[d][e][o]
                    if flags[s] {
                        carriedBy[o] = (e, sources[d].info.endEffectors[e].eefPose[s].inverse * sourceObjects[d][o][s])
                    } else if carriedBy[o]?.effector == e, s > 0, flags[s - 1] {
                        carriedBy[o] = nil  // released in the source
                    }
                }
                if let carry = carriedBy[o] {
                    objectPoses[o] = eefPose[carry.effector] * carry.relative
                    objects[objectNames[o]] = objectPoses[o]
                }
            }
        }

        let steps = actions.count / max(width, 1)
        let signals = self.signals(provenance: provenance, steps: steps)
        var effectors: [EndEffectorTrack] = []
        for (e, effector) in task.effectors.enumerated() {
            let g = effector.layout.gripperColumns.count
            effectors.append(
                EndEffectorTrack(
                    name: effector.layout.name, eefPose: PoseTrack(eefTracks[e]), targetPose: PoseTrack(targetTracks[e]),
                    gripperAction: Tensor(shape: [steps, g], float64: gripperTracks[e])))
        }
        let info = DatagenInfo(
            endEffectors: effectors,
            objectPoses: Dictionary(uniqueKeysWithValues: zip(objectNames, objectTracks.map { PoseTrack($0) })),
            subtaskTermSignals: signals)
        return GeneratedDemo(
            index: index, actions: actions, info: info, sourceDemos: episode.sourceDemos, offsets: episode.offsets,
            speeds: episode.speeds, sourceLabels: labels, placement: episode.placement)
    }

    /// The subtask signals of a generated demo: each follows the source step the command of its end
    /// effector came from, held through bridges (a signal named `<name>_<eef>` belongs to that end
    /// effector, others to the first).
    public func signals(provenance: [[(demo: Int, step: Int)?]], steps: Int) -> [String: [Int]] {
        var signals: [String: [Int]] = [:]
        let names = Set(sources.flatMap { $0.info.subtaskTermSignals.keys })
        for name in names.sorted() {
            let owner =
                task.effectors.count > 1
                ? (task.effectors.firstIndex { name.hasSuffix("_" + $0.layout.name) } ?? 0) : 0
            var values = [Int](repeating: 0, count: steps)
            var current = 0
            for t in 0..<min(steps, provenance[owner].count) {
                if let (d, s) = provenance[owner][t], let signal = sources[d].info.subtaskTermSignals[name] { current = signal[s] }
                values[t] = current
            }
            signals[name] = values
        }
        return signals
    }

    /// Picks the source demo for subtask `j` of end effector `e` (docs/augment.md).
    func select(
        _ subtask: TaskSpec.SubtaskSpec, effector e: Int, subtaskIndex j: Int, offsets: [Int],
        objects: [String: Pose], eefPose: Pose, rng: inout RandomStream
    ) -> Int {
        switch subtask.selection {
        case .random:
            return rng.integer(0, sources.count - 1)
        case .nearestObject, .nearestEndEffector:
            var scores: [(Double, Int)] = []
            for (d, source) in sources.enumerated() {
                let start = source.segment(effector: e, subtask: j, offsets: offsets).lowerBound
                var score = 0.0
                let current = subtask.object.map { objects[$0]! }
                let original = subtask.object.map { source.info.objectPoses[$0]![start] }
                if subtask.selection == .nearestObject {
                    if let current, let original {
                        score = euclideanNorm(current.position - original.position) + current.rotation.angle(to: original.rotation)
                    }
                } else {
                    let transform = (current.flatMap { c in original.map { c * $0.inverse } }) ?? .identity
                    let candidate = transform * source.info.endEffectors[e].eefPose[start]
                    score = euclideanNorm(candidate.position - eefPose.position) + candidate.rotation.angle(to: eefPose.rotation)
                }
                scores.append((score, d))
            }
            scores.sort { $0.0 != $1.0 ? $0.0 < $1.0 : $0.1 < $1.1 }
            let k = min(subtask.nnK, scores.count)
            return scores[rng.integer(0, k - 1)].1
        }
    }

    /// The commands of one subtask: the bridge from `from` to the transformed segment, then the
    /// segment. `transform` (a coordinated pair's shared one) replaces the subtask's own: the
    /// object's motion from the segment start in the source to now.
    func plan(
        _ subtask: TaskSpec.SubtaskSpec, effector e: Int, subtaskIndex j: Int, demo d: Int, offsets: [Int],
        speed: Double, objects: [String: Pose], from: Pose, transform shared: Pose? = nil
    ) -> [Command] {
        let source = sources[d]
        let range = source.segment(effector: e, subtask: j, offsets: offsets)
        let track = source.info.endEffectors[e]
        let transform: Pose =
            shared
            ?? subtask.object.map { objects[$0]! * source.info.objectPoses[$0]![range.lowerBound].inverse } ?? .identity

        // The segment's targets carried into the new scene (the batch kernel over the stored matrices).
        var matrices = [Double](repeating: 0, count: 16 * range.count)
        track.targetPose.matrices.withUnsafeBufferPointer { all in
            matrices.withUnsafeMutableBufferPointer { out in
                PoseKernels.transform(transform, UnsafeBufferPointer(rebasing: all[(16 * range.lowerBound)..<(16 * range.upperBound)]), into: out)
            }
        }
        let g = track.gripperAction.rowWidth
        let gripper = track.gripperAction.doubles
        var segment: [Command] = []
        segment.reserveCapacity(range.count + 1)
        if task.transformFirstRobotPose {
            let s = range.lowerBound
            segment.append(Command(target: transform * track.eefPose[s], gripper: gripper[(s * g)..<((s + 1) * g)], source: (d, s), noise: subtask.actionNoise))
        }
        matrices.withUnsafeBufferPointer { m in
            for (k, s) in range.enumerated() {
                segment.append(
                    Command(
                        target: Pose(matrix: UnsafeBufferPointer(rebasing: m[(16 * k)..<(16 * k + 16)])),
                        gripper: gripper[(s * g)..<((s + 1) * g)], source: (d, s), noise: subtask.actionNoise))
            }
        }
        if speed != 1 { segment = Self.warp(segment, speed: speed) }

        // Bridge: interior interpolation poses, then fixed steps at the first pose, holding its gripper command.
        let first = segment[0]
        var steps: [Command] = []
        let n = subtask.interpolationSteps
        let bridgeNoise = subtask.noiseDuringInterpolation ? subtask.actionNoise : 0
        if n > 0 {
            var poses = [Double](repeating: 0, count: 16 * PoseKernels.interpolatedPoseCount(steps: n))
            poses.withUnsafeMutableBufferPointer { PoseKernels.interpolate(from: from, to: first.target, steps: n, into: $0) }
            poses.withUnsafeBufferPointer { p in
                for i in 1...n {
                    steps.append(
                        Command(
                            target: Pose(matrix: UnsafeBufferPointer(rebasing: p[(16 * i)..<(16 * i + 16)])),
                            gripper: first.gripper, source: nil, noise: bridgeNoise))
                }
            }
        }
        for _ in 0..<subtask.fixedSteps { steps.append(Command(target: first.target, gripper: first.gripper, source: nil, noise: bridgeNoise)) }
        return steps + segment
    }

    /// The transform a coordinated pair shares, made by the first of its subtasks to start: the
    /// reference object's motion from the segment start in source `d` to now (`transform`), its
    /// translation only (`translate`), or none (`replay`); then uniform noise of the constraint's
    /// half-widths on each translation axis and each rotation-vector component.
    func coordinatedTransform(
        _ constraint: TaskSpec.ConstraintSpec, subtask: TaskSpec.SubtaskSpec, effector e: Int, subtaskIndex j: Int,
        demo d: Int, offsets: [Int], objects: [String: Pose], rng: inout RandomStream
    ) -> Pose {
        let start = sources[d].segment(effector: e, subtask: j, offsets: offsets).lowerBound
        var delta = Pose.identity
        if constraint.scheme != .replay, let object = subtask.object, let now = objects[object], let then = sources[d].info.objectPoses[object]?[start] {
            delta =
                constraint.scheme == .transform
                ? now * then.inverse
                : Pose(position: now.position - then.position, rotation: .identity)
        }
        if constraint.positionNoise > 0 || constraint.rotationNoise > 0 {
            let p = constraint.positionNoise, r = constraint.rotationNoise
            let shift = SIMD3(rng.uniform(-p, p), rng.uniform(-p, p), rng.uniform(-p, p))
            let turn = Quaternion(axisAngle: SIMD3(rng.uniform(-r, r), rng.uniform(-r, r), rng.uniform(-r, r)))
            delta = Pose(position: delta.position + shift, rotation: (turn * delta.rotation).normalized)
        }
        return delta
    }

    /// Resamples a segment to play `speed` times as fast (endpoints kept; poses interpolated,
    /// gripper commands and provenance from the nearest original step).
    static func warp(_ segment: [Command], speed: Double) -> [Command] {
        let n = segment.count
        let count = max(1, Int((Double(n) / speed).rounded()))
        guard count != n, n > 1 else { return segment }
        return (0..<count).map { k in
            let u = count == 1 ? 0 : Double(k) * Double(n - 1) / Double(count - 1)
            let i0 = min(Int(u), n - 1), i1 = min(i0 + 1, n - 1)
            var step = segment[Int(u.rounded())]
            step.target = Pose.interpolate(segment[i0].target, segment[i1].target, t: u - Double(i0))
            return step
        }
    }
}

extension Generator {
    /// A generator for prepared `demos` (each with its datagen_info, the first one's shape and
    /// actions defining the task): resolves `spec` against them (`GenerationTask.resolve`), takes
    /// the gripper commands of Isaac Lab annotations from the actions, cuts every demo into its
    /// subtasks, and seeds the run.
    ///
    /// - Parameter notes: what was inferred or assumed, for the user.
    /// - Throws: `DatasetError` naming the file and path, e.g. a demo without datagen_info (run
    ///   `mimic prepare` first) or a signal that never rises.
    public static func make(
        demos: [Demo], envArgs: EnvArgs?, spec: TaskSpec?, seed: UInt64, file: String,
        notes: inout [String]
    ) throws(DatasetError) -> Generator {
        guard !demos.isEmpty else { throw DatasetError(file: file, path: "/data", "holds no demos") }
        var infos: [DatagenInfo] = []
        for demo in demos {
            guard let info = try DatagenInfo(demo: demo, file: file) else {
                throw DatasetError(
                    file: file, path: "/data/\(demo.name)/datagen_info",
                    "missing (and no Isaac Lab annotation in obs/datagen_info): augment needs prepared sources; run `mimic prepare \(file) -o PREPARED.hdf5` first")
            }
            infos.append(info)
        }
        let task = try GenerationTask.resolve(spec: spec, envArgs: envArgs, demo: demos[0], infos: infos, file: file, notes: &notes)
        let layouts = task.effectors.map(\.layout)
        for i in infos.indices { try infos[i].takeGripperActions(from: demos[i], layouts: layouts, file: file) }
        let names = task.effectors.map(\.layout.name)
        let signals = task.effectors.map { $0.subtasks.map(\.endSignal) }
        var sources: [SourceDemo] = []
        for (demo, info) in zip(demos, infos) {
            sources.append(
                try SourceDemo(
                    name: demo.name, info: info, effectorNames: names, endSignals: signals,
                    modelXML: demo.modelXML, file: file))
        }
        return try Generator(task: task, sources: sources, seed: seed, file: file)
    }
}
