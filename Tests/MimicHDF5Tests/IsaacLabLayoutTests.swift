import Foundation
import Testing
import MimicCore
@testable import MimicHDF5

@Suite struct IsaacLabLayoutTests {
    /// A prepared one-arm demo maps to Isaac Lab's names: datagen_info under obs/, target_pose as
    /// target_eef_pose, object_poses as object_pose, signals as booleans, the first state as
    /// initial_state; gripper_action, next_obs and Mimic's provenance arrays are left out.
    @Test func mapsPathsAndAttributes() throws {
        var demo = Demo(name: "demo_3")
        demo.arrays["actions"] = Tensor(shape: [2, 7], float64: Array(repeating: 0.5, count: 14))
        demo.arrays["states"] = Tensor(shape: [2, 3], float64: [0, 1, 2, 3, 4, 5])
        demo.arrays["obs/cube_pos"] = Tensor(shape: [2, 3], float64: Array(repeating: 0, count: 6))
        demo.arrays["next_obs/cube_pos"] = Tensor(shape: [2, 3], float64: Array(repeating: 0, count: 6))
        demo.arrays["src_demo_labels"] = Tensor(shape: [2, 1], storage: .int64([0, 0]))
        let eye = PoseTrack([.identity, .identity]).tensor
        demo.arrays["datagen_info/eef_pose"] = eye
        demo.arrays["datagen_info/target_pose"] = eye
        demo.arrays["datagen_info/gripper_action"] = Tensor(shape: [2, 1], float64: [-1, 1])
        demo.arrays["datagen_info/object_poses/cube"] = eye
        demo.arrays["datagen_info/subtask_term_signals/grasp"] = Tensor(shape: [2], storage: .int64([0, 1]))
        demo.attributes["model_file"] = .string("<mujoco/>")
        let out = IsaacLabLayout.demo(demo, success: true, seed: 7)
        #expect(
            Set(out.arrays.keys) == [
                "actions", "states", "initial_state", "obs/cube_pos", "obs/datagen_info/eef_pose/robot0", "obs/datagen_info/target_eef_pose/robot0",
                "obs/datagen_info/object_pose/cube", "obs/datagen_info/subtask_term_signals/grasp",
            ])
        #expect(out.arrays["initial_state"] == Tensor(shape: [1, 3], float64: [0, 1, 2]))
        #expect(out.arrays["obs/datagen_info/subtask_term_signals/grasp"] == Tensor(shape: [2], storage: .uint8([0, 1])))
        #expect(out.attributes["success"] == .bool(true) && out.attributes["seed"] == .int(7) && out.attributes["num_samples"] == .int(2))
        #expect(out.attributes["model_file"] == .string("<mujoco/>"))
        #expect(IsaacLabLayout.demo(demo).attributes["success"] == nil && IsaacLabLayout.demo(demo).attributes["seed"] == nil)
        // Several end effectors keep their names.
        var two = Demo(name: "demo_0")
        two.arrays["datagen_info/eef_pose/robot0_left"] = eye
        #expect(IsaacLabLayout.demo(two, success: nil, seed: 0).arrays.keys.contains("obs/datagen_info/eef_pose/robot0_left"))
    }

    /// success and seed come from what Mimic recorded: an executed demo succeeded unless it records
    /// why it failed (a success that did not hold to the end too); a kinematic candidate or a
    /// foreign demo has neither.
    @Test func successAndSeedFromMimicsAttributes() {
        var demo = Demo(name: "demo_0")
        #expect(IsaacLabLayout.success(of: demo) == nil)
        demo.attributes["mimic_kinematic"] = .bool(true)
        demo.attributes["mimic_index"] = .int(41)
        #expect(IsaacLabLayout.success(of: demo) == nil)
        #expect(IsaacLabLayout.demo(demo).attributes["seed"] == .int(41))
        demo.attributes["mimic_kinematic"] = .bool(false)
        #expect(IsaacLabLayout.success(of: demo) == true)
        #expect(IsaacLabLayout.demo(demo).attributes["success"] == .bool(true))
        demo.attributes["mimic_first_success_step"] = .int(12)
        demo.attributes["mimic_failure"] = .string("the success test held after action 12 but not in the last recorded state (row 40)")
        #expect(IsaacLabLayout.success(of: demo) == false)
        #expect(IsaacLabLayout.demo(demo).attributes["success"] == .bool(false))
    }

    @Test func envArgsBecomeGymStyle() throws {
        let attributes: [String: AttributeValue] = [
            "env_args": .string(#"{"env_name": "TwoArmLift", "type": 1, "env_kwargs": {"robots": "GR1ArmsOnly"}}"#), "total": .int(3),
            "mimic_generation": .string("{}"),
        ]
        let out = IsaacLabLayout.dataAttributes(attributes)
        #expect(out["total"] == nil && out["mimic_generation"] == .string("{}"))
        guard case .string(let json)? = out["env_args"] else { Issue.record("no env_args"); return }
        let args = try EnvArgs(json: json, file: "f")
        #expect(args.type == 2 && args.envName == "TwoArmLift" && args.robots == ["GR1ArmsOnly"])
    }
}
