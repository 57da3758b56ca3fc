import Foundation
import MimicCore
import MimicSim
import Testing

@Suite(.serialized) struct VisualRandomizationTests {
    static var scene: Scene { CameraRendererTests.scene }

    func image(_ renderer: CameraRenderer, state: Int = 0) throws -> [UInt8] {
        let states = try Bundled.dataset("stack").demos[0].arrays["states"]!
        let row = states.row(state)
        let world = try SimWorld(scene: renderer.scene)
        return try row.withUnsafeBufferPointer { (b) throws(DatasetError) in
            try renderer.render(states: b, rows: 1, in: world, file: "f", path: "p")[0].rgb
        }
    }

    @Test func parsesKindsAndAll() {
        #expect(VisualRandomization(parsing: "all") == .all)
        #expect(VisualRandomization(parsing: "lights,cameras") == VisualRandomization(lights: true, cameras: true))
        #expect(VisualRandomization(parsing: "colors")?.colors == true)
        #expect(VisualRandomization(parsing: "lights,sparkles") == nil)
        #expect(VisualRandomization(parsing: "") == nil)
        #expect(VisualRandomization().isEmpty)
    }

    @Test func aDemoLooksTheSameForTheSameSeedAndIndex() throws {
        let a = try CameraRenderer(scene: Self.scene, cameras: ["agentview"], width: 24, height: 24)
        let b = try CameraRenderer(scene: Self.scene, cameras: ["agentview"], width: 24, height: 24)
        let drawnA = a.randomizeVisuals(.all, seed: 7, index: 3)
        let drawnB = b.randomizeVisuals(.all, seed: 7, index: 3)
        #expect(drawnA != nil)
        #expect(drawnA == drawnB)
        #expect(try image(a) == image(b))
    }

    @Test func otherIndicesAndSeedsLookDifferent() throws {
        let renderer = try CameraRenderer(scene: Self.scene, cameras: ["agentview"], width: 24, height: 24)
        let one = renderer.randomizeVisuals(.all, seed: 7, index: 3)
        let imageOne = try image(renderer)
        let two = renderer.randomizeVisuals(.all, seed: 7, index: 4)
        #expect(one != two)
        #expect(try image(renderer) != imageOne)
        #expect(renderer.randomizeVisuals(.all, seed: 8, index: 3) != one)
    }

    /// Randomizing nothing restores the scene's own look exactly, whatever was drawn before.
    @Test func nothingRandomizedIsTheScenesOwnLook() throws {
        let plain = try CameraRenderer(scene: Self.scene, cameras: ["agentview", "robot0_eye_in_hand"], width: 24, height: 24)
        let reused = try CameraRenderer(scene: Self.scene, cameras: ["agentview", "robot0_eye_in_hand"], width: 24, height: 24)
        reused.randomizeVisuals(.all, seed: 1, index: 0)
        #expect(reused.randomizeVisuals(VisualRandomization(), seed: 1, index: 0) == nil)
        #expect(try image(plain) == image(reused))
    }

    /// Each kind changes the picture, and the drawn values say what: lights and cameras move,
    /// colours and textures are recorded per material.
    @Test(arguments: ["lights", "colors", "textures", "cameras"])
    func eachKindChangesThePicture(_ kind: String) throws {
        let plain = try CameraRenderer(scene: Self.scene, cameras: ["agentview"], width: 32, height: 32)
        let randomized = try CameraRenderer(scene: Self.scene, cameras: ["agentview"], width: 32, height: 32)
        // Textures are drawn among the scene's own, so a draw may keep every one: try a few demos.
        var changed = false
        var drawn: VisualRandomization.Drawn?
        for index in 0..<6 where !changed {
            drawn = randomized.randomizeVisuals(try #require(VisualRandomization(parsing: kind)), seed: 11, index: index)
            changed = try image(randomized) != image(plain)
        }
        #expect(changed)
        let values = try #require(drawn)
        switch kind {
        case "lights": #expect(values.lights?.isEmpty == false && values.headlight != nil && values.materials == nil)
        case "cameras": #expect(values.cameras?.keys.sorted() == ["agentview"])
        default: #expect(values.materials?.keys.contains("table_ceramic") == true)
        }
        #expect(values.materials?.keys.contains { $0.hasPrefix("robot0_") } != true, "robot materials keep their look")
    }

    /// Physics never sees the look: the shared scene's model is untouched, so a world stepped in it
    /// evolves the same.
    @Test func physicsIsUntouched() throws {
        let renderer = try CameraRenderer(scene: Self.scene, cameras: ["agentview"], width: 16, height: 16)
        let states = try Bundled.dataset("stack").demos[0].arrays["states"]!
        func stepped() throws -> [Double] {
            let world = try SimWorld(scene: Self.scene)
            try world.restore(state: states.row(0))
            try world.step(count: 20)
            return world.state()
        }
        let before = try stepped()
        renderer.randomizeVisuals(.all, seed: 3, index: 9)
        _ = try image(renderer)
        #expect(try stepped() == before)
    }

    @Test func drawnValuesAreSortedJSON() throws {
        let renderer = try CameraRenderer(scene: Self.scene, cameras: ["agentview"], width: 8, height: 8)
        let json = try #require(renderer.randomizeVisuals(.all, seed: 2, index: 2)).json
        let object = try #require(try JSONSerialization.jsonObject(with: Data(json.utf8)) as? [String: Any])
        #expect(Set(object.keys) == ["cameras", "geoms", "headlight", "lights", "materials"])
        #expect(json == renderer.randomizeVisuals(.all, seed: 2, index: 2)?.json)
    }
}
