import Testing
import MimicCore
import MimicMath

/// Synthetic demos whose task vectors are built here with rotation matrices (not the quaternion
/// code under test), the way robosuite's sensors define them.
@Suite struct ObservationFormulaTests {
    static func randomPose(_ rng: inout RandomStream) -> (SIMD3<Double>, Quaternion) {
        let p = SIMD3(rng.uniform(-1, 1), rng.uniform(-1, 1), rng.uniform(0, 2))
        let q = Quaternion(x: rng.normal(), y: rng.normal(), z: rng.normal(), w: rng.normal()).normalized
        return (p, q)
    }

    /// Two demos of `steps` steps: eef and cube poses at random, plus robosuite-style task keys.
    static func demos(seed: UInt64, steps: Int = 30, float32Object: Bool = false) -> [Demo] {
        (0..<2).map { d in
            var rng = RandomStream(seed: seed, stream: UInt64(d))
            var keys: [String: [Double]] = [:]
            for _ in 0..<steps {
                let (eef, qe) = randomPose(&rng), (cube, qc) = randomPose(&rng)
                let re = qe.rotationMatrix, rc = qc.rotationMatrix
                // position of the cube in the eef frame: R_e^T (p_c - p_e), by matrix columns
                let d = cube - eef
                let local = SIMD3((0..<3).map { i in (0..<3).reduce(0.0) { $0 + re[$1, i] * d[$1] } })
                // relative rotation R_e^T R_c, back to a quaternion with w >= 0
                var rel = Matrix3.identity
                for i in 0..<3 { for j in 0..<3 { rel[i, j] = (0..<3).reduce(0.0) { $0 + re[$1, i] * rc[$1, j] } } }
                var qr = Quaternion(rotationMatrix: rel)
                if qr.w < 0 { qr = -qr }
                let values: [(String, [Double])] = [
                    ("robot0_eef_pos", [eef.x, eef.y, eef.z]), ("robot0_eef_quat", [qe.x, qe.y, qe.z, qe.w]),
                    ("cube_pos", [cube.x, cube.y, cube.z]), ("cube_quat", [qc.x, qc.y, qc.z, qc.w]),
                    ("gripper_to_cube_pos", [d.x, d.y, d.z].map { -$0 }),
                    ("cube_to_robot0_eef_pos", [local.x, local.y, local.z]),
                    ("cube_to_robot0_eef_quat", [qr.x, qr.y, qr.z, qr.w]),
                    ("cube_id", [0, 1, 0]),
                ]
                for (k, v) in values { keys[k, default: []] += v }
                keys["object", default: []] += [cube.x, cube.y, cube.z, qc.x, qc.y, qc.z, qc.w, -d.x, -d.y, -d.z, 0, 1, 0]
                keys["noise", default: []] += [rng.normal(), rng.normal(), rng.normal()]
            }
            var demo = Demo(name: "demo_\(d)")
            for (k, v) in keys {
                let shape = [steps, v.count / steps]
                demo.arrays["obs/" + k] =
                    k == "object" && float32Object
                    ? Tensor(shape: shape, float32: v.map { Float($0) }) : Tensor(shape: shape, float64: v)
            }
            return demo
        }
    }

    static let known = ["robot0_eef_pos", "robot0_eef_quat", "cube_pos", "cube_quat"]
    static let targets = ["cube_id", "cube_to_robot0_eef_pos", "cube_to_robot0_eef_quat", "gripper_to_cube_pos", "noise", "object"]

    @Test(arguments: [1, 2, 3] as [UInt64]) func findsRobosuitesSensorFormulas(seed: UInt64) {
        let found = DerivedObservations.discover(targets: Self.targets, known: Self.known, demos: Self.demos(seed: seed))
        let formulas = Dictionary(uniqueKeysWithValues: found.entries.map { ($0.key, $0.formula) })
        #expect(formulas["gripper_to_cube_pos"] == .difference("robot0_eef_pos", "cube_pos"))
        #expect(formulas["cube_to_robot0_eef_pos"] == .positionInFrame(body: "cube", frame: "robot0_eef"))
        #expect(formulas["cube_to_robot0_eef_quat"] == .rotationInFrame(body: "cube", frame: "robot0_eef"))
        #expect(formulas["cube_id"] == .constant([0, 1, 0]))
        #expect(formulas["object"] == .concatenation(["cube_pos", "cube_quat", "gripper_to_cube_pos", "cube_id"]))
        // Random numbers follow from nothing.
        #expect(found.unmatched == ["noise"])
    }

    @Test func recordingReproducesTheTargetsStepByStep() throws {
        let demos = Self.demos(seed: 7, float32Object: true)
        let found = DerivedObservations.discover(targets: Self.targets, known: Self.known, demos: demos)
        #expect(found.entries.contains { $0.key == "object" }, "float32 targets match within float32 precision")
        let demo = demos[1]
        var rows: [String: [Double]] = [:]
        let widths = Dictionary(uniqueKeysWithValues: Self.known.map { ($0, demo.obs($0)!.rowWidth) })
        for t in 0..<demo.obs("cube_pos")!.rows {
            for key in Self.known {
                let w = widths[key]!
                rows[key, default: []] += demo.obs(key)!.doubles[(t * w)..<((t + 1) * w)]
            }
            found.record(into: &rows, widths: widths)
        }
        for entry in found.entries {
            let expected = demo.obs(entry.key)!.doubles
            let got = try #require(rows[entry.key])
            #expect(got.count == expected.count, "\(entry.key)")
            #expect(zip(got, expected).allSatisfy { abs($0 - $1) <= 1e-6 }, "\(entry.key)")
        }
    }

    @Test func aTargetThatDiffersInOneStepIsNotMatched() {
        var demos = Self.demos(seed: 4)
        var values = demos[1].obs("gripper_to_cube_pos")!.doubles
        values[values.count - 1] += 1e-3
        demos[1].arrays["obs/gripper_to_cube_pos"] = Tensor(shape: [values.count / 3, 3], float64: values)
        let found = DerivedObservations.discover(targets: ["gripper_to_cube_pos"], known: Self.known, demos: demos)
        #expect(found.entries.isEmpty && found.unmatched == ["gripper_to_cube_pos"])
    }

    @Test func imagesAreNeverMatched() {
        var demos = Self.demos(seed: 5)
        for d in demos.indices {
            let steps = demos[d].obs("cube_pos")!.rows
            demos[d].arrays["obs/agentview_image"] = Tensor(shape: [steps, 2, 2, 3], storage: .uint8(Array(repeating: 0, count: steps * 12)))
        }
        let found = DerivedObservations.discover(targets: ["agentview_image"], known: Self.known, demos: demos)
        #expect(found.entries.isEmpty && found.unmatched == ["agentview_image"])
    }

    /// A vector whose parts have no key of their own gets hidden entries for them.
    @Test func concatenationsUseHiddenFormulasForPartsWithoutKeys() {
        let demos = Self.demos(seed: 9).map { demo -> Demo in
            var demo = demo
            for key in ["gripper_to_cube_pos", "cube_id", "cube_to_robot0_eef_pos", "cube_to_robot0_eef_quat", "noise"] {
                demo.arrays["obs/" + key] = nil
            }
            // object without its constant tail: cube_pos, cube_quat, gripper_to_cube_pos.
            let object = demo.obs("object")!
            let rows = object.rows
            let values = (0..<rows).flatMap { Array(object.doubles[(13 * $0)..<(13 * $0 + 10)]) }
            demo.arrays["obs/object"] = Tensor(shape: [rows, 10], float64: values)
            return demo
        }
        let found = DerivedObservations.discover(targets: ["object"], known: Self.known, demos: demos)
        #expect(found.unmatched.isEmpty)
        #expect(found.entries.map(\.key) == ["#0", "object"])
        #expect(found.entries.first?.formula == .difference("robot0_eef_pos", "cube_pos"))
        #expect(found.entries.last?.formula == .concatenation(["cube_pos", "cube_quat", "#0"]))
        #expect(DerivedObservations.isHidden("#0") && !DerivedObservations.isHidden("object"))
    }

    @Test func formulasDescribeThemselves() {
        #expect(ObservationFormula.difference("a", "b").description == "a - b")
        #expect(ObservationFormula.concatenation(["a", "b"]).description == "a ++ b")
    }
}
