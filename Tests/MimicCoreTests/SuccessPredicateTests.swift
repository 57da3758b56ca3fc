import Foundation
import Testing
import MimicCore

@Suite struct SuccessPredicateTests {
    /// Every built-in profile carries its task's test, and it survives a JSON round trip.
    @Test func everyProfileHasItsBuiltInTest() throws {
        for name in TaskProfiles.envNames {
            let p = try #require(SuccessPredicate.robosuite(envName: name), "\(name)")
            #expect(TaskProfiles.spec(forEnvName: name)?.success == p, "\(name)")
            let data = try JSONEncoder().encode(p)
            #expect(try JSONDecoder().decode(SuccessPredicate.self, from: data) == p, "\(name)")
        }
        let task = SuccessPredicate.task("Lift")
        #expect(try JSONDecoder().decode(SuccessPredicate.self, from: JSONEncoder().encode(task)) == task)
        #expect(SuccessPredicate.robosuite(envName: "Door") == nil)
        // MimicGen's variants use their task's test.
        #expect(SuccessPredicate.robosuite(envName: "Stack_D1") == SuccessPredicate.robosuite(envName: "Stack"))
        #expect(TaskProfiles.spec(forEnvName: "Square_D0")?.success == SuccessPredicate.robosuite(envName: "NutAssemblySquare"))
    }

    @Test func decodesTheDocumentedForm() throws {
        let json =
            #"{"all": [{"lifted": {"object": "cubeA_main", "above": 0.84}}, {"not": {"grasped": {"robot": "robot0", "object": "cubeA_main"}}}, {"inRegion": {"object": "Can_main", "min": [0.1, null, 0.8], "max": [0.295, 0.525, 0.9]}}]}"#
        let p = try decodeStrictJSON(SuccessPredicate.self, from: Data(json.utf8), file: "task.json")
        #expect(
            p
                == .all([
                    .lifted(object: "cubeA_main", above: 0.84),
                    .not(.grasped(robot: "robot0", object: ["cubeA_main"])),
                    .inRegion(object: "Can_main", region: .init(min: [0.1, nil, 0.8], max: [0.295, 0.525, 0.9])),
                ]))
    }

    @Test func rejectsUnknownKeysAndTasks() {
        #expect(throws: DatasetError.self) {
            try decodeStrictJSON(SuccessPredicate.self, from: Data(#"{"lifted": {"object": "a", "abve": 1}}"#.utf8), file: "t.json")
        }
        do {
            _ = try decodeStrictJSON(SuccessPredicate.self, from: Data(#"{"all": [{"liftd": {}}]}"#.utf8), file: "t.json")
            Issue.record("expected an error")
        } catch {
            #expect(error.description.contains("liftd"))
            #expect(error.file == "t.json")
        }
        #expect(throws: DatasetError.self) { try decodeStrictJSON(SuccessPredicate.self, from: Data(#"{"not": {}, "all": []}"#.utf8), file: "t.json") }
        do {
            _ = try decodeStrictJSON(SuccessPredicate.self, from: Data(#"{"any": [{"task": "Door"}]}"#.utf8), file: "t.json")
            Issue.record("expected an error")
        } catch {
            #expect(error.detail.contains("no built-in success test for task \"Door\""))
            #expect(error.detail.contains("TwoArmHandover"))
        }
    }

    /// A spec's success is decoded when the spec is read: a misspelt key fails at load, naming it.
    @Test func aSpecsSuccessIsTypedAtLoad() throws {
        let spec = try TaskSpec.decode(Data(#"{"success": {"lifted": {"object": "cube_main", "above": 0.9}}}"#.utf8), file: "t.json")
        #expect(spec.success == .lifted(object: "cube_main", above: 0.9))
        #expect(try TaskProfiles.spec(forEnvName: "Lift")!.merged(with: spec).requireSuccess(envName: "Lift", file: "f") == .lifted(object: "cube_main", above: 0.9))
        do {
            _ = try TaskSpec.decode(Data(#"{"success": {"lifted": {"object": "cube_main", "abvoe": 0.9}}}"#.utf8), file: "t.json")
            Issue.record("accepted a misspelt key")
        } catch {
            #expect(error.file == "t.json")
            #expect(error.path.hasPrefix("success.lifted"))
        }
    }

    @Test func noTestIsAnErrorThatSaysWhatToDo() {
        do {
            _ = try TaskSpec().requireSuccess(envName: "Door", file: "door.hdf5")
            Issue.record("expected an error")
        } catch {
            #expect(error.file == "door.hdf5")
            #expect(error.path == "/data.attrs[env_args]")
            #expect(error.detail.contains("--task"))
            #expect(error.detail.contains("Lift"))
        }
    }
}
