import Testing
import MimicCore
import MimicMath
import MimicSim

@Suite struct ObservationRecorderTests {
    /// By name alone the recorder finds robosuite's robot and free-object keys, not task vectors.
    @Test func namedKeysLeaveTheTaskVectors() throws {
        let demo = try Bundled.dataset("lift").demos[0]
        let recorder = ObservationRecorder(scene: try Bundled.scene("lift"), keys: demo.obsKeys)
        #expect(recorder.uncomputable.sorted() == ["gripper_to_cube_pos", "object"])
        #expect(recorder.keys.contains("cube_pos") && recorder.keys.contains("robot0_joint_pos_cos"))
    }

    /// With the source demos, every obs key of the bundled datasets is recorded, and recording a
    /// demo's states gives back what robosuite stored (joint_acc up to the solver's warm start).
    @Test(arguments: ["lift", "pick_place_can", "two_arm_handover", "stack", "gr1_two_arm_lift", "gr1_fixed_lower_body_two_arm_lift"])
    func recomputedObservationsMatchTheRecordedOnes(dataset: String) throws {
        let data = try Bundled.dataset(dataset)
        let demo = data.demos[0]
        let world = try SimWorld(scene: try Bundled.scene(dataset))
        let recorder = try ObservationRecorder(world: world, keys: demo.obsKeys, sources: data.demos, file: dataset)
        #expect(recorder.uncomputable.isEmpty)
        #expect(Set(recorder.keys) == Set(demo.obsKeys))
        var rows: [String: [Double]] = [:]
        let states = demo.arrays["states"]!
        for t in 0..<demo.length {
            try world.restore(state: states.row(t))
            recorder.record(world, into: &rows)
        }
        for (i, key) in recorder.keys.enumerated() where !key.hasSuffix("joint_acc") {
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

    /// robomimic's datasets keep only `object` of robosuite's task vectors: its parts are then
    /// found among hidden inputs (free bodies' and hands' poses read at the states) and formulas
    /// over them, and never written themselves.
    @Test(arguments: ["lift", "stack"]) func objectAloneIsRebuiltFromTheScene(dataset: String) throws {
        let data = try Bundled.dataset(dataset)
        let keep: (String) -> Bool = { $0.hasPrefix("robot0_") || $0 == "object" }
        let demos = data.demos.map { demo in
            var stripped = demo
            stripped.arrays = stripped.arrays.filter { path, _ in !path.hasPrefix("obs/") || keep(String(path.dropFirst(4))) }
            return stripped
        }
        let world = try SimWorld(scene: try Bundled.scene(dataset))
        let recorder = try ObservationRecorder(world: world, keys: demos[0].obsKeys, sources: demos, file: dataset)
        #expect(recorder.uncomputable.isEmpty)
        #expect(Set(recorder.keys) == Set(demos[0].obsKeys))
        var rows: [String: [Double]] = [:]
        let states = data.demos[0].arrays["states"]!
        for t in 0..<data.demos[0].length {
            try world.restore(state: states.row(t))
            recorder.record(world, into: &rows)
        }
        #expect(maxAbsDifference(try #require(rows["object"]), data.demos[0].obs("object")!.doubles) <= 1e-6)
    }
}
