import CDeflate

/// libdeflate's DEFLATE compressor at one level, writing the two containers Mimic stores: zlib
/// streams (HDF5's deflate filter, PNG's image data) and gzip members (Parquet's GZIP codec).
/// Its state serves one thread at a time; make one per thread.
public final class Deflater: @unchecked Sendable {
    /// libdeflate's level, 0...12: 0 stores, 1...9 mean what zlib's do, 10...12 compress harder.
    public let level: Int
    private let state: OpaquePointer

    public init(level: Int) {
        precondition((0...12).contains(level), "DEFLATE level \(level) is outside 0...12")
        guard let state = libdeflate_alloc_compressor(Int32(level)) else { fatalError("libdeflate could not allocate a compressor") }
        self.level = level
        self.state = state
    }

    deinit { libdeflate_free_compressor(state) }

    /// `bytes` as a zlib stream (RFC 1950).
    public func zlib(_ bytes: [UInt8]) -> [UInt8] {
        compress(bytes, bound: libdeflate_zlib_compress_bound(state, bytes.count)) { libdeflate_zlib_compress(state, $0, $1, $2, $3) }
    }

    /// `bytes` as one gzip member (RFC 1952).
    public func gzip(_ bytes: [UInt8]) -> [UInt8] {
        compress(bytes, bound: libdeflate_gzip_compress_bound(state, bytes.count)) { libdeflate_gzip_compress(state, $0, $1, $2, $3) }
    }

    private func compress(
        _ bytes: [UInt8], bound: Int, _ call: (UnsafeRawPointer?, Int, UnsafeMutableRawPointer?, Int) -> Int
    ) -> [UInt8] {
        var out = [UInt8](repeating: 0, count: bound)
        let size = out.withUnsafeMutableBytes { dst in bytes.withUnsafeBytes { src in call(src.baseAddress, src.count, dst.baseAddress, dst.count) } }
        precondition(size > 0, "libdeflate failed on a buffer sized by its own bound")
        out.removeSubrange(size...)
        return out
    }

    /// The CRC-32 of `bytes` (zlib's, gzip's and PNG's), continuing from `crc`.
    public static func crc32(_ bytes: [UInt8], continuing crc: UInt32 = 0) -> UInt32 {
        bytes.withUnsafeBytes { UInt32(libdeflate_crc32(crc, $0.baseAddress, $0.count)) }
    }
}
