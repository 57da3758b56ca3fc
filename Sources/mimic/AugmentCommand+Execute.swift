import Foundation
import MimicCore
import MimicHDF5
import MimicSim

extension AugmentCommand {
    /// `--execute`: every attempt runs closed loop in MuJoCo; successes are kept, in attempt order,
    /// until -n are kept or --max-attempts are spent. Attempt i is generated demo i, so the kept
    /// set is the same for any number of workers.
    func executeRun(generator: Generator, spec: TaskSpec, reader: RobomimicReader, demos: [Demo], count: Int,
                    runSeed: UInt64, started: Date) throws -> Summary {
        let first = demos[0]
        let predicate = try SuccessPredicate.forTask(spec, specFile: task, envArgs: reader.envArgs, file: source)
        guard let envArgs = reader.envArgs else { throw DatasetError(file: source, path: "/data.attrs[env_args]", "missing") }
        let controller = try ControllerConfig(envArgs: envArgs, file: source)
        let float32Keys = Set(first.arrays.filter { $0.value.dtypeName == "float32" }.map(\.key))
        // Every attempt runs in the scene of the source demo it follows first.
        let scenes = ExecutionScenes(demos: demos, spec: spec, specFile: task, objectNames: generator.objectNames,
                                     assetsRoot: robosuiteAssets, file: source)
        let uncomputable = try scenes.entry(forSource: 0).entry.recorder.uncomputable
        if !uncomputable.isEmpty {
            Console.warning("not written (Mimic cannot compute them from the simulator): \(uncomputable.map { "obs/" + $0 }.joined(separator: ", "))")
        }

        let maxAttempts = self.maxAttempts ?? 20 * count
        var attributes = try outputAttributes(reader: reader, spec: spec, runSeed: runSeed, count: count, kinematic: false)
        let writer = try RobomimicWriter(destination: output, dataAttributes: attributes)
        attributes["mimic_failed_attempts"] = .bool(true)
        let failedWriter = try keepFailed.map { try RobomimicWriter(destination: $0, dataAttributes: attributes) }
        let options = RolloutOptions(stopAfterSuccess: stopAfterSuccess)
        let progress = ProgressBar(total: count, unit: "demos")
        var summary = Summary()
        summary.wanted = count
        var kept: [String] = [], failed: [String] = []
        // With dynamics randomization every worker changes the physics of its own copy of a scene.
        let runners = RunnerPool(generator: generator, scenes: scenes, workers: workers,
                                 ownScene: spec.dynamics != nil) { entry, world throws(DatasetError) in
            try EpisodeRunner(generator: generator, world: world, controller: controller, success: predicate, baseState: entry.baseState,
                              objectJoints: entry.objectJoints, recorder: entry.recorder, modelXML: entry.xml,
                              float32Keys: float32Keys, nextObservations: first.arrays.keys.contains { $0.hasPrefix("next_obs/") },
                              dynamics: spec.dynamics, interfaceName: "MG_" + (envArgs.envName ?? spec.name ?? "Task"), file: source)
        }
        var next = 0
        while kept.count < count && next < maxAttempts {
            // A batch a little larger than what is still needed, at least one attempt per worker.
            let size = min(maxAttempts - next, max(workers, min(4 * workers, count - kept.count)))
            let results = try runners.run(next..<(next + size), workers: workers, options: options, file: source)
            for episode in results {
                summary.attempts += 1
                summary.physicsSteps += episode.rollout.physicsSteps
                if episode.success && kept.count < count {
                    var demo = episode.demo
                    demo.name = "demo_\(kept.count)"
                    try writer.write(demo)
                    kept.append(demo.name)
                    summary.demos += 1
                    summary.samples += demo.length
                    progress.update(summary.demos)
                } else if !episode.success {
                    let reason = Self.reasonCategory(episode.rollout.failure)
                    summary.failureReasons[reason, default: 0] += 1
                    if let failedWriter {
                        var demo = episode.demo
                        demo.name = "demo_\(failed.count)"
                        try failedWriter.write(demo)
                        failed.append(demo.name)
                    }
                }
                if kept.count == count { break }
            }
            next += size
        }
        progress.finish()
        try writer.finish(masks: splitMasks(kept, seed: runSeed))
        try failedWriter?.finish(masks: [:])
        summary.seconds = Date().timeIntervalSince(started)
        try writeStats(summary, seed: runSeed, extra: [
            "kinematic": false, "attempts": summary.attempts, "successes": summary.demos,
            "success_rate": Double(summary.demos) / Double(max(summary.attempts, 1)),
            "failure_reasons": summary.failureReasons,
            "seconds_per_success": summary.seconds / Double(max(summary.demos, 1)),
            "physics_steps": summary.physicsSteps, "mujoco": mujocoVersion,
        ])
        return summary
    }

    /// A failure reason without its step numbers, for counting.
    static func reasonCategory(_ failure: RolloutFailure?) -> String {
        switch failure {
        case .noSuccess?: return "no_success"
        case .unstable?: return "unstable"
        case .nonFiniteAction?: return "non_finite_action"
        case nil: return "none"
        }
    }
}

/// Per worker, one EpisodeRunner (world + executor) per scene, made on first use and reused
/// across batches.
final class RunnerPool: @unchecked Sendable {
    private let generator: Generator
    private let scenes: ExecutionScenes
    private let runners: PerWorker<[Int: EpisodeRunner]>
    private let ownScene: Bool
    private let make: (ExecutionScenes.Entry, SimWorld) throws(DatasetError) -> EpisodeRunner

    /// - Parameter ownScene: give each worker a copy of each scene it may change.
    init(generator: Generator, scenes: ExecutionScenes, workers: Int, ownScene: Bool,
         make: @escaping (ExecutionScenes.Entry, SimWorld) throws(DatasetError) -> EpisodeRunner) {
        self.generator = generator
        self.scenes = scenes
        self.ownScene = ownScene
        self.make = make
        runners = PerWorker(workers: workers) { [:] }
    }

    /// Runs attempts `range` on `workers` threads; results in attempt order. The scenes the
    /// batch needs are compiled first, on this thread.
    func run(_ range: Range<Int>, workers: Int, options: RolloutOptions, file: String) throws -> [ExecutedEpisode] {
        let entries = try range.map { try scenes.entry(forSource: EpisodeRunner.firstSource(generator: generator, index: $0)) }
        return try parallelMap(range.count, workers: workers) { w, k in
            Result { () throws -> ExecutedEpisode in
                let (index, entry) = entries[k]
                var mine = try self.runners.state(w)
                let runner: EpisodeRunner
                if let existing = mine[index] {
                    runner = existing
                } else {
                    runner = try self.make(entry, SimWorld(scene: self.ownScene ? entry.scene.copy() : entry.scene))
                    mine[index] = runner
                    self.runners.set(w, mine)
                }
                return try runner.run(range.lowerBound + k, options: options, file: file)
            }
        }.map { try $0.get() }
    }
}
