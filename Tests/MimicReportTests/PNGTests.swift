import Foundation
import Testing

@testable import MimicReport

@Suite struct PNGTests {
    /// Tests/Browser/png.py: a PNG reader of its own (Python's zlib and struct).
    static let reader = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().appendingPathComponent("Browser/png.py").path

    struct Decoded: Decodable {
        var width: Int, height: Int, channels: Int
        var chunks: [String]
        var crc_ok: Bool
        var filters: [Int]
        var pixels: String
    }

    /// Decodes `png` with the Python reader.
    static func decode(_ png: [UInt8]) throws -> Decoded {
        let file = FileManager.default.temporaryDirectory.appendingPathComponent("mimic-png-\(UUID().uuidString).png")
        defer { try? FileManager.default.removeItem(at: file) }
        try Data(png).write(to: file)
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = ["python3", reader, file.path]
        let out = Pipe()
        process.standardOutput = out
        try process.run()
        let data = out.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        try #require(process.terminationStatus == 0, "png.py failed on the encoded image")
        return try JSONDecoder().decode(Decoded.self, from: data)
    }

    /// Random images of odd sizes round-trip through an independent decoder: CRCs correct,
    /// IHDR / IDAT / IEND, every row Up-filtered, the same pixels.
    @Test(arguments: [(1, 1), (3, 2), (17, 9), (64, 48)])
    func roundTripsThroughAnIndependentDecoder(width: Int, height: Int) throws {
        var rng = SystemRandomNumberGenerator()
        let pixels = (0..<(width * height * 3)).map { _ in UInt8.random(in: 0...255, using: &rng) }
        let image = RGBImage(width: width, height: height, pixels: pixels)
        let decoded = try Self.decode(image.png)
        #expect(decoded.width == width && decoded.height == height && decoded.channels == 3)
        #expect(decoded.chunks == ["IHDR", "IDAT", "IEND"])
        #expect(decoded.crc_ok)
        #expect(decoded.filters == [2])
        #expect(Data(base64Encoded: decoded.pixels) == Data(pixels))
    }

    /// A smooth image compresses well below its raw size (the Up filter and deflate at work).
    @Test func smoothImagesCompress() throws {
        let (w, h) = (128, 96)
        var pixels: [UInt8] = []
        for y in 0..<h { for x in 0..<w { pixels += [UInt8(x * 2), UInt8(y * 2), 128] } }
        let png = RGBImage(width: w, height: h, pixels: pixels).png
        #expect(png.count < pixels.count / 10)
        #expect(Data(base64Encoded: try Self.decode(png).pixels) == Data(pixels))
    }

    /// OpenGL rows (bottom first) are turned upright: the first stored row becomes the last.
    @Test func openGLRowsAreFlipped() {
        let (w, h) = (2, 3)
        let stored = (0..<(w * h * 3)).map { UInt8($0) }
        let image = RGBImage(openGLRows: stored, width: w, height: h)
        let row = w * 3
        for y in 0..<h { #expect(Array(image.pixels[(y * row)..<((y + 1) * row)]) == Array(stored[((h - 1 - y) * row)..<((h - y) * row)])) }
    }

    @Test func dataURIHoldsThePNG() throws {
        let image = RGBImage(width: 2, height: 2, pixels: [UInt8](repeating: 200, count: 12))
        let uri = image.pngDataURI
        #expect(uri.hasPrefix("data:image/png;base64,"))
        #expect(Data(base64Encoded: String(uri.dropFirst("data:image/png;base64,".count))) == Data(image.png))
    }
}
