import Foundation
import MimicCore
import MimicHDF5
import MimicSim

/// Simulator benchmarks on the Lift scene: raw `mj_step` (the floor), `Executor.replay` of the
/// bundled Lift demos' actions, and `EpisodeRunner.run` (generate + execute closed loop, as
/// `mimic augment --execute` runs each attempt) on one thread and on all cores.
struct SimBench {
    /// MimicGen's seconds per successful demo on this machine kind: a quoted reference, not measured here.
    static let mimicGenSecondsPerSuccess = 1.6

    /// One bundled demo to replay: its own scene (each Lift demo's model_file differs: the cube's
    /// size is randomized), first state and actions.
    struct SourceReplay {
        var name: String
        var executor: Executor
        var success: SuccessCheck
        var initial: [Double]
        var actions: [Double]
        var steps: Int
    }

    struct Setup {
        var liftPath: String
        /// demo_0's scene and first state: the floor runs there.
        var floorScene: Scene
        var floorState: [Double]
        var controller: ControllerConfig
        var predicate: SuccessPredicate
        var physicsStepsPerAction: Int
        var replays: [SourceReplay]
        /// The prepared Lift demos and the generator, built with the Lift profile as `mimic augment` does.
        var generation: GenerateBench.Setup
        /// What `mimic augment --execute` hands each EpisodeRunner.
        var executeScene: Scene
        var baseState: [Double]
        var objectJoints: [String: String]
        var recorder: ObservationRecorder
        var modelXML: String
        var float32Keys: Set<String>
        var notes: [String]

        /// A runner with its own world, as `RunnerPool` makes one per worker.
        func makeRunner() throws -> EpisodeRunner {
            try EpisodeRunner(
                generator: generation.generator, world: try SimWorld(scene: executeScene), controller: controller,
                success: predicate, baseState: baseState, objectJoints: objectJoints,
                recorder: recorder, modelXML: modelXML, float32Keys: float32Keys,
                file: generation.preparedPath)
        }
    }

    var workers = ProcessInfo.processInfo.activeProcessorCount
    /// `mimic augment --execute`'s default: run the whole plan (no --stop-after-success).
    let options = RolloutOptions()

    // MARK: - Setup

    /// Reads the bundled Lift demos (one executor per demo scene), and prepares them and builds the
    /// generator and the EpisodeRunner inputs the way `mimic prepare` and `mimic augment --execute` do.
    func setup(liftPath: String, directory: String, seed: UInt64, assetsRoot: String?) throws -> Setup {
        let reader = try RobomimicReader(path: liftPath)
        guard let envArgs = reader.envArgs, let envName = envArgs.envName,
            let predicate = SuccessPredicate.robosuite(envName: envName)
        else {
            throw BenchError("\(liftPath): no env_args with a robosuite env_name that has a success check")
        }
        let controller = try ControllerConfig(envArgs: envArgs, file: liftPath)
        var replays: [SourceReplay] = []
        var scenes: [String: Scene] = [:]
        var floor: (Scene, [Double])?
        for name in reader.demoNames {
            let demo = try reader.demo(name)
            guard let xml = demo.modelXML, let states = demo.arrays["states"], states.rows > 0, let actions = demo.actions else {
                throw BenchError("\(liftPath): \(name) lacks model_file, states or actions")
            }
            let scene = try scenes[xml] ?? Scene(mjcf: xml, assetsRoot: assetsRoot, file: liftPath, path: "/data/\(name).attrs[model_file]")
            scenes[xml] = scene
            let initial = Array(states.doubles.prefix(states.rowWidth))
            if floor == nil { floor = (scene, initial) }
            replays.append(
                SourceReplay(
                    name: name, executor: try Executor(world: try SimWorld(scene: scene), controller: controller),
                    success: try SuccessCheck(predicate, scene: scene), initial: initial,
                    actions: actions.doubles, steps: actions.rows))
        }
        guard let floor else { throw BenchError("\(liftPath) holds no demos") }
        let (floorScene, floorState) = floor

        // mimic prepare + mimic augment (the Lift profile, as augment picks it from env_name).
        guard let spec = TaskProfiles.spec(forEnvName: envName) else { throw BenchError("no built-in profile for \(envName)") }
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        let generation = try GenerateBench().setup(liftPath: liftPath, directory: directory, seed: seed, spec: spec)
        // mimic augment --execute (AugmentCommand.executeRun).
        let prepared = try RobomimicReader(path: generation.preparedPath)
        let first = try prepared.demo(prepared.demoNames[0])
        guard let xml = generation.generator.sources[0].modelXML, let states = first.arrays["states"], states.rows > 0 else {
            throw BenchError("\(generation.preparedPath): \(first.name) lacks model_file or states")
        }
        let executeScene =
            try scenes[xml]
            ?? Scene(
                mjcf: xml, assetsRoot: assetsRoot, file: generation.preparedPath,
                path: "/data/\(first.name).attrs[model_file]")
        guard states.rowWidth == executeScene.stateSize else {
            throw BenchError("\(generation.preparedPath): states have \(states.rowWidth) values per row, the scene \(executeScene.stateSize)")
        }
        return Setup(
            liftPath: liftPath, floorScene: floorScene, floorState: floorState, controller: controller, predicate: predicate,
            physicsStepsPerAction: controller.physicsStepsPerAction(timestep: floorScene.timestep), replays: replays,
            generation: generation, executeScene: executeScene, baseState: Array(states.doubles.prefix(states.rowWidth)),
            objectJoints: try executeScene.objectJoints(for: generation.generator.objectNames, spec: spec, file: generation.preparedPath),
            recorder: try ObservationRecorder(
                world: try SimWorld(scene: executeScene), keys: first.obsKeys,
                sources: try prepared.demoNames.map { try prepared.demo($0) },
                file: generation.preparedPath),
            modelXML: xml,
            float32Keys: Set(first.arrays.filter { $0.value.dtypeName == "float32" }.map(\.key)),
            notes: generation.notes)
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

    /// Raw `mj_step` on `scene`: per run, for every chunk, restore `state` (untimed) and step
    /// `chunk` times with zero controls (timed). The chunks are the physics steps of the episodes
    /// this floor is compared with, so both simulate the same number of steps from a fresh state.
    func floor(scene: Scene, state: [Double], chunks: [Int], runs: Int, sink: inout Double) throws -> Rate {
        let world = try SimWorld(scene: scene)
        var cpuSeconds: [Double] = [], wallSeconds: [Double] = []
        for run in -1..<runs {
            var cpu: UInt64 = 0, wall: UInt64 = 0
            for chunk in chunks {
                try world.restore(state: state)
                let start = nowNanoseconds(), cpuStart = threadCPUNanoseconds()
                try world.step(count: chunk)
                cpu += threadCPUNanoseconds() - cpuStart
                wall += nowNanoseconds() - start
                sink += world.qpos(0)
            }
            if run >= 0 {  // run -1 warms up
                cpuSeconds.append(Double(cpu) / 1e9)
                wallSeconds.append(Double(wall) / 1e9)
            }
        }
        return Self.rate(steps: chunks.reduce(0, +), cpu: cpuSeconds, wall: wallSeconds)
    }

    /// Raw `mj_step` along recorded episodes: per run, every state row of every episode restored
    /// (untimed) and followed by `stepsPerRow` steps with zero controls (timed), so the physics
    /// sees the configurations and contacts the episodes went through.
    func floorAlong(_ episodes: [(world: SimWorld, rollout: Rollout)], stepsPerRow: Int, runs: Int, sink: inout Double) throws -> Rate {
        var cpuSeconds: [Double] = [], wallSeconds: [Double] = []
        var steps = 0
        for run in -1..<runs {
            var cpu: UInt64 = 0, wall: UInt64 = 0
            steps = 0
            for (world, rollout) in episodes {
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
        var demos: Int
        var controlSteps: Int
        var successes: Int
        /// Physics steps of each demo's replay (the floor's chunks).
        var chunks: [Int]
        /// Each demo's world and replayed rollout (for the floor along its states).
        var episodes: [(world: SimWorld, rollout: Rollout)]
    }

    /// `runs` timed passes of `Executor.replay` over every bundled demo (all its actions), after
    /// an untimed pass.
    func replay(_ setup: Setup, runs: Int, sink: inout Double) throws -> ReplayResult {
        var cpuSeconds: [Double] = [], wallSeconds: [Double] = []
        var chunks: [Int] = [], successes = 0
        var episodes: [(world: SimWorld, rollout: Rollout)] = []
        for run in -1..<runs {
            var cpu: UInt64 = 0, wall: UInt64 = 0
            chunks = []
            successes = 0
            episodes = []
            for demo in setup.replays {
                let start = nowNanoseconds(), cpuStart = threadCPUNanoseconds()
                let rollout = try demo.executor.replay(
                    actions: demo.actions, from: demo.initial, success: demo.success,
                    options: options, file: setup.liftPath, path: "/data/\(demo.name)/actions")
                cpu += threadCPUNanoseconds() - cpuStart
                wall += nowNanoseconds() - start
                chunks.append(rollout.physicsSteps)
                episodes.append((demo.executor.world, rollout))
                if rollout.success { successes += 1 }
                sink += rollout.finalState[1]
            }
            if run >= 0 {
                cpuSeconds.append(Double(cpu) / 1e9)
                wallSeconds.append(Double(wall) / 1e9)
            }
        }
        return ReplayResult(
            rate: Self.rate(steps: chunks.reduce(0, +), cpu: cpuSeconds, wall: wallSeconds),
            demos: setup.replays.count, controlSteps: setup.replays.map(\.steps).reduce(0, +),
            successes: successes, chunks: chunks, episodes: episodes)
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
        /// The first timed pass's rollouts (one thread only), for the phase breakdown.
        var rollouts: [Rollout]
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

    /// `passes` timed passes of `EpisodeRunner.run(i)` for i in 0 ..< attempts on this thread,
    /// after an untimed one.
    func executeSingleThread(_ setup: Setup, attempts: Int, passes: Int, sink: inout Double) throws -> ExecuteResult {
        let runner = try setup.makeRunner()
        var cpuSeconds: [Double] = [], wallSeconds: [Double] = []
        var results: [Attempt] = [], attemptCPU: [Double] = [], rollouts: [Rollout] = []
        var switches = ContextSwitches()
        for pass in -1..<passes {
            let switchesBefore = ContextSwitches.thread()
            var cpu: UInt64 = 0, wall: UInt64 = 0
            var pAttempts: [Attempt] = [], pCPU: [Double] = [], pRollouts: [Rollout] = []
            for i in 0..<attempts {
                let start = nowNanoseconds(), cpuStart = threadCPUNanoseconds()
                let episode = try runner.run(i, options: options, file: setup.generation.preparedPath)
                let used = threadCPUNanoseconds() - cpuStart
                cpu += used
                wall += nowNanoseconds() - start
                pAttempts.append(Self.attempt(episode))
                pCPU.append(Double(used) / 1e9)
                pRollouts.append(episode.rollout)
            }
            if pass == -1 { results = pAttempts; continue }
            switches += ContextSwitches.thread() - switchesBefore
            guard pAttempts == results else { throw BenchError("EpisodeRunner.run gave different attempts in two passes") }
            if pass == 0 { attemptCPU = pCPU; rollouts = pRollouts }
            sink += pAttempts.map(\.digest).reduce(0, +)
            cpuSeconds.append(Double(cpu) / 1e9)
            wallSeconds.append(Double(wall) / 1e9)
        }
        return ExecuteResult(
            threads: 1, attempts: results,
            rate: Self.rate(steps: results.map(\.physicsSteps).reduce(0, +), cpu: cpuSeconds, wall: wallSeconds),
            attemptCPU: attemptCPU, rollouts: rollouts, switches: switches)
    }

    /// The same attempts over all cores (DispatchQueue.concurrentPerform, one EpisodeRunner per
    /// worker, worker w runs attempts w, w + workers, ..., as `mimic augment --execute`'s
    /// parallelMap assigns them); `passes` timed passes after an untimed one. Every attempt must
    /// come out as on one thread (`expected`).
    func executeAllCores(_ setup: Setup, attempts: Int, passes: Int, expected: [Attempt], sink: inout Double) throws -> ExecuteResult {
        let workers = min(self.workers, attempts)
        let runners = RunnerBox(try (0..<workers).map { _ in try setup.makeRunner() })
        let file = setup.generation.preparedPath
        let options = self.options
        var cpuSeconds: [Double] = [], wallSeconds: [Double] = []
        var switches = ContextSwitches()
        for pass in -1..<passes {
            let slots = AttemptSlots(count: attempts, workers: workers)
            let start = nowNanoseconds()
            DispatchQueue.concurrentPerform(iterations: workers) { w in
                let switchesBefore = ContextSwitches.thread()
                let cpuStart = threadCPUNanoseconds()
                for i in stride(from: w, to: attempts, by: workers) {
                    slots.results[i] = Result { () throws -> Attempt in
                        Self.attempt(try runners.runners[w].run(i, options: options, file: file))
                    }
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
            cpuSeconds.append(Double(slots.cpu.reduce(0, +)) / 1e9)
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

    /// Splits the single-thread attempts' CPU time: each attempt's actions replayed open loop (the
    /// control loop alone, and a check that it reproduces the closed-loop rollout), and each
    /// recorded state restored with its observations recorded (the bulk of `makeDemo`).
    func phases(_ setup: Setup, _ result: ExecuteResult, sink: inout Double) throws -> Phases {
        let runner = try setup.makeRunner()
        let executor = runner.executor, world = executor.world
        let success = try SuccessCheck(setup.predicate, scene: setup.executeScene)
        let recorder = setup.recorder
        var replayCPU: UInt64 = 0, observationCPU: UInt64 = 0
        var reproduced = true, worst = 0.0
        for rollout in result.rollouts {
            let size = rollout.stateSize
            let initial = Array(rollout.states.prefix(size))
            var cpuStart = threadCPUNanoseconds()
            let again = try executor.replay(actions: rollout.actions, from: initial, success: success, options: options)
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
                    recorder.record(world, into: &rows)
                }
            }
            observationCPU += threadCPUNanoseconds() - cpuStart
            sink += rows.values.map { $0.last ?? 0 }.reduce(0, +)
        }
        return Phases(
            run: result.attemptCPU.reduce(0, +), replay: Double(replayCPU) / 1e9, observations: Double(observationCPU) / 1e9,
            reproduced: reproduced, finalStateDifference: worst)
    }
}

/// One EpisodeRunner per worker; worker w uses runners[w] alone.
final class RunnerBox: @unchecked Sendable {
    let runners: [EpisodeRunner]
    init(_ runners: [EpisodeRunner]) { self.runners = runners }
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
