import Foundation
import Testing
import MimicCore
import MimicHDF5

@Suite struct InspectCommandTests {
    @Test func humanOutputIsAnAlignedSummary() throws {
        let result = try CLI.run(["inspect", CLI.dataset("lift.hdf5")])
        #expect(result.status == 0, "\(result.stderr)")
        let lines = result.stdout.split(separator: "\n").map(String.init)
        #expect(lines.contains { $0.hasPrefix("  format") && $0.hasSuffix("robomimic") })
        #expect(lines.contains { $0.hasPrefix("  env") && $0.contains("Lift") })
        #expect(lines.contains { $0.contains("obs/robot0_eef_pos") && $0.contains("float64") })
        #expect(lines.contains { $0.contains("masks: train") })
    }

    @Test func jsonMatchesTheFile() throws {
        let path = CLI.dataset("lift.hdf5")
        let result = try CLI.run(["inspect", "--json", path])
        #expect(result.status == 0, "\(result.stderr)")
        let object = try #require(try JSONSerialization.jsonObject(with: Data(result.stdout.utf8)) as? [String: Any])
        for key in ["format", "env_name", "demos", "samples", "length", "action_dim", "keys", "masks", "datagen_info"] {
            #expect(object[key] != nil, "missing \(key)")
        }
        // Cross-check against the file itself.
        let file = try HDF5File.open(path)
        let data = try file.root.group("data")
        let demos = try data.children()
        let lengths = try demos.map { try data.dataset("\($0)/actions").shape[0] }
        #expect(object["demos"] as? Int == demos.count)
        #expect(object["samples"] as? Int == lengths.reduce(0, +))
        #expect(object["action_dim"] as? Int == (try data.dataset("\(demos[0])/actions").shape[1]))
        let length = try #require(object["length"] as? [String: Any])
        #expect(length["min"] as? Int == lengths.min())
        #expect(length["max"] as? Int == lengths.max())
        #expect(object["env_name"] as? String == "Lift")
        #expect(object["format"] as? String == "robomimic")
        let masks = try #require(object["masks"] as? [String: Int])
        #expect(masks["train"].map { $0 + (masks["valid"] ?? 0) } == demos.count)
        #expect(object["datagen_info"] is NSNull)
    }

    @Test func preparedFileShowsDatagenInfo() throws {
        let dir = try TemporaryDirectory()
        let prepared = dir.path("lift_prepared.hdf5")
        #expect(try CLI.run(["prepare", CLI.dataset("lift.hdf5"), "-o", prepared]).status == 0)
        let result = try CLI.run(["inspect", "--json", prepared])
        let object = try #require(try JSONSerialization.jsonObject(with: Data(result.stdout.utf8)) as? [String: Any])
        #expect(object["format"] as? String == "robomimic+datagen_info")
        let info = try #require(object["datagen_info"] as? [String: Any])
        #expect(info["objects"] as? [String] == ["cube"])
        #expect((info["signals"] as? [String])?.contains("grasp") == true)
        let rises = try #require(info["first_rise"] as? [String: [String: Any]])
        #expect(rises.count == object["demos"] as? Int)
        #expect(rises.values.allSatisfy { $0["grasp"] is Int })
        let human = try CLI.run(["inspect", prepared])
        #expect(human.stdout.contains("first rise of each signal"))
    }

    @Test func missingFileIsAnIOError() throws {
        let result = try CLI.run(["inspect", "/nonexistent/x.hdf5"])
        #expect(result.status == 74)
        #expect(result.stderr.contains("/nonexistent/x.hdf5"))
        #expect(result.stderr.split(separator: "\n").count == 1)
    }
}

@Suite struct InspectFormatTests {
    static func json(_ path: String) throws -> [String: Any] {
        let result = try CLI.run(["inspect", "--json", path])
        #expect(result.status == 0, "\(result.stderr)")
        return try #require(try JSONSerialization.jsonObject(with: Data(result.stdout.utf8)) as? [String: Any])
    }

    @Test func isaacLabLayoutIsRecognizedWithItsDatagenInfo() throws {
        let dir = try TemporaryDirectory()
        let path = dir.path("isaac.hdf5")
        let file = try HDF5File.create(path)
        let data = try file.root.createGroup("data")
        try data.attributes.set("env_args", string: #"{"env_name": "Isaac-PickPlace-GR1T2-Abs-v0", "type": 2}"#)
        for (d, t) in [(0, 6), (1, 4)] {
            let demo = try data.createGroup("demo_\(d)")
            try demo.write("actions", Tensor(shape: [t, 36], float32: .init(repeating: 0, count: t * 36)))
            for eef in ["left", "right"] {
                try demo.write("obs/datagen_info/eef_pose/\(eef)", Tensor(shape: [t, 4, 4], float32: .init(repeating: 0, count: t * 16)))
            }
            try demo.write("obs/datagen_info/object_pose/object", Tensor(shape: [t, 4, 4], float32: .init(repeating: 0, count: t * 16)))
            try demo.write("obs/datagen_info/subtask_term_signals/grasp", Tensor(shape: [t], storage: .uint8((0..<t).map { $0 >= 2 ? 1 : 0 })))
            try demo.write("states/articulation/robot/joint_position", Tensor(shape: [t, 54], float32: .init(repeating: 0, count: t * 54)))
        }
        file.close()
        let object = try Self.json(path)
        #expect(object["format"] as? String == "isaaclab")
        #expect(object["action_dim"] as? Int == 36)
        #expect(object["samples"] as? Int == 10)
        let info = try #require(object["datagen_info"] as? [String: Any])
        #expect(info["end_effectors"] as? [String] == ["left", "right"])
        #expect(info["objects"] as? [String] == ["object"])
        let rises = try #require(info["first_rise"] as? [String: [String: Int]])
        #expect(rises["demo_0"]?["grasp"] == 2)
    }

    @Test func rawRobosuiteRecordingIsRecognized() throws {
        let dir = try TemporaryDirectory()
        let path = dir.path("raw.hdf5")
        let file = try HDF5File.create(path)
        let data = try file.root.createGroup("data")
        try data.attributes.set("env", string: "Lift")
        let demo = try data.createGroup("demo_1")
        try demo.attributes.set("model_file", string: "<mujoco/>")
        try demo.write("states", Tensor(shape: [5, 32], float64: .init(repeating: 0, count: 160)))
        try demo.write("actions", Tensor(shape: [5, 7], float64: .init(repeating: 0, count: 35)))
        file.close()
        let object = try Self.json(path)
        #expect(object["format"] as? String == "robosuite-raw")
        #expect(object["demos"] as? Int == 1)
        #expect(object["env_name"] is NSNull)
        // prepare explains what is missing instead of failing obscurely.
        let result = try CLI.run(["prepare", path, "-o", dir.path("out.hdf5")])
        #expect(result.status == 65)
        #expect(result.stderr.contains("no observations"))
    }
}
