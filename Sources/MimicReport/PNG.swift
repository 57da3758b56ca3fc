import Foundation
import MimicCore

/// An 8-bit RGB image, rows top to bottom.
public struct RGBImage: Sendable, Equatable {
    public let width: Int
    public let height: Int
    /// `height * width * 3` bytes, row-major, R G B.
    public let pixels: [UInt8]

    public init(width: Int, height: Int, pixels: [UInt8]) {
        precondition(width > 0 && height > 0 && pixels.count == width * height * 3, "an RGB image needs width × height × 3 bytes")
        self.width = width
        self.height = height
        self.pixels = pixels
    }

    /// An image stored as OpenGL reads a framebuffer (bottom row first, as robosuite's and
    /// Mimic's renders are), turned upright.
    public init(openGLRows pixels: [UInt8], width: Int, height: Int) {
        let row = width * 3
        var upright = [UInt8]()
        upright.reserveCapacity(pixels.count)
        for y in stride(from: height - 1, through: 0, by: -1) { upright += pixels[(y * row)..<((y + 1) * row)] }
        self.init(width: width, height: height, pixels: upright)
    }

    /// The image as a PNG file: colour type 2 (RGB), 8 bits, every row with the Up filter, one
    /// IDAT chunk holding a zlib stream (libdeflate, level 9).
    public var png: [UInt8] {
        let row = width * 3
        var filtered = [UInt8](repeating: 0, count: height * (row + 1))
        for y in 0..<height {
            filtered[y * (row + 1)] = 2  // Up: each byte minus the byte above it (0 above the first row)
            for x in 0..<row {
                let above = y > 0 ? pixels[(y - 1) * row + x] : 0
                filtered[y * (row + 1) + 1 + x] = pixels[y * row + x] &- above
            }
        }
        var header = [UInt8]()
        header += Self.bigEndian(UInt32(width))
        header += Self.bigEndian(UInt32(height))
        header += [8, 2, 0, 0, 0]  // bit depth, colour type RGB, deflate, adaptive filtering, no interlace
        return [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A] + Self.chunk("IHDR", header) + Self.chunk("IDAT", Deflater(level: 9).zlib(filtered))
            + Self.chunk("IEND", [])
    }

    /// A `data:image/png;base64,...` URI of ``png``.
    public var pngDataURI: String { "data:image/png;base64," + Data(png).base64EncodedString() }

    /// A PNG chunk: length, type, data, CRC-32 of type and data.
    static func chunk(_ type: String, _ data: [UInt8]) -> [UInt8] {
        let body = Array(type.utf8) + data
        let crc = Deflater.crc32(body)
        return bigEndian(UInt32(data.count)) + body + bigEndian(crc)
    }

    static func bigEndian(_ value: UInt32) -> [UInt8] { [24, 16, 8, 0].map { UInt8(truncatingIfNeeded: value >> $0) } }
}
