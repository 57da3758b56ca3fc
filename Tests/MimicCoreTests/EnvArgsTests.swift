import Testing
@testable import MimicCore

@Suite struct EnvArgsTests {
    static let robosuite15 = """
        {"env_name": "Lift", "env_version": "1.5.2", "type": 1, "env_kwargs": {"robots": "Panda",
         "controller_configs": {"type": "BASIC", "body_parts": {"right": {"type": "OSC_POSE", "input_max": 1, "input_min": -1,
          "output_max": [0.05, 0.05, 0.05, 0.5, 0.5, 0.5], "output_min": [-0.05, -0.05, -0.05, -0.5, -0.5, -0.5],
          "input_type": "delta", "input_ref_frame": "base", "gripper": {"type": "GRIP"}}}}}}
        """

    static let mimicgen14 = """
        {"env_name": "Stack_D0", "env_version": "1.4.1", "type": 1, "env_kwargs": {"robots": ["Panda"],
         "controller_configs": {"type": "OSC_POSE", "input_max": 1, "input_min": -1, "output_max": [0.05, 0.05, 0.05, 0.5, 0.5, 0.5],
          "output_min": [-0.05, -0.05, -0.05, -0.5, -0.5, -0.5], "control_delta": true}}}
        """

    @Test func readsRobosuite15CompositeConfig() throws {
        let args = try EnvArgs(json: Self.robosuite15, file: "f")
        #expect(args.envName == "Lift")
        #expect(args.type == 1)
        #expect(args.robots == ["Panda"])
        #expect(args.armControllers.count == 1)
        let c = try #require(args.armControllers.first?.first)
        #expect(c.type == "OSC_POSE")
        #expect(c.delta)
        #expect(c.baseFrame)
        #expect(c.outputMax == [0.05, 0.05, 0.05, 0.5, 0.5, 0.5])
    }

    @Test func readsFlatPre15ConfigInWorldFrame() throws {
        let args = try EnvArgs(json: Self.mimicgen14, file: "f")
        let c = try #require(args.armControllers.first?.first)
        #expect(c.delta)
        #expect(!c.baseFrame)
        #expect(args.envVersion == "1.4.1")
    }

    @Test func oneConfigServesEveryRobot() throws {
        let json = Self.robosuite15.replacingOccurrences(of: "\"robots\": \"Panda\"", with: "\"robots\": [\"Panda\", \"Panda\"]")
        let args = try EnvArgs(json: json, file: "f")
        #expect(args.armControllers.count == 2)
    }

    @Test func absoluteInputType() throws {
        let json = Self.robosuite15.replacingOccurrences(of: "\"input_type\": \"delta\"", with: "\"input_type\": \"absolute\"")
        #expect(try EnvArgs(json: json, file: "f").armControllers[0][0].delta == false)
    }

    @Test func notJSONIsAnErrorNamingTheAttribute() {
        #expect(throws: DatasetError.self) { try EnvArgs(json: "{not json", file: "x.hdf5") }
        do { _ = try EnvArgs(json: "[1]", file: "x.hdf5") } catch {
            #expect(error.description.hasPrefix("x.hdf5: /data.attrs[env_args]: expected a JSON object"))
        }
    }

    @Test func versionComparison() {
        #expect(EnvArgs.versionAtLeast("1.5.2", 1, 5))
        #expect(EnvArgs.versionAtLeast("2.0", 1, 5))
        #expect(!EnvArgs.versionAtLeast("1.4.1", 1, 5))
        #expect(!EnvArgs.versionAtLeast(nil, 1, 5))
    }
}
