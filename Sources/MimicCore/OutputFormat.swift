/// How Mimic writes demos so that they read like their source's: the datagen_info interface
/// attributes MimicGen's tools look for, each array's float width, and whether `next_obs` is
/// written. One value per run, derived once from the first source demo; every writer of demos
/// (prepare, kinematic generation, executed generation) follows it.
public struct OutputFormat: Sendable, Equatable {
    /// datagen_info's `env_interface_name`: MimicGen's `MG_<env_name>` (the task's name when the
    /// file has no `env_args`).
    public var interfaceName: String
    /// datagen_info's `env_interface_type`: `isaac_lab` for gym-style files (`env_args` type 2),
    /// else `robosuite`.
    public var interfaceType: String
    /// Paths inside a demo (`actions`, `obs/robot0_eef_pos`, ...) written as float32 because the
    /// source stores them so; everything else numeric is written as float64.
    public var float32Paths: Set<String>
    /// Write `next_obs/<key>` (the observations after each action), as the source has them.
    public var nextObservations: Bool

    public init(
        interfaceName: String, interfaceType: String = "robosuite", float32Paths: Set<String> = [],
        nextObservations: Bool = false
    ) {
        self.interfaceName = interfaceName
        self.interfaceType = interfaceType
        self.float32Paths = float32Paths
        self.nextObservations = nextObservations
    }

    /// The format of demos made from `source` (the first source demo) of a file with `envArgs`.
    ///
    /// - Parameter taskName: the task spec's name, used when the file names no environment.
    public init(source: Demo, envArgs: EnvArgs?, taskName: String?) {
        self.init(
            interfaceName: "MG_" + (envArgs?.envName ?? taskName ?? "Task"),
            interfaceType: envArgs?.type == 2 ? "isaac_lab" : "robosuite",
            float32Paths: Set(source.arrays.filter { $0.value.dtypeName == "float32" }.map(\.key)),
            nextObservations: source.arrays.keys.contains { $0.hasPrefix("next_obs/") })
    }

    /// A `(shape)` tensor of `values` for `path`, float32 when ``float32Paths`` has it.
    public func tensor(_ path: String, shape: [Int], _ values: [Double]) -> Tensor {
        float32Paths.contains(path) ? Tensor(shape: shape, float32: values.map { Float($0) }) : Tensor(shape: shape, float64: values)
    }
}
