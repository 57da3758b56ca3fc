import Testing
import MimicCore
import MimicMath
import MimicSim

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
        let generator = try Generator.make(demos: prepared, envArgs: lift.envArgs, spec: TaskProfiles.spec(forEnvName: "Lift"),
                                           seed: 5, file: "lift", notes: &notes)
        return (generator, lift)
    }

    @Test func generatedLiftDemosSucceedAndCarryTheirRecord() throws {
        let (generator, lift) = try Self.generator()
        let scene = try Bundled.scene("lift")
        let runner = try EpisodeRunner(generator: generator, world: SimWorld(scene: scene),
                                       controller: try ControllerConfig(envArgs: lift.envArgs, file: "lift"),
                                       success: SuccessPredicate.robosuite(envName: "Lift")!,
                                       baseState: lift.demos[0].arrays["states"]!.row(0), objectJoints: ["cube": "cube_joint0"],
                                       recorder: try ObservationRecorder(world: SimWorld(scene: scene), keys: lift.demos[0].obsKeys,
                                                                         sources: lift.demos, file: "lift"),
                                       modelXML: lift.demos[0].modelXML!,
                                       float32Keys: [], file: "lift")
        var successes = 0
        for i in 0..<4 {
            let episode = try runner.run(i, options: RolloutOptions(), file: "lift")
            if episode.success { successes += 1 }
            let demo = episode.demo
            #expect(demo.length == episode.rollout.steps)
            #expect(demo.arrays["states"]?.rows == demo.length)
            #expect(demo.obs("cube_pos")?.rows == demo.length)
            // The cube starts where the episode placed it.
            let cube = demo.obs("cube_pos")!.doubles
            let placed = Episode(generator: generator, index: i).scene["cube"]!.position
            #expect(abs(cube[0] - placed.x) < 1e-9 && abs(cube[1] - placed.y) < 1e-9)
            #expect(try DatagenInfo(demo: demo, file: "out")?.endEffectors.first?.eefPose.count == demo.length)
            #expect(demo.attributes["mimic_kinematic"] == .bool(false))
        }
        #expect(successes >= 3)
        // The same attempt gives the same demo.
        #expect(try runner.run(2, options: RolloutOptions(), file: "lift").demo == runner.run(2, options: RolloutOptions(), file: "lift").demo)
    }

    @Test func unknownObjectJointIsAnError() throws {
        let (generator, lift) = try Self.generator()
        #expect(throws: DatasetError.self) {
            try EpisodeRunner(generator: generator, world: SimWorld(scene: try Bundled.scene("lift")),
                              controller: try ControllerConfig(envArgs: lift.envArgs, file: "lift"),
                              success: SuccessPredicate.robosuite(envName: "Lift")!,
                              baseState: lift.demos[0].arrays["states"]!.row(0), objectJoints: ["cube": "no_such_joint"],
                              recorder: ObservationRecorder(scene: try Bundled.scene("lift"), keys: []), modelXML: "",
                              float32Keys: [], file: "lift")
        }
    }
}
