import Foundation
import Testing
@testable import MimicCore

@Suite struct ProfilesTests {
    static let names = TaskProfiles.envNames

    func profile(_ name: String) throws -> TaskSpec {
        let text = try #require(TaskProfiles.json(forEnvName: name), "no JSON for \(name)")
        return try TaskSpec.decode(Data(text.utf8), file: "built-in profile \(name)")
    }

    @Test func envNamesAreTheTenRobosuiteTasks() {
        #expect(
            TaskProfiles.envNames == [
                "Lift", "Stack", "PickPlaceCan", "PickPlaceMilk", "PickPlaceBread", "PickPlaceCereal",
                "NutAssemblySquare", "NutAssemblyRound", "TwoArmLift", "TwoArmHandover",
            ])
        #expect(Set(TaskProfiles.envNames).count == TaskProfiles.envNames.count)
    }

    @Test(arguments: names) func decodesAndNamesItsTask(name: String) throws {
        var spec = try profile(name)
        #expect(spec.name == name)
        // The JSON text plus the task's built-in success test.
        #expect(spec.success == nil)
        spec.success = SuccessPredicate.robosuite(envName: name)
        #expect(TaskProfiles.spec(forEnvName: name) == spec)
    }

    @Test func unknownNamesHaveNoProfile() {
        for name in ["", "lift", "LIFT", "PickPlace", "NutAssembly", "Stack_X0", "Lift ", "TwoArmPegInHole", "Door"] {
            #expect(TaskProfiles.spec(forEnvName: name) == nil, "\(name)")
            #expect(TaskProfiles.json(forEnvName: name) == nil, "\(name)")
        }
    }

    /// One arm is `robot0`; two arms are `robot0`, `robot1` (the names prepare gives robosuite arms).
    @Test(arguments: names) func endEffectorsAreRobosuiteArms(name: String) throws {
        let arms = try #require(try profile(name).endEffectors).map(\.name)
        #expect(arms == (name.hasPrefix("TwoArm") ? ["robot0", "robot1"] : ["robot0"]))
    }

    @Test(arguments: names) func subtaskObjectsAreProfileObjects(name: String) throws {
        let spec = try profile(name)
        let objects = Set(try #require(spec.objects).map(\.name))
        #expect(objects.count == spec.objects?.count, "duplicate object names")
        for arm in spec.endEffectors ?? [] {
            for (i, subtask) in (arm.subtasks ?? []).enumerated() {
                if let object = subtask.object {
                    #expect(objects.contains(object), "\(arm.name) subtask \(i): \(object) is not an object of the profile")
                }
            }
        }
    }

    /// Every subtask but the last ends at a signal prepare computes for that arm (`grasp`/`release`
    /// for one arm, `grasp_<arm>`/`release_<arm>` for two); the last ends with the demo.
    @Test(arguments: names) func onlyTheLastSubtaskHasNoSignal(name: String) throws {
        let spec = try profile(name)
        let arms = try #require(spec.endEffectors)
        for arm in arms {
            let subtasks = try #require(arm.subtasks, "\(arm.name) has no subtasks")
            #expect(subtasks.count >= 2, "\(arm.name)")
            let suffix = arms.count > 1 ? "_\(arm.name)" : ""
            for (i, subtask) in subtasks.enumerated() {
                if i == subtasks.count - 1 {
                    #expect(subtask.endSignal == nil, "\(arm.name) last subtask")
                    #expect(subtask.endOffset == [0, 0], "\(arm.name) last subtask")
                } else {
                    let signal = try #require(subtask.endSignal, "\(arm.name) subtask \(i) has no end signal")
                    #expect(["grasp" + suffix, "release" + suffix].contains(signal), "\(arm.name) subtask \(i): \(signal)")
                }
            }
        }
    }

    /// MimicGen's settings: noise 0.05, 5 interpolation steps, no fixed steps, k = 3 (1 for
    /// TwoArmLift, see below), and a subtask that ends at a grasp ends 10 to 20 steps after it.
    @Test(arguments: names) func subtasksUseMimicGenSettings(name: String) throws {
        for arm in try profile(name).endEffectors ?? [] {
            for subtask in arm.subtasks ?? [] {
                #expect(subtask.actionNoise == 0.05)
                #expect(subtask.interpolationSteps == 5)
                #expect(subtask.fixedSteps == 0)
                #expect(subtask.nnK == (name == "TwoArmLift" ? 1 : 3))
                #expect(!subtask.noiseDuringInterpolation)
                #expect(subtask.speed == [1, 1])
                if subtask.endSignal?.hasPrefix("grasp") == true { #expect(subtask.endOffset == [10, 20]) }
                if subtask.object == nil { #expect(subtask.selection == .random, "nearest object without an object") }
            }
        }
    }

    /// The generator picks each arm's source demo on its own. In TwoArmLift both arms must lift from
    /// the same demo: the same object, nearest-object selection and k = 1 make them pick the same one.
    @Test func twoArmLiftArmsPickTheSameSourceDemo() throws {
        let arms = try #require(try profile("TwoArmLift").endEffectors)
        #expect(arms.count == 2)
        let pairs = zip(arms[0].subtasks ?? [], arms[1].subtasks ?? [])
        #expect(Array(pairs).count == 2)
        for (a, b) in pairs {
            #expect(a.object == "pot" && b.object == "pot")
            #expect(a.selection == .nearestObject && b.selection == .nearestObject)
            #expect(a.nnK == 1 && b.nnK == 1)
        }
    }

    /// Placed objects are exactly the objects read from observations; fixed bodies are not placed.
    @Test(arguments: names) func placementCoversTheMovableObjects(name: String) throws {
        let spec = try profile(name)
        let placement = try #require(spec.placement)
        let objects = try #require(spec.objects)
        #expect(Set(placement.objects.keys) == Set(objects.filter { $0.body == nil }.map(\.name)))
        for object in objects where object.body != nil {
            #expect(placement.objects[object.name] == nil, "fixed body \(object.name) is placed")
        }
    }

    @Test(arguments: names) func placementRangesAreSane(name: String) throws {
        let placement = try #require(try profile(name).placement)
        #expect(placement.reference.count == 3)
        #expect((0.7...0.9).contains(placement.reference[2]), "reference height \(placement.reference[2]) is not a table top")
        #expect(placement.reference[0...1].allSatisfy { abs($0) <= 0.5 })
        #expect((0..<0.3).contains(placement.minSeparation))
        for (object, p) in placement.objects {
            for range in [p.x, p.y, p.yaw] { #expect(range.count == 2 && range[0] <= range[1], "\(object)") }
            #expect(p.x.allSatisfy { abs($0) <= 0.3 } && p.y.allSatisfy { abs($0) <= 0.3 }, "\(object): metres around the reference")
            #expect(p.x[1] - p.x[0] > 0 && p.y[1] - p.y[0] > 0, "\(object): robosuite samples an area")
            #expect(p.yaw[0] >= 0 && p.yaw[1] <= 2 * Double.pi + 1e-12, "\(object): yaw in [0, 2π]")
            #expect(p.z == nil, "\(object): the source height is kept")
        }
    }

    /// The observation keys robosuite 1.5.2 writes (listed from `robosuite.make(...).reset()`).
    @Test func objectKeysAreRobosuiteObservations() throws {
        let expected: [String: [String]] = [
            "Lift": ["cube_pos", "cube_quat"],
            "Stack": ["cubeA_pos", "cubeA_quat", "cubeB_pos", "cubeB_quat"],
            "PickPlaceCan": ["Can_pos", "Can_quat"],
            "PickPlaceMilk": ["Milk_pos", "Milk_quat"],
            "PickPlaceBread": ["Bread_pos", "Bread_quat"],
            "PickPlaceCereal": ["Cereal_pos", "Cereal_quat"],
            "NutAssemblySquare": ["SquareNut_pos", "SquareNut_quat"],
            "NutAssemblyRound": ["RoundNut_pos", "RoundNut_quat"],
            "TwoArmLift": ["pot_pos", "pot_quat"],
            "TwoArmHandover": ["hammer_pos", "hammer_quat"],
        ]
        #expect(Set(expected.keys) == Set(TaskProfiles.envNames))
        for (name, keys) in expected {
            let objects = try #require(try profile(name).objects).filter { $0.body == nil }
            #expect(objects.flatMap { [$0.posKey, $0.quatKey] } == keys, "\(name)")
            #expect(objects.allSatisfy { $0.posStart == 0 && $0.quatStart == 0 && $0.quatOrder == "xyzw" }, "\(name)")
        }
    }

    /// Fixed targets are the scene's bodies without joints: the pegs and the target bin.
    @Test func fixedTargetsAreSceneBodies() throws {
        let expected: [String: [String: String]] = [
            "PickPlaceCan": ["bin2": "bin2"], "PickPlaceMilk": ["bin2": "bin2"],
            "PickPlaceBread": ["bin2": "bin2"], "PickPlaceCereal": ["bin2": "bin2"],
            "NutAssemblySquare": ["square_peg": "peg1"], "NutAssemblyRound": ["round_peg": "peg2"],
        ]
        for name in TaskProfiles.envNames {
            var bodies: [String: String] = [:]
            for object in try profile(name).objects ?? [] { if let body = object.body { bodies[object.name] = body } }
            #expect(bodies == (expected[name] ?? [:]), "\(name)")
        }
    }

    /// A few facts of robosuite's reset distribution, recomputed from their sources.
    @Test func placementFactsMatchRobosuite() throws {
        // Stack: two cubes of half size 0.02 and 0.025 must not overlap: √2·0.02 + √2·0.025.
        let stack = try #require(try profile("Stack").placement)
        #expect(abs(stack.minSeparation - 2.0.squareRoot() * 0.045) < 1e-12)
        #expect(stack.objects["cubeA"]?.x == [-0.08, 0.08])

        // PickPlace: bin half size (0.39/2 − 0.05, 0.49/2 − 0.05) minus the object's radius, around bin1.
        for (name, object, radius) in [
            ("PickPlaceCan", "can", 0.025), ("PickPlaceMilk", "milk", 0.025),
            ("PickPlaceBread", "bread", 0.03), ("PickPlaceCereal", "cereal", 0.04),
        ] {
            let placement = try #require(try profile(name).placement)
            let p = try #require(placement.objects[object], "\(name)")
            #expect(abs(p.x[1] - (0.39 / 2 - 0.05 - radius)) < 1e-9 && p.x[0] == -p.x[1], "\(name)")
            #expect(abs(p.y[1] - (0.49 / 2 - 0.05 - radius)) < 1e-9 && p.y[0] == -p.y[1], "\(name)")
            #expect(placement.reference == [0.1, -0.25, 0.8], "\(name)")
        }

        // NutAssembly: both nuts in x [-0.115, -0.11] around (0, 0, 0.82); square on +y, round on −y.
        let square = try #require(try profile("NutAssemblySquare").placement)
        let round = try #require(try profile("NutAssemblyRound").placement)
        #expect(square.objects["square_nut"]?.y == [0.11, 0.225])
        #expect(round.objects["round_nut"]?.y == [-0.225, -0.11])
        #expect(square.reference == [0, 0, 0.82] && round.reference == [0, 0, 0.82])

        // TwoArmLift: yaw in (π − π/3, π + π/3).
        let pot = try #require(try profile("TwoArmLift").placement?.objects["pot"])
        #expect(abs(pot.yaw[0] - 2 * Double.pi / 3) < 1e-12 && abs(pot.yaw[1] - 4 * Double.pi / 3) < 1e-12)

        // TwoArmHandover: table offset (0, −1.2·3/8, 0.8).
        #expect(try profile("TwoArmHandover").placement?.reference == [0, -0.45, 0.8])
    }

    /// docs/profiles.md shows every profile's JSON verbatim, so the documentation cannot drift.
    @Test(arguments: names) func docsShowTheProfile(name: String) throws {
        let docs = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent().appendingPathComponent("docs/profiles.md")
        let text = try String(contentsOf: docs, encoding: .utf8)
        let json = try #require(TaskProfiles.json(forEnvName: name))
        let shown = text.contains("```json\n" + json + "\n```")
        #expect(shown, "docs/profiles.md does not show the \(name) profile as it is")
    }

    @Test func mimicGenVariantsUseTheirTaskProfile() {
        #expect(TaskProfiles.spec(forEnvName: "Stack_D1")?.name == "Stack")
        #expect(TaskProfiles.spec(forEnvName: "Square_D0")?.name == "NutAssemblySquare")
        #expect(TaskProfiles.spec(forEnvName: "Coffee_D0") == nil)
        #expect(TaskProfiles.mimicGenBase("Lift") == "Lift")
    }
}

@Suite struct HumanoidProfilesTests {
    /// A GR1 dataset gets the humanoid profile of its env_name; a Panda dataset the arm one.
    @Test func theRobotPicksTheProfile() throws {
        let gr1 = try EnvArgs(json: #"{"env_name": "TwoArmLift", "type": 1, "env_kwargs": {"robots": "GR1ArmsOnly"}}"#, file: "f")
        let panda = try EnvArgs(json: #"{"env_name": "TwoArmLift", "type": 1, "env_kwargs": {"robots": ["Panda", "Panda"]}}"#, file: "f")
        let humanoid = try #require(TaskProfiles.spec(for: gr1))
        #expect(humanoid.endEffectors?.map(\.name) == ["robot0_right", "robot0_left"])
        #expect(humanoid.constraints?.first?.kind == .coordination && humanoid.constraints?.first?.scheme == .transform)
        #expect(humanoid.success == SuccessPredicate.robosuite(envName: "TwoArmLift"))
        #expect(TaskProfiles.spec(for: panda) == TaskProfiles.spec(forEnvName: "TwoArmLift"))
        #expect(TaskProfiles.spec(for: try EnvArgs(json: #"{"env_name": "Door", "env_kwargs": {"robots": "GR1ArmsOnly"}}"#, file: "f")) == nil)
        for name in TaskProfiles.humanoidEnvNames { #expect(TaskProfiles.humanoidJSON(forEnvName: name) != nil) }
    }

    /// robosuite's two-arm tests read the humanoid's hands: arm 0 is the right hand, arm 1 the left.
    @Test func theHandoverTestReadsTheHumanoidsHands() throws {
        let gr1 = try EnvArgs(json: #"{"env_name": "TwoArmHandover", "type": 1, "env_kwargs": {"robots": "GR1FixedLowerBody"}}"#, file: "f")
        let spec = try #require(TaskProfiles.spec(for: gr1))
        #expect(
            spec.success
                == .all([
                    .grasped(robot: "robot0_left", object: ["hammer_handle"]),
                    .not(.grasped(robot: "robot0_right", object: ["hammer_root"])),
                    .hammerLifted(above: 0.1),
                ]))
        #expect(spec.placement?.around == .source)
        #expect(spec.constraints?.map(\.kind) == [.coordination, .coordination])
        // One-hand Lift: the right hand works, the left has one world-frame subtask; the cube test is robosuite's.
        let oneHand = try #require(TaskProfiles.spec(for: try EnvArgs(json: #"{"env_name": "Lift", "env_kwargs": {"robots": "GR1ArmsOnly"}}"#, file: "f")))
        #expect(oneHand.endEffectors?.map { $0.subtasks?.map(\.object) } == [["cube", "cube"], [nil]])
        #expect(oneHand.success == SuccessPredicate.robosuite(envName: "Lift"))
        // A humanoid task without a profile keeps robosuite's test for its hands, and nothing else.
        let stackArgs = try EnvArgs(json: #"{"env_name": "Stack", "type": 1, "env_kwargs": {"robots": "GR1ArmsOnly"}}"#, file: "f")
        let stack = try #require(TaskProfiles.spec(for: stackArgs))
        #expect(stack.endEffectors == nil && stack.success == SuccessPredicate.robosuite(envName: "Stack", humanoid: true))
        #expect(stack.success != SuccessPredicate.robosuite(envName: "Stack"))
    }
}
