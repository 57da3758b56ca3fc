import Foundation
import Testing
import CMuJoCo
import MimicCore
import MimicMath
@testable import MimicSim

@Suite struct OSCPoseControllerTests {
    /// `robosuite.utils.transform_utils.quat2mat(axisangle2quat(v))` as numpy 1.26 computes it
    /// (float32 inside), to the last bit.
    @Test func deltaRotationMatchesRobosuiteBitForBit() {
        let cases: [(SIMD3<Double>, [Double])] = [
            (
                SIMD3(0.01, 0.02, -0.03),
                [
                    0.999350075784605, 0.030092990025877953, 0.019845351576805115, -0.02989301271736622, 0.9995000582857756,
                    -0.010297631844878197, -0.020145315676927567, 0.009697701781988144, 0.9997500291647157,
                ]
            ),
            // Here a float32 sum of the squared norm would give 1.0000001 instead of sdot's 1.0.
            (
                SIMD3(-0.00679724769600847, 0.10983586891098036, 0.00629191584883139),
                [
                    0.9939543714317551, -0.006652096286416054, 0.10959223657846451, 0.005906269885599613, 0.9999571480220766,
                    0.007128681056201458, -0.10963495820760727, -0.006438302807509899, 0.9939510675940255,
                ]
            ),
            (
                SIMD3(0.25, -0.1, 0.4),
                [
                    0.9166341675445437, -0.39693889021873474, -0.047131072729825974, 0.3724195063114166, 0.890888836234808,
                    -0.2600399851799011, 0.14520852267742157, 0.2208089977502823, 0.9644469236955047,
                ]
            ),
        ]
        for (v, expected) in cases {
            let m = robosuiteRotationMatrix(axisAngle: v)
            let flat = [m.row0.x, m.row0.y, m.row0.z, m.row1.x, m.row1.y, m.row1.z, m.row2.x, m.row2.y, m.row2.z]
            #expect(flat == expected)
        }
        #expect(robosuiteRotationMatrix(axisAngle: .zero) == .identity)
    }

    /// The first goal of lift demo_0, as robosuite's controller sets it after `reset_to` (printed
    /// by robosuite 1.5.2: `goal_pos`, `goal_ori` in the base frame).
    @Test func firstGoalMatchesRobosuite() throws {
        let dataset = try Bundled.dataset("lift")
        let scene = try Bundled.scene("lift")
        let world = try SimWorld(scene: scene)
        let executor = try Executor(world: world, controller: try ControllerConfig(envArgs: dataset.envArgs, file: ""))
        let demo = dataset.demos[0]
        let rollout = try executor.replay(actions: Array(demo.actions!.doubles[0..<7]), from: demo.arrays["states"]!.row(0), success: nil)
        let c = (executor.control as! OSCArms).controllers[0]
        let expectedPosition = SIMD3(0.4696957, 0.00160622, 0.08053682)
        let expectedRotation = Matrix3(
            rows: (
                SIMD3(0.23610564, 0.97030131, 0.05262608), SIMD3(0.97171031, -0.23607613, -0.00686535),
                SIMD3(0.0057623, 0.05275824, -0.99859069)
            ))
        let dp = c.goalPosition - expectedPosition
        #expect((dp * dp).sum().squareRoot() < 1e-7)
        for r in 0..<3 { for k in 0..<3 { #expect(abs(c.goalRotation[r, k] - expectedRotation[r, k]) < 1e-7) } }
        // ... and the state after that action is robosuite's.
        #expect(maxAbsDifference(rollout.finalState, demo.arrays["states"]!.row(1)) < 1e-9)
    }

    /// With no action the arm holds still against gravity (bias compensation), and a +x delta moves it in +x.
    @Test func holdsAndMoves() throws {
        let dataset = try Bundled.dataset("lift")
        let scene = try Bundled.scene("lift")
        let executor = try Executor(world: try SimWorld(scene: scene), controller: try ControllerConfig(envArgs: dataset.envArgs, file: ""))
        let initial = dataset.demos[0].arrays["states"]!.row(0)
        let options = RolloutOptions(robosuiteFirstStep: false)
        let still = try executor.replay(actions: [Double](repeating: 0, count: 20 * 7), from: initial, success: nil, options: options)
        let start = still.eefPoses[0][0].position, end = still.eefPoses[0][19].position
        #expect(((end - start) * (end - start)).sum().squareRoot() < 2e-3)
        var push = [Double](repeating: 0, count: 20 * 7)
        for t in 0..<20 { push[t * 7] = 1 }
        let moved = try executor.replay(actions: push, from: initial, success: nil, options: options)
        let dx = moved.eefPoses[0][19].position.x - start.x
        #expect(dx > 0.1 && dx < 0.4, "moved \(dx) m in 19 steps")
        // Torques stay inside the actuator ranges.
        let world = executor.world
        for (i, a) in (executor.control as! OSCArms).robots[0].armActuators.enumerated() {
            #expect(scene.controlRange(of: a).contains(world.controls[a.index]), "joint \(i + 1)")
        }
    }
}
