import CZlib
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

    /// deflate gives a zlib stream that inflates to the input, at every level.
    @Test func deflateRoundTrips() {
        let bytes = (0..<5000).map { UInt8(truncatingIfNeeded: $0 * $0 / 7) }
        for level in 0...9 {
            let packed = ChunkCodec.deflate(bytes, level: level)
            var size = uLong(bytes.count)
            var back = [UInt8](repeating: 0, count: bytes.count)
            let status = back.withUnsafeMutableBufferPointer { dst in
                packed.withUnsafeBufferPointer { src in uncompress(dst.baseAddress, &size, src.baseAddress, uLong(packed.count)) }
            }
            #expect(status == Z_OK && Int(size) == bytes.count && back == bytes, "level \(level)")
        }
    }

    /// Chunks of `chunkRows` rows, the edge one padded with zeros; nothing to encode without gzip
    /// or for an empty tensor.
    @Test func chunksCoverTheTensor() throws {
        let tensor = Tensor(shape: [10, 2], float32: (0..<20).map(Float.init))
        let options = WriteOptions(chunkRows: 4, compression: .gzip(level: 1, shuffle: false))
        let encoded = try #require(ChunkCodec.encode(tensor, options: options))
        #expect(encoded.chunk == [4, 2] && encoded.chunks.count == 3 && encoded.shape == [10, 2])
        var size = uLong(32)
        var last = [UInt8](repeating: 1, count: 32)
        _ = last.withUnsafeMutableBufferPointer { dst in
            encoded.chunks[2].withUnsafeBufferPointer { src in uncompress(dst.baseAddress, &size, src.baseAddress, uLong(src.count)) }
        }
        let floats = last.withUnsafeBytes { Array($0.bindMemory(to: Float.self)) }
        #expect(floats == [16, 17, 18, 19, 0, 0, 0, 0])
        #expect(ChunkCodec.encode(tensor, options: WriteOptions()) == nil)
        #expect(ChunkCodec.encode(Tensor(shape: [0, 2], float32: []), options: options) == nil)
    }
}
