import Foundation
import Testing
import MimicCore
import MimicSim

@Suite struct ExecutionScenesTests {
    /// robosuite draws the hammer's size at every reset, so each handover source has its own
    /// scene: an attempt following source d runs in d's model_file, from d's first state.
    @Test func eachSourceRunsInItsOwnScene() throws {
        let data = try Bundled.dataset("two_arm_handover")
        let scenes = ExecutionScenes(
            demos: data.demos, spec: TaskSpec(), specFile: nil, objectNames: ["hammer"],
            assetsRoot: Bundled.assetsRoot, file: "two_arm_handover")
        #expect(data.demos.indices.map(scenes.sceneIndex(ofSource:)) == Array(0..<data.demos.count))
        let entry = try scenes.entry(forSource: 3)
        #expect(entry.index == 3)
        #expect(entry.xml == data.demos[3].modelXML)
        #expect(entry.baseState == data.demos[3].arrays["states"]!.row(0))
        #expect(entry.objectJoints == ["hammer": "hammer_joint0"])
        #expect(entry.recorder.uncomputable.isEmpty)
        // Compiled once.
        #expect(try scenes.entry(forSource: 3).scene === entry.scene)
    }

    /// A spec's mjcf is one scene for every source.
    @Test func aSpecMJCFServesEverySource() throws {
        let data = try Bundled.dataset("lift")
        var spec = TaskSpec()
        spec.mjcf = "/nonexistent/scene.xml"
        let scenes = ExecutionScenes(
            demos: data.demos, spec: spec, specFile: "task.json", objectNames: ["cube"],
            assetsRoot: nil, file: "lift")
        #expect(Set(data.demos.indices.map(scenes.sceneIndex(ofSource:))) == [0])
        #expect(throws: DatasetError.self) { try scenes.entry(forSource: 0) }
    }
}
