/// The dataset layouts Mimic recognizes (docs/formats.md).
public enum DatasetFormat: String, Sendable, Equatable, CaseIterable {
    /// robomimic: `data/demo_N/{actions, states, obs/...}`, `data.attrs[env_args]`.
    case robomimic
    /// robomimic plus MimicGen's per-demo `datagen_info` (a prepared source or a generated file).
    case robomimicDatagen = "robomimic+datagen_info"
    /// robosuite's raw recording: `states`, `actions` and `model_file`, no observations, no `env_args`.
    case robosuiteRaw = "robosuite-raw"
    /// Isaac Lab Mimic / GR00T-Mimic: `obs/datagen_info`, `states/articulation/...`, env type 2.
    case isaacLab = "isaaclab"
}
