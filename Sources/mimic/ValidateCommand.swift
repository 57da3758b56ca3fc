import ArgumentParser
import Foundation
import MimicCore
import MimicHDF5
import MimicSim

struct ValidateCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "validate",
        abstract: "Check every demo of a robosuite dataset in MuJoCo: re-execute its actions (or replay its states) and test the task's success.",
        discussion: """
            Works on any robosuite robomimic file: Mimic's, MimicGen's, your own recordings. Each demo's \
            scene comes from its model_file, its controllers from env_args, and success from the built-in \
            check of the env_name (robosuite's own _check_success). With -o, writes a copy with \
            mask/successful and mask/failed.
            """)

    enum Mode: String, ExpressibleByArgument, CaseIterable {
        /// Restore the first state, run every action through the robosuite-compatible controllers.
        case execute
        /// Set each recorded state and test success on it.
        case states
    }

    @Argument(help: "A robomimic-layout dataset recorded in robosuite (states, actions, model_file, env_args).")
    var file: String

    @Option(help: "execute: re-run the actions from the first state; states: test the recorded states.")
    var mode: Mode = .execute

    @Option(name: .shortAndLong, help: "Write a copy with mask/successful and mask/failed here.")
    var output: String?

    @Option(help: "A task spec (JSON) whose `success` replaces the built-in check of the env, and whose `mjcf` names the scene.")
    var task: String?

    @Flag(help: "Print one JSON object instead of a table.")
    var json = false

    @Option(help: "robosuite's models/assets directory (default: from the installed robosuite).")
    var robosuiteAssets: String?

    @Option(help: "Parallel workers (default: all cores).")
    var workers: Int = ProcessInfo.processInfo.activeProcessorCount

    func validate() throws {
        if workers < 1 { throw ValidationError("--workers must be at least 1") }
    }

    func run() async throws {
        if let output { try requireDistinct(output: output, from: file) }
        let report = try reportingFailures { try check() }
        if json {
            let object: [String: Any] = [
                "file": file, "mode": mode.rawValue, "demos": report.results.count, "successes": report.successes,
                "success_rate": report.successRate, "seconds": report.seconds, "physics_steps": report.physicsSteps,
                "results": report.results.map { r -> [String: Any] in
                    [
                        "demo": r.demo, "success": r.success, "first_success_step": r.firstSuccessStep as Any? ?? NSNull(),
                        "failure": r.failure as Any? ?? NSNull(), "steps": r.steps,
                    ]
                },
            ]
            let data = try JSONSerialization.data(withJSONObject: object, options: [.sortedKeys, .prettyPrinted, .withoutEscapingSlashes])
            Console.out(String(decoding: data, as: UTF8.self))
        } else {
            Console.out(
                Console.table(
                    [["demo", "result", "steps", "first success"]]
                        + report.results.map { r in
                            [r.demo, r.success ? "success" : "FAILED: \(r.failure ?? "")", "\(r.steps)", r.firstSuccessStep.map(String.init) ?? "-"]
                        }
                ).joined(separator: "\n"))
            Console.out(
                "validated \(report.results.count) demos (\(mode.rawValue)): \(report.successes) successful, success rate \(String(format: "%.1f", 100 * report.successRate)) %, \(String(format: "%.2f", report.seconds)) s"
            )
            if let output { Console.out("wrote \(output) with mask/successful and mask/failed") }
        }
    }

    struct Result: Sendable {
        var demo: String
        var success: Bool
        var firstSuccessStep: Int?
        var failure: String?
        var steps: Int
        var physicsSteps: Int
    }

    struct Report {
        var results: [Result]
        var seconds: Double
        var successes: Int { results.filter(\.success).count }
        var successRate: Double { results.isEmpty ? 0 : Double(successes) / Double(results.count) }
        var physicsSteps: Int { results.map(\.physicsSteps).reduce(0, +) }
    }

    /// One demo's inputs, read on the HDF5 thread.
    struct Job: Sendable {
        var name: String
        /// The scene's index in the catalog, and the scene.
        var sceneIndex: Int
        var scene: Scene
        var states: [Double]
        var stateWidth: Int
        var actions: [Double]
    }

    func check() throws -> Report {
        let started = Date()
        let reader = try RobomimicReader(path: file)
        try reader.requireMuJoCoRecording(for: "validate")
        var spec = TaskProfiles.spec(for: reader.envArgs) ?? TaskSpec()
        if let path = task { spec = spec.merged(with: try TaskSpec.decode(try readSmallFile(path), file: path)) }
        let predicate = try spec.requireSuccess(envName: reader.envArgs?.envName, file: file)
        guard let envArgs = reader.envArgs else { throw DatasetError(file: file, path: "/data.attrs[env_args]", "missing") }
        let controller = try ControllerConfig(envArgs: envArgs, file: file)

        // Read every demo and compile each distinct scene once (HDF5 and MuJoCo's compiler on this thread).
        let scenes = SceneCatalog(mjcf: spec.mjcf, specFile: task, assetsRoot: robosuiteAssets, file: file)
        var jobs: [Job] = []
        for name in reader.demoNames {
            let demo = try reader.demo(name)
            let path = "/data/\(name)"
            guard let states = demo.arrays["states"], states.shape.count == 2, states.rows > 0 else {
                throw DatasetError(file: file, path: "\(path)/states", "missing or empty: validate starts from the recorded states")
            }
            guard let actions = demo.actions, actions.shape.count == 2 else {
                throw DatasetError(file: file, path: "\(path)/actions", "missing or not (T, A)")
            }
            let (index, compiled) = try scenes.scene(of: demo)
            jobs.append(
                Job(
                    name: name, sceneIndex: index, scene: compiled.scene,
                    states: mode == .execute ? Array(states.doubles.prefix(states.rowWidth)) : states.doubles,
                    stateWidth: states.rowWidth, actions: actions.doubles))
        }

        let results: [Result] = try Self.run(jobs, mode: mode, predicate: predicate, controller: controller, workers: workers, file: file)
        if let output {
            var attributes = reader.dataAttributes
            attributes["total"] = nil
            let writer = try RobomimicWriter(destination: output, dataAttributes: attributes)
            for name in reader.demoNames { try writer.write(try reader.demo(name)) }
            var masks = reader.masks
            masks["successful"] = results.filter { $0.success }.map { $0.demo }
            masks["failed"] = results.filter { !$0.success }.map { $0.demo }
            try writer.finish(masks: masks)
        }
        return Report(results: results, seconds: Date().timeIntervalSince(started))
    }

    /// Runs the jobs on `workers` threads, each with its own world, executor and success check
    /// per scene; results in job order.
    static func run(
        _ jobs: [Job], mode: Mode, predicate: SuccessPredicate, controller: ControllerConfig,
        workers: Int, file: String
    ) throws -> [Result] {
        let checkers = WorkerPool<(Executor, SuccessCheck)>(workers: workers)
        return try parallelMap(jobs.count, workers: workers) { w, k in
            Swift.Result { () throws(DatasetError) -> Result in
                let job = jobs[k]
                let (executor, success) = try checkers.value(worker: w, scene: job.sceneIndex) { () throws(DatasetError) in
                    (try Executor(world: try SimWorld(scene: job.scene), controller: controller), try SuccessCheck(predicate, scene: job.scene))
                }
                return try Self.check(job, mode: mode, executor: executor, success: success, file: file)
            }
        }.map { try $0.get() }
    }

    static func check(_ job: Job, mode: Mode, executor: Executor, success: SuccessCheck, file: String) throws(DatasetError) -> Result {
        let path = "/data/\(job.name)"
        switch mode {
        case .execute:
            let rollout = try executor.replay(
                actions: job.actions, from: job.states, success: success,
                options: RolloutOptions(stopAfterSuccess: 0), file: file, path: "\(path)/actions")
            return Result(
                demo: job.name, success: rollout.success, firstSuccessStep: rollout.firstSuccessStep,
                failure: rollout.failure?.description, steps: rollout.steps, physicsSteps: rollout.physicsSteps)
        case .states:
            let rows = job.states.count / job.stateWidth
            var first: Int?
            try job.states.withUnsafeBufferPointer { all throws(DatasetError) in
                for t in 0..<rows where first == nil {
                    try executor.world.restore(
                        state: UnsafeBufferPointer(rebasing: all[(t * job.stateWidth)..<((t + 1) * job.stateWidth)]),
                        file: file, path: "\(path)/states")
                    if success.evaluate(executor.world) { first = t }
                }
            }
            return Result(
                demo: job.name, success: first != nil, firstSuccessStep: first,
                failure: first == nil ? "the success test holds in none of the \(rows) recorded states" : nil,
                steps: rows, physicsSteps: 0)
        }
    }
}
