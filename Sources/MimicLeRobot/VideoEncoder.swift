import Foundation
import MimicCore

/// Encodes videos with the `ffmpeg` command-line tool, several at once: each video is one
/// ffmpeg process reading raw rgb24 frames on its stdin and writing an mp4 with H.264.
///
/// H.264 (libx264, `-crf 18`, a keyframe every 2 frames, no B-frames) is what PyAV, torchcodec
/// and every browser decode; the short GOP makes a seek to any frame decode at most one more.
/// yuv420p when width and height are even, else yuv444p (4:2:0 needs even sizes). Each process
/// runs one encoder thread; `workers` processes run at a time.
public final class VideoEncoder: @unchecked Sendable {  // mutable state behind `lock`
    public static let codec = "h264"
    public let fps: Int
    public let workers: Int
    private let slots: DispatchSemaphore
    private let group = DispatchGroup()
    private let lock = NSLock()
    private var failure: DatasetError?

    public init(fps: Int, workers: Int) {
        self.fps = fps
        self.workers = max(workers, 1)
        slots = DispatchSemaphore(value: self.workers)
    }

    /// The pixel format of a `width` × `height` video.
    public static func pixelFormat(width: Int, height: Int) -> String { width % 2 == 0 && height % 2 == 0 ? "yuv420p" : "yuv444p" }

    /// Throws unless `ffmpeg` runs (`ffmpeg -version`).
    public static func requireFFmpeg() throws(DatasetError) {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = ["ffmpeg", "-hide_banner", "-version"]
        process.standardOutput = FileHandle.nullDevice
        process.standardError = FileHandle.nullDevice
        do { try process.run() } catch { throw Self.missing }
        process.waitUntilExit()
        guard process.terminationReason == .exit, process.terminationStatus == 0 else { throw Self.missing }
    }

    private static let missing = DatasetError(
        .io, file: "ffmpeg", path: "", "cannot run the ffmpeg command, which encodes the videos: install it (apt-get install ffmpeg, or scripts/setup_lerobot.sh)")

    /// Starts encoding `frames` (upright rgb24, `count` frames of `width` × `height`) into
    /// `path`; waits first while `workers` videos are being encoded.
    public func submit(frames: [UInt8], count: Int, width: Int, height: Int, to path: String) {
        slots.wait()
        group.enter()
        DispatchQueue.global().async { [self] in
            defer {
                slots.signal()
                group.leave()
            }
            do throws(DatasetError) {
                try encode(frames: frames, width: width, height: height, to: path)
            } catch {
                lock.withLock { if failure == nil { failure = error } }
            }
        }
    }

    /// Waits for every video; throws the first failure.
    public func finish() throws(DatasetError) {
        group.wait()
        if let failure = lock.withLock({ failure }) { throw failure }
    }

    func encode(frames: [UInt8], width: Int, height: Int, to path: String) throws(DatasetError) {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = [
            "ffmpeg", "-nostdin", "-hide_banner", "-loglevel", "error", "-f", "rawvideo", "-pix_fmt", "rgb24", "-video_size", "\(width)x\(height)",
            "-framerate", String(fps), "-i", "pipe:0", "-c:v", "libx264", "-preset", "medium", "-crf", "18", "-g", "2", "-bf", "0",
            "-pix_fmt", Self.pixelFormat(width: width, height: height), "-threads", "1", "-an", "-f", "mp4", "-y", path,
        ]
        let input = Pipe(), errors = Pipe()
        process.standardInput = input
        process.standardOutput = FileHandle.nullDevice
        process.standardError = errors
        do { try process.run() } catch { throw Self.missing }
        // Collect what ffmpeg prints while the frames go in, so neither side waits on the other.
        let message = ErrorText()
        let reader = DispatchGroup()
        DispatchQueue.global().async(group: reader) { message.value = errors.fileHandleForReading.readDataToEndOfFile() }
        var written = true
        do {
            try input.fileHandleForWriting.write(contentsOf: frames)
        } catch {
            written = false  // ffmpeg stopped reading; its message says why
        }
        try? input.fileHandleForWriting.close()
        process.waitUntilExit()
        reader.wait()
        guard written, process.terminationReason == .exit, process.terminationStatus == 0 else {
            let text = String(decoding: message.value, as: UTF8.self).split(separator: "\n").first.map(String.init) ?? "exit status \(process.terminationStatus)"
            throw DatasetError(.io, file: path, path: "", "ffmpeg failed: \(text)")
        }
    }

    /// Bytes one thread reads and another uses after waiting on a DispatchGroup.
    private final class ErrorText: @unchecked Sendable {
        var value = Data()
    }
}
