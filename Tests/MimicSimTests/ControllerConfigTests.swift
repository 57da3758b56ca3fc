import Foundation
import Testing
import MimicCore
@testable import MimicSim

@Suite struct ControllerConfigTests {
    @Test func readsRobosuite15EnvArgs() throws {
        let config = try ControllerConfig(envArgs: try Bundled.dataset("two_arm_handover").envArgs, file: "x")
        #expect(config.arms.count == 2)
        #expect(config.arms[0] == OSCPoseConfig())
        #expect(config.controlFrequency == 20)
        #expect(config.robotModels == ["Panda", "Panda"])
        #expect(config.actionWidth == 14)
        #expect(config.physicsStepsPerAction(timestep: 0.002) == 25)
        #expect(config.arms[0].kd.allSatisfy { abs($0 - 2 * 150.0.squareRoot()) < 1e-12 })
        #expect(config == .robosuiteDefault(robots: 2))
    }

    func envArgs(_ arm: String, extra: String = "") throws -> EnvArgs {
        try EnvArgs(
            json:
                #"{"env_name": "Lift", "env_version": "1.5.2", "type": 1, "env_kwargs": {"robots": "Panda", "control_freq": 10\#(extra), "controller_configs": {"type": "BASIC", "body_parts": {"right": \#(arm)}}}}"#,
            file: "f")
    }

    @Test func readsGainsFrameAndInputType() throws {
        let config = try ControllerConfig(
            envArgs: try envArgs(
                #"{"type": "OSC_POSE", "kp": [100, 100, 100, 50, 50, 50], "damping_ratio": 0.5, "input_type": "absolute", "input_ref_frame": "world", "uncouple_pos_ori": false, "gripper": {"type": "GRIP"}}"#
            ), file: "f")
        let arm = config.arms[0]
        #expect(arm.kp == [100, 100, 100, 50, 50, 50])
        #expect(arm.dampingRatio == Array(repeating: 0.5, count: 6))
        #expect(arm.inputType == .absolute && arm.referenceFrame == .world && !arm.uncouplePositionOrientation)
        #expect(config.controlFrequency == 10)
        #expect(config.physicsStepsPerAction(timestep: 0.002) == 50)
    }

    @Test func rejectsWhatItCannotDrive() throws {
        #expect(throws: DatasetError.self) { try ControllerConfig(envArgs: try envArgs(#"{"type": "IK_POSE"}"#), file: "f") }
        #expect(throws: DatasetError.self) { try ControllerConfig(envArgs: try envArgs(#"{"type": "OSC_POSE", "impedance_mode": "variable"}"#), file: "f") }
        #expect(throws: DatasetError.self) { try ControllerConfig(envArgs: try envArgs(#"{"type": "OSC_POSE", "kp": [1, 2]}"#), file: "f") }
        #expect(throws: DatasetError.self) { try ControllerConfig(envArgs: try envArgs(#"{"type": "OSC_POSE", "interpolation": "linear"}"#), file: "f") }
    }

    @Test func codableRoundTrip() throws {
        let config = ControllerConfig.robosuiteDefault(robots: 1)
        #expect(try JSONDecoder().decode(ControllerConfig.self, from: JSONEncoder().encode(config)) == config)
    }
}
