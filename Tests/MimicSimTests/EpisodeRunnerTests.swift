import Testing
import MimicCore
import MimicMath
@testable import MimicSim

@Suite struct EpisodeRunnerTests {
    /// A Lift generator over the bundled demos, prepared in process.
    static func generator() throws -> (Generator, Bundled.Dataset) {
        let lift = try Bundled.dataset("lift")
        let setup = try PrepareSetup.infer(demo: lift.demos[0], envArgs: lift.envArgs, spec: TaskProfiles.spec(forEnvName: "Lift"), file: "lift")
        let builder = DatagenInfoBuilder(setup: setup)
        var prepared: [Demo] = []
        for demo in lift.demos {
            var d = demo
            d.setDatagenInfo(try builder.build(demo, file: "lift"), format: OutputFormat(interfaceName: "MG_Lift"))
            prepared.append(d)
        }
        var notes: [String] = []
        let generator = try Generator.make(
            demos: prepared, envArgs: lift.envArgs, spec: TaskProfiles.spec(forEnvName: "Lift"),
            seed: 5, file: "lift", notes: &notes)
        return (generator, lift)
    }

    /// The run's setup and the scenes of the bundled Lift sources.
    static func setup() throws -> (ExecutionSetup, ExecutionScenes) {
        let (generator, lift) = try generator()
        let setup = ExecutionSetup(
            generator: generator, controller: try ControllerConfig(envArgs: lift.envArgs, file: "lift"),
            success: SuccessPredicate.robosuite(envName: "Lift")!,
            format: OutputFormat(source: lift.demos[0], envArgs: lift.envArgs, taskName: nil), file: "lift")
        let scenes = ExecutionScenes(
            demos: generator.sources.map { s in lift.demos.first { $0.name == s.name }! }, spec: TaskSpec(),
            specFile: nil, objectNames: generator.objectNames, assetsRoot: Bundled.assetsRoot, file: "lift")
        return (setup, scenes)
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
