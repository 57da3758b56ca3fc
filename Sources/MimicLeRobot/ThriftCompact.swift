/// A writer of Thrift's compact protocol, the encoding of Parquet's metadata (`FileMetaData`,
/// `PageHeader`): structs as field headers (the id as a delta from the previous field of the
/// struct when it fits in 4 bits) followed by values, integers as zigzag varints, a stop byte
/// ending each struct.
struct ThriftCompactWriter {
    /// The compact protocol's type codes.
    enum FieldType: UInt8 {
        case boolTrue = 1, boolFalse = 2, byte = 3, i16 = 4, i32 = 5, i64 = 6, double = 7, binary = 8, list = 9, set = 10, map = 11, structure = 12
    }

    private(set) var bytes: [UInt8] = []
    /// The last field id written in each open struct, innermost last.
    private var lastFieldIDs: [Int16] = [0]

    init() {}

    mutating func fieldHeader(_ id: Int16, _ type: FieldType) {
        let delta = Int(id) - Int(lastFieldIDs[lastFieldIDs.count - 1])
        if delta > 0 && delta <= 15 {
            bytes.append(UInt8(delta) << 4 | type.rawValue)
        } else {
            bytes.append(type.rawValue)
            varint(zigzag(Int64(id)))
        }
        lastFieldIDs[lastFieldIDs.count - 1] = id
    }

    mutating func i32(_ id: Int16, _ value: Int32) {
        fieldHeader(id, .i32)
        varint(zigzag(Int64(value)))
    }

    mutating func i64(_ id: Int16, _ value: Int64) {
        fieldHeader(id, .i64)
        varint(zigzag(value))
    }

    mutating func bool(_ id: Int16, _ value: Bool) { fieldHeader(id, value ? .boolTrue : .boolFalse) }

    mutating func string(_ id: Int16, _ value: String) {
        fieldHeader(id, .binary)
        binary(Array(value.utf8))
    }

    /// A struct-valued field: `body` writes its fields.
    mutating func structure(_ id: Int16, _ body: (inout ThriftCompactWriter) -> Void) {
        fieldHeader(id, .structure)
        structBody(body)
    }

    /// A list field of `count` elements of `type`; `body` writes the elements (`listElement...`).
    mutating func list(_ id: Int16, of type: FieldType, count: Int, _ body: (inout ThriftCompactWriter) -> Void) {
        fieldHeader(id, .list)
        if count < 15 {
            bytes.append(UInt8(count) << 4 | type.rawValue)
        } else {
            bytes.append(0xF0 | type.rawValue)
            varint(UInt64(count))
        }
        body(&self)
    }

    /// One struct element of a list.
    mutating func structBody(_ body: (inout ThriftCompactWriter) -> Void) {
        lastFieldIDs.append(0)
        body(&self)
        bytes.append(0)  // stop
        lastFieldIDs.removeLast()
    }

    /// One i32 element of a list.
    mutating func i32Element(_ value: Int32) { varint(zigzag(Int64(value))) }

    /// One string element of a list.
    mutating func stringElement(_ value: String) { binary(Array(value.utf8)) }

    /// The stop byte of the outermost struct: the encoding is complete.
    mutating func finish() -> [UInt8] {
        bytes.append(0)
        return bytes
    }

    private mutating func binary(_ value: [UInt8]) {
        varint(UInt64(value.count))
        bytes.append(contentsOf: value)
    }

    private mutating func varint(_ value: UInt64) { appendVarint(value, to: &bytes) }

    private func zigzag(_ value: Int64) -> UInt64 { UInt64(bitPattern: (value << 1) ^ (value >> 63)) }
}

/// `value` as an unsigned LEB128 varint, 7 bits a byte, least significant first: the integers of
/// Thrift's compact protocol and the run headers of Parquet's RLE / bit-packed hybrid.
func appendVarint(_ value: UInt64, to out: inout [UInt8]) {
    var v = value
    while v >= 0x80 {
        out.append(UInt8(v & 0x7F) | 0x80)
        v >>= 7
    }
    out.append(UInt8(v))
}
