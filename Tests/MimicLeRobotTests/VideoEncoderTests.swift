import Foundation
import Testing

@testable import MimicLeRobot

@Suite struct VideoEncoderTests {
    /// Videos encoded in parallel have every frame, the size, the codec and pixel format info.json records.
    @Test func encodesH264() throws {
        try VideoEncoder.requireFFmpeg()
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("mimic-video-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }
        let encoder = VideoEncoder(fps: 20, workers: 2)
        let sizes = [(16, 12, 7), (15, 9, 3), (32, 32, 1)]
        for (k, (w, h, n)) in sizes.enumerated() {
            let frames = (0..<(w * h * 3 * n)).map { UInt8(($0 * 5 + k) % 256) }
            encoder.submit(frames: frames, count: n, width: w, height: h, to: dir.appendingPathComponent("\(k).mp4").path)
        }
        try encoder.finish()
        for (k, (w, h, n)) in sizes.enumerated() {
            let probe = try run(
                "/usr/bin/env",
                [
                    "ffprobe", "-v", "error", "-count_frames", "-select_streams", "v:0", "-show_entries", "stream=codec_name,pix_fmt,width,height,nb_read_frames,r_frame_rate",
                    "-of", "csv=p=0", dir.appendingPathComponent("\(k).mp4").path,
                ])
            #expect(probe.output.trimmingCharacters(in: .whitespacesAndNewlines) == "h264,\(w),\(h),\(VideoEncoder.pixelFormat(width: w, height: h)),20/1,\(n)")
        }
        #expect(VideoEncoder.pixelFormat(width: 15, height: 9) == "yuv444p")
    }

    /// A video ffmpeg cannot write is an I/O error naming the file and ffmpeg's message.
    @Test func failureNamesTheFile() throws {
        try VideoEncoder.requireFFmpeg()
        let encoder = VideoEncoder(fps: 20, workers: 1)
        encoder.submit(frames: [UInt8](repeating: 0, count: 4 * 4 * 3), count: 1, width: 4, height: 4, to: "/nonexistent-dir/x.mp4")
        do {
            try encoder.finish()
            Issue.record("no error")
        } catch {
            #expect(error.kind == .io && error.file == "/nonexistent-dir/x.mp4" && error.detail.hasPrefix("ffmpeg failed: "))
        }
    }
}
