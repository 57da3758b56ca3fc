import Testing
import MimicCore
import MimicMath
import MimicSim

@Suite struct ObservationRecorderTests {
    @Test func recomputedObservationsMatchTheRecordedOnes() throws {
        let lift = try Bundled.dataset("lift")
        let demo = lift.demos[0]
        let scene = try Bundled.scene("lift")
        let recorder = ObservationRecorder(scene: scene, keys: demo.obsKeys)
        // robosuite's task vectors cannot be computed from the state alone.
        #expect(recorder.uncomputable.contains("object"))
        #expect(recorder.keys.contains("cube_pos") && recorder.keys.contains("robot0_joint_pos_cos"))
        let world = SimWorld(scene: scene)
        var rows: [String: [Double]] = [:]
        let states = demo.arrays["states"]!
        for t in 0..<demo.length {
            try world.restore(state: states.row(t))
            recorder.record(world, into: &rows)
        }
        for (i, key) in recorder.keys.enumerated() where key != "robot0_joint_acc" {
            let recorded = demo.obs(key)!.doubles
            let computed = try #require(rows[key])
            #expect(computed.count == demo.length * recorder.widths[i], "\(key)")
            if key.hasSuffix("quat") || key.hasSuffix("quat_site") {
                // Quaternions may come with either sign (robosuite's flip between steps): compare rotations.
                for t in 0..<demo.length {
                    let a = Quaternion(xyzw: SIMD4(computed[4 * t], computed[4 * t + 1], computed[4 * t + 2], computed[4 * t + 3]))
                    let b = Quaternion(xyzw: SIMD4(recorded[4 * t], recorded[4 * t + 1], recorded[4 * t + 2], recorded[4 * t + 3]))
                    #expect(a.angle(to: b) < 1e-6, "\(key) step \(t)")
                }
            } else {
                #expect(maxAbsDifference(computed, recorded) <= 1e-6, "\(key)")
            }
        }
    }
}
