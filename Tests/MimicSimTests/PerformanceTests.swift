import Foundation
import Testing
import MimicCore
import MimicSim

/// Physics steps per second of raw `mj_step` against the full control loop on the Lift scene.
/// A measurement to print, not a pass/fail check: it runs only with MIMIC_SIM_BENCH=1, and means
/// something only in a release build (`swift test -c release --filter MimicSimTests.PerformanceTests`).
@Suite(.enabled(if: ProcessInfo.processInfo.environment["MIMIC_SIM_BENCH"] == "1"))
struct PerformanceTests {
    @Test func stepsPerSecond() throws {
        let dataset = try Bundled.dataset("lift")
        let demo = dataset.demos[0]
        let scene = try Bundled.scene("lift")
        let world = SimWorld(scene: scene)
        let initial = demo.arrays["states"]!.row(0)
        let clock = ContinuousClock()
        func seconds(_ d: Duration) -> Double { Double(d.components.seconds) + Double(d.components.attoseconds) * 1e-18 }

        let executor = try Executor(world: world, controller: try ControllerConfig(envArgs: dataset.envArgs, file: ""))
        let check = try SuccessCheck(.task("Lift"), scene: scene)
        let actions = demo.actions!.doubles
        var rawRate = 0.0, loopRate = 0.0, alongRate = 0.0
        let states = demo.arrays["states"]!
        let rows = (0..<states.rows).map { states.row($0) }
        for _ in 0..<3 {
            // Raw along the demo: from every recorded state, 25 steps with zero controls.
            let along = try clock.measure {
                for _ in 0..<4 { for row in rows { try world.restore(state: row); world.step(count: 25) } }
            }
            alongRate = max(alongRate, Double(25 * rows.count * 4) / seconds(along))
            // Raw: the same number of physics steps from the same state, zero controls.
            try world.restore(state: initial)
            let raw = clock.measure { world.step(count: 25 * demo.length * 4) }
            rawRate = max(rawRate, Double(25 * demo.length * 4) / seconds(raw))
            var physics = 0
            let loop = try clock.measure {
                for _ in 0..<4 { physics += try executor.replay(actions: actions, from: initial, success: check).physicsSteps }
            }
            loopRate = max(loopRate, Double(physics) / seconds(loop))
        }
        print("Lift: mj_step alone \(Int(rawRate)) steps/s from states[0], \(Int(alongRate)) steps/s from every recorded state (restore + 25 steps); controller loop (OSC + gripper + 25 physics steps per action, states, success test) \(Int(loopRate)) physics steps/s; ratio \(String(format: "%.2f", rawRate / loopRate))")
    }
}
