import Foundation
import MimicCore
@testable import MimicHDF5

/// Small robomimic-layout demos built in memory, with several element types and a sub-group attribute.
enum RobomimicFixture {
    static func demo(_ index: Int, steps t: Int) -> Demo {
        Demo(
            name: "demo_\(index)",
            attributes: ["model_file": .string("<mujoco model=\"\(index)\"/>"), "seed": .int(index), "score": .double(0.5)],
            arrays: [
                "actions": Tensor(shape: [t, 7], float64: (0..<(7 * t)).map { Double($0) / 7 }),
                "states": Tensor(shape: [t, 3], float64: (0..<(3 * t)).map(Double.init)),
                "obs/robot0_eef_pos": Tensor(shape: [t, 3], float32: (0..<(3 * t)).map { Float($0) * 0.5 }),
                "obs/robot0_gripper_qpos": Tensor(shape: [t, 2], float64: .init(repeating: 0.04, count: 2 * t)),
                "dones": Tensor(shape: [t], storage: .int64((0..<t).map { $0 == t - 1 ? 1 : 0 })),
                "datagen_info/subtask_term_signals/grasp": Tensor(shape: [t], storage: .int64((0..<t).map { $0 >= t / 2 ? 1 : 0 })),
            ],
            groupAttributes: ["datagen_info": ["env_interface_name": .string("MG_Lift")]])
    }

    /// Writes demos of lengths `lengths` to `path` with env_args and masks.
    static func write(_ path: String, lengths: [Int], envArgs: String = #"{"env_name": "Lift", "type": 1}"#) throws -> [Demo] {
        let demos = lengths.enumerated().map { demo($0.offset, steps: $0.element) }
        let writer = try RobomimicWriter(destination: path, dataAttributes: ["env_args": .string(envArgs)])
        for d in demos { try writer.write(d) }
        try writer.finish(masks: ["train": demos.dropLast().map(\.name), "valid": [demos.last!.name]])
        return demos
    }
}
