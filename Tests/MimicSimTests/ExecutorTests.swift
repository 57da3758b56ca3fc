import Foundation
import Testing
import MimicCore
import MimicMath
@testable import MimicSim

@Suite struct ExecutorTests {
    /// Replays every bundled demo's actions open loop from its first state, as robosuite does
    /// (where all of them succeed), and measures how far the states drift from the recorded ones.
    @Test(arguments: ["lift", "pick_place_can", "two_arm_handover"])
    func replaysBundledDemosToSuccess(_ name: String) throws {
        let dataset = try Bundled.dataset(name)
        let config = try ControllerConfig(envArgs: dataset.envArgs, file: Bundled.path(name))
        var successes = 0
        var worstDrift = 0.0, worstQposDrift = 0.0
        var lines: [String] = []
        for (i, demo) in dataset.demos.enumerated() {
            let scene = try Bundled.scene(name, demo: i)
            let executor = try Executor(world: SimWorld(scene: scene), controller: config)
            let states = demo.arrays["states"]!
            let check = try SuccessCheck(.task(dataset.envArgs.envName!), scene: scene)
            let rollout = try executor.replay(actions: demo.actions!.doubles, from: states.row(0), success: check)
            #expect(rollout.steps == states.rows)
            #expect(rollout.physicsSteps == 25 * states.rows)
            var drift = 0.0, qposDrift = 0.0
            for t in 0..<states.rows {
                let recorded = states.row(t), replayed = Array(rollout.state(t))
                drift = max(drift, maxAbsDifference(recorded, replayed))
                qposDrift = max(qposDrift, maxAbsDifference(Array(recorded[1...scene.nq]), Array(replayed[1...scene.nq])))
            }
            worstDrift = max(worstDrift, drift)
            worstQposDrift = max(worstQposDrift, qposDrift)
            if rollout.success { successes += 1 }
            lines.append("\(name) \(demo.name): T=\(states.rows) success=\(rollout.success) first=\(rollout.firstSuccessStep.map(String.init) ?? "-") max|Δstate|=\(String(format: "%.3g", drift)) max|Δqpos|=\(String(format: "%.3g", qposDrift))")
        }
        print(lines.joined(separator: "\n"))
        print("\(name): \(successes)/\(dataset.demos.count) replays succeed; max state drift \(worstDrift), max qpos drift \(worstQposDrift)")
        #expect(successes == dataset.demos.count)
        #expect(worstQposDrift < 0.05)
    }
}
