import Foundation
import MimicCore
import MimicHDF5
import MimicSim

/// Simulator benchmarks on a robosuite source that `mimic augment --execute` can run: raw
/// `mj_step` on the first source demo's scene (the floor), `Executor.replay` of the source demos'
/// actions, and generate + execute closed loop through the `EpisodeRunnerPool` that `mimic augment
/// --execute` builds, on one thread and on all cores.
struct SimBench {
    /// MimicGen's seconds per successful Lift demo: a quoted reference, not measured here.
    static let mimicGenSecondsPerLiftSuccess = 1.6

    /// One source demo to replay: the scene it was recorded in, its first state and actions.
    struct SourceReplay {
        var name: String
        var executor: Executor
        var success: SuccessCheck
        var initial: [Double]
        var actions: [Double]
        var steps: Int
    }

    struct Setup {
        var sourcePath: String
        var envArgs: EnvArgs
        /// The source demos prepared in-process (as `mimic prepare` does) and the generator, built
        /// with the built-in profile of the file's env_args as `mimic augment` does.
        var generation: GenerateBench.Setup
        /// What `mimic augment --execute` builds (AugmentCommand.executeRun): the setup every
        /// attempt shares and the sources' scenes.
        var execution: ExecutionSetup
        var scenes: ExecutionScenes
        /// The number of distinct scenes the source demos were recorded in.
        var sceneCount: Int
        /// Source keys the executed demos do not get (Mimic cannot compute them from the simulator).
        var uncomputable: [String]
        /// The first source demo's scene and first state: the floor runs there.
        var floorScene: Scene
        var floorState: [Double]
        var physicsStepsPerAction: Int
        var replays: [SourceReplay]

        /// The pool `mimic augment --execute` runs its attempts through.
        func pool(workers: Int) -> EpisodeRunnerPool { EpisodeRunnerPool(setup: execution, scenes: scenes, workers: workers) }
    }

    var workers = ProcessInfo.processInfo.activeProcessorCount
    /// `mimic augment --execute`'s default: run the whole plan (no --stop-after-success).
    let options = RolloutOptions()

    // MARK: - Setup

    /// Prepares the source demos and builds the generator as `mimic prepare` and `mimic augment`
    /// do with the built-in profile of the file's env_args (`TaskProfiles.spec(for:)`: by env_name,
    /// the GR1 humanoid's own profiles for GR1 robots), then the scenes, controllers and success
    /// test as `mimic augment --execute` does, and one executor per source demo for its replay.
    func setup(sourcePath: String, directory: String, seed: UInt64, assetsRoot: String?) throws -> Setup {
        let reader = try RobomimicReader(path: sourcePath)
        try reader.requireMuJoCoRecording(for: "mimic-bench --section sim")
        guard let envArgs = reader.envArgs else { throw BenchError("\(sourcePath): no env_args") }
        let profile = TaskProfiles.spec(for: envArgs)
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        let generation = try GenerateBench().setup(sourcePath: sourcePath, directory: directory, seed: seed, spec: profile)

        // mimic augment --execute (AugmentCommand.executeRun).
        let spec = profile ?? TaskSpec()
        let file = generation.preparedPath
        let predicate = try spec.requireSuccess(envName: envArgs.envName, file: file)
        let controller = try ControllerConfig(envArgs: envArgs, file: file)
        let scenes = ExecutionScenes(
            demos: generation.demos, spec: spec, specFile: nil, objectNames: generation.generator.objectNames,
            assetsRoot: assetsRoot, file: file)
        let execution = ExecutionSetup(
            generator: generation.generator, controller: controller, success: predicate, format: generation.format,
            dynamics: spec.dynamics, file: file)

        // Every source demo replayed in its own scene, compiled by the same ExecutionScenes.
        var replays: [SourceReplay] = []
        for (d, demo) in generation.demos.enumerated() {
            let entry = try scenes.entry(forSource: d)
            guard let states = demo.arrays["states"], let actions = demo.actions else {
                throw BenchError("\(file): \(demo.name) lacks states or actions")
            }
            replays.append(
                SourceReplay(
                    name: demo.name, executor: try Executor(world: try SimWorld(scene: entry.scene), controller: controller),
                    success: try SuccessCheck(predicate, scene: entry.scene), initial: Array(states.doubles.prefix(states.rowWidth)),
                    actions: actions.doubles, steps: actions.rows))
        }
        let first = try scenes.entry(forSource: 0)
        return Setup(
            sourcePath: sourcePath, envArgs: envArgs, generation: generation, execution: execution, scenes: scenes,
            sceneCount: Set(generation.demos.indices.map(scenes.sceneIndex(ofSource:))).count,
            uncomputable: first.recorder.uncomputable, floorScene: first.scene, floorState: first.baseState,
            physicsStepsPerAction: controller.physicsStepsPerAction(timestep: first.scene.timestep), replays: replays)
    }

    // MARK: - Floor

    struct Rate {
        /// Physics steps per run.
        var physicsSteps: Int
        /// Physics steps per second of thread CPU time (summed over threads), per run.
        var cpuRate: Stats
        /// Physics steps per second of elapsed time, per run.
        var wallRate: Stats
        /// Thread CPU seconds per run (summed over threads), and elapsed seconds, per run.
        var cpuSeconds: Stats
        var wallSeconds: Stats
    }

    /// Raw `mj_step` on the first source demo's scene (the floor): its first state restored
    /// (untimed), then as many physics steps with zero controls as the episode just run (timed).
    /// Run right after every replay and attempt, so the floor and the episodes share the load of a
    /// shared machine, and both simulate the same number of steps from a recorded state.
    struct Floor {
        let world: SimWorld
        let state: [Double]

        init(_ setup: Setup) throws {
            world = try SimWorld(scene: setup.floorScene)
            state = setup.floorState
        }

        /// Thread CPU and elapsed nanoseconds of `count` physics steps from the state.
        func step(_ count: Int, sink: inout Double) throws -> (cpu: UInt64, wall: UInt64) {
            try world.restore(state: state)
            let start = nowNanoseconds(), cpuStart = threadCPUNanoseconds()
            try world.step(count: count)
            let cpu = threadCPUNanoseconds() - cpuStart, wall = nowNanoseconds() - start
            sink += world.qpos(0)
            return (cpu, wall)
        }
    }

    /// Raw `mj_step` along recorded episodes: per run, every state row of every episode restored
    /// (untimed) in a world of the episode's scene and followed by `stepsPerRow` steps with zero
    /// controls (timed), so the physics sees the configurations and contacts the episodes went through.
    func floorAlong(_ episodes: [(scene: Scene, rollout: Rollout)], stepsPerRow: Int, runs: Int, sink: inout Double) throws -> Rate {
        var worlds: [ObjectIdentifier: SimWorld] = [:]
        for (scene, _) in episodes where worlds[ObjectIdentifier(scene)] == nil { worlds[ObjectIdentifier(scene)] = try SimWorld(scene: scene) }
        var cpuSeconds: [Double] = [], wallSeconds: [Double] = []
        var steps = 0
        for run in -1..<runs {
            var cpu: UInt64 = 0, wall: UInt64 = 0
            steps = 0
            for (scene, rollout) in episodes {
                let world = worlds[ObjectIdentifier(scene)]!
                let size = rollout.stateSize
                try rollout.states.withUnsafeBufferPointer { all in
                    for t in 0..<rollout.steps {
                        try world.restore(state: UnsafeBufferPointer(rebasing: all[(t * size)..<((t + 1) * size)]))
                        let start = nowNanoseconds(), cpuStart = threadCPUNanoseconds()
                        try world.step(count: stepsPerRow)
                        cpu += threadCPUNanoseconds() - cpuStart
                        wall += nowNanoseconds() - start
                    }
                }
                steps += rollout.steps * stepsPerRow
                sink += world.qpos(0)
            }
            if run >= 0 {
                cpuSeconds.append(Double(cpu) / 1e9)
                wallSeconds.append(Double(wall) / 1e9)
            }
        }
        return Self.rate(steps: steps, cpu: cpuSeconds, wall: wallSeconds)
    }

    static func rate(steps: Int, cpu: [Double], wall: [Double]) -> Rate {
        Rate(
            physicsSteps: steps, cpuRate: Stats(cpu.map { Double(steps) / $0 }, calls: 1),
            wallRate: Stats(wall.map { Double(steps) / $0 }, calls: 1),
            cpuSeconds: Stats(cpu, calls: 1), wallSeconds: Stats(wall, calls: 1))
    }

    // MARK: - Replay

    struct ReplayResult {
        var rate: Rate
        /// The floor, run after each replay for its physics steps.
        var floor: Rate
        var demos: Int
        var controlSteps: Int
        var successes: Int
        /// Each demo's scene and replayed rollout (for the floor along its states).
        var episodes: [(scene: Scene, rollout: Rollout)]
    }

    /// `runs` timed passes of `Executor.replay` over every source demo (all its actions), each
    /// replay followed by the floor for its physics steps, after an untimed pass.
    func replay(_ setup: Setup, runs: Int, sink: inout Double) throws -> ReplayResult {
        let floor = try Floor(setup)
        var cpuSeconds: [Double] = [], wallSeconds: [Double] = [], floorCPU: [Double] = [], floorWall: [Double] = []
        var steps = 0, successes = 0
        var episodes: [(scene: Scene, rollout: Rollout)] = []
        for run in -1..<runs {
            var cpu: UInt64 = 0, wall: UInt64 = 0, fCPU: UInt64 = 0, fWall: UInt64 = 0
            steps = 0
            successes = 0
            episodes = []
            for demo in setup.replays {
                let start = nowNanoseconds(), cpuStart = threadCPUNanoseconds()
                let rollout = try demo.executor.replay(
                    actions: demo.actions, from: demo.initial, success: demo.success,
                    options: options, file: setup.generation.preparedPath, path: "/data/\(demo.name)/actions")
                cpu += threadCPUNanoseconds() - cpuStart
                wall += nowNanoseconds() - start
                let f = try floor.step(rollout.physicsSteps, sink: &sink)
                fCPU += f.cpu
                fWall += f.wall
                steps += rollout.physicsSteps
                episodes.append((demo.executor.world.scene, rollout))
                if rollout.success { successes += 1 }
                sink += rollout.finalState[1]
            }
            if run >= 0 {  // run -1 warms up
                cpuSeconds.append(Double(cpu) / 1e9)
                wallSeconds.append(Double(wall) / 1e9)
                floorCPU.append(Double(fCPU) / 1e9)
                floorWall.append(Double(fWall) / 1e9)
            }
        }
        return ReplayResult(
            rate: Self.rate(steps: steps, cpu: cpuSeconds, wall: wallSeconds),
            floor: Self.rate(steps: steps, cpu: floorCPU, wall: floorWall),
            demos: setup.replays.count, controlSteps: setup.replays.map(\.steps).reduce(0, +),
            successes: successes, episodes: episodes)
    }

    // MARK: - Generate + execute

    /// What one attempt came to, for the summary and the all-cores check.
    struct Attempt: Equatable {
        var success: Bool
        var controlSteps: Int
        var physicsSteps: Int
        var samples: Int
        /// A number that changes with every value of the final state.
        var digest: Double
        var failure: String?
    }

    struct ExecuteResult {
        var threads: Int
        var attempts: [Attempt]
        var rate: Rate
        var successes: Int { attempts.filter(\.success).count }
        var physicsSteps: Int { attempts.map(\.physicsSteps).reduce(0, +) }
        var controlSteps: Int { attempts.map(\.controlSteps).reduce(0, +) }
        /// Thread CPU seconds of each attempt (first timed pass; one thread only).
        var attemptCPU: [Double]
        /// The first timed pass's rollouts and the scenes they ran in (one thread only), for the
        /// floor along their states.
        var rollouts: [(rollout: Rollout, entry: ExecutionScenes.Entry)]
        /// Context switches of the running threads over the timed passes: voluntary (the thread
        /// blocked, e.g. on a lock) and involuntary (the scheduler gave its core to another thread).
        var switches: ContextSwitches
    }

    static func attempt(_ episode: ExecutedEpisode) -> Attempt {
        var digest = 0.0
        for (k, v) in episode.rollout.finalState.enumerated() { digest += v * Double(k % 7 + 1) }
        return Attempt(
            success: episode.success, controlSteps: episode.rollout.steps, physicsSteps: episode.rollout.physicsSteps,
            samples: episode.demo.length, digest: digest, failure: episode.rollout.failure?.description)
    }

    /// `passes` timed passes over attempts 0 ..< attempts on this thread, after an untimed one (in
    /// which the pool makes its runners): each attempt planned and run by a one-worker pool, as
    /// `mimic augment --execute --workers 1` does, then followed by the floor for its physics steps
    /// and, in the first timed pass, by its phases.
    func executeSingleThread(
        _ setup: Setup, attempts: Int, passes: Int, sink: inout Double
    ) throws -> (result: ExecuteResult, floor: Rate, phases: Phases) {
        let pool = setup.pool(workers: 1)
        let floor = try Floor(setup)
        let phaseTimer = PhaseTimer(setup, options: options)
        var cpuSeconds: [Double] = [], wallSeconds: [Double] = [], floorCPU: [Double] = [], floorWall: [Double] = []
        var results: [Attempt] = [], attemptCPU: [Double] = [], rollouts: [(rollout: Rollout, entry: ExecutionScenes.Entry)] = []
        var switches = ContextSwitches()
        for pass in -1..<passes {
            var cpu: UInt64 = 0, wall: UInt64 = 0, fCPU: UInt64 = 0, fWall: UInt64 = 0
            var pAttempts: [Attempt] = [], pCPU: [Double] = [], pRollouts: [(rollout: Rollout, entry: ExecutionScenes.Entry)] = []
            var pSwitches = ContextSwitches()
            for i in 0..<attempts {
                let switchesBefore = ContextSwitches.thread()
                let start = nowNanoseconds(), cpuStart = threadCPUNanoseconds()
                let planned = try pool.plan(i..<(i + 1))[0]
                let episode = try pool.run(planned, worker: 0, options: options)
                let used = threadCPUNanoseconds() - cpuStart
                cpu += used
                wall += nowNanoseconds() - start
                pSwitches += ContextSwitches.thread() - switchesBefore
                let f = try floor.step(episode.rollout.physicsSteps, sink: &sink)
                fCPU += f.cpu
                fWall += f.wall
                if pass == 0 { try phaseTimer.add(episode.rollout, entry: planned.entry, sink: &sink) }
                pAttempts.append(Self.attempt(episode))
                pCPU.append(Double(used) / 1e9)
                pRollouts.append((episode.rollout, planned.entry))
            }
            if pass == -1 {
                results = pAttempts
                continue
            }
            switches += pSwitches
            guard pAttempts == results else { throw BenchError("EpisodeRunnerPool.run gave different attempts in two passes") }
            if pass == 0 {
                attemptCPU = pCPU
                rollouts = pRollouts
            }
            sink += pAttempts.map(\.digest).reduce(0, +)
            cpuSeconds.append(Double(cpu) / 1e9)
            wallSeconds.append(Double(wall) / 1e9)
            floorCPU.append(Double(fCPU) / 1e9)
            floorWall.append(Double(fWall) / 1e9)
        }
        let steps = results.map(\.physicsSteps).reduce(0, +)
        let result = ExecuteResult(
            threads: 1, attempts: results, rate: Self.rate(steps: steps, cpu: cpuSeconds, wall: wallSeconds),
            attemptCPU: attemptCPU, rollouts: rollouts, switches: switches)
        return (result, Self.rate(steps: steps, cpu: floorCPU, wall: floorWall), phaseTimer.phases(run: attemptCPU.reduce(0, +)))
    }

    /// The same attempts over all cores, as `mimic augment --execute` runs a batch: planned on this
    /// thread, then run by a pool of `workers` workers under `DispatchQueue.concurrentPerform`,
    /// worker w running attempts w, w + workers, ... (its `parallelMap`); `passes` timed passes after
    /// an untimed one (in which each worker makes its runners). Every attempt must come out as on
    /// one thread (`expected`).
    func executeAllCores(_ setup: Setup, attempts: Int, passes: Int, expected: [Attempt], sink: inout Double) throws -> ExecuteResult {
        let workers = min(self.workers, attempts)
        let pool = setup.pool(workers: workers)
        let options = self.options
        var cpuSeconds: [Double] = [], wallSeconds: [Double] = []
        var switches = ContextSwitches()
        for pass in -1..<passes {
            let slots = AttemptSlots(count: attempts, workers: workers)
            let start = nowNanoseconds(), planStart = threadCPUNanoseconds()
            let planned = try pool.plan(0..<attempts)
            let planCPU = threadCPUNanoseconds() - planStart
            DispatchQueue.concurrentPerform(iterations: workers) { w in
                let switchesBefore = ContextSwitches.thread()
                let cpuStart = threadCPUNanoseconds()
                for i in stride(from: w, to: attempts, by: workers) {
                    slots.results[i] = Result { () throws -> Attempt in Self.attempt(try pool.run(planned[i], worker: w, options: options)) }
                }
                slots.cpu[w] = threadCPUNanoseconds() - cpuStart
                slots.switches[w] = ContextSwitches.thread() - switchesBefore
            }
            let wall = nowNanoseconds() - start
            let results = try slots.results.map { try $0!.get() }
            guard results == expected else {
                let differing = zip(results, expected).enumerated().filter { $0.element.0 != $0.element.1 }.map(\.offset)
                throw BenchError("attempts run on \(workers) threads differ from the single-thread ones: \(differing.prefix(8))")
            }
            if pass < 0 { continue }
            for w in 0..<workers { switches += slots.switches[w] }
            sink += results.map(\.digest).reduce(0, +)
            cpuSeconds.append(Double(planCPU + slots.cpu.reduce(0, +)) / 1e9)
            wallSeconds.append(Double(wall) / 1e9)
        }
        return ExecuteResult(
            threads: workers, attempts: expected,
            rate: Self.rate(steps: expected.map(\.physicsSteps).reduce(0, +), cpu: cpuSeconds, wall: wallSeconds),
            attemptCPU: [], rollouts: [], switches: switches)
    }

    // MARK: - Phases

    struct Phases {
        /// Thread CPU seconds per attempt, summed over the attempts of one pass.
        var run: Double
        /// `Executor.replay` of each attempt's executed actions from its first state: the control
        /// loop (controller, physics, state rows, success test) without planning.
        var replay: Double
        /// Restoring every recorded state and recording its observations (what makeDemo does per step).
        var observations: Double
        /// The replays reproduced every rollout: same success and steps; largest final-state difference.
        var reproduced: Bool
        var finalStateDifference: Double
    }

    /// Splits the single-thread attempts' CPU time, attempt by attempt right after each is run:
    /// its actions replayed open loop in its scene (the control loop alone, and a check that it
    /// reproduces the closed-loop rollout), and each recorded state restored with its observations
    /// recorded (the bulk of `makeDemo`).
    final class PhaseTimer {
        let setup: Setup
        let options: RolloutOptions
        private var executors: [Int: (executor: Executor, success: SuccessCheck)] = [:]
        private var replayCPU: UInt64 = 0, observationCPU: UInt64 = 0
        private var reproduced = true, worst = 0.0

        init(_ setup: Setup, options: RolloutOptions) {
            self.setup = setup
            self.options = options
        }

        func add(_ rollout: Rollout, entry: ExecutionScenes.Entry, sink: inout Double) throws {
            let here =
                try executors[entry.index]
                ?? (
                    try Executor(world: try SimWorld(scene: entry.scene), controller: setup.execution.controller),
                    try SuccessCheck(setup.execution.success, scene: entry.scene)
                )
            executors[entry.index] = here
            let world = here.executor.world
            let size = rollout.stateSize
            let initial = Array(rollout.states.prefix(size))
            var cpuStart = threadCPUNanoseconds()
            let again = try here.executor.replay(actions: rollout.actions, from: initial, success: here.success, options: options)
            replayCPU += threadCPUNanoseconds() - cpuStart
            if again.success != rollout.success || again.steps != rollout.steps || again.physicsSteps != rollout.physicsSteps {
                reproduced = false
            }
            for (a, b) in zip(again.finalState, rollout.finalState) { worst = max(worst, abs(a - b)) }

            cpuStart = threadCPUNanoseconds()
            var rows: [String: [Double]] = [:]
            try rollout.states.withUnsafeBufferPointer { all in
                for s in 0..<rollout.steps {
                    try world.restore(state: UnsafeBufferPointer(rebasing: all[(s * size)..<((s + 1) * size)]))
                    entry.recorder.record(world, into: &rows)
                }
            }
            observationCPU += threadCPUNanoseconds() - cpuStart
            sink += rows.values.map { $0.last ?? 0 }.reduce(0, +)
        }

        /// The phases of attempts that took `run` thread CPU seconds in all.
        func phases(run: Double) -> Phases {
            Phases(
                run: run, replay: Double(replayCPU) / 1e9, observations: Double(observationCPU) / 1e9,
                reproduced: reproduced, finalStateDifference: worst)
        }
    }
}

/// Per-attempt results and per-worker CPU times, filled at distinct indices by worker threads.
final class AttemptSlots: @unchecked Sendable {
    var results: UnsafeMutableBufferPointer<Result<SimBench.Attempt, any Error>?>
    var cpu: UnsafeMutableBufferPointer<UInt64>
    var switches: UnsafeMutableBufferPointer<ContextSwitches>
    init(count: Int, workers: Int) {
        results = .allocate(capacity: count)
        results.initialize(repeating: nil)
        cpu = .allocate(capacity: workers)
        cpu.initialize(repeating: 0)
        switches = .allocate(capacity: workers)
        switches.initialize(repeating: ContextSwitches())
    }
    deinit {
        results.deinitialize()
        results.deallocate()
        cpu.deallocate()
        switches.deallocate()
    }
}

/// Context switches of a thread (getrusage RUSAGE_THREAD: ru_nvcsw, ru_nivcsw).
struct ContextSwitches {
    var voluntary = 0
    var involuntary = 0

    /// The calling thread's counts so far.
    static func thread() -> ContextSwitches {
        var usage = rusage()
        getrusage(__rusage_who_t(1), &usage)  // RUSAGE_THREAD (Glibc does not import the constant)
        return ContextSwitches(voluntary: usage.ru_nvcsw, involuntary: usage.ru_nivcsw)
    }

    static func - (a: ContextSwitches, b: ContextSwitches) -> ContextSwitches {
        ContextSwitches(voluntary: a.voluntary - b.voluntary, involuntary: a.involuntary - b.involuntary)
    }

    static func += (a: inout ContextSwitches, b: ContextSwitches) {
        a.voluntary += b.voluntary
        a.involuntary += b.involuntary
    }
}
