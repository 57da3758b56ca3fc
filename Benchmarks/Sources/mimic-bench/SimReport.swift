import Foundation
import MimicSim

extension MimicBench {
    /// The simulator section: the replays and their floor, the attempts on one thread and their
    /// floor, the phase split, the attempts on all cores; returns the report.
    static func runSim(_ options: Options, directory: String, failures: inout [String], sink: inout Double) throws -> String {
        let bench = SimBench()
        progress("simulator: preparing \(options.simSourcePath), compiling its scenes")
        let setup = try bench.setup(
            sourcePath: options.simSourcePath, directory: directory, seed: options.seed,
            assetsRoot: options.robosuiteAssets)
        progress("simulator: Executor.replay of the \(setup.replays.count) source demos, each followed by the mj_step floor, \(options.simRuns) runs")
        let replay = try bench.replay(setup, runs: options.simRuns, sink: &sink)
        let replayFloor = replay.floor
        progress("simulator: mj_step along the replays' states, \(options.simRuns) runs")
        let replayAlong = try bench.floorAlong(replay.episodes, stepsPerRow: setup.physicsStepsPerAction, runs: options.simRuns, sink: &sink)
        progress(
            "simulator: EpisodeRunnerPool.run, \(options.simAttempts) attempts on 1 thread, each followed by the mj_step floor, \(options.simPasses) passes")
        let (single, executeFloor, phases) = try bench.executeSingleThread(setup, attempts: options.simAttempts, passes: options.simPasses, sink: &sink)
        progress("simulator: mj_step along the attempts' states, \(options.simPasses) runs")
        let executeAlong = try bench.floorAlong(
            single.rollouts.map { ($0.entry.scene, $0.rollout) }, stepsPerRow: setup.physicsStepsPerAction,
            runs: options.simPasses, sink: &sink)
        if !phases.reproduced { failures.append("Executor.replay of the attempts' actions did not reproduce their rollouts") }
        progress("simulator: EpisodeRunnerPool.run, \(options.simAttempts) attempts on \(bench.workers) threads, \(options.simPasses) passes")
        var parallel: SimBench.ExecuteResult?
        do {
            parallel = try bench.executeAllCores(
                setup, attempts: options.simAttempts, passes: options.simPasses,
                expected: single.attempts, sink: &sink)
        } catch {
            failures.append("simulator, all cores: \(error)")
        }
        return simReport(
            setup: setup, replay: replay, replayFloor: replayFloor, replayAlong: replayAlong, single: single,
            executeFloor: executeFloor, executeAlong: executeAlong, phases: phases, parallel: parallel, options: options)
    }

    static func simReport(
        setup: SimBench.Setup, replay: SimBench.ReplayResult, replayFloor: SimBench.Rate, replayAlong: SimBench.Rate,
        single: SimBench.ExecuteResult, executeFloor: SimBench.Rate, executeAlong: SimBench.Rate, phases: SimBench.Phases,
        parallel: SimBench.ExecuteResult?, options: Options
    ) -> String {
        var rows = [
            [
                "measurement", "threads", "episodes", "physics steps", "steps/s CPU", "min-max", "x floor", "steps/s wall",
                "CPU ms/episode", "share", "kept", "CPU s/kept", "floor CPU s/kept", "wall s/kept",
            ]
        ]
        func rateCells(_ rate: SimBench.Rate, floor: SimBench.Rate) -> [String] {
            [
                grouped(rate.cpuRate.median), grouped(rate.cpuRate.min) + "-" + grouped(rate.cpuRate.max),
                fixed(floor.cpuRate.median / rate.cpuRate.median, 2) + "x", grouped(rate.wallRate.median),
            ]
        }
        func floorRow(_ name: String, _ rate: SimBench.Rate, floor: SimBench.Rate, episodes: Int) -> [String] {
            [name, "1", String(episodes), grouped(Double(rate.physicsSteps))] + rateCells(rate, floor: floor)
                + [short(1000 * rate.cpuSeconds.median / Double(episodes)), "", "", "", "", ""]
        }
        /// CPU seconds per kept demo, and the floor's CPU seconds for the physics steps simulated per kept demo.
        func perKept(_ r: SimBench.ExecuteResult) -> (cpu: Double, floor: Double)? {
            guard r.successes > 0 else { return nil }
            let kept = Double(r.successes)
            return (r.rate.cpuSeconds.median / kept, Double(r.physicsSteps) / kept / executeFloor.cpuRate.median)
        }
        func executeRow(_ name: String, _ r: SimBench.ExecuteResult) -> [String] {
            let n = Double(r.attempts.count)
            let kept = perKept(r)
            return [name, String(r.threads), String(r.attempts.count), grouped(Double(r.physicsSteps))]
                + rateCells(r.rate, floor: executeFloor)
                + [
                    short(1000 * r.rate.cpuSeconds.median / n), "100%", "\(r.successes)/\(r.attempts.count) " + percent(Double(r.successes), n),
                    kept.map { short($0.cpu) } ?? "-", kept.map { short($0.floor) } ?? "-",
                    kept == nil ? "-" : short(r.rate.wallSeconds.median / Double(r.successes)),
                ]
        }
        let source = displayPath(setup.sourcePath)
        rows.append(floorRow("mj_step alone from states[0] (floor)", replayFloor, floor: replayFloor, episodes: replay.demos))
        rows.append(floorRow("mj_step alone along the replays' states", replayAlong, floor: replayFloor, episodes: replay.demos))
        rows.append(
            ["Executor.replay, the source demos", "1", String(replay.demos), grouped(Double(replay.rate.physicsSteps))]
                + rateCells(replay.rate, floor: replayFloor) + [
                    short(1000 * replay.rate.cpuSeconds.median / Double(replay.demos)), "", "\(replay.successes)/\(replay.demos)", "", "", "",
                ])
        rows.append(Array(repeating: "", count: rows[0].count))
        rows.append(floorRow("mj_step alone from states[0] (floor)", executeFloor, floor: executeFloor, episodes: single.attempts.count))
        rows.append(floorRow("mj_step alone along the attempts' states", executeAlong, floor: executeFloor, episodes: single.attempts.count))
        rows.append(executeRow("EpisodeRunnerPool.run (generate + execute)", single))

        // Phases, per attempt, from the first timed pass.
        let n = Double(single.attempts.count)
        let loop = phases.replay / n
        let observations = phases.observations / n
        let rest = phases.run / n - loop - observations
        let total = phases.run / n
        func phaseRow(_ name: String, _ seconds: Double, rate: Double? = nil) -> [String] {
            [
                "  " + name, "", "", "", rate.map(grouped) ?? "", "", rate.map { fixed(executeFloor.cpuRate.median / $0, 2) + "x" } ?? "", "",
                short(1000 * seconds), percent(seconds, total), "", "", "", "",
            ]
        }
        rows.append(phaseRow("control loop: Executor.replay of its actions", loop, rate: Double(single.physicsSteps) / phases.replay))
        rows.append(phaseRow("observations: restore + record each state", observations))
        rows.append(phaseRow("planning (Episode), placement, demo arrays", rest))
        if let parallel { rows.append(executeRow("EpisodeRunnerPool.run, all cores", parallel)) }

        var reasons: [String: Int] = [:]
        for attempt in single.attempts where !attempt.success {
            let reason = attempt.failure.map { $0.hasPrefix("the success test never held") ? "no success" : $0 } ?? "?"
            reasons[reason, default: 0] += 1
        }
        let failed = reasons.isEmpty ? "none" : reasons.sorted { $0.key < $1.key }.map { "\($0.value) \($0.key)" }.joined(separator: ", ")
        let kept = single.attempts.filter(\.success)
        let meanSamples = kept.isEmpty ? 0 : Double(kept.map(\.samples).reduce(0, +)) / Double(kept.count)
        let perAttempt = Stats(single.attemptCPU, calls: 1)
        func busy(_ r: SimBench.ExecuteResult) -> String {
            let passes = Double(r.rate.cpuSeconds.runs)
            return percent(r.rate.cpuSeconds.median, r.rate.wallSeconds.median * Double(r.threads))
                + " (context switches per pass: \(fixed(Double(r.switches.voluntary) / passes, 0)) voluntary, "
                + "\(fixed(Double(r.switches.involuntary) / passes, 0)) involuntary)"
        }
        let utilisation =
            "on CPU, thread CPU / (wall x threads): 1 thread \(busy(single))"
            + (parallel.map { ", \($0.threads) threads \(busy($0))" } ?? "")
            + ";\n         load average \(loadAverage()) after the section. Involuntary switches: other processes took the core."
        let parallelCheck =
            parallel.map { "the \($0.threads)-thread attempts equal the 1-thread ones (success, steps, final state)" }
            ?? "all cores: FAILED (see stderr)"
        let threads = parallel?.threads ?? ProcessInfo.processInfo.activeProcessorCount
        let envName = setup.envArgs.envName ?? "?"
        let generator = setup.generation.generator
        let controller = setup.execution.controller
        let control =
            controller.wholeBody.map { "robosuite 1.5's WHOLE_BODY_IK (IK for \($0.sites.count) end effectors, then joint-position control)" }
            ?? "robosuite's OSC_POSE + gripper (\(controller.arms.count) arm\(controller.arms.count == 1 ? "" : "s"), \(controller.loop.rawValue) control loop)"
        let notes = setup.generation.notes.map { "\n         " + $0 }.joined()
        let uncomputable =
            setup.uncomputable.isEmpty
            ? "" : "\n         not in the executed demos (Mimic cannot compute them): \(setup.uncomputable.map { "obs/" + $0 }.joined(separator: ", "))"
        let ratio = perKept(single).map { "\(short($0.cpu)) s CPU per kept demo, \(fixed($0.cpu / $0.floor, 2))x the floor's \(short($0.floor)) s" } ?? "nothing kept"
        let mimicGen =
            envName == "Lift"
            ? perKept(single).map {
                "\n    vs MimicGen: its quoted 1.6 s per kept Lift demo (not measured here) / CPU s/kept = "
                    + fixed(SimBench.mimicGenSecondsPerLiftSuccess / $0.cpu, 1) + "x on 1 thread"
            } ?? "" : ""
        return """
            Simulator  MuJoCo \(mujocoVersion), \(envName) (\(setup.envArgs.robots.joined(separator: ", "))) from \(source): \(replay.demos) source demos \
            recorded in \(setup.sceneCount) scene\(setup.sceneCount == 1 ? "" : "s") (model_file)
            floor scene: \(setup.replays[0].name)'s, \(setup.floorScene.nq) qpos, \(setup.floorScene.nv) dof, timestep \(fixed(setup.floorScene.timestep * 1000, 1)) ms
            controller: \(control) from env_args, \(fixed(controller.controlFrequency, 0)) Hz,
                     \(setup.physicsStepsPerAction) physics steps per action (mj_step1/mj_step2, controls each step)
            task: TaskProfiles.spec(for: env_args), as `mimic prepare` and `mimic augment` pick it: end effectors \
            \(generator.task.effectors.map(\.layout.name).joined(separator: ", ")), objects \(generator.objectNames.joined(separator: ", ")); \
            success: its test, at every control step\(notes)\(uncomputable)
            floor: SimWorld.step (mj_step, zero controls) from \(setup.replays[0].name)'s states[0], restored (untimed), right after every
                     replay or 1-thread attempt for as many physics steps as it took: the same steps under the same load.
                     along the states: every state row of those episodes restored (untimed) in its scene, then \(setup.physicsStepsPerAction) mj_steps
                     with zero controls: the same steps through the configurations and contacts the episodes went through.
            replay: Executor.replay of each source demo's actions (\(replay.controlSteps) actions) from its own states[0] in its own scene,
                     every action run.
            EpisodeRunnerPool.run: attempt i is generated demo i, planned and run closed loop in the scene of its first source as
                     `mimic augment --execute` does (ExecutionScenes, ExecutionSetup, EpisodeRunnerPool; sources prepared
                     in-process; seed \(setup.generation.seed)), the whole plan executed (no --stop-after-success), then the demo built
                     (observations, datagen_info); mean \(fixed(meanSamples, 1)) steps per kept demo. all cores: a pool of
                     \(threads) workers, worker w runs attempts w, w + \(threads), ...
            steps/s CPU: physics steps / thread CPU time (summed over the threads), median of \(options.simRuns) runs (floor of the
                     replays, replays) or \(options.simPasses) passes over the attempts; steps/s wall: the same over elapsed time.
            x floor: the floor's steps/s CPU / this row's (1.00x = as fast as mj_step alone, per core); all cores against the
                     floor of the 1-thread attempts, measured at another moment.
            CPU ms/episode: thread CPU per replayed demo, attempt or floor chunk (all cores: summed over the workers).
            kept: successful attempts / attempts. CPU s/kept: a pass's thread CPU / kept; floor CPU s/kept: the floor's CPU
                     for the same physics steps (all attempts' steps / kept); their ratio is the row's x floor.
            phases: per attempt, shares of the first pass's EpisodeRunnerPool.run CPU. Timed apart, right after each attempt of
                     that pass and its floor: the attempt's executed actions replayed open loop (Executor.replay: controller,
                     physics, state rows, success test; it reproduces the closed-loop rollout, checked below) and each of its
                     states restored with its observations recorded (what makeDemo does per step); planning = run - replay -
                     observations (not timed alone).

            """ + formatTable(rows, rightAligned: Set(1...13)) + "\n" + """
                per attempt, 1 thread: CPU median \(short(1000 * perAttempt.median)) ms, \(short(1000 * perAttempt.min))-\(short(1000 * perAttempt.max)) ms; \
                failed attempts: \(failed)
                \(utilisation)
                check: \(parallelCheck); Executor.replay of every attempt's actions \
                \(phases.reproduced ? "reproduces its rollout" : "DOES NOT reproduce its rollout") (final state max |diff| \
                \(String(format: "%.1e", phases.finalStateDifference)))
                summary, \(envName), 1 thread: floor \(grouped(executeFloor.cpuRate.median)) physics steps/s CPU; replay of the source demos \
                \(fixed(replayFloor.cpuRate.median / replay.rate.cpuRate.median, 2))x the floor; generate + execute \(ratio); \
                kept \(single.successes)/\(single.attempts.count); peak RSS \(megabytes(peakResidentBytes())) MB (getrusage ru_maxrss, \
                the process so far)\(mimicGen)
                """
    }
}
