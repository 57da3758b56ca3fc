import MimicCore

/// Small demos in memory, shaped like robosuite's.
enum Fixtures {
    /// robosuite 1.5's env_args for `robots` with one OSC_POSE delta arm each (±0.05 m, ±0.5 rad).
    static func oscEnvArgs(robots: [String]) -> EnvArgs {
        let arm =
            #"{"type": "OSC_POSE", "input_max": 1, "input_min": -1, "output_max": [0.05, 0.05, 0.05, 0.5, 0.5, 0.5], "output_min": [-0.05, -0.05, -0.05, -0.5, -0.5, -0.5], "input_type": "delta", "input_ref_frame": "world"}"#
        let robotList = robots.map { "\"\($0)\"" }.joined(separator: ", ")
        let json =
            #"{"env_name": "Lift", "env_version": "1.5.2", "type": 1, "env_kwargs": {"robots": [\#(robotList)], "controller_configs": {"type": "BASIC", "body_parts": {"right": \#(arm)}}}}"#
        return try! EnvArgs(json: json, file: "test")
    }

    /// The GR1's whole-body IK: one absolute axis-angle pose per hand site, right then left.
    static let gr1EnvArgs = try! EnvArgs(
        json:
            #"{"env_name": "TwoArmHandover", "env_version": "1.5.2", "type": 1, "env_kwargs": {"robots": ["GR1ArmsOnly"], "controller_configs": {"type": "WHOLE_BODY_IK", "composite_controller_specific_configs": {"ref_name": ["gripper0_right_grip_site", "gripper0_left_grip_site"], "ik_input_ref_frame": "world"}}}}"#,
        file: "test")

    /// A demo of `steps` steps: per end effector eef_pos / eef_quat / gripper_qpos (`fingers`
    /// wide), per robot 7 joint positions, `actionWidth` action columns, and `cameras` of 6 × 4
    /// frames; every value differs.
    static func demo(
        effectors: [String], steps: Int = 5, actionWidth: Int, fingers: Int = 2, cameras: [String] = [], name: String = "demo_0"
    ) -> Demo {
        var demo = Demo(name: name)
        func ramp(_ width: Int, _ seed: Double) -> Tensor {
            Tensor(shape: [steps, width], float64: (0..<(steps * width)).map { seed + 0.01 * Double($0) })
        }
        var robots: [String] = []
        for (i, e) in effectors.enumerated() {
            demo.arrays["obs/\(e)_eef_pos"] = ramp(3, Double(10 * i))
            demo.arrays["obs/\(e)_eef_quat"] = ramp(4, Double(10 * i + 1))
            demo.arrays["obs/\(e)_gripper_qpos"] = ramp(fingers, Double(10 * i + 2))
            let robot = String(e.split(separator: "_")[0])
            if !robots.contains(robot) { robots.append(robot) }
        }
        for (i, r) in robots.enumerated() { demo.arrays["obs/\(r)_joint_pos"] = ramp(7, Double(100 + i)) }
        demo.arrays["obs/object"] = ramp(10, 50)
        demo.arrays["actions"] = ramp(actionWidth, -1)
        for (k, c) in cameras.enumerated() {
            demo.arrays["obs/\(c)_image"] = Tensor(shape: [steps, 6, 4, 3], storage: .uint8((0..<(steps * 72)).map { UInt8(($0 * 7 + k * 50) % 256) }))
        }
        return demo
    }
}
