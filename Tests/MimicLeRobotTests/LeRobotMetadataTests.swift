import Foundation
import MimicCore
import Testing

@testable import MimicLeRobot

@Suite struct LeRobotMetadataTests {
    static func object(_ json: JSONText) throws -> [String: Any] {
        try #require(try JSONSerialization.jsonObject(with: Data(json.rendered().utf8)) as? [String: Any])
    }

    @Test func paths() {
        #expect(LeRobotMetadata.dataFile(episode: 7) == "data/chunk-000/episode_000007.parquet")
        #expect(LeRobotMetadata.dataFile(episode: 1234) == "data/chunk-001/episode_001234.parquet")
        #expect(LeRobotMetadata.videoFile(episode: 1000, videoKey: "observation.images.agentview") == "videos/chunk-001/observation.images.agentview/episode_001000.mp4")
    }

    /// Totals, chunks, splits and features (vectors with names per dimension, scalars with null names, videos with their encoding).
    @Test func info() throws {
        let demo = Fixtures.demo(effectors: ["robot0"], actionWidth: 7, cameras: ["agentview"])
        let layout = try LeRobotLayout.infer(demo: demo, envArgs: Fixtures.oscEnvArgs(robots: ["Panda"]), file: "f")
        let info = try Self.object(
            LeRobotMetadata.info(layout: layout, fps: 15, lengths: Array(repeating: 5, count: 1001), taskCount: 2) { _ in .init(codec: "h264", pixelFormat: "yuv420p") })
        #expect(info["codebase_version"] as? String == "v2.1" && info["robot_type"] as? String == "Panda")
        #expect(info["total_episodes"] as? Int == 1001 && info["total_frames"] as? Int == 5005 && info["total_videos"] as? Int == 1001)
        #expect(info["total_chunks"] as? Int == 2 && info["chunks_size"] as? Int == 1000 && info["fps"] as? Int == 15 && info["total_tasks"] as? Int == 2)
        #expect((info["splits"] as? [String: String]) == ["train": "0:1001"])
        let features = try #require(info["features"] as? [String: [String: Any]])
        #expect(Set(features.keys) == Set(LeRobotMetadata.columns(layout: layout).map(\.name) + ["observation.images.agentview"]))
        #expect(features["observation.state"]?["shape"] as? [Int] == [16] && (features["observation.state"]?["names"] as? [String])?.count == 16)
        #expect(features["next.done"]?["dtype"] as? String == "bool" && features["next.done"]?["names"] is NSNull)
        let video = try #require(features["observation.images.agentview"])
        #expect(video["dtype"] as? String == "video" && video["shape"] as? [Int] == [6, 4, 3])
        let videoInfo = try #require(video["info"] as? [String: Any])
        #expect(videoInfo["video.codec"] as? String == "h264" && videoInfo["video.fps"] as? Int == 15 && videoInfo["video.is_depth_map"] as? Bool == false)
        let noCameras = try LeRobotLayout.infer(demo: Fixtures.demo(effectors: ["robot0"], actionWidth: 7), envArgs: nil, file: "f")
        #expect(try Self.object(LeRobotMetadata.info(layout: noCameras, fps: 20, lengths: [3], taskCount: 2) { _ in .init(codec: "", pixelFormat: "") })["video_path"] is NSNull)
    }

    /// GR00T's modality.json: slices with start/end, rotation_type where a rotation, absolute;
    /// cameras under their names; the two annotations.
    @Test func modality() throws {
        let demo = Fixtures.demo(effectors: ["robot0"], actionWidth: 7, cameras: ["agentview"])
        let layout = try LeRobotLayout.infer(demo: demo, envArgs: Fixtures.oscEnvArgs(robots: ["Panda"]), file: "f")
        let modality = try Self.object(LeRobotMetadata.modality(layout: layout))
        #expect(Set(modality.keys) == ["state", "action", "video", "annotation"])
        let action = try #require(modality["action"] as? [String: [String: Any]])
        #expect(action["robot0_eef_rot"]?["rotation_type"] as? String == "axis_angle" && action["robot0_eef_rot"]?["absolute"] as? Bool == false)
        #expect(action["robot0_gripper"]?["start"] as? Int == 6 && action["robot0_gripper"]?["end"] as? Int == 7 && action["robot0_gripper"]?["rotation_type"] == nil)
        let state = try #require(modality["state"] as? [String: [String: Any]])
        #expect(state["robot0_eef_quat"]?["rotation_type"] as? String == "quaternion")
        #expect((modality["video"] as? [String: [String: String]]) == ["agentview": ["original_key": "observation.images.agentview"]])
        #expect(Set((modality["annotation"] as? [String: Any])?.keys ?? [:].keys) == ["human.action.task_description", "human.validity"])
        // In vector order in the file.
        let text = LeRobotMetadata.modality(layout: layout).rendered()
        #expect(text.range(of: "robot0_joint_pos")!.lowerBound < text.range(of: "robot0_gripper_qpos")!.lowerBound)
    }

    /// Stats lines: vectors as lists, frames as (3, 1, 1), count as [n].
    @Test func statsLine() throws {
        let demo = Fixtures.demo(effectors: ["robot0"], actionWidth: 7, cameras: ["agentview"])
        let layout = try LeRobotLayout.infer(demo: demo, envArgs: nil, file: "f")
        let episode = LeRobotEpisode(demo: demo, layout: layout, index: 0, firstFrame: 0, fps: 20, tasks: .init(task: 0, validity: 1))
        let line = try Self.object(LeRobotMetadata.statsLine(episode))
        let stats = try #require(line["stats"] as? [String: [String: Any]])
        #expect((stats["observation.images.agentview"]?["mean"] as? [[[Double]]])?.count == 3)
        #expect((stats["action"]?["min"] as? [Double])?.count == 7 && stats["action"]?["count"] as? [Int] == [5])
        // The float32 column's value (JSONSerialization on Linux parses doubles to within an ulp or two).
        #expect(abs(((stats["timestamp"]?["max"] as? [Double])?.first ?? 0) - Double(Float(0.2))) < 1e-15)
    }
}
