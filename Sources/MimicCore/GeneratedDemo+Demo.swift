import Foundation
import MimicMath

extension GeneratedDemo {
    /// The demo as Mimic writes it (docs/augment.md): actions in the source's float type,
    /// datagen_info, the kinematic observations (end effector and object poses), `src_demo_inds`,
    /// `src_demo_labels`, and attributes that record how it was made.
    ///
    /// - Parameters:
    ///   - format: the run's output format (actions as float32 when the source stored them so).
    ///   - runSeed: the run's seed, recorded so the demo can be regenerated from (seed, index).
    public func demo(name: String, format: OutputFormat, runSeed: UInt64, modelXML: String?) -> Demo {
        let t = length
        let width = t > 0 ? actions.count / t : 0
        var demo = Demo(name: name)
        demo.arrays["actions"] = format.tensor("actions", shape: [t, width], actions)
        demo.setDatagenInfo(info, format: format)
        for e in info.endEffectors {
            let (position, quaternion) = Self.observations(e.eefPose)
            demo.arrays["obs/\(e.name)_eef_pos"] = position
            demo.arrays["obs/\(e.name)_eef_quat_site"] = quaternion
        }
        for (name, track) in info.objectPoses {
            let (position, quaternion) = Self.observations(track)
            demo.arrays["obs/\(name)_pos"] = position
            demo.arrays["obs/\(name)_quat"] = quaternion
        }
        demo.recordGeneration(
            index: index, runSeed: runSeed, kinematic: true, sourceDemos: sourceDemos, offsets: offsets,
            speeds: speeds, labels: sourceLabels, placement: placement)
        if let modelXML { demo.attributes["model_file"] = .string(modelXML) }
        return demo
    }

    /// A pose track as robosuite observations: positions (T, 3) and quaternions x,y,z,w (T, 4).
    static func observations(_ track: PoseTrack) -> (position: Tensor, quaternion: Tensor) {
        let t = track.count
        var position = [Double](), quaternion = [Double]()
        position.reserveCapacity(3 * t)
        quaternion.reserveCapacity(4 * t)
        for s in 0..<t {
            let p = track[s]
            position += [p.position.x, p.position.y, p.position.z]
            quaternion += [p.rotation.x, p.rotation.y, p.rotation.z, p.rotation.w]
        }
        return (Tensor(shape: [t, 3], float64: position), Tensor(shape: [t, 4], float64: quaternion))
    }
}

extension Demo {
    /// Records how a generated demo was made: `src_demo_inds` (the source demo of each subtask:
    /// (S,) for one end effector, (E, S) padded with -1 for several), `src_demo_labels` (T, E), and
    /// the attributes `num_samples`, `mimic_index`, `mimic_seed`, `mimic_kinematic`,
    /// `mimic_source_demos`, `mimic_end_offsets`, `mimic_speeds` and `mimic_scene` (the sampled object
    /// placement, JSON: object → x, y, z, qx, qy, qz, qw, each Double in its shortest exact form),
    /// replacing other attributes.
    public mutating func recordGeneration(
        index: Int, runSeed: UInt64, kinematic: Bool, sourceDemos: [[Int]], offsets: [[Int]],
        speeds: [[Double]], labels: [Int], placement: [String: Pose]
    ) {
        let t = length
        let effectors = sourceDemos.count
        let subtasks = sourceDemos.map(\.count).max() ?? 0
        let inds = sourceDemos.flatMap { $0.map(Int64.init) + Array(repeating: -1, count: subtasks - $0.count) }
        arrays["src_demo_inds"] =
            effectors == 1
            ? Tensor(shape: [subtasks], storage: .int64(inds))
            : Tensor(shape: [effectors, subtasks], storage: .int64(inds))
        arrays["src_demo_labels"] = Tensor(shape: [t, effectors], storage: .int64(labels.prefix(t * effectors).map(Int64.init)))
        var placementJSON: [String: [Double]] = [:]
        for (name, pose) in placement {
            placementJSON[name] = [
                pose.position.x, pose.position.y, pose.position.z,
                pose.rotation.x, pose.rotation.y, pose.rotation.z, pose.rotation.w,
            ]
        }
        let encoder = JSONEncoder()
        encoder.outputFormatting = .sortedKeys
        let placementText = (try? encoder.encode(placementJSON)).map { String(decoding: $0, as: UTF8.self) } ?? "{}"
        attributes = [
            "num_samples": .int(t),
            "mimic_index": .int(index),
            "mimic_seed": .int(Int(truncatingIfNeeded: runSeed)),
            "mimic_kinematic": .bool(kinematic),
            "mimic_source_demos": .ints(sourceDemos.flatMap { $0 }),
            "mimic_end_offsets": .ints(offsets.flatMap { $0 }),
            "mimic_speeds": .doubles(speeds.flatMap { $0 }),
            "mimic_scene": .string(placementText),
        ]
    }
}
