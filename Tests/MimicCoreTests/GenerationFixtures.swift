import MimicMath
@testable import MimicCore

/// Synthetic prepared sources: one end effector approaches a cube at `cubeAt`, grasps it at
/// step `grasp` (closing the gripper), then lifts it 0.2 m with the cube carried rigidly.
enum GenerationFixture {
    static let down = Quaternion(xyzw: SIMD4(1, 0, 0, 0))  // gripper pointing down

    static func info(cubeAt cube: SIMD3<Double>, yaw: Double = 0, steps: Int = 40, grasp: Int = 20) -> DatagenInfo {
        let cubeRotation = Quaternion(axisAngle: SIMD3(0, 0, yaw))
        let start = SIMD3(-0.1, 0.0, 1.1)
        var eef: [Pose] = [], targets: [Pose] = [], objects: [Pose] = [], gripper: [Double] = []
        var signal: [Int] = []
        let graspPose = Pose(position: cube, rotation: cubeRotation * down)
        for s in 0...steps {
            let pose: Pose
            if s <= grasp {
                let u = Double(s) / Double(grasp)
                pose = Pose.interpolate(Pose(position: start, rotation: down), graspPose, t: u)
            } else {
                pose = Pose(
                    position: graspPose.position + SIMD3(0, 0, 0.2 * Double(s - grasp) / Double(steps - grasp)),
                    rotation: graspPose.rotation)
            }
            eef.append(pose)
            objects.append(
                s <= grasp
                    ? Pose(position: cube, rotation: cubeRotation)
                    : Pose(position: pose.position, rotation: cubeRotation))
            gripper.append(s < grasp ? -1 : 1)
            signal.append(s >= grasp ? 1 : 0)
        }
        // Targets: the next measured pose (the last holds).
        for s in 0..<steps { targets.append(eef[s + 1]) }
        eef.removeLast(); objects.removeLast(); gripper.removeLast(); signal.removeLast()
        return DatagenInfo(
            endEffectors: [
                EndEffectorTrack(
                    name: "robot0", eefPose: PoseTrack(eef), targetPose: PoseTrack(targets),
                    gripperAction: Tensor(shape: [steps, 1], float64: gripper))
            ],
            objectPoses: ["cube": PoseTrack(objects)], subtaskTermSignals: ["grasp": signal])
    }

    static let subtasks = [
        TaskSpec.SubtaskSpec(object: "cube", endSignal: "grasp", selection: .random, actionNoise: 0),
        TaskSpec.SubtaskSpec(object: "cube", endSignal: nil, selection: .random, actionNoise: 0),
    ]

    static func sources(_ cubes: [SIMD3<Double>], subtasks: [TaskSpec.SubtaskSpec] = subtasks) throws -> [SourceDemo] {
        try cubes.enumerated().map { (i, cube) in
            try SourceDemo(
                name: "demo_\(i)", info: info(cubeAt: cube, yaw: 0.2 * Double(i)), effectorNames: ["robot0"],
                endSignals: [subtasks.map(\.endSignal)], modelXML: nil, file: "src.hdf5")
        }
    }

    /// A generator with absolute pose actions (no clipping), so targets are exact.
    static func generator(
        subtasks: [TaskSpec.SubtaskSpec] = subtasks, placement: TaskSpec.PlacementSpec? = nil,
        convention: PoseActionConvention = .oscAbsolute, seed: UInt64 = 7,
        cubes: [SIMD3<Double>] = [SIMD3(0.0, 0.0, 0.82), SIMD3(0.05, -0.04, 0.82), SIMD3(-0.06, 0.03, 0.82)]
    ) throws -> Generator {
        let layout = EndEffectorLayout(
            name: "robot0", poseColumns: 0..<convention.width,
            gripperColumns: convention.width..<(convention.width + 1), convention: convention)
        let task = GenerationTask(
            effectors: [.init(layout: layout, subtasks: subtasks)], actionWidth: convention.width + 1,
            placement: placement
                ?? TaskSpec.PlacementSpec(
                    reference: [0, 0, 0.8], objects: ["cube": .init(x: [-0.1, 0.1], y: [-0.1, 0.1], yaw: [0, 6.283])]))
        return try Generator(task: task, sources: try sources(cubes, subtasks: subtasks), seed: seed, file: "src.hdf5")
    }
}

/// Synthetic two-arm sources: robot0 and robot1 each reach the cube and grasp it, robot0 at step
/// `grasps.0`, robot1 at step `grasps.1` (so their first subtasks have different lengths), then lift.
enum TwoArmFixture {
    static func info(cubeAt cube: SIMD3<Double>, yaw: Double, grasps: (Int, Int)) -> DatagenInfo {
        let one = GenerationFixture.info(cubeAt: cube, yaw: yaw, steps: 40, grasp: grasps.0)
        let two = GenerationFixture.info(cubeAt: cube, yaw: yaw, steps: 40, grasp: grasps.1)
        var robot1 = two.endEffectors[0]
        robot1.name = "robot1"
        return DatagenInfo(
            endEffectors: [one.endEffectors[0], robot1], objectPoses: one.objectPoses,
            subtaskTermSignals: [
                "grasp_robot0": one.subtaskTermSignals["grasp"]!,
                "grasp_robot1": two.subtaskTermSignals["grasp"]!,
            ])
    }

    static func subtasks(_ arm: String) -> [TaskSpec.SubtaskSpec] {
        [
            TaskSpec.SubtaskSpec(object: "cube", endSignal: "grasp_\(arm)", selection: .random, actionNoise: 0, interpolationSteps: 3),
            TaskSpec.SubtaskSpec(object: "cube", endSignal: nil, selection: .random, actionNoise: 0, interpolationSteps: 3),
        ]
    }

    /// A generator over three sources with absolute pose actions and the given constraints.
    static func generator(
        constraints: [TaskSpec.ConstraintSpec], grasps: (Int, Int) = (20, 12), shareSourceDemo: Bool = true,
        seed: UInt64 = 3
    ) throws -> Generator {
        let cubes = [SIMD3(0.0, 0.0, 0.82), SIMD3(0.05, -0.04, 0.82), SIMD3(-0.06, 0.03, 0.82)]
        let names = ["robot0", "robot1"]
        let sources = try cubes.enumerated().map { (i, cube) in
            try SourceDemo(
                name: "demo_\(i)", info: info(cubeAt: cube, yaw: 0.2 * Double(i), grasps: grasps), effectorNames: names,
                endSignals: names.map { subtasks($0).map(\.endSignal) }, modelXML: nil, file: "src.hdf5")
        }
        let effectors = names.enumerated().map { (k, name) in
            GenerationTask.Effector(
                layout: EndEffectorLayout(
                    name: name, poseColumns: 7 * k..<7 * k + 6, gripperColumns: 7 * k + 6..<7 * k + 7,
                    convention: .oscAbsolute),
                subtasks: subtasks(name))
        }
        var task = GenerationTask(
            effectors: effectors, actionWidth: 14,
            placement: TaskSpec.PlacementSpec(
                reference: [0, 0, 0.8], objects: ["cube": .init(x: [-0.1, 0.1], y: [-0.1, 0.1], yaw: [0, 6.283])]))
        task.shareSourceDemo = shareSourceDemo
        task.constraints = try GenerationTask.resolveConstraints(constraints, effectors: effectors, file: "task.json")
        return try Generator(task: task, sources: sources, seed: seed, file: "src.hdf5")
    }

    /// Drives episode `index` kinematically (the hands reach every target; the cube stays placed):
    /// every step's commands, and the episode as it ends.
    static func drive(_ generator: Generator, index: Int) -> (steps: [[Command]], episode: Episode) {
        var episode = Episode(generator: generator, index: index)
        var eef = generator.task.effectors.indices.map { generator.sources[0].info.endEffectors[$0].eefPose[0] }
        var steps: [[Command]] = []
        while let commands = episode.next(eefPoses: eef, objects: episode.placement), steps.count < 1000 {
            steps.append(commands)
            eef = commands.map(\.target)
        }
        return (steps, episode)
    }
}
