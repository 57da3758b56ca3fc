import MimicMath
@testable import MimicCore

/// Synthetic prepared sources: one end effector approaches a cube at `cubeAt`, grasps it at
/// step `grasp` (closing the gripper), then lifts it 0.2 m with the cube carried rigidly.
enum GenerationFixture {
    static let down = Quaternion(xyzw: SIMD4(1, 0, 0, 0))   // gripper pointing down

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
                pose = Pose(position: graspPose.position + SIMD3(0, 0, 0.2 * Double(s - grasp) / Double(steps - grasp)),
                            rotation: graspPose.rotation)
            }
            eef.append(pose)
            objects.append(s <= grasp ? Pose(position: cube, rotation: cubeRotation)
                                      : Pose(position: pose.position, rotation: cubeRotation))
            gripper.append(s < grasp ? -1 : 1)
            signal.append(s >= grasp ? 1 : 0)
        }
        // Targets: the next measured pose (the last holds).
        for s in 0..<steps { targets.append(eef[s + 1]) }
        eef.removeLast(); objects.removeLast(); gripper.removeLast(); signal.removeLast()
        return DatagenInfo(
            endEffectors: [EndEffectorTrack(name: "robot0", eefPose: PoseTrack(eef), targetPose: PoseTrack(targets),
                                            gripperAction: Tensor(shape: [steps, 1], float64: gripper))],
            objectPoses: ["cube": PoseTrack(objects)], subtaskTermSignals: ["grasp": signal])
    }

    static let subtasks = [
        TaskSpec.SubtaskSpec(object: "cube", endSignal: "grasp", selection: .random, actionNoise: 0),
        TaskSpec.SubtaskSpec(object: "cube", endSignal: nil, selection: .random, actionNoise: 0),
    ]

    static func sources(_ cubes: [SIMD3<Double>], subtasks: [TaskSpec.SubtaskSpec] = subtasks) throws -> [SourceDemo] {
        try cubes.enumerated().map { (i, cube) in
            try SourceDemo(name: "demo_\(i)", info: info(cubeAt: cube, yaw: 0.2 * Double(i)), effectorNames: ["robot0"],
                           endSignals: [subtasks.map(\.endSignal)], modelXML: nil, file: "src.hdf5")
        }
    }

    /// A generator with absolute pose actions (no clipping), so targets are exact.
    static func generator(subtasks: [TaskSpec.SubtaskSpec] = subtasks, placement: TaskSpec.PlacementSpec? = nil,
                          convention: PoseActionConvention = .oscAbsolute, seed: UInt64 = 7,
                          cubes: [SIMD3<Double>] = [SIMD3(0.0, 0.0, 0.82), SIMD3(0.05, -0.04, 0.82), SIMD3(-0.06, 0.03, 0.82)]) throws -> Generator {
        let layout = EndEffectorLayout(name: "robot0", poseColumns: 0..<convention.width,
                                       gripperColumns: convention.width..<(convention.width + 1), convention: convention)
        let task = GenerationTask(effectors: [.init(layout: layout, subtasks: subtasks)], actionWidth: convention.width + 1,
                                  placement: placement ?? TaskSpec.PlacementSpec(
                                      reference: [0, 0, 0.8], objects: ["cube": .init(x: [-0.1, 0.1], y: [-0.1, 0.1], yaw: [0, 6.283])]))
        return try Generator(task: task, sources: try sources(cubes, subtasks: subtasks), seed: seed, file: "src.hdf5")
    }
}
