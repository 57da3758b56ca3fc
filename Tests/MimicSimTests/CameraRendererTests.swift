import Foundation
import MimicCore
import MimicSim
import Testing

/// Camera images of the bundled Stack scene (its textures compiled), at a few recorded states.
/// Equality with robosuite's own images is checked end to end by `mimic render`'s test, which runs
/// robosuite; here: shapes, orientation conventions, culling and determinism.
@Suite(.serialized) struct CameraRendererTests {
    static let scene: Scene = {
        let d = try! Bundled.dataset("stack")
        return try! Scene(
            mjcf: d.demos[0].modelXML!, assetsRoot: Bundled.assetsRoot, loadTextures: true, file: Bundled.path("stack"),
            path: "/data/demo_0.attrs[model_file]")
    }()

    /// The first `rows` recorded states of Stack's demo_0, row after row.
    static func states(_ rows: Int) throws -> [Double] {
        let states = try Bundled.dataset("stack").demos[0].arrays["states"]!
        return Array(states.doubles.prefix(rows * states.rowWidth))
    }

    func render(_ renderer: CameraRenderer, rows: Int) throws -> [(rgb: [UInt8], depth: [Float]?)] {
        let world = try SimWorld(scene: renderer.scene)
        return try Self.states(rows).withUnsafeBufferPointer { (buffer) throws(DatasetError) in
            try renderer.render(states: buffer, rows: rows, in: world, file: "stack.hdf5", path: "/data/demo_0/states")
        }
    }

    @Test func imagesHaveTheSizeAndShowTheScene() throws {
        let renderer = try CameraRenderer(scene: Self.scene, cameras: ["agentview", "robot0_eye_in_hand"], width: 48, height: 32, depth: true)
        let drawn = try render(renderer, rows: 2)
        #expect(drawn.count == 2)
        for (rgb, depth) in drawn {
            #expect(rgb.count == 2 * 48 * 32 * 3)
            #expect(Set(rgb).count > 20, "an image of a handful of colours is not a rendered scene")
            let depths = try #require(depth)
            #expect(depths.count == 2 * 48 * 32)
            #expect(depths.allSatisfy { (0...1).contains($0) })
            #expect(Set(depths).count > 10)
        }
    }

    /// Rows come out as OpenGL reads them, bottom row first (robosuite's "opengl" convention): in
    /// agentview the table fills the bottom of the picture, so the first stored rows are the
    /// table's bright, even colour and the last rows (the top of the picture: robot, wall) vary more.
    @Test func rowsAreStoredBottomFirst() throws {
        let renderer = try CameraRenderer(scene: Self.scene, cameras: ["agentview"], width: 64, height: 64)
        let rgb = try render(renderer, rows: 1)[0].rgb
        func spread(_ rows: Range<Int>) -> Double {
            let values = rows.flatMap { r in (0..<64 * 3).map { Double(rgb[r * 64 * 3 + $0]) } }
            let mean = values.reduce(0, +) / Double(values.count)
            return values.map { ($0 - mean) * ($0 - mean) }.reduce(0, +) / Double(values.count)
        }
        #expect(spread(0..<8) < spread(56..<64))
    }

    @Test func cullingLeavesEveryPixelAsItWas() throws {
        let culled = try CameraRenderer(scene: Self.scene, cameras: ["agentview", "robot0_eye_in_hand", "frontview"], width: 40, height: 40)
        let full = try CameraRenderer(scene: Self.scene, cameras: ["agentview", "robot0_eye_in_hand", "frontview"], width: 40, height: 40)
        full.cull = false
        let a = try render(culled, rows: 3), b = try render(full, rows: 3)
        for c in 0..<3 { #expect(a[c].rgb == b[c].rgb) }
    }

    @Test func theSameStateDrawsTheSameBytes() throws {
        let first = try CameraRenderer(scene: Self.scene, cameras: ["agentview"], width: 32, height: 32)
        let second = try CameraRenderer(scene: Self.scene, cameras: ["agentview"], width: 32, height: 32)
        #expect(try render(first, rows: 2)[0].rgb == render(second, rows: 2)[0].rgb)
    }

    @Test func collisionGeomsShowOnlyWhenAsked() throws {
        let visual = try CameraRenderer(scene: Self.scene, cameras: ["agentview"], width: 32, height: 32)
        let both = try CameraRenderer(scene: Self.scene, cameras: ["agentview"], width: 32, height: 32, collisionGeoms: true)
        #expect(try render(visual, rows: 1)[0].rgb != render(both, rows: 1)[0].rgb)
    }

    @Test func anUnknownCameraIsNamedWithTheScenesCameras() throws {
        let error = #expect(throws: DatasetError.self) {
            try CameraRenderer(scene: Self.scene, cameras: ["agentview", "wristcam"], width: 8, height: 8)
        }
        #expect(error?.detail.contains("\"wristcam\"") == true)
        #expect(error?.detail.contains("robot0_eye_in_hand") == true)
    }

    @Test func statesOfTheWrongWidthAreRefused() throws {
        let renderer = try CameraRenderer(scene: Self.scene, cameras: ["agentview"], width: 8, height: 8)
        let world = try SimWorld(scene: Self.scene)
        let states = [Double](repeating: 0, count: 7)
        #expect(throws: DatasetError.self) {
            try states.withUnsafeBufferPointer { (b) throws(DatasetError) in _ = try renderer.render(states: b, rows: 1, in: world, file: "f", path: "p") }
        }
    }

    /// A demo with next_obs gets the next step's image there, and the image at the final state for
    /// the last step when it is given (else its own).
    @Test func nextObservationsAreTheFollowingImages() throws {
        let renderer = try CameraRenderer(scene: Self.scene, cameras: ["agentview"], width: 16, height: 16)
        let world = try SimWorld(scene: Self.scene)
        let source = try Bundled.dataset("stack").demos[0]
        let width = source.arrays["states"]!.rowWidth
        let all = try Self.states(4)
        var demo = Demo(name: "demo_0")
        demo.arrays["states"] = Tensor(shape: [3, width], float64: Array(all.prefix(3 * width)))
        demo.arrays["next_obs/object"] = Tensor(shape: [3, 1], float64: [0, 0, 0])
        let frame = 16 * 16 * 3
        let withFinal = try renderer.observations(of: demo, in: world, file: "f", finalState: Array(all[(3 * width)...]))
        let without = try renderer.observations(of: demo, in: world, file: "f")
        let images = try #require(withFinal["obs/agentview_image"]?.storage)
        #expect(withFinal["obs/agentview_image"]?.shape == [3, 16, 16, 3])
        guard case .uint8(let obs) = images, case .uint8(let next)? = withFinal["next_obs/agentview_image"]?.storage,
            case .uint8(let nextWithout)? = without["next_obs/agentview_image"]?.storage
        else {
            Issue.record("images are not uint8")
            return
        }
        #expect(Array(next[0..<(2 * frame)]) == Array(obs[frame..<(3 * frame)]))
        #expect(Array(nextWithout[(2 * frame)...]) == Array(obs[(2 * frame)...]))
        let four = try render(renderer, rows: 4)[0].rgb
        #expect(Array(next[(2 * frame)...]) == Array(four[(3 * frame)...]))
    }
}
