import Foundation
import Testing
@testable import MimicCore

@Suite struct TaskSpecTests {
    func decode(_ json: String) throws(DatasetError) -> TaskSpec { try TaskSpec.decode(Data(json.utf8), file: "task.json") }

    @Test func fullPrepareSpec() throws {
        let spec = try decode(
            """
            {"name": "Lift",
             "endEffectors": [{"name": "robot0", "poseColumns": [0, 6], "gripperColumns": [6, 7], "quatKey": "robot0_eef_quat_site"}],
             "action": {"convention": "oscDelta", "outputMax": [0.05, 0.05, 0.05, 0.5, 0.5, 0.5], "frame": "base"},
             "objects": [{"name": "cube", "posKey": "object", "posStart": 0, "quatKey": "object", "quatStart": 3}]}
            """)
        #expect(spec.name == "Lift")
        #expect(spec.endEffectors?.first?.poseColumns == [0, 6])
        #expect(spec.action?.convention == .oscDelta)
        #expect(spec.objects?.first?.quatStart == 3)
        #expect(spec.objects?.first?.quatOrder == "xyzw")
    }

    @Test func objectKeysDefaultToNamePosAndQuat() throws {
        let spec = try decode(#"{"objects": [{"name": "can"}]}"#)
        #expect(spec.objects?.first?.posKey == "can_pos")
        #expect(spec.objects?.first?.quatKey == "can_quat")
    }

    @Test func rejectsUnknownKeysAndBadValuesWithTheirPath() {
        let cases: [(String, String)] = [
            (#"{"nmae": "x"}"#, "nmae"),
            (#"{"endEffectors": [{"name": "r", "poseColumn": [0, 6]}]}"#, "endEffectors[0].poseColumn"),
            (#"{"endEffectors": [{"name": "r", "poseColumns": [6, 0]}]}"#, "endEffectors[0].poseColumns"),
            (#"{"action": {"convention": "joint"}}"#, "action.convention"),
            (#"{"action": {"convention": "oscDelta", "frame": "tool"}}"#, "action.frame"),
            (#"{"action": {"convention": "oscDelta", "outputMax": [1, 2]}}"#, "action.outputMax"),
            (#"{"objects": [{"name": "c", "quatOrder": "zyxw"}]}"#, "objects[0].quatOrder"),
        ]
        for (json, path) in cases {
            do {
                _ = try decode(json)
                Issue.record("accepted \(json)")
            } catch {
                #expect(error.path == path, "\(json)")
                #expect(error.file == "task.json")
            }
        }
    }

    @Test func successIsTypedAndMerged() throws {
        let spec = try decode(#"{"success": {"lifted": {"object": "cube_main", "above": 0.9}}}"#)
        #expect(spec.success == .lifted(object: "cube_main", above: 0.9))
        #expect(TaskSpec().merged(with: spec).success == spec.success)
    }

    @Test func constraintsDecodeAsIsaacLabMimicDescribesThem() throws {
        let spec = try decode(
            #"{"constraints": [{"type": "coordination", "subtasks": [["right", 0], ["left", 0]], "scheme": "translate", "positionNoise": 0.01, "synchronizeStart": true}, {"type": "sequential", "subtasks": [["robot0", 1], ["robot1", 0]]}]}"#
        )
        let c = try #require(spec.constraints)
        #expect(c[0].kind == .coordination && c[0].scheme == .translate && c[0].positionNoise == 0.01 && c[0].rotationNoise == 0 && c[0].synchronizeStart)
        #expect(c[0].subtasks == [.init(endEffector: "right", subtask: 0), .init(endEffector: "left", subtask: 0)])
        #expect(c[1].kind == .sequential && c[1].minTimeDiff == -1 && c[1].scheme == .replay)
        #expect(TaskSpec().merged(with: spec).constraints == spec.constraints)
        for bad in [
            #"{"type": "sequential", "subtasks": [["a", 0], ["a", 1]]}"#, #"{"type": "sequential", "subtasks": [["a", 0]]}"#,
            #"{"type": "sequential", "subtasks": [["a", 0], ["b", 0]], "scheme": "transform"}"#,
            #"{"type": "coordination", "subtasks": [["a", 0], ["b", 0]], "minTimeDiff": 3}"#,
            #"{"type": "coordination", "subtasks": [["a", -1], ["b", 0]]}"#, #"{"type": "parallel", "subtasks": [["a", 0], ["b", 0]]}"#,
            #"{"type": "sequential", "subtasks": [["a", 0], ["b", 0]], "minTimeDiff": -2}"#,
        ] {
            #expect(throws: DatasetError.self, "\(bad)") { try decode(#"{"constraints": ["# + bad + "]}") }
        }
    }

    @Test func dynamicsRangesMustBePositive() throws {
        let spec = try decode(#"{"dynamics": {"friction": [0.5, 1.5]}}"#)
        #expect(spec.dynamics?.friction == [0.5, 1.5] && spec.dynamics?.mass == nil)
        #expect(throws: DatasetError.self) { try decode(#"{"dynamics": {"mass": [0, 1]}}"#) }
        #expect(throws: DatasetError.self) { try decode(#"{"dynamics": {"gravity": [1, 2]}}"#) }
    }

    @Test func mjcfIsRelativeToTheSpecFile() throws {
        let relative = try TaskSpec.decode(Data(#"{"mjcf": "scenes/a.xml"}"#.utf8), file: "/specs/task.json")
        #expect(relative.mjcf == "/specs/scenes/a.xml")
        let absolute = try TaskSpec.decode(Data(#"{"mjcf": "/x/a.xml"}"#.utf8), file: "/specs/task.json")
        #expect(absolute.mjcf == "/x/a.xml")
        #expect(TaskSpec().merged(with: absolute).mjcf == "/x/a.xml")
    }
}
