import Foundation
import MimicCore

/// Writes demos as a LeRobot v2.1 dataset (with GR00T's `meta/modality.json`) into `directory`,
/// which must exist and be empty: a parquet file per episode as it is added, its videos encoded
/// meanwhile by `VideoEncoder`, and `meta/` in `finish`.
///
/// Tasks: 0 is the instruction every episode gets (`task_index`, GR00T's task description
/// annotation); GR00T's validity annotation is the index of the task `valid`, or of `invalid` for
/// a demo whose `success` attribute is false (a demo `augment --keep-failed` kept).
public final class LeRobotWriter {
    public let directory: String
    public let layout: LeRobotLayout
    public let fps: Int
    public let task: String
    let compression: ParquetCompression
    let videos: VideoEncoder
    /// Called with each path (file or directory) before it is created.
    let willCreate: (String) -> Void
    private var tasks: [String]
    private var lengths: [Int] = []
    private var statsLines: [String] = []
    private var directories: Set<String> = []

    public init(
        directory: String, layout: LeRobotLayout, fps: Int, task: String, workers: Int, compression: ParquetCompression = .gzip(level: 6),
        willCreate: @escaping (String) -> Void = { _ in }
    ) {
        self.directory = directory
        self.layout = layout
        self.fps = fps
        self.task = task
        self.compression = compression
        self.willCreate = willCreate
        tasks = [task, "valid"]
        videos = VideoEncoder(fps: fps, workers: workers)
    }

    public var episodeCount: Int { lengths.count }
    public var frameCount: Int { lengths.reduce(0, +) }

    /// Writes `demo` (checked with `layout.check`) as the next episode; its videos are encoded in
    /// the background.
    public func add(_ demo: Demo) throws(DatasetError) {
        let index = lengths.count
        var validity = "valid"
        if case .bool(false)? = demo.attributes["success"] { validity = "invalid" }
        if !tasks.contains(validity) { tasks.append(validity) }
        let episode = LeRobotEpisode(
            demo: demo, layout: layout, index: index, firstFrame: frameCount, fps: fps,
            tasks: LeRobotEpisode.Tasks(task: 0, validity: tasks.firstIndex(of: validity)!))
        try write(ParquetWriter.file(columns: episode.columns, rows: episode.length, compression: compression), to: LeRobotMetadata.dataFile(episode: index))
        for camera in layout.cameras {
            let path = try prepare(LeRobotMetadata.videoFile(episode: index, videoKey: camera.videoKey))
            videos.submit(
                frames: LeRobotEpisode.uprightFrames(demo.obs(camera.observationKey)!), count: episode.length, width: camera.width,
                height: camera.height, to: path)
        }
        lengths.append(episode.length)
        statsLines.append(LeRobotMetadata.statsLine(episode).rendered())
    }

    /// Waits for the videos, then writes `meta/`.
    public func finish() throws(DatasetError) {
        try videos.finish()
        let info = LeRobotMetadata.info(layout: layout, fps: fps, lengths: lengths, taskCount: tasks.count) { camera in
            LeRobotMetadata.VideoInfo(codec: VideoEncoder.codec, pixelFormat: VideoEncoder.pixelFormat(width: camera.width, height: camera.height))
        }
        try write(Array((info.rendered(indent: 4) + "\n").utf8), to: "meta/info.json")
        try write(lines((0..<lengths.count).map { LeRobotMetadata.episodeLine(index: $0, task: task, length: lengths[$0]).rendered() }), to: "meta/episodes.jsonl")
        try write(lines(statsLines), to: "meta/episodes_stats.jsonl")
        try write(lines(tasks.enumerated().map { LeRobotMetadata.taskLine(index: $0.offset, task: $0.element).rendered() }), to: "meta/tasks.jsonl")
        try write(Array((LeRobotMetadata.modality(layout: layout).rendered(indent: 4) + "\n").utf8), to: "meta/modality.json")
    }

    private func lines(_ lines: [String]) -> [UInt8] { Array(lines.map { $0 + "\n" }.joined().utf8) }

    /// The full path of `relative`, its directories made (each announced to `willCreate` first) and the file itself announced.
    private func prepare(_ relative: String) throws(DatasetError) -> String {
        var parent = directory
        for component in relative.split(separator: "/").dropLast() {
            parent += "/" + component
            guard !directories.contains(parent) else { continue }
            willCreate(parent)
            guard mkdir(parent, 0o777) == 0 || errno == EEXIST else {
                throw DatasetError(.io, file: parent, path: "", "cannot create the directory: \(String(cString: strerror(errno)))")
            }
            directories.insert(parent)
        }
        let path = directory + "/" + relative
        willCreate(path)
        return path
    }

    private func write(_ bytes: [UInt8], to relative: String) throws(DatasetError) {
        let path = try prepare(relative)
        guard FileManager.default.createFile(atPath: path, contents: Data(bytes)) else {
            throw DatasetError(.io, file: path, path: "", "cannot write the file: \(String(cString: strerror(errno)))")
        }
    }
}
