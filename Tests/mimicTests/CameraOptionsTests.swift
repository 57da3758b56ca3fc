import ArgumentParser
import Testing

@testable import mimic

@Suite struct CameraOptionsTests {
    @Test(arguments: [("84x84", 84, 84), ("224", 224, 224), ("128X96", 128, 96), ("1x4096", 1, 4096)])
    func imageSizes(_ text: String, _ width: Int, _ height: Int) throws {
        let options = try CameraOptions.parse(["--cameras", "agentview", "--image-size", text])
        let size = try options.size
        #expect(size.width == width && size.height == height)
    }

    @Test(arguments: ["", "x", "84x", "84x84x3", "0", "-4", "4097", "a"])
    func badImageSizes(_ text: String) {
        #expect(throws: (any Error).self) { try CameraOptions.parse(["--cameras", "agentview", "--image-size", text]) }
    }

    @Test func namesKeepTheirOrderWithoutBlanks() throws {
        let options = try CameraOptions.parse(["--cameras", " frontview, agentview ,robot0_eye_in_hand,"])
        #expect(options.names == ["frontview", "agentview", "robot0_eye_in_hand"])
        #expect(try CameraOptions.parse([]).names.isEmpty)
    }

    @Test func randomizationNeedsCamerasAndKnownKinds() throws {
        #expect(throws: (any Error).self) { try CameraOptions.parse(["--randomize-visuals", "all"]) }
        #expect(throws: (any Error).self) { try CameraOptions.parse(["--cameras", "a", "--randomize-visuals", "fog"]) }
        let options = try CameraOptions.parse(["--cameras", "a", "--randomize-visuals", "lights,textures"])
        #expect(options.randomizeVisuals?.value.lights == true && options.randomizeVisuals?.value.textures == true)
        #expect(options.randomizeVisuals?.value.colors == false)
    }

    @Test func cameraNamedTwiceIsRefused() {
        #expect(throws: (any Error).self) { try CameraOptions.parse(["--cameras", "a,b,a"]) }
        #expect(throws: (any Error).self) { try CameraOptions.parse(["--cameras", ","]) }
    }
}
