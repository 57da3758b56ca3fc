import Testing

@testable import MimicLeRobot

/// A reader of what the tests write: the compact protocol's field headers, zigzag varints,
/// binaries and list headers, enough to walk a struct back.
struct CompactReader {
    var bytes: [UInt8]
    var at = 0

    mutating func byte() -> UInt8 {
        defer { at += 1 }
        return bytes[at]
    }

    mutating func varint() -> UInt64 {
        var value: UInt64 = 0, shift: UInt64 = 0
        while true {
            let b = byte()
            value |= UInt64(b & 0x7F) << shift
            if b < 0x80 { return value }
            shift += 7
        }
    }

    mutating func zigzag() -> Int64 {
        let v = varint()
        return Int64(bitPattern: v >> 1) ^ -Int64(bitPattern: v & 1)
    }

    /// (field id, type), or nil at a stop byte; `last` is the previous id in the struct.
    mutating func field(last: inout Int16) -> (Int16, UInt8)? {
        let b = byte()
        guard b != 0 else { return nil }
        let delta = Int16(b >> 4)
        last = delta == 0 ? Int16(zigzag()) : last + delta
        return (last, b & 0x0F)
    }

    mutating func string() -> String {
        let n = Int(varint())
        defer { at += n }
        return String(decoding: bytes[at..<(at + n)], as: UTF8.self)
    }

    mutating func listHeader() -> (count: Int, type: UInt8) {
        let b = byte()
        let count = b >> 4 == 15 ? Int(varint()) : Int(b >> 4)
        return (count, b & 0x0F)
    }
}

@Suite struct ThriftCompactTests {
    /// Field ids 1..15 apart are one byte (delta << 4 | type); a jump back or of more than 15
    /// spells the id as a zigzag i16; i32 values are zigzag varints.
    @Test func fieldHeadersAndIntegersAreTheCompactProtocolsBytes() {
        var w = ThriftCompactWriter()
        w.i32(1, 0)
        w.i32(2, -1)
        w.i32(20, 300)
        w.bool(21, true)
        w.bool(22, false)
        #expect(w.finish() == [0x15, 0x00, 0x15, 0x01, 0x05, 0x28, 0xD8, 0x04, 0x11, 0x12, 0x00])
    }

    /// A list of 15 or more elements has its size as a varint after a 0xF_ header byte; a nested
    /// struct counts its field ids from 0 again and the outer struct resumes from its own.
    @Test func longListsAndNestedStructs() {
        var w = ThriftCompactWriter()
        w.list(1, of: .i32, count: 20) { l in for i in 0..<20 { l.i32Element(Int32(i)) } }
        w.structure(2) { s in s.i32(1, 7) }
        w.i32(3, 9)
        var r = CompactReader(bytes: w.finish())
        var last: Int16 = 0
        #expect(r.field(last: &last)! == (1, 9))
        let header = r.listHeader()
        #expect(header.count == 20 && header.type == 5)
        #expect((0..<20).map { _ in r.zigzag() } == (0..<20).map { Int64($0) })
        #expect(r.field(last: &last)! == (2, 12))
        var inner: Int16 = 0
        #expect(r.field(last: &inner)! == (1, 5))
        #expect(r.zigzag() == 7)
        #expect(r.field(last: &inner) == nil)
        #expect(r.field(last: &last)! == (3, 5))
        #expect(r.zigzag() == 9)
        #expect(r.field(last: &last) == nil)
        #expect(r.at == r.bytes.count)
    }

    /// Random fields (ids increasing by random steps, i32 / i64 / strings) read back as written.
    @Test func randomStructsReadBack() {
        var rng = SystemRandomNumberGenerator()
        for _ in 0..<200 {
            var w = ThriftCompactWriter()
            var expected: [(Int16, String)] = []
            var id: Int16 = 0
            for _ in 0..<Int.random(in: 0...12, using: &rng) {
                id += Int16.random(in: 1...40, using: &rng)
                switch Int.random(in: 0..<3, using: &rng) {
                case 0:
                    let v = Int32.random(in: .min ... .max, using: &rng)
                    w.i32(id, v)
                    expected.append((id, "i32 \(v)"))
                case 1:
                    let v = Int64.random(in: .min ... .max, using: &rng)
                    w.i64(id, v)
                    expected.append((id, "i64 \(v)"))
                default:
                    let v = String((0..<Int.random(in: 0...200, using: &rng)).map { _ in "aé€".randomElement(using: &rng)! })
                    w.string(id, v)
                    expected.append((id, "str \(v)"))
                }
            }
            var r = CompactReader(bytes: w.finish())
            var last: Int16 = 0
            var got: [(Int16, String)] = []
            while let (fid, type) = r.field(last: &last) {
                switch type {
                case 5: got.append((fid, "i32 \(r.zigzag())"))
                case 6: got.append((fid, "i64 \(r.zigzag())"))
                default: got.append((fid, "str \(r.string())"))
                }
            }
            #expect(got.map(\.0) == expected.map(\.0) && got.map(\.1) == expected.map(\.1))
            #expect(r.at == r.bytes.count)
        }
    }

    @Test func varintsAreLEB128() {
        var out: [UInt8] = []
        appendVarint(0, to: &out)
        appendVarint(127, to: &out)
        appendVarint(128, to: &out)
        appendVarint(UInt64.max, to: &out)
        #expect(out == [0x00, 0x7F, 0x80, 0x01] + [UInt8](repeating: 0xFF, count: 9) + [0x01])
    }
}
