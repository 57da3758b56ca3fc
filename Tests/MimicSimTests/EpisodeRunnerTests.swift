import Testing
import MimicCore
import MimicMath
@testable import MimicSim

@Suite struct EpisodeRunnerTests {
    /// A generator over a bundled dataset's demos with its built-in profile, prepared in process
    /// as `mimic prepare` does.
    static func generator(_ name: String = "lift", seed: UInt64 = 5) throws -> (Generator, Bundled.Dataset) {
        let data = try Bundled.dataset(name)
        let spec = try #require(TaskProfiles.spec(for: data.envArgs))
        let setup = try PrepareSetup.infer(demo: data.demos[0], envArgs: data.envArgs, spec: spec, file: name)
        let builder = DatagenInfoBuilder(setup: setup)
        let format = OutputFormat(source: data.demos[0], envArgs: data.envArgs, taskName: spec.name)
        var prepared: [Demo] = []
        for demo in data.demos {
            var d = demo
            d.setDatagenInfo(try builder.build(demo, file: name), format: format)
            prepared.append(d)
        }
        var notes: [String] = []
        let generator = try Generator.make(demos: prepared, envArgs: data.envArgs, spec: spec, seed: seed, file: name, notes: &notes)
        return (generator, data)
    }

    /// The run's setup and the scenes of a bundled dataset's sources.
    static func setup(_ name: String = "lift", seed: UInt64 = 5) throws -> (ExecutionSetup, ExecutionScenes) {
        let (generator, data) = try generator(name, seed: seed)
        let spec = try #require(TaskProfiles.spec(for: data.envArgs))
        let setup = ExecutionSetup(
            generator: generator, controller: try ControllerConfig(envArgs: data.envArgs, file: name),
            success: try spec.requireSuccess(envName: data.envArgs.envName, file: name),
            format: OutputFormat(source: data.demos[0], envArgs: data.envArgs, taskName: spec.name), file: name)
        let scenes = ExecutionScenes(
            demos: generator.sources.map { s in data.demos.first { $0.name == s.name }! }, spec: spec,
            specFile: nil, objectNames: generator.objectNames, assetsRoot: Bundled.assetsRoot, file: name)
        return (setup, scenes)
    }

    /// Attempt 171 of the GR1 pot lift (seed 1) first succeeds on its plan's last action, which
    /// `states` (the state before each action) would not show: the runner holds one more step, so
    /// its last recorded state shows success, and the demo is otherwise the plan's.
    @Test func aSuccessOnTheLastActionIsHeldOneStepIntoTheStates() throws {
        let (setup, scenes) = try Self.setup("gr1_two_arm_lift", seed: 1)
        let plan = setup.episode(171)
        let entry = try scenes.entry(forSource: plan.firstSource!)
        let episode = try EpisodeRunner(setup: setup, entry: entry).run(plan, options: RolloutOptions())
        let demo = episode.demo
        let first = try #require(episode.rollout.firstSuccessStep)
        #expect(first == demo.length - 2)
        let success = try SuccessCheck(setup.success, scene: entry.scene)
        let world = try SimWorld(scene: entry.scene)
        let states = try #require(demo.arrays["states"])
        let shows = try (0..<states.rows).map { t in
            try world.restore(state: states.row(t))
            return success.evaluate(world)
        }
        #expect(shows.last == true && shows.dropLast().allSatisfy { !$0 })
        // The held step repeats the hand commands of the last planned one, with no source step.
        let actions = try #require(demo.arrays["actions"]).doubles, width = demo.arrays["actions"]!.rowWidth
        let layouts = setup.generator.task.effectors.map(\.layout)
        for layout in layouts {
            for c in layout.gripperColumns { #expect(actions[(demo.length - 1) * width + c] == actions[(demo.length - 2) * width + c]) }
        }
    }

    /// Attempt 24 of the GR1 one-hand lift (seed 5) lifts the cube and then loses it: it succeeds
    /// at some step (``SuccessRule/anyStep``), not at the end (``SuccessRule/end``), and its demo
    /// records why. Attempt 2 ends with the cube lifted, and its last recorded state shows it.
    @Test func theEndRuleKeepsOnlyDemosThatEndInSuccess() throws {
        let (setup, scenes) = try Self.setup("gr1_lift", seed: 5)
        let success = { (entry: ExecutionScenes.Entry) in try SuccessCheck(setup.success, scene: entry.scene) }
        func lastStateSucceeds(_ demo: Demo, _ entry: ExecutionScenes.Entry) throws -> Bool {
            let world = try SimWorld(scene: entry.scene)
            let states = try #require(demo.arrays["states"])
            try world.restore(state: states.row(states.rows - 1))
            return try success(entry).evaluate(world)
        }
        let dropped = setup.episode(24)
        let entry = try scenes.entry(forSource: dropped.firstSource!)
        let runner = try EpisodeRunner(setup: setup, entry: entry)
        let any = try runner.run(dropped, options: RolloutOptions(successRule: .anyStep))
        let end = try runner.run(dropped, options: RolloutOptions(successRule: .end))
        #expect(any.success && !end.success)
        let first = try #require(end.rollout.firstSuccessStep)
        #expect(end.rollout.failure == .successNotHeld(firstSuccess: first, steps: end.rollout.steps))
        #expect(end.demo.attributes["mimic_failure"] == .string(end.rollout.failure!.description))
        #expect(try !lastStateSucceeds(end.demo, entry))
        let kept = setup.episode(2)
        let keptEntry = try scenes.entry(forSource: kept.firstSource!)
        let done = try EpisodeRunner(setup: setup, entry: keptEntry).run(kept, options: RolloutOptions(successRule: .end))
        #expect(done.success && done.demo.attributes["mimic_failure"] == nil)
        #expect(try lastStateSucceeds(done.demo, keptEntry))
    }

    @Test func generatedLiftDemosSucceedAndCarryTheirRecord() throws {
        let (setup, scenes) = try Self.setup()
        var successes = 0
        for i in 0..<4 {
            let episodePlan = setup.episode(i)
            let entry = try scenes.entry(forSource: episodePlan.firstSource!)
            let runner = try EpisodeRunner(setup: setup, entry: entry)
            let episode = try runner.run(episodePlan, options: RolloutOptions())
            if episode.success { successes += 1 }
            let demo = episode.demo
            #expect(demo.length == episode.rollout.steps)
            #expect(demo.arrays["states"]?.rows == demo.length)
            #expect(demo.obs("cube_pos")?.rows == demo.length)
            #expect(demo.modelXML == entry.xml)
            // The cube starts where the episode placed it.
            let cube = demo.obs("cube_pos")!.doubles
            let placed = episodePlan.placement["cube"]!.position
            #expect(abs(cube[0] - placed.x) < 1e-9 && abs(cube[1] - placed.y) < 1e-9)
            #expect(try DatagenInfo(demo: demo, file: "out")?.endEffectors.first?.eefPose.count == demo.length)
            #expect(demo.attributes["mimic_kinematic"] == AttributeValue.bool(false))
            // The same attempt gives the same demo.
            #expect(try runner.run(episodePlan, options: RolloutOptions()).demo == demo)
        }
        #expect(successes >= 3)
    }

    /// Attempts planned by the pool run the same on any worker, and each worker makes one runner per scene.
    @Test func thePoolGivesTheSameDemoOnEveryWorker() throws {
        let (setup, scenes) = try Self.setup()
        let pool = EpisodeRunnerPool(setup: setup, scenes: scenes, workers: 2)
        let attempts = try pool.plan(0..<2)
        #expect(attempts.map(\.episode.index) == [0, 1])
        for attempt in attempts {
            #expect(attempt.entry.index == scenes.sceneIndex(ofSource: attempt.episode.firstSource!))
            #expect(try pool.run(attempt, worker: 0, options: RolloutOptions()).demo == pool.run(attempt, worker: 1, options: RolloutOptions()).demo)
        }
    }

    @Test func unknownObjectJointIsAnError() throws {
        let (setup, scenes) = try Self.setup()
        let good = try scenes.entry(forSource: 0)
        let bad = ExecutionScenes.Entry(
            index: good.index, scene: good.scene, xml: good.xml, baseState: good.baseState,
            objectJoints: ["cube": "no_such_joint"], recorder: good.recorder)
        #expect(throws: DatasetError.self) { try EpisodeRunner(setup: setup, entry: bad) }
    }
}
