import MimicCore

/// One demo as a LeRobot episode: its parquet columns and the statistics LeRobot keeps per
/// episode (`meta/episodes_stats.jsonl`).
public struct LeRobotEpisode: Sendable {
    public var index: Int
    public var length: Int
    public var columns: [ParquetColumn]
    /// Per feature (columns and cameras), as LeRobot's `compute_episode_stats` makes them.
    public var stats: [(feature: String, stats: FeatureStats)]

    /// The task indices an episode's frames carry.
    public struct Tasks: Sendable, Equatable {
        /// `task_index` and GR00T's `annotation.human.action.task_description`.
        public var task: Int
        /// GR00T's `annotation.human.validity`: the index of the task `valid` or `invalid`.
        public var validity: Int

        public init(task: Int, validity: Int) {
            self.task = task
            self.validity = validity
        }
    }

    /// The columns of `demo` (checked with `layout.check`): `observation.state`, `action`,
    /// `timestamp` (frame / fps), `frame_index`, `episode_index`, `index` (from `firstFrame`
    /// on), `task_index`, `next.reward` and `next.done` (the demo's `rewards` and `dones`; without
    /// them 0, and done on the last frame only), and GR00T's two annotation columns.
    public init(demo: Demo, layout: LeRobotLayout, index: Int, firstFrame: Int, fps: Int, tasks: Tasks) {
        let length = demo.length
        self.index = index
        self.length = length
        var state = [Float](repeating: 0, count: length * layout.stateWidth)
        for s in layout.state {
            let values = demo.obs(s.key ?? s.name)!.doubles
            for t in 0..<length {
                for j in 0..<s.width { state[t * layout.stateWidth + s.start + j] = Float(values[t * s.width + j]) }
            }
        }
        let action = demo.actions!.doubles.map { Float($0) }
        let reward = demo.arrays["rewards"].map { $0.doubles.map { Float($0) } } ?? [Float](repeating: 0, count: length)
        let done = demo.arrays["dones"].map { $0.doubles.map { $0 != 0 } } ?? (0..<length).map { $0 == length - 1 }
        let frames = (0..<length).map { Int64($0) }
        columns = [
            ParquetColumn("observation.state", .float32Lists(state, width: layout.stateWidth)),
            ParquetColumn("action", .float32Lists(action, width: layout.actionWidth)),
            ParquetColumn("timestamp", .float32(frames.map { Float($0) / Float(fps) })),
            ParquetColumn("frame_index", .int64(frames)),
            ParquetColumn("episode_index", .int64([Int64](repeating: Int64(index), count: length))),
            ParquetColumn("index", .int64(frames.map { $0 + Int64(firstFrame) })),
            ParquetColumn("task_index", .int64([Int64](repeating: Int64(tasks.task), count: length))),
            ParquetColumn("next.reward", .float32(reward)),
            ParquetColumn("next.done", .boolean(done)),
            ParquetColumn(Self.taskDescriptionColumn, .int64([Int64](repeating: Int64(tasks.task), count: length))),
            ParquetColumn(Self.validityColumn, .int64([Int64](repeating: Int64(tasks.validity), count: length))),
        ]
        var stats = columns.map { ($0.name, FeatureStats(column: $0, rows: length)) }
        for camera in layout.cameras {
            stats.append((camera.videoKey, FeatureStats(frames: demo.obs(camera.observationKey)!)))
        }
        self.stats = stats
    }

    public static let taskDescriptionColumn = "annotation.human.action.task_description"
    public static let validityColumn = "annotation.human.validity"

    /// `frames`, uint8 (T, H, W, 3) rows as OpenGL reads them (bottom row first, robosuite's
    /// convention), with each frame's rows in reverse: upright pictures, top row first.
    public static func uprightFrames(_ frames: Tensor) -> [UInt8] {
        guard case .uint8(let bytes) = frames.storage, frames.shape.count == 4 else { preconditionFailure("frames are uint8 (T, H, W, C)") }
        let height = frames.shape[1], rowBytes = frames.shape[2] * frames.shape[3]
        var out = [UInt8](repeating: 0, count: bytes.count)
        bytes.withUnsafeBufferPointer { src in
            out.withUnsafeMutableBufferPointer { dst in
                for f in 0..<frames.shape[0] {
                    let base = f * height * rowBytes
                    for r in 0..<height {
                        let from = base + r * rowBytes, to = base + (height - 1 - r) * rowBytes
                        (dst.baseAddress! + to).update(from: src.baseAddress! + from, count: rowBytes)
                    }
                }
            }
        }
        return out
    }
}

/// min, max, mean, std (population) and count of one feature over an episode: per dimension for
/// vectors; per channel, in [0, 1], for camera frames (shape (3, 1, 1) in LeRobot's JSON).
public struct FeatureStats: Sendable, Equatable {
    public var min: [Double]
    public var max: [Double]
    public var mean: [Double]
    public var std: [Double]
    public var count: Int
    /// Per channel of camera frames (JSON values nested as (C, 1, 1)).
    public var isImage: Bool

    /// Stats of the `rows` rows of `column`, per dimension.
    init(column: ParquetColumn, rows: Int) {
        let values: [Double], width: Int
        switch column.values {
        case .int64(let v): (values, width) = (v.map { Double($0) }, 1)
        case .float32(let v): (values, width) = (v.map { Double($0) }, 1)
        case .float64(let v): (values, width) = (v, 1)
        case .boolean(let v): (values, width) = (v.map { $0 ? 1 : 0 }, 1)
        case .float32Lists(let v, let w): (values, width) = (v.map { Double($0) }, w)
        }
        self.init(values: values, width: width, rows: rows)
    }

    /// Per-channel stats of uint8 (T, H, W, C) frames, divided by 255.
    init(frames: Tensor) {
        guard case .uint8(let bytes) = frames.storage else { preconditionFailure("frames are uint8") }
        let channels = frames.shape[3]
        var low = [UInt8](repeating: .max, count: channels), high = [UInt8](repeating: 0, count: channels)
        var sum = [Double](repeating: 0, count: channels), squares = [Double](repeating: 0, count: channels)
        let pixels = channels > 0 ? bytes.count / channels : 0
        bytes.withUnsafeBufferPointer { p in
            for c in 0..<channels {
                var s: UInt64 = 0, q: UInt64 = 0, lo = UInt8.max, hi = UInt8(0)
                for i in stride(from: c, to: p.count, by: channels) {
                    let v = p[i]
                    s += UInt64(v)
                    q += UInt64(v) * UInt64(v)
                    lo = Swift.min(lo, v)
                    hi = Swift.max(hi, v)
                }
                (sum[c], squares[c], low[c], high[c]) = (Double(s), Double(q), lo, hi)
            }
        }
        let n = Double(Swift.max(pixels, 1))
        let mean = sum.map { $0 / n }
        self.min = low.map { Double($0) / 255 }
        self.max = high.map { Double($0) / 255 }
        self.mean = mean.map { $0 / 255 }
        self.std = (0..<channels).map { c in (Swift.max(squares[c] / n - mean[c] * mean[c], 0)).squareRoot() / 255 }
        self.count = frames.shape[0]
        self.isImage = true
    }

    /// Stats per dimension of `rows` rows of `width` values (row-major).
    init(values: [Double], width: Int, rows: Int) {
        var low = [Double](repeating: .infinity, count: width), high = [Double](repeating: -.infinity, count: width)
        var sum = [Double](repeating: 0, count: width)
        for r in 0..<rows {
            for j in 0..<width {
                let v = values[r * width + j]
                low[j] = Swift.min(low[j], v)
                high[j] = Swift.max(high[j], v)
                sum[j] += v
            }
        }
        let n = Double(Swift.max(rows, 1))
        let mean = sum.map { $0 / n }
        var squares = [Double](repeating: 0, count: width)
        for r in 0..<rows {
            for j in 0..<width {
                let d = values[r * width + j] - mean[j]
                squares[j] += d * d
            }
        }
        self.min = rows == 0 ? sum : low
        self.max = rows == 0 ? sum : high
        self.mean = mean
        self.std = squares.map { ($0 / n).squareRoot() }
        self.count = rows
        self.isImage = false
    }
}
