import Foundation
import Testing
import MimicCore
import MimicSim

@Suite struct SceneCatalogTests {
    /// Demos with the same model_file share one compiled scene; each distinct one is compiled once.
    @Test func compilesEachDistinctSceneOnce() throws {
        let lift = try Bundled.dataset("lift")
        let catalog = SceneCatalog(mjcf: nil, specFile: nil, assetsRoot: Bundled.assetsRoot, file: "lift.hdf5")
        var twin = lift.demos[1]
        twin.attributes["model_file"] = lift.demos[0].attributes["model_file"]
        #expect(catalog.index(of: lift.demos[0]) == 0)
        #expect(catalog.index(of: lift.demos[1]) == 1)
        #expect(catalog.index(of: twin) == 0)
        let first = try catalog.scene(of: lift.demos[0])
        #expect(try catalog.scene(of: twin).compiled.scene === first.compiled.scene)
        #expect(first.compiled.xml == lift.demos[0].modelXML)
        #expect(catalog.count == 2)
    }

    /// States of another width than the scene's state are an error naming the demo's states.
    @Test func statesMustFitTheScene() throws {
        let lift = try Bundled.dataset("lift")
        var demo = lift.demos[0]
        demo.arrays["states"] = Tensor(shape: [2, 5], float64: Array(repeating: 0, count: 10))
        let catalog = SceneCatalog(mjcf: nil, specFile: nil, assetsRoot: Bundled.assetsRoot, file: "lift.hdf5")
        do {
            _ = try catalog.scene(of: demo)
            Issue.record("expected an error")
        } catch {
            #expect(error.path == "/data/\(demo.name)/states")
            #expect(error.detail.contains("1 + nq + nv"))
        }
    }

    /// A spec's MJCF file compiles with its includes resolved from its own directory, for every demo.
    @Test func compilesAnMJCFFileWithRelativeIncludes() throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("mimic-scene-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir.appendingPathComponent("parts"), withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }
        try #"<mujoco><worldbody><body name="box"><freejoint name="box_joint0"/><geom size="0.02 0.02 0.02" type="box"/></body></worldbody></mujoco>"#
            .write(to: dir.appendingPathComponent("parts/box.xml"), atomically: true, encoding: .utf8)
        try #"<mujoco><include file="parts/box.xml"/></mujoco>"#.write(to: dir.appendingPathComponent("scene.xml"), atomically: true, encoding: .utf8)
        let catalog = SceneCatalog(mjcf: dir.appendingPathComponent("scene.xml").path, specFile: "task.json", assetsRoot: nil, file: "data.hdf5")
        let (index, compiled) = try catalog.scene(of: Demo(name: "demo_0"))
        #expect(index == 0 && catalog.index(of: Demo(name: "demo_1")) == 0)
        #expect(compiled.scene.bodyIfPresent("box") != nil && compiled.scene.nq == 7)
        #expect(compiled.xml.contains("parts/box.xml"))
    }

    @Test func aDemoWithoutSceneIsAnError() {
        let catalog = SceneCatalog(mjcf: nil, specFile: nil, assetsRoot: nil, file: "data.hdf5")
        do {
            _ = try catalog.scene(of: Demo(name: "demo_3"))
            Issue.record("expected an error")
        } catch {
            #expect(error.path == "/data/demo_3.attrs[model_file]")
        }
        let unreadable = SceneCatalog(mjcf: "/nonexistent/scene.xml", specFile: "task.json", assetsRoot: nil, file: "data.hdf5")
        #expect(throws: DatasetError.self) { try unreadable.scene(of: Demo(name: "demo_0")) }
    }
}
