import Foundation
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

    @Test func camerasAreRecordedAsRobosuiteSerializesThem() throws {
        let args = try EnvArgs(json: Self.robosuite15, file: "f")
        let json = args.withCameras(["agentview", "robot0_eye_in_hand"], height: 40, width: 48, depth: true)
        let object = try #require(try JSONSerialization.jsonObject(with: Data(json.utf8)) as? [String: Any])
        let kwargs = try #require(object["env_kwargs"] as? [String: Any])
        #expect(kwargs["camera_names"] as? [String] == ["agentview", "robot0_eye_in_hand"])
        #expect(kwargs["camera_heights"] as? Int == 40 && kwargs["camera_widths"] as? Int == 48)
        #expect(kwargs["camera_depths"] as? Bool == true && kwargs["use_camera_obs"] as? Bool == true)
        #expect(kwargs["has_offscreen_renderer"] as? Bool == true)
        // Everything else stays: the controllers read back the same.
        let again = try EnvArgs(json: json, file: "f")
        #expect(again.armControllers == args.armControllers && again.envName == args.envName && again.robots == args.robots)
    }

    @Test func geomGroupsDefaultToRobosuites() throws {
        let args = try EnvArgs(json: Self.robosuite15, file: "f")
        #expect(!args.renderCollisionMesh && args.renderVisualMesh)
        let both = try EnvArgs(json: #"{"env_name": "Lift", "env_kwargs": {"render_collision_mesh": true, "render_visual_mesh": false}}"#, file: "f")
        #expect(both.renderCollisionMesh && !both.renderVisualMesh)
    }
}
