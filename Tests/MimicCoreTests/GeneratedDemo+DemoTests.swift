import Foundation
import Testing
import MimicMath
@testable import MimicCore

@Suite struct GeneratedDemoDemoTests {
    @Test func demoCarriesActionsDatagenInfoObservationsAndProvenance() throws {
        let generated = try GenerationFixture.generator().generate(4)
        let demo = generated.demo(name: "demo_4", format: OutputFormat(interfaceName: "MG_Lift"), runSeed: 9, modelXML: "<mujoco/>")
        let t = generated.length
        #expect(demo.arrays["actions"]?.shape == [t, 7])
        #expect(demo.arrays["datagen_info/eef_pose"]?.shape == [t, 4, 4])
        #expect(demo.arrays["obs/robot0_eef_pos"]?.shape == [t, 3])
        #expect(demo.arrays["obs/cube_quat"]?.shape == [t, 4])
        #expect(demo.arrays["src_demo_inds"]?.storage == .int64(generated.sourceDemos[0].map(Int64.init)))
        #expect(demo.arrays["src_demo_labels"]?.shape == [t, 1])
        #expect(demo.attributes["num_samples"] == .int(t))
        #expect(demo.attributes["mimic_seed"] == .int(9))
        #expect(demo.attributes["mimic_index"] == .int(4))
        #expect(demo.attributes["mimic_kinematic"] == .bool(true))
        #expect(demo.attributes["model_file"] == .string("<mujoco/>"))
        // The recorded scene is the sampled one.
        let scene = try #require(demo.attributes["mimic_scene"]?.stringValue)
        let parsed = try JSONDecoder().decode([String: [Double]].self, from: Data(scene.utf8))
        #expect(
            parsed["cube"]?.prefix(3).elementsEqual([generated.placement["cube"]!.position.x, generated.placement["cube"]!.position.y, generated.placement["cube"]!.position.z])
                == true)
        // The output is itself a source: its datagen_info reads back.
        let info = try #require(try DatagenInfo(demo: demo, file: "out"))
        #expect(info == generated.info)
    }

    @Test func float32ActionsWhenTheSourceHadThem() throws {
        let generated = try GenerationFixture.generator().generate(0)
        let demo = generated.demo(name: "demo_0", format: OutputFormat(interfaceName: "MG", float32Paths: ["actions"]), runSeed: 1, modelXML: nil)
        #expect(demo.arrays["actions"]?.dtypeName == "float32")
        #expect(demo.attributes["model_file"] == nil)
    }
}
