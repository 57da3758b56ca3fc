import Foundation
import MimicCore
import MimicHDF5
import MimicSim

extension AugmentCommand {
    /// `--execute`: every attempt runs closed loop in MuJoCo; successes are kept, in attempt order,
    /// until -n are kept or --max-attempts are spent. Attempt i is generated demo i, so the kept
    /// set is the same for any number of workers.
    ///
    /// With --shard-size K the run's S = ⌈n / K⌉ shards are filled independently: shard s takes
    /// attempts s, s + S, s + 2S, ... in that order until it keeps its K (or spends its
    /// ⌈max-attempts / S⌉), so a shard's demos depend on nothing but the shard, and a resumed or
    /// split (--part) run keeps what a single run keeps. Without shards the one stream is 0, 1, 2, ...
    func executeRun(
        generator: Generator, spec: TaskSpec, reader: RobomimicReader, demos: [Demo], format: OutputFormat,
        count: Int, runSeed: UInt64, started: Date
    ) throws -> Summary {
        let predicate = try spec.requireSuccess(envName: reader.envArgs?.envName, file: source)
        guard let envArgs = reader.envArgs else { throw DatasetError(file: source, path: "/data.attrs[env_args]", "missing") }
        let controller = try ControllerConfig(envArgs: envArgs, file: source)
        // Every attempt runs in the scene of the source demo it follows first.
        let scenes = ExecutionScenes(
            demos: demos, spec: spec, specFile: task, objectNames: generator.objectNames,
            assetsRoot: robosuiteAssets, file: source, loadTextures: !camera.names.isEmpty)
        let renderers = camera.names.isEmpty ? nil : camera.renderers(workers: workers)
        let uncomputable = try scenes.entry(forSource: 0).recorder.uncomputable
        if !uncomputable.isEmpty {
            Console.warning("not written (Mimic cannot compute them from the simulator): \(uncomputable.map { "obs/" + $0 }.joined(separator: ", "))")
        }
        let pool = EpisodeRunnerPool(
            setup: ExecutionSetup(
                generator: generator, controller: controller, success: predicate, format: format,
                dynamics: spec.dynamics, file: source),
            scenes: scenes, workers: workers)

        let maxAttempts = self.maxAttempts ?? 20 * count
        var attributes = try outputAttributes(reader: reader, spec: spec, runSeed: runSeed, count: count, kinematic: false)
        if renderers != nil {
            let (width, height) = try camera.size
            attributes["env_args"] = .string(envArgs.withCameras(camera.names, height: height, width: width, depth: camera.depth))
        }
        let masks = masks(count: count, seed: runSeed)
        // The attempt streams: one per shard (stream s: attempts s, s + S, ...), or one for the file.
        let size = shardSize ?? count
        let streams = (count + size - 1) / size
        let mine = part?.shards(demos: count, shardSize: size) ?? 0..<streams
        let share = part?.demos(demos: count, shardSize: size) ?? 0..<count
        let (writer, finished) = try openOutput(attributes: attributes, masks: masks, share: share) {
            try runIdentity(runSeed: runSeed, count: count)
        }
        attributes["mimic_failed_attempts"] = .bool(true)
        let failedWriter = try keepFailed.map { try makeWriter($0, attributes: attributes) }
        let options = RolloutOptions(stopAfterSuccess: stopAfterSuccess, successRule: successAt ?? .end)
        let budget = (maxAttempts + streams - 1) / streams
        let clock = ContinuousClock()
        var phases = PhaseSeconds()
        let progress = ProgressBar(total: share.count, unit: "demos")
        var summary = Summary()
        summary.wanted = share.count
        // A resumed run goes on with the first shard it has not finished.
        var total = finished.compactMap(\.execution).reduce(ShardRecord.Execution(), +)
        summary.demos = finished.reduce(0) { $0 + $1.demos }
        summary.samples = finished.reduce(0) { $0 + $1.samples }
        var failed = 0
        for stream in (mine.lowerBound + finished.count)..<mine.upperBound {
            let wanted = min(size, count - stream * size)
            var counters = ShardRecord.Execution()
            var kept = 0
            while kept < wanted && counters.attempts < budget {
                // A batch a little larger than what is still needed, at least one attempt per worker.
                let batch = min(budget - counters.attempts, max(workers, min(4 * workers, wanted - kept)))
                let planning = clock.now
                let attempts = try pool.plan((counters.attempts..<(counters.attempts + batch)).map { stream + $0 * streams })
                phases.plan += (clock.now - planning).seconds
                let results = try parallelMap(attempts.count, workers: workers) { w, k in
                    Result { () throws(DatasetError) -> (ExecutedEpisode, Double) in
                        var episode = try pool.run(attempts[k], worker: w, options: options)
                        guard episode.success, let renderers else { return (episode, 0) }
                        // A successful attempt's cameras, drawn by the same worker at its recorded states.
                        let drawing = clock.now
                        let entry = attempts[k].entry
                        let (world, renderer) = try camera.renderer(renderers, worker: w, sceneIndex: entry.index, scene: entry.scene, envArgs: envArgs)
                        try camera.addImages(
                            to: &episode.demo, index: episode.index, seed: runSeed, renderer: renderer, world: world, file: source,
                            finalState: episode.rollout.finalState)
                        return (episode, (clock.now - drawing).seconds)
                    }
                }.map { try $0.get() }
                for (episode, renderSeconds) in results {
                    phases.physics += episode.physicsSeconds
                    phases.observations += episode.observationSeconds
                    phases.render += renderSeconds
                    counters.attempts += 1
                    counters.physicsSteps += episode.rollout.physicsSteps
                    var demo = episode.demo
                    if episode.success {
                        demo.name = "demo_\(summary.demos)"
                        kept += 1
                        let writing = clock.now
                        try writer.write(layout(demo), execution: counters)
                        phases.write += (clock.now - writing).seconds
                        summary.demos += 1
                        summary.samples += demo.length
                        progress.update(summary.demos)
                        if kept == wanted { break }
                    } else {
                        counters.failureReasons[Self.reasonCategory(episode.rollout.failure), default: 0] += 1
                        if let failedWriter {
                            demo.name = "demo_\(failed)"
                            try failedWriter.write(layout(demo))
                            failed += 1
                        }
                    }
                }
            }
            // A full shard landed with its last demo; a short one lands now.
            if kept < size { try writer.closeShard(execution: counters) }
            total = total + counters
        }
        progress.finish()
        summary.attempts = total.attempts
        summary.failureReasons = total.failureReasons
        summary.physicsSteps = total.physicsSteps
        let finishing = clock.now
        try writer.finish(demos: summary.demos, masks: masks)
        try failedWriter?.finish(masks: [:])
        phases.write += (clock.now - finishing).seconds
        summary.seconds = Date().timeIntervalSince(started)
        try writeStats(
            summary, seed: runSeed,
            extra: [
                "kinematic": false, "attempts": summary.attempts, "successes": summary.demos,
                "success_rate": Double(summary.demos) / Double(max(summary.attempts, 1)),
                "failure_reasons": summary.failureReasons,
                "seconds_per_success": summary.seconds / Double(max(summary.demos, 1)),
                "physics_steps": summary.physicsSteps, "mujoco": mujocoVersion, "phase_seconds": phases.json,
                "cameras": camera.names, "image_size": renderers == nil ? [] : [try camera.size.width, try camera.size.height],
            ])
        return summary
    }

    /// Where a checked run's time went, in wall-clock seconds: planning (on the run's thread), the
    /// closed loop (control, physics and subtask planning) and the recording of observations and
    /// images (each summed over the workers), and writing (the run's thread).
    struct PhaseSeconds {
        var plan = 0.0, physics = 0.0, observations = 0.0, render = 0.0, write = 0.0

        var json: [String: Double] { ["plan": plan, "physics": physics, "observations": observations, "render": render, "write": write] }
    }

    /// A failure reason without its step numbers, for counting.
    static func reasonCategory(_ failure: RolloutFailure?) -> String {
        switch failure {
        case .noSuccess?: return "no_success"
        case .unstable?: return "unstable"
        case .nonFiniteAction?: return "non_finite_action"
        case .simulatorError?: return "simulator_error"
        case .successNotHeld?: return "success_not_held"
        case nil: return "none"
        }
    }
}
