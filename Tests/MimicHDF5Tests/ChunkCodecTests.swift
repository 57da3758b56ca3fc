import CDeflate
import Foundation
import Testing
import MimicCore
@testable import MimicHDF5

@Suite struct ChunkCodecTests {
    /// The shuffle is a permutation that groups byte b of every element: byte b of element i
    /// lands at b·count + i.
    @Test func shuffleGroupsBytesByPosition() {
        var rng = SystemRandomNumberGenerator()
        for size in [1, 2, 4, 8] {
            let count = Int.random(in: 1...50, using: &rng)
            let bytes = (0..<(size * count)).map { _ in UInt8.random(in: 0...255, using: &rng) }
            var out = [UInt8](repeating: 0, count: bytes.count)
            ChunkCodec.shuffle(bytes, into: &out, elementSize: size)
            for i in 0..<count { for b in 0..<size { #expect(out[b * count + i] == bytes[i * size + b]) } }
            #expect(out.sorted() == bytes.sorted())
        }
    }

    /// A zlib stream's bytes, inflated by libdeflate's decompressor; nil if it is not one of `size` bytes.
    static func inflate(_ packed: [UInt8], size: Int) -> [UInt8]? {
        guard let decompressor = libdeflate_alloc_decompressor() else { return nil }
        defer { libdeflate_free_decompressor(decompressor) }
        var out = [UInt8](repeating: 0, count: size)
        var actual = 0
        let status = out.withUnsafeMutableBytes { dst in
            packed.withUnsafeBytes { src in
                libdeflate_zlib_decompress(decompressor, src.baseAddress, src.count, dst.baseAddress, dst.count, &actual)
            }
        }
        return status == LIBDEFLATE_SUCCESS && actual == size ? out : nil
    }

    /// deflate gives a zlib stream that inflates to the input, at every level; higher levels
    /// compress compressible bytes more than level 0, which stores them.
    @Test func deflateRoundTrips() {
        let bytes = (0..<5000).map { UInt8(truncatingIfNeeded: $0 * $0 / 7) }
        var sizes: [Int] = []
        for level in 0...9 {
            let packed = Deflater(level: level).zlib(bytes)
            #expect(Self.inflate(packed, size: bytes.count) == bytes, "level \(level)")
            #expect(packed.first == 0x78, "a zlib header (deflate, 32 KiB window)")
            sizes.append(packed.count)
        }
        #expect(sizes[0] > bytes.count && sizes[9] < sizes[0] / 2, "\(sizes)")
    }

    /// Chunks of `chunkRows` rows, the edge one padded with zeros; nothing to encode without gzip
    /// or for an empty tensor.
    @Test func chunksCoverTheTensor() throws {
        let tensor = Tensor(shape: [10, 2], float32: (0..<20).map(Float.init))
        let options = WriteOptions(chunkRows: 4, compression: .gzip(level: 1, shuffle: false))
        let compressor = Deflater(level: 1)
        let encoded = try #require(ChunkCodec.encode(tensor, options: options, compressor: compressor))
        #expect(encoded.chunk == [4, 2] && encoded.chunks.count == 3 && encoded.shape == [10, 2])
        let last = try #require(Self.inflate(encoded.chunks[2], size: 32))
        let floats = last.withUnsafeBytes { Array($0.bindMemory(to: Float.self)) }
        #expect(floats == [16, 17, 18, 19, 0, 0, 0, 0])
        #expect(ChunkCodec.encode(tensor, options: WriteOptions(), compressor: compressor) == nil)
        #expect(ChunkCodec.encode(Tensor(shape: [0, 2], float32: []), options: options, compressor: compressor) == nil)
    }
}
