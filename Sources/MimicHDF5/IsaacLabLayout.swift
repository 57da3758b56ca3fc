import Foundation
import MimicCore

/// Isaac Lab's HDF5 dataset layout (Isaac Lab Mimic, GR00T-Mimic), as its
/// `HDF5DatasetFileHandler` writes it, for demos Mimic made in the robomimic layout: a mapping of
/// paths and attributes, written by ``RobomimicWriter`` with gzip.
///
/// Per demo: `actions` and every `obs/<key>` as they are; datagen_info under
/// `obs/datagen_info/` with Isaac Lab's names (`eef_pose/<eef>`, `target_eef_pose/<eef>`,
/// `object_pose/<object>`, `subtask_term_signals/<signal>` as booleans); the simulator state
/// `states` and its first row as `initial_state` (MuJoCo's flattened `[time, qpos, qvel]`, not
/// Isaac Sim's articulation tree: these demos come from MuJoCo); attributes `num_samples`,
/// `seed` (a Mimic demo's generation index) and, for executed demos, `success`. `data` has `total` and `env_args` with
/// `type` 2 (gym-style, as Isaac Lab marks its files); there are no masks.
public enum IsaacLabLayout {
    /// `demo` (robomimic layout) in Isaac Lab's layout, with `success` and `seed` from what Mimic
    /// recorded about it (``success(of:)``, `mimic_index`); a demo Mimic did not make has neither.
    public static func demo(_ demo: Demo) -> Demo {
        self.demo(demo, success: success(of: demo), seed: demo.attributes["mimic_index"]?.intValue)
    }

    /// Whether a demo Mimic executed (`mimic_kinematic` false) succeeded: it did when it records
    /// no `mimic_failure` (every attempt the simulator check rejects records why). Nil for a
    /// kinematic candidate or a demo Mimic did not make.
    public static func success(of demo: Demo) -> Bool? {
        guard demo.attributes["mimic_kinematic"] == .bool(false) else { return nil }
        return demo.attributes["mimic_failure"] == nil
    }

    /// `demo` (robomimic layout) in Isaac Lab's layout. A single end effector's datagen_info
    /// (MimicGen's one-arm layout) is filed under `name`.
    public static func demo(_ demo: Demo, success: Bool?, seed: Int?, singleEndEffector name: String = "robot0") -> Demo {
        var out = Demo(name: demo.name)
        let prefix = DatagenInfo.groupName + "/"
        for (path, tensor) in demo.arrays {
            guard path.hasPrefix(prefix) else {
                if path.hasPrefix("next_obs/") || path == "src_demo_labels" || path == "src_demo_inds" { continue }
                out.arrays[path] = tensor
                if path == "states", tensor.shape.count == 2, tensor.rows > 0 {
                    out.arrays["initial_state"] = Tensor(shape: [1, tensor.rowWidth], float64: Array(tensor.doubles.prefix(tensor.rowWidth)))
                }
                continue
            }
            let rest = path.dropFirst(prefix.count)
            let group = String(rest.split(separator: "/").first ?? "")
            guard let renamed = DatagenInfo.isaacLabNames[group] else { continue }  // gripper_action: Isaac Lab derives it from the actions
            var leaf = String(rest.dropFirst(group.count))
            if leaf.isEmpty { leaf = "/" + name }
            let target = DatagenInfo.Origin.isaacLab.group + "/" + renamed + leaf
            out.arrays[target] =
                group == "subtask_term_signals"
                ? Tensor(shape: tensor.shape, storage: .uint8(tensor.doubles.map { $0 != 0 ? 1 : 0 })) : tensor
        }
        out.attributes["num_samples"] = .int(demo.length)
        if let success { out.attributes["success"] = .bool(success) }
        if let seed { out.attributes["seed"] = .int(seed) }
        if let model = demo.attributes["model_file"] { out.attributes["model_file"] = model }
        return out
    }

    /// The `data` attributes: the source's `env_args` with `type` 2, and Mimic's provenance.
    public static func dataAttributes(_ attributes: [String: AttributeValue]) -> [String: AttributeValue] {
        var out: [String: AttributeValue] = [:]
        if let provenance = attributes["mimic_generation"] { out["mimic_generation"] = provenance }
        if case .string(let json)? = attributes["env_args"],
            var object = (try? JSONSerialization.jsonObject(with: Data(json.utf8))) as? [String: Any]
        {
            object["type"] = 2
            if let data = try? JSONSerialization.data(withJSONObject: object, options: [.sortedKeys, .withoutEscapingSlashes]) {
                out["env_args"] = .string(String(decoding: data, as: UTF8.self))
            }
        }
        return out
    }

    /// How Isaac Lab writes every dataset: gzip level 4, no shuffle (h5py's `compression="gzip"`).
    public static let writeOptions = WriteOptions(compression: .gzip(level: 4, shuffle: false))
}
