import Foundation
import MimicCore
import MimicHDF5
import Testing

/// `mimic render` end to end: images added to a dataset from its states, checked against
/// robosuite 1.5.2's own camera observations of the same states (Demos/verify/robosuite_render.py).
@Suite(.serialized) struct RenderCommandTests {
    /// The first `rows` steps of Stack's demo_0 and demo_1 (with next_obs), written through MimicHDF5.
    static func stackCut(in dir: TemporaryDirectory, rows: Int = 4) throws -> String {
        let reader = try RobomimicReader(path: CLI.dataset("stack.hdf5"))
        let path = dir.path("stack_cut.hdf5")
        var attributes = reader.dataAttributes
        attributes["total"] = nil
        let writer = try RobomimicWriter(destination: path, dataAttributes: attributes)
        for name in reader.demoNames.prefix(2) {
            var demo = try reader.demo(name)
            demo.arrays = demo.arrays.mapValues { t in
                let w = t.rowWidth
                let values = Array(t.doubles.prefix(rows * w))
                return t.shape.count >= 1 && t.rows > rows
                    ? Tensor(shape: [rows] + t.shape.dropFirst(), float64: values) : t
            }
            try writer.write(demo)
        }
        try writer.finish(masks: [:])
        return path
    }

    static func python(_ arguments: [String]) throws -> CLI.Output {
        try CLI.run(["python3"] + arguments, executable: URL(fileURLWithPath: "/usr/bin/env"))
    }

    static func bytes(_ path: String) -> Data? { FileManager.default.contents(atPath: path) }

    @Test func imagesMatchRobosuitesOwnRendering() throws {
        let dir = try TemporaryDirectory()
        let source = try Self.stackCut(in: dir)
        let before = Self.bytes(source)
        let out = dir.path("stack_images.hdf5")
        let result = try CLI.run([
            "render", source, "-o", out, "--cameras", "agentview,robot0_eye_in_hand", "--image-size", "48x40", "--depth", "--workers", "2",
        ])
        #expect(result.status == 0, "\(result.stderr)")
        #expect(result.stdout.contains("rendered 8 frames of 2 camera(s) (2 demos)"))
        #expect(Self.bytes(source) == before, "the input is never modified")

        let reader = try RobomimicReader(path: out)
        let original = try RobomimicReader(path: source)
        let envArgs = try #require(reader.envArgs)
        #expect(envArgs.json.contains(#""camera_names":["agentview","robot0_eye_in_hand"]"#))
        #expect(envArgs.json.contains(#""camera_heights":40"#) && envArgs.json.contains(#""camera_widths":48"#))
        for name in reader.demoNames {
            let demo = try reader.demo(name), input = try original.demo(name)
            for camera in ["agentview", "robot0_eye_in_hand"] {
                let image = try #require(demo.arrays["obs/\(camera)_image"])
                #expect(image.shape == [4, 40, 48, 3] && image.dtypeName == "uint8")
                #expect(demo.arrays["obs/\(camera)_depth"]?.shape == [4, 40, 48, 1])
                #expect(demo.arrays["next_obs/\(camera)_image"]?.shape == [4, 40, 48, 3])
            }
            // Everything else is copied as it was.
            for (key, tensor) in input.arrays { #expect(demo.arrays[key] == tensor, "\(name)/\(key)") }
        }

        let check = try Self.python([CLI.packageRoot.appendingPathComponent("Demos/verify/robosuite_render.py").path, out])
        #expect(check.status == 0, "\(check.stdout)\(check.stderr)")
        #expect(check.stdout.contains("OK: agentview: 8 frames 48x40, mean |diff| 0.0000 levels"), "\(check.stdout)")
        #expect(check.stdout.contains("OK: robot0_eye_in_hand: 8 frames 48x40, mean |diff| 0.0000 levels"), "\(check.stdout)")
    }

    /// The same inputs give the same bytes for any number of workers, randomized looks included.
    @Test func outputDoesNotDependOnWorkers() throws {
        let dir = try TemporaryDirectory()
        let source = try Self.stackCut(in: dir, rows: 2)
        var outputs: [Data?] = []
        for workers in ["1", "2"] {
            let out = dir.path("w\(workers).hdf5")
            let result = try CLI.run([
                "render", source, "-o", out, "--cameras", "agentview", "--image-size", "24", "--randomize-visuals", "all", "--seed", "4",
                "--workers", workers,
            ])
            #expect(result.status == 0, "\(result.stderr)")
            outputs.append(Self.bytes(out))
        }
        #expect(outputs[0] != nil && outputs[0] == outputs[1])
        let demo = try RobomimicReader(path: dir.path("w1.hdf5")).demo("demo_1")
        let drawn = try #require(demo.attributes["mimic_visual"]?.stringValue)
        #expect(drawn.contains(#""cameras":{"agentview""#))
    }

    @Test func anUnknownCameraIsOneLineAndNoOutput() throws {
        let dir = try TemporaryDirectory()
        let source = try Self.stackCut(in: dir, rows: 2)
        let out = dir.path("out.hdf5")
        let result = try CLI.run(["render", source, "-o", out, "--cameras", "agentview,topcam"])
        #expect(result.status == 65)
        let lines = result.stderr.split(separator: "\n")
        #expect(lines.count == 1)
        #expect(result.stderr.contains("\"topcam\"") && result.stderr.contains("stack_cut.hdf5") && result.stderr.contains("model_file"))
        #expect(dir.contents == ["stack_cut.hdf5"], "no output and no partial file is left")
    }

    @Test(arguments: [
        ["--image-size", "84x84"],
        ["--cameras", "agentview", "--image-size", "0x84"],
        ["--cameras", "agentview", "--image-size", "84y84"],
        ["--cameras", "agentview,agentview"],
        ["--cameras", "agentview", "--randomize-visuals", "sparkles"],
    ])
    func usageErrors(_ extra: [String]) throws {
        let dir = try TemporaryDirectory()
        let result = try CLI.run(["render", CLI.dataset("stack.hdf5"), "-o", dir.path("out.hdf5")] + extra)
        #expect(result.status == 64, "\(result.stderr)")
        #expect(dir.contents.isEmpty)
    }

    @Test func aFileWithoutScenesIsRefused() throws {
        let dir = try TemporaryDirectory()
        let source = dir.path("bare.hdf5")
        var demo = Demo(name: "demo_0")
        demo.arrays["actions"] = Tensor(shape: [2, 7], float64: [Double](repeating: 0, count: 14))
        try writeDataset(source, demos: [demo], envArgs: #"{"env_name": "Lift", "type": 1, "env_kwargs": {}}"#)
        let result = try CLI.run(["render", source, "-o", dir.path("out.hdf5"), "--cameras", "agentview"])
        #expect(result.status == 65, "\(result.stderr)")
        #expect(result.stderr.split(separator: "\n").count == 1)
        #expect(!FileManager.default.fileExists(atPath: dir.path("out.hdf5")))
    }
}
