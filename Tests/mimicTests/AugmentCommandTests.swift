import Foundation
import Testing
import MimicCore
import MimicHDF5
import MimicMath

@Suite struct AugmentCommandTests {
    /// Prepares Datasets/lift.hdf5 into `dir`.
    static func prepared(_ dir: TemporaryDirectory, _ name: String = "lift.hdf5") throws -> String {
        let out = dir.path("prepared-\(name)")
        let result = try CLI.run(["prepare", CLI.dataset(name), "-o", out])
        #expect(result.status == 0, "\(result.stderr)")
        return out
    }

    /// `--format isaaclab` writes Isaac Lab's layout: datagen_info under obs/ with Isaac Lab's
    /// names, gzip on every dataset, env_args of type 2, no masks (h5py reads it as Isaac Lab does).
    @Test func isaacLabLayout() throws {
        let dir = try TemporaryDirectory()
        let source = try Self.prepared(dir)
        let out = dir.path("isaac.hdf5")
        let result = try CLI.run(["augment", source, "-o", out, "-n", "3", "--format", "isaaclab"])
        #expect(result.status == 0, "\(result.stderr)")
        let script = """
            import h5py, json, sys
            f = h5py.File(sys.argv[1], "r")
            d = f["data"]
            assert json.loads(d.attrs["env_args"])["type"] == 2 and d.attrs["total"] > 0 and "mask" not in f
            g = d["demo_0"]
            for k in ["actions", "obs/datagen_info/eef_pose/robot0", "obs/datagen_info/target_eef_pose/robot0",
                      "obs/datagen_info/object_pose/cube", "obs/datagen_info/subtask_term_signals/grasp"]:
                assert g[k].compression == "gzip", k
            assert g["obs/datagen_info/eef_pose/robot0"].shape[1:] == (4, 4) and "datagen_info" not in g
            assert g.attrs["num_samples"] == g["actions"].shape[0] and "success" not in g.attrs
            print("ok")
            """
        let check = try CLI.run(["python3", "-c", script, out], executable: URL(fileURLWithPath: "/usr/bin/env"))
        #expect(check.stdout.contains("ok"), "\(check.stderr)")
    }

    /// A file as Isaac Lab writes it after annotation (Isaac Sim states, no MuJoCo scene): with a
    /// task spec for the action columns, kinematic augment generates from it directly, the hand
    /// columns replayed from the source; --execute and a missing spec are one-line errors.
    @Test func annotatedIsaacLabFileAugmentsKinematically() throws {
        let dir = try TemporaryDirectory()
        let source = dir.path("isaac.hdf5"), out = dir.path("gen.hdf5")
        let task = try IsaacLabFixture.write(source)
        let result = try CLI.run(["augment", source, "-o", out, "-n", "4", "--task", task])
        #expect(result.status == 0, "\(result.stderr)")
        #expect(result.stdout.contains("generated 4 demos"))
        let reader = try RobomimicReader(path: out), original = try RobomimicReader(path: source)
        #expect(reader.demoNames.count == 4)
        let sourceActions = try original.demoNames.map { try original.demo($0).actions! }
        for (e, columns) in [14..<25, 25..<36].enumerated() {
            let handRows = Set(sourceActions.flatMap { a in (0..<a.rows).map { t in columns.map { a.doubles[t * 36 + $0] } } })
            for name in reader.demoNames {
                let demo = try reader.demo(name), actions = try #require(demo.actions)
                #expect(actions.rowWidth == 36 && actions.dtypeName == "float32")
                let info = try #require(try DatagenInfo(demo: demo, file: out))
                #expect(info.endEffectors.map(\.name) == ["left", "right"])
                #expect(info.endEffectors[e].gripperAction.rowWidth == columns.count)
                for t in 0..<actions.rows {
                    #expect(handRows.contains(columns.map { actions.doubles[t * 36 + $0] }), "\(name) step \(t) hand \(e)")
                }
            }
        }

        for (arguments, path) in [
            (["--task", task, "--execute"], "/data/demo_0/states"), ([], "/data/demo_0/actions"),
        ] {
            let failed = try CLI.run(["augment", source, "-o", dir.path("never.hdf5"), "-n", "2"] + arguments)
            #expect(failed.status == 65)
            #expect(failed.stderr.hasPrefix("mimic: error: \(source): \(path): "), "\(failed.stderr)")
            #expect(failed.stderr.split(separator: "\n").count == 1)
            #expect(!FileManager.default.fileExists(atPath: dir.path("never.hdf5")))
        }
    }

    /// A damaged annotation stops augment and prepare with one line naming the array.
    @Test(arguments: [
        (IsaacLabFixture.Damage.target, "/data/demo_0/obs/datagen_info/target_eef_pose/right: missing"),
        (.shape, "/data/demo_0/obs/datagen_info/object_pose/object: expected a (T, 4, 4) float pose stack"),
    ])
    func damagedIsaacLabAnnotationsAreOneLineErrors(damage: IsaacLabFixture.Damage, message: String) throws {
        let dir = try TemporaryDirectory()
        let source = dir.path("isaac.hdf5")
        let task = try IsaacLabFixture.write(source, damage: damage)
        for command in ["augment", "prepare"] {
            let result = try CLI.run([command, source, "-o", dir.path("never.hdf5"), "--task", task])
            #expect(result.status == 65)
            #expect(result.stderr.hasPrefix("mimic: error: \(source): \(message)"), "\(result.stderr)")
            #expect(result.stderr.split(separator: "\n").count == 1)
            #expect(!FileManager.default.fileExists(atPath: dir.path("never.hdf5")))
        }
    }

    @Test func outputIsByteIdenticalForAnyWorkerCount() throws {
        let dir = try TemporaryDirectory()
        let source = try Self.prepared(dir)
        let one = dir.path("one.hdf5"), two = dir.path("two.hdf5")
        #expect(try CLI.run(["augment", source, "-o", one, "-n", "30", "--workers", "1", "--seed", "3"]).status == 0)
        #expect(try CLI.run(["augment", source, "-o", two, "-n", "30", "--workers", "2", "--seed", "3"]).status == 0)
        #expect(try Data(contentsOf: URL(fileURLWithPath: one)) == Data(contentsOf: URL(fileURLWithPath: two)))
        let other = dir.path("other.hdf5")
        #expect(try CLI.run(["augment", source, "-o", other, "-n", "30", "--seed", "4"]).status == 0)
        #expect(try Data(contentsOf: URL(fileURLWithPath: one)) != Data(contentsOf: URL(fileURLWithPath: other)))
    }

    @Test func writesARobomimicFileWithMasksStatsAndProvenance() throws {
        let dir = try TemporaryDirectory()
        let source = try Self.prepared(dir)
        let out = dir.path("gen.hdf5")
        let result = try CLI.run(["augment", source, "-o", out, "-n", "20", "--valid-fraction", "0.25"])
        #expect(result.status == 0, "\(result.stderr)")
        #expect(result.stdout.contains("generated 20 demos"))
        let reader = try RobomimicReader(path: out)
        #expect(reader.demoNames == (0..<20).map { "demo_\($0)" })
        #expect(reader.masks["valid"]?.count == 5)
        #expect(Set(reader.masks["train"]! + reader.masks["valid"]!) == Set(reader.demoNames))
        #expect(reader.envArgs?.envName == "Lift")
        var total = 0
        for name in reader.demoNames {
            let demo = try reader.demo(name)
            total += demo.length
            #expect(try DatagenInfo(demo: demo, file: out) != nil)
            #expect(demo.attributes["mimic_kinematic"] == .bool(true))
            #expect(demo.arrays["src_demo_inds"] != nil && demo.arrays["src_demo_labels"]?.rows == demo.length)
        }
        #expect(reader.dataAttributes["total"] == .int(total))
        let stats = try #require(try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: out + ".stats.json"))) as? [String: Any])
        for key in ["demos", "samples", "seconds", "demos_per_second", "seed"] { #expect(stats[key] != nil, "\(key)") }
        #expect(stats["samples"] as? Int == total)
    }

    @Test func segmentsKeepTheHandPoseRelativeToTheObject() throws {
        let dir = try TemporaryDirectory()
        let source = try Self.prepared(dir)
        let out = dir.path("gen.hdf5")
        // Without action noise the commanded targets are the transformed source targets themselves.
        let task = dir.path("task.json")
        try
            #"{"endEffectors": [{"name": "robot0", "subtasks": [{"object": "cube", "endSignal": "grasp", "actionNoise": 0, "endOffset": [-2, 2]}, {"object": "cube", "actionNoise": 0}]}]}"#
            .write(toFile: task, atomically: true, encoding: .utf8)
        #expect(try CLI.run(["augment", source, "-o", out, "-n", "10", "--seed", "11", "--task", task]).status == 0)
        let generated = try RobomimicReader(path: out), original = try RobomimicReader(path: source)
        var checked = 0
        for name in generated.demoNames {
            let demo = try generated.demo(name)
            let info = try #require(try DatagenInfo(demo: demo, file: out))
            let d = Int(try #require(demo.arrays["src_demo_inds"]?.doubles.first))
            let offsets = try #require(demo.attributes["mimic_end_offsets"])
            guard case .ints(let offset) = offsets else { Issue.record("offsets \(offsets)"); continue }
            let src = try #require(try DatagenInfo(demo: try original.demo(original.demoNames[d]), file: source))
            let object = try #require(src.objectPoses.keys.sorted().first)
            let rise = try #require(DatagenInfo.firstRise(src.subtaskTermSignals["grasp"]!))
            let bridge = 5  // interpolation steps of the first subtask
            let actions = demo.arrays["actions"]!.doubles
            for k in 0..<(rise + 1 + offset[0]) {
                let t = bridge + k
                // Saturated actions do not reach their target; compare where the action was in range.
                guard (0..<6).allSatisfy({ abs(actions[t * 7 + $0]) < 0.999 }) else { continue }
                let generatedRelative = info.objectPoses[object]![bridge].inverse * info.endEffectors[0].targetPose[t]
                let sourceRelative = src.objectPoses[object]![0].inverse * src.endEffectors[0].targetPose[k]
                #expect(simd3Distance(generatedRelative.position, sourceRelative.position) < 1e-6, "\(name) step \(t)")
                #expect(generatedRelative.rotation.angle(to: sourceRelative.rotation) < 1e-6, "\(name) step \(t)")
                checked += 1
            }
        }
        #expect(checked > 100)
    }

    @Test func sourceWithoutDatagenInfoPointsToPrepare() throws {
        let dir = try TemporaryDirectory()
        let out = dir.path("gen.hdf5")
        let result = try CLI.run(["augment", CLI.dataset("lift.hdf5"), "-o", out, "-n", "5"])
        #expect(result.status == 65)
        #expect(result.stderr.contains("mimic prepare"))
        #expect(result.stderr.contains("/data/demo_0/datagen_info"))
        #expect(dir.contents.isEmpty)
    }

    @Test func badFlagsAreUsageErrors() throws {
        for args in [["-n", "0"], ["-n", "5", "--workers", "0"], ["-n", "5", "--valid-fraction", "1.5"]] {
            let result = try CLI.run(["augment", CLI.dataset("lift.hdf5"), "-o", "/tmp/never.hdf5"] + args)
            #expect(result.status == 64, "\(args)")
        }
    }

    @Test func mimicGenConfigIsAcceptedAndUnusedKeysAreNamed() throws {
        let dir = try TemporaryDirectory()
        let source = try Self.prepared(dir)
        let config = dir.path("lift_config.json")
        try """
        {"name": "lift", "type": "robosuite",
         "experiment": {"seed": 2, "render_video": false, "generation": {"num_trials": 12, "guarantee": false, "select_src_per_subtask": false}},
         "task": {"task_spec": {
           "subtask_1": {"object_ref": "cube", "subtask_term_signal": "grasp", "subtask_term_offset_range": [0, 3],
                         "selection_strategy": "nearest_neighbor_object", "selection_strategy_kwargs": {"nn_k": 3}, "action_noise": 0.05,
                         "num_interpolation_steps": 5, "num_fixed_steps": 0, "apply_noise_during_interpolation": false},
           "subtask_2": {"object_ref": "cube", "subtask_term_signal": null, "selection_strategy": "random", "action_noise": 0.05,
                         "num_interpolation_steps": 5, "num_fixed_steps": 0}}}}
        """.write(toFile: config, atomically: true, encoding: .utf8)
        let out = dir.path("gen.hdf5")
        let result = try CLI.run(["augment", source, "-o", out, "--mimicgen-config", config])
        #expect(result.status == 0, "\(result.stderr)")
        #expect(result.stdout.contains("generated 12 demos"))
        #expect(result.stderr.contains("experiment.generation.guarantee"))
        #expect(result.stderr.contains("experiment.render_video"))
        let first = try RobomimicReader(path: out).demo("demo_0")
        #expect(first.attributes["mimic_seed"] == .int(2))
    }

    @Test func placementsCoverTheProfilesResetDistribution() throws {
        // Lift's profile: robosuite's UniformRandomSampler, x and y in ±0.03 m around the table
        // centre, any yaw.
        let dir = try TemporaryDirectory()
        let source = try Self.prepared(dir)
        let out = dir.path("gen.hdf5")
        #expect(try CLI.run(["augment", source, "-o", out, "-n", "200"]).status == 0)
        let reader = try RobomimicReader(path: out)
        var xs: [Double] = [], ys: [Double] = [], yaws: [Double] = []
        for name in reader.demoNames {
            let demo = try reader.demo(name)
            let scene = try JSONDecoder().decode([String: [Double]].self, from: Data(try #require(demo.attributes["mimic_scene"]?.stringValue).utf8))
            let cube = try #require(scene["cube"])
            xs.append(cube[0])
            ys.append(cube[1])
            let q = Quaternion(xyzw: SIMD4(cube[3], cube[4], cube[5], cube[6]))
            let x = q.act(SIMD3(1, 0, 0))
            yaws.append(atan2(x.y, x.x))
            // The generated demo starts from that placement.
            let info = try #require(try DatagenInfo(demo: demo, file: out))
            #expect(simd3Distance(info.objectPoses["cube"]![0].position, SIMD3(cube[0], cube[1], cube[2])) < 1e-12)
        }
        #expect(xs.allSatisfy { abs($0) <= 0.03 } && ys.allSatisfy { abs($0) <= 0.03 })
        // Covered, not clustered: the extremes are near the range ends and all four quadrants are hit.
        let (xMin, xMax, yMin, yMax) = (xs.min()!, xs.max()!, ys.min()!, ys.max()!)
        #expect(xMin < -0.025 && xMax > 0.025)
        #expect(yMin < -0.025 && yMax > 0.025)
        var quadrants = Set<Int>()
        for (x, y) in zip(xs, ys) { quadrants.insert((x > 0 ? 1 : 0) + (y > 0 ? 2 : 0)) }
        #expect(quadrants.count == 4)
        #expect(yaws.min()! < -2.5 && yaws.max()! > 2.5)
    }
}
