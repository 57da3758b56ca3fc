import Foundation
import MimicCore
import Testing

@testable import MimicLeRobot

@Suite struct LeRobotWriterTests {
    /// Every file and directory it makes is announced first; episodes, tasks and stats lines add
    /// up; a demo whose `success` is false is `invalid`.
    @Test func writesTheLayoutAndAnnouncesEveryPath() throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("mimic-lerobot-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }
        let first = Fixtures.demo(effectors: ["robot0"], actionWidth: 7, cameras: ["agentview"])
        let layout = try LeRobotLayout.infer(demo: first, envArgs: Fixtures.oscEnvArgs(robots: ["Panda"]), file: "f")
        var announced: [String] = []
        let writer = LeRobotWriter(directory: dir.path, layout: layout, fps: 20, task: "lift", workers: 2) { announced.append($0) }
        var failed = Fixtures.demo(effectors: ["robot0"], steps: 3, actionWidth: 7, cameras: ["agentview"], name: "demo_1")
        failed.attributes["success"] = .bool(false)
        try writer.add(first)
        try writer.add(failed)
        try writer.finish()
        #expect(writer.episodeCount == 2 && writer.frameCount == 8)

        var made: [String] = []
        let walker = FileManager.default.enumerator(atPath: dir.path)!
        while let p = walker.nextObject() as? String { made.append(dir.path + "/" + p) }
        #expect(Set(made) == Set(announced))
        #expect(
            Set(made.map { String($0.dropFirst(dir.path.count + 1)) }).isSuperset(of: [
                "meta/info.json", "meta/episodes.jsonl", "meta/episodes_stats.jsonl", "meta/tasks.jsonl", "meta/modality.json",
                "data/chunk-000/episode_000000.parquet", "data/chunk-000/episode_000001.parquet",
                "videos/chunk-000/observation.images.agentview/episode_000000.mp4", "videos/chunk-000/observation.images.agentview/episode_000001.mp4",
            ]))
        let tasks = try String(contentsOfFile: dir.path + "/meta/tasks.jsonl", encoding: .utf8)
        #expect(tasks == "{\"task_index\": 0, \"task\": \"lift\"}\n{\"task_index\": 1, \"task\": \"valid\"}\n{\"task_index\": 2, \"task\": \"invalid\"}\n")
        let episodes = try String(contentsOfFile: dir.path + "/meta/episodes.jsonl", encoding: .utf8)
        #expect(episodes == "{\"episode_index\": 0, \"tasks\": [\"lift\"], \"length\": 5}\n{\"episode_index\": 1, \"tasks\": [\"lift\"], \"length\": 3}\n")
        #expect(try String(contentsOfFile: dir.path + "/meta/episodes_stats.jsonl", encoding: .utf8).split(separator: "\n").count == 2)
    }
}
