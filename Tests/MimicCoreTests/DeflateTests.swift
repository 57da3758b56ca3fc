import CDeflate
import MimicCore
import Testing

@Suite struct DeflateTests {
    /// Pseudo-random bytes with runs, so that compression has something to find.
    static func sample(_ count: Int, seed: UInt64) -> [UInt8] {
        var rng = RandomStream(seed: seed)
        var out: [UInt8] = []
        while out.count < count {
            let value = UInt8.random(in: 0...255, using: &rng)
            out += [UInt8](repeating: value, count: Int.random(in: 1...9, using: &rng))
        }
        return Array(out.prefix(count))
    }

    static func inflate(_ data: [UInt8], size: Int, gzip: Bool) -> [UInt8]? {
        guard let d = libdeflate_alloc_decompressor() else { return nil }
        defer { libdeflate_free_decompressor(d) }
        var out = [UInt8](repeating: 0, count: size)
        var actual = 0
        let result = out.withUnsafeMutableBytes { dst in
            data.withUnsafeBytes { src in
                gzip
                    ? libdeflate_gzip_decompress(d, src.baseAddress, src.count, dst.baseAddress, dst.count, &actual)
                    : libdeflate_zlib_decompress(d, src.baseAddress, src.count, dst.baseAddress, dst.count, &actual)
            }
        }
        return result == LIBDEFLATE_SUCCESS && actual == size ? out : nil
    }

    @Test(arguments: [0, 1, 6, 9, 12])
    func zlibAndGzipRoundTrip(_ level: Int) {
        let deflater = Deflater(level: level)
        for (n, seed) in [(0, 1), (1, 2), (1000, 3), (70_000, 4)] {
            let bytes = Self.sample(n, seed: UInt64(seed))
            let z = deflater.zlib(bytes), g = deflater.gzip(bytes)
            #expect(Self.inflate(z, size: n, gzip: false) == bytes)
            #expect(Self.inflate(g, size: n, gzip: true) == bytes)
            #expect(z.first == 0x78, "a zlib header")
            #expect(g.prefix(2) == [0x1F, 0x8B], "a gzip header")
            if level >= 6, n >= 1000 { #expect(z.count < n / 2) }
        }
    }

    @Test func theSameInputGivesTheSameBytes() {
        let bytes = Self.sample(5000, seed: 9)
        #expect(Deflater(level: 4).zlib(bytes) == Deflater(level: 4).zlib(bytes))
    }

    /// The standard check value of CRC-32, and continuing over pieces equals the whole.
    @Test func crc32() {
        #expect(Deflater.crc32(Array("123456789".utf8)) == 0xCBF4_3926)
        #expect(Deflater.crc32([]) == 0)
        let bytes = Self.sample(3000, seed: 5)
        #expect(Deflater.crc32(Array(bytes[1000...]), continuing: Deflater.crc32(Array(bytes[..<1000]))) == Deflater.crc32(bytes))
    }
}
