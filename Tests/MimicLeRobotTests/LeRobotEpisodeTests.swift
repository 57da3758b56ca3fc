import MimicCore
import Testing

@testable import MimicLeRobot

@Suite struct LeRobotEpisodeTests {
    static func values(_ episode: LeRobotEpisode, _ name: String) -> ParquetColumn.Values? { episode.columns.first { $0.name == name }?.values }

    /// The columns: state rows are the slices' observations side by side, action the actions,
    /// timestamps frame / fps, global indices from `firstFrame`, done on the last frame when the
    /// demo has no `dones`, the task indices on every frame.
    @Test func columns() throws {
        let demo = Fixtures.demo(effectors: ["robot0"], steps: 4, actionWidth: 7)
        let layout = try LeRobotLayout.infer(demo: demo, envArgs: Fixtures.oscEnvArgs(robots: ["Panda"]), file: "f")
        let episode = LeRobotEpisode(demo: demo, layout: layout, index: 3, firstFrame: 100, fps: 20, tasks: .init(task: 0, validity: 2))
        #expect(episode.columns.map(\.name) == LeRobotMetadata.columns(layout: layout).map(\.name))
        guard case .float32Lists(let state, let width)? = Self.values(episode, "observation.state") else { Issue.record("no state"); return }
        #expect(width == 16)
        let joints = demo.obs("robot0_joint_pos")!.doubles, quat = demo.obs("robot0_eef_quat")!.doubles
        for t in 0..<4 {
            #expect(Array(state[(t * 16)..<(t * 16 + 7)]) == joints[(t * 7)..<(t * 7 + 7)].map { Float($0) })
            #expect(Array(state[(t * 16 + 10)..<(t * 16 + 14)]) == quat[(t * 4)..<(t * 4 + 4)].map { Float($0) })
        }
        #expect(Self.values(episode, "action") == .float32Lists(demo.actions!.doubles.map { Float($0) }, width: 7))
        #expect(Self.values(episode, "timestamp") == .float32([0, 0.05, 0.1, 0.15]))
        #expect(Self.values(episode, "index") == .int64([100, 101, 102, 103]))
        #expect(Self.values(episode, "episode_index") == .int64([3, 3, 3, 3]))
        #expect(Self.values(episode, "next.done") == .boolean([false, false, false, true]))
        #expect(Self.values(episode, "next.reward") == .float32([0, 0, 0, 0]))
        #expect(Self.values(episode, LeRobotEpisode.validityColumn) == .int64([2, 2, 2, 2]))
        #expect(Self.values(episode, LeRobotEpisode.taskDescriptionColumn) == .int64([0, 0, 0, 0]))
    }

    /// Stats per dimension equal a direct computation (population std), count the rows.
    @Test func statsMatchADirectComputation() {
        var rng = SystemRandomNumberGenerator()
        for _ in 0..<50 {
            let rows = Int.random(in: 1...40, using: &rng), width = Int.random(in: 1...6, using: &rng)
            let values = (0..<(rows * width)).map { _ in Float.random(in: -5...5, using: &rng) }
            let stats = FeatureStats(column: ParquetColumn("x", .float32Lists(values, width: width)), rows: rows)
            for j in 0..<width {
                let column = (0..<rows).map { Double(values[$0 * width + j]) }
                let mean = column.reduce(0, +) / Double(rows)
                let std = (column.map { ($0 - mean) * ($0 - mean) }.reduce(0, +) / Double(rows)).squareRoot()
                #expect(stats.min[j] == column.min()! && stats.max[j] == column.max()!)
                #expect(abs(stats.mean[j] - mean) < 1e-12 && abs(stats.std[j] - std) < 1e-12)
            }
            #expect(stats.count == rows && !stats.isImage)
        }
    }

    /// Frame stats are per channel, over every pixel of every frame, divided by 255.
    @Test func frameStats() {
        let frames = Tensor(shape: [2, 1, 2, 3], storage: .uint8([0, 10, 255, 255, 20, 255, 0, 30, 255, 255, 40, 255]))
        let stats = FeatureStats(frames: frames)
        #expect(stats.min == [0, 10.0 / 255, 1] && stats.max == [1, 40.0 / 255, 1])
        #expect(stats.mean == [0.5, 25.0 / 255, 1])
        #expect(abs(stats.std[0] - 0.5) < 1e-12 && abs(stats.std[1] - (125.0).squareRoot() / 255) < 1e-12 && stats.std[2] == 0)
        #expect(stats.count == 2 && stats.isImage)
    }

    /// Rows of each frame in reverse order; pixels within a row as they were.
    @Test func framesTurnUpright() {
        let frames = Tensor(shape: [2, 3, 2, 1], storage: .uint8([1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12]))
        #expect(LeRobotEpisode.uprightFrames(frames) == [5, 6, 3, 4, 1, 2, 11, 12, 9, 10, 7, 8])
    }
}
