/// The files under `meta/` of a LeRobot v2.1 dataset, and GR00T's `meta/modality.json`.
public enum LeRobotMetadata {
    public static let codebaseVersion = "v2.1"
    /// Episodes per chunk directory (LeRobot's `DEFAULT_CHUNK_SIZE`).
    public static let chunkSize = 1000
    public static let dataPath = "data/chunk-{episode_chunk:03d}/episode_{episode_index:06d}.parquet"
    public static let videoPath = "videos/chunk-{episode_chunk:03d}/{video_key}/episode_{episode_index:06d}.mp4"

    /// `data/chunk-XXX/episode_XXXXXX.parquet` of episode `index`.
    public static func dataFile(episode index: Int) -> String {
        "data/chunk-\(pad(index / chunkSize, 3))/episode_\(pad(index, 6)).parquet"
    }

    /// `videos/chunk-XXX/<video key>/episode_XXXXXX.mp4`.
    public static func videoFile(episode index: Int, videoKey: String) -> String {
        "videos/chunk-\(pad(index / chunkSize, 3))/\(videoKey)/episode_\(pad(index, 6)).mp4"
    }

    static func pad(_ n: Int, _ digits: Int) -> String {
        let s = String(n)
        return s.count >= digits ? s : String(repeating: "0", count: digits - s.count) + s
    }

    /// How the videos are encoded, as `info.json` records it per video feature.
    public struct VideoInfo: Sendable, Equatable {
        public var codec: String
        public var pixelFormat: String

        public init(codec: String, pixelFormat: String) {
            self.codec = codec
            self.pixelFormat = pixelFormat
        }
    }

    /// `meta/info.json`: totals, paths, and every feature with its dtype, shape and names.
    public static func info(layout: LeRobotLayout, fps: Int, lengths: [Int], taskCount: Int, video: (LeRobotLayout.Camera) -> VideoInfo) -> JSONText {
        let episodes = lengths.count
        var features: [(String, JSONText)] = []
        for camera in layout.cameras {
            let v = video(camera)
            features.append(
                (
                    camera.videoKey,
                    .object([
                        ("dtype", .string("video")), ("shape", .array([.int(camera.height), .int(camera.width), .int(3)])),
                        ("names", .array(["height", "width", "channels"].map(JSONText.string))),
                        (
                            "info",
                            .object([
                                ("video.height", .int(camera.height)), ("video.width", .int(camera.width)), ("video.codec", .string(v.codec)),
                                ("video.pix_fmt", .string(v.pixelFormat)), ("video.is_depth_map", .bool(false)), ("video.fps", .int(fps)),
                                ("video.channels", .int(3)), ("has_audio", .bool(false)),
                            ])
                        ),
                    ])
                ))
        }
        for c in columns(layout: layout) {
            let names: [String]? = c.name == "observation.state" ? layout.state.flatMap(\.dimensionNames) : c.name == "action" ? layout.action.flatMap(\.dimensionNames) : nil
            features.append(
                (c.name, .object([("dtype", .string(c.dtype)), ("shape", .array([.int(c.width ?? 1)])), ("names", names.map { .array($0.map(JSONText.string)) } ?? .null)])))
        }
        return .object([
            ("codebase_version", .string(codebaseVersion)),
            ("robot_type", layout.robotType.map(JSONText.string) ?? .null),
            ("total_episodes", .int(episodes)),
            ("total_frames", .int(lengths.reduce(0, +))),
            ("total_tasks", .int(taskCount)),
            ("total_videos", .int(episodes * layout.cameras.count)),
            ("total_chunks", .int((episodes + chunkSize - 1) / chunkSize)),
            ("chunks_size", .int(chunkSize)),
            ("fps", .int(fps)),
            ("splits", .object([("train", .string("0:\(episodes)"))])),
            ("data_path", .string(dataPath)),
            ("video_path", layout.cameras.isEmpty ? .null : .string(videoPath)),
            ("features", .object(features)),
        ])
    }

    /// One line of `meta/episodes.jsonl`.
    public static func episodeLine(index: Int, task: String, length: Int) -> JSONText {
        .object([("episode_index", .int(index)), ("tasks", .array([.string(task)])), ("length", .int(length))])
    }

    /// One line of `meta/tasks.jsonl`.
    public static func taskLine(index: Int, task: String) -> JSONText {
        .object([("task_index", .int(index)), ("task", .string(task))])
    }

    /// One line of `meta/episodes_stats.jsonl`.
    public static func statsLine(_ episode: LeRobotEpisode) -> JSONText {
        .object([
            ("episode_index", .int(episode.index)),
            (
                "stats",
                .object(
                    episode.stats.map { feature, s in
                        let values = { (v: [Double]) -> JSONText in
                            .array(v.map { s.isImage ? .array([.array([.number($0)])]) : .number($0) })
                        }
                        return (
                            feature,
                            .object([("min", values(s.min)), ("max", values(s.max)), ("mean", values(s.mean)), ("std", values(s.std)), ("count", .array([.int(s.count)]))])
                        )
                    })
            ),
        ])
    }

    /// GR00T's `meta/modality.json`: the slices of `observation.state` and `action`, each camera
    /// under its own name, and the two annotation columns.
    public static func modality(layout: LeRobotLayout) -> JSONText {
        func slices(_ list: [LeRobotLayout.Slice]) -> JSONText {
            .object(
                list.map { s in
                    var fields: [(String, JSONText)] = [("start", .int(s.start)), ("end", .int(s.end))]
                    if let r = s.rotation { fields.append(("rotation_type", .string(r))) }
                    fields += [("absolute", .bool(s.absolute)), ("dtype", .string("float32"))]
                    return (s.name, .object(fields))
                })
        }
        return .object([
            ("state", slices(layout.state)),
            ("action", slices(layout.action)),
            ("video", .object(layout.cameras.map { ($0.name, .object([("original_key", .string($0.videoKey))])) })),
            (
                "annotation",
                .object([
                    ("human.action.task_description", .object([])), ("human.validity", .object([])),
                ])
            ),
        ])
    }
}

extension LeRobotMetadata {
    /// Every parquet column in file order: name, dtype, and width (nil for a scalar); what
    /// `LeRobotEpisode` writes.
    public static func columns(layout: LeRobotLayout) -> [(name: String, dtype: String, width: Int?)] {
        [
            ("observation.state", "float32", layout.stateWidth), ("action", "float32", layout.actionWidth),
            ("timestamp", "float32", nil), ("frame_index", "int64", nil), ("episode_index", "int64", nil), ("index", "int64", nil),
            ("task_index", "int64", nil), ("next.reward", "float32", nil), ("next.done", "bool", nil),
            (LeRobotEpisode.taskDescriptionColumn, "int64", nil), (LeRobotEpisode.validityColumn, "int64", nil),
        ]
    }
}
