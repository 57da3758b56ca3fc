import Testing
import MimicCore

@Suite struct OutputFormatTests {
    /// The format follows the first source: float32 arrays stay float32, next_obs is written when
    /// the source has it, and the interface attributes name MimicGen's `MG_<env_name>`.
    @Test func followsTheSource() throws {
        var source = Demo(name: "demo_0")
        source.arrays["actions"] = Tensor(shape: [1, 7], float32: Array(repeating: 0, count: 7))
        source.arrays["obs/robot0_eef_pos"] = Tensor(shape: [1, 3], float64: [0, 0, 0])
        source.arrays["obs/robot0_eef_quat_site"] = Tensor(shape: [1, 4], float32: [0, 0, 0, 1])
        let envArgs = try EnvArgs(json: #"{"env_name": "Lift", "type": 1, "env_kwargs": {}}"#, file: "f")
        let format = OutputFormat(source: source, envArgs: envArgs, taskName: "ignored")
        #expect(format.interfaceName == "MG_Lift" && format.interfaceType == "robosuite")
        #expect(format.float32Paths == ["actions", "obs/robot0_eef_quat_site"])
        #expect(!format.nextObservations)
        #expect(format.tensor("actions", shape: [1, 2], [0.1, 0.2]).dtypeName == "float32")
        #expect(format.tensor("obs/robot0_eef_pos", shape: [1, 2], [0.1, 0.2]) == Tensor(shape: [1, 2], float64: [0.1, 0.2]))

        source.arrays["next_obs/robot0_eef_pos"] = Tensor(shape: [1, 3], float64: [0, 0, 0])
        let gym = try EnvArgs(json: #"{"env_name": "Isaac-Stack-Cube-Franka-IK-Rel-Mimic-v0", "type": 2, "env_kwargs": {}}"#, file: "f")
        let isaac = OutputFormat(source: source, envArgs: gym, taskName: nil)
        #expect(isaac.interfaceType == "isaac_lab" && isaac.nextObservations)
        #expect(OutputFormat(source: source, envArgs: nil, taskName: "Mine").interfaceName == "MG_Mine")
        #expect(OutputFormat(source: source, envArgs: nil, taskName: nil).interfaceName == "MG_Task")
    }

    @Test func setsTheDatagenInfoInterface() {
        var demo = Demo(name: "demo_0")
        demo.setDatagenInfo(
            DatagenInfo(endEffectors: [], objectPoses: [:], subtaskTermSignals: [:]),
            format: OutputFormat(interfaceName: "MG_Stack", interfaceType: "robosuite"))
        #expect(demo.groupAttributes["datagen_info"]?["env_interface_name"] == .string("MG_Stack"))
        #expect(demo.groupAttributes["datagen_info"]?["env_interface_type"] == .string("robosuite"))
    }
}
