import MimicCore

/// One column of a Parquet file: a name and one value (or one fixed-width list of float32) per row.
public struct ParquetColumn: Sendable, Equatable {
    public enum Values: Sendable, Equatable {
        case int64([Int64])
        case float32([Float])
        case float64([Double])
        case boolean([Bool])
        /// `width` float32 values per row, row after row: an Arrow `list<float>` column.
        case float32Lists([Float], width: Int)
    }

    public var name: String
    public var values: Values

    public init(_ name: String, _ values: Values) {
        if case .float32Lists(let v, let width) = values {
            precondition(width >= 0 && (width == 0 ? v.isEmpty : v.count % width == 0), "\(v.count) values do not make rows of \(width)")
        }
        self.name = name
        self.values = values
    }

    /// Number of rows; a column of empty lists has none to count, so it needs `rows` from elsewhere.
    var rowCount: Int? {
        switch values {
        case .int64(let v): return v.count
        case .float32(let v): return v.count
        case .float64(let v): return v.count
        case .boolean(let v): return v.count
        case .float32Lists(let v, let width): return width == 0 ? nil : v.count / width
        }
    }
}

/// How the pages of a Parquet file are compressed.
public enum ParquetCompression: Sendable, Equatable {
    case none
    /// gzip (RFC 1952) at `level` 1...12 (libdeflate's levels; 6 is zlib's default).
    case gzip(level: Int)
}

/// Writes a Parquet file (format 2, as parquet-format's thrift IDL describes it): one row group,
/// one PLAIN-encoded data page (v1) per column, required columns; a list column is
/// `required group <name> (LIST) { repeated group list { required float element; } }`, as Arrow
/// names the levels, with repetition and definition levels in the RLE / bit-packed hybrid.
public enum ParquetWriter {
    /// Physical types (parquet.thrift `Type`).
    enum PhysicalType: Int32 { case boolean = 0, int32 = 1, int64 = 2, float = 4, double = 5 }

    /// The bytes of a file holding `columns`, all of `rows` rows. It has no key/value metadata:
    /// pyarrow reads its schema from the Parquet schema (a list column as `list<float>`).
    public static func file(columns: [ParquetColumn], rows: Int, compression: ParquetCompression = .none) -> [UInt8] {
        for c in columns { precondition(c.rowCount == nil || c.rowCount == rows, "column \(c.name) has \(c.rowCount!) rows, not \(rows)") }
        var out: [UInt8] = Array("PAR1".utf8)
        var chunks: [ChunkInfo] = []
        for column in columns {
            let page = encodePage(column, rows: rows)
            let stored: [UInt8]
            switch compression {
            case .none: stored = page.data
            case .gzip(let level): stored = Deflater(level: level).gzip(page.data)
            }
            var header = ThriftCompactWriter()
            header.i32(1, 0)  // DATA_PAGE
            header.i32(2, Int32(page.data.count))
            header.i32(3, Int32(stored.count))
            header.structure(5) { h in
                h.i32(1, Int32(page.levelCount))
                h.i32(2, 0)  // PLAIN
                h.i32(3, 3)  // RLE definition levels
                h.i32(4, 3)  // RLE repetition levels
            }
            let headerBytes = header.finish()
            chunks.append(
                ChunkInfo(
                    column: column, type: page.type, offset: out.count, levelCount: page.levelCount,
                    uncompressed: headerBytes.count + page.data.count, compressed: headerBytes.count + stored.count))
            out += headerBytes
            out += stored
        }
        let footer = fileMetaData(chunks: chunks, rows: rows, compression: compression)
        out += footer
        withUnsafeBytes(of: UInt32(footer.count).littleEndian) { out += $0 }
        out += Array("PAR1".utf8)
        return out
    }

    struct ChunkInfo {
        var column: ParquetColumn
        var type: PhysicalType
        var offset: Int
        var levelCount: Int
        var uncompressed: Int
        var compressed: Int

        var path: [String] {
            if case .float32Lists = column.values { return [column.name, "list", "element"] }
            return [column.name]
        }
    }

    /// A column's page body (levels, then values) before compression.
    static func encodePage(_ column: ParquetColumn, rows: Int) -> (data: [UInt8], type: PhysicalType, levelCount: Int) {
        switch column.values {
        case .int64(let v): return (plain(v), .int64, v.count)
        case .float32(let v): return (plain(v.map(\.bitPattern)), .float, v.count)
        case .float64(let v): return (plain(v.map(\.bitPattern)), .double, v.count)
        case .boolean(let v): return (bitPacked(v.map { $0 ? 1 : 0 }, bitWidth: 1), .boolean, v.count)
        case .float32Lists(let v, let width):
            // One level entry per element; an empty list is one entry at definition level 0.
            let perRow = max(width, 1)
            var repetition = [UInt8](repeating: 1, count: rows * perRow)
            for r in 0..<rows { repetition[r * perRow] = 0 }
            let definition = [UInt8](repeating: width == 0 ? 0 : 1, count: rows * perRow)
            var data: [UInt8] = []
            for levels in [repetition, definition] {
                let encoded = hybrid(levels, bitWidth: 1)
                withUnsafeBytes(of: UInt32(encoded.count).littleEndian) { data += $0 }
                data += encoded
            }
            return (data + plain(v.map(\.bitPattern)), .float, rows * perRow)
        }
    }

    /// PLAIN: each value's little-endian bytes.
    static func plain<T: FixedWidthInteger>(_ values: [T]) -> [UInt8] {
        var out = [UInt8](repeating: 0, count: values.count * MemoryLayout<T>.size)
        out.withUnsafeMutableBytes { raw in
            for (i, v) in values.enumerated() { raw.storeBytes(of: v.littleEndian, toByteOffset: i * MemoryLayout<T>.size, as: T.self) }
        }
        return out
    }

    /// `values` (each < 2^bitWidth) packed from the least significant bit of the first byte on;
    /// the last byte padded with zeros.
    static func bitPacked(_ values: [UInt8], bitWidth: Int) -> [UInt8] {
        var out = [UInt8](repeating: 0, count: (values.count * bitWidth + 7) / 8)
        for (i, v) in values.enumerated() {
            for b in 0..<bitWidth where v >> b & 1 == 1 {
                let bit = i * bitWidth + b
                out[bit / 8] |= 1 << (bit % 8)
            }
        }
        return out
    }

    /// The RLE / bit-packed hybrid (without its length prefix): runs of 8 or more equal values
    /// as RLE runs, the rest in bit-packed groups of 8 (the last group padded with zeros).
    static func hybrid(_ values: [UInt8], bitWidth: Int) -> [UInt8] {
        var out: [UInt8] = []
        let valueBytes = (bitWidth + 7) / 8
        var i = 0
        while i < values.count {
            var run = 1
            while i + run < values.count && values[i + run] == values[i] { run += 1 }
            if run >= 8 {
                appendVarint(UInt64(run) << 1, to: &out)
                for b in 0..<valueBytes { out.append(UInt8(truncatingIfNeeded: Int(values[i]) >> (8 * b))) }
                i += run
                continue
            }
            // Literals up to the next run of 8, rounded up to whole groups of 8.
            var end = i
            while end < values.count {
                var r = 1
                while end + r < values.count && values[end + r] == values[end] { r += 1 }
                if r >= 8 { break }
                end += r
            }
            let groups = (end - i + 7) / 8
            let take = min(groups * 8, values.count - i)
            var group = Array(values[i..<(i + take)])
            group += [UInt8](repeating: 0, count: groups * 8 - take)
            appendVarint(UInt64(groups) << 1 | 1, to: &out)
            out += bitPacked(group, bitWidth: bitWidth)
            i += take
        }
        return out
    }

    static func fileMetaData(chunks: [ChunkInfo], rows: Int, compression: ParquetCompression) -> [UInt8] {
        let codec: Int32 = compression == .none ? 0 : 2  // UNCOMPRESSED, GZIP
        var schemaCount = 1
        for c in chunks { schemaCount += c.path.count }
        var w = ThriftCompactWriter()
        w.i32(1, 2)  // version
        w.list(2, of: .structure, count: schemaCount) { w in
            w.structBody { e in
                e.string(4, "schema")
                e.i32(5, Int32(chunks.count))
            }
            for c in chunks {
                if c.path.count == 3 {
                    w.structBody { e in
                        e.i32(3, 0)  // REQUIRED
                        e.string(4, c.column.name)
                        e.i32(5, 1)
                        e.i32(6, 3)  // ConvertedType LIST
                        e.structure(10) { logical in logical.structure(3) { _ in } }  // LogicalType LIST
                    }
                    w.structBody { e in
                        e.i32(3, 2)  // REPEATED
                        e.string(4, "list")
                        e.i32(5, 1)
                    }
                }
                w.structBody { e in
                    e.i32(1, c.type.rawValue)
                    e.i32(3, 0)  // REQUIRED
                    e.string(4, c.path[c.path.count - 1])
                }
            }
        }
        w.i64(3, Int64(rows))
        w.list(4, of: .structure, count: 1) { w in
            w.structBody { g in
                g.list(1, of: .structure, count: chunks.count) { g in
                    for c in chunks {
                        g.structBody { chunk in
                            chunk.i64(2, Int64(c.offset))
                            chunk.structure(3) { m in
                                m.i32(1, c.type.rawValue)
                                let encodings: [Int32] = c.path.count == 3 ? [0, 3] : [0]  // PLAIN, RLE (levels)
                                m.list(2, of: .i32, count: encodings.count) { l in for e in encodings { l.i32Element(e) } }
                                m.list(3, of: .binary, count: c.path.count) { l in for p in c.path { l.stringElement(p) } }
                                m.i32(4, codec)
                                m.i64(5, Int64(c.levelCount))
                                m.i64(6, Int64(c.uncompressed))
                                m.i64(7, Int64(c.compressed))
                                m.i64(9, Int64(c.offset))
                            }
                        }
                    }
                }
                g.i64(2, Int64(chunks.reduce(0) { $0 + $1.uncompressed }))
                g.i64(3, Int64(rows))
                g.i64(5, Int64(chunks.first?.offset ?? 4))
                g.i64(6, Int64(chunks.reduce(0) { $0 + $1.compressed }))
            }
        }
        w.string(6, "mimic")
        return w.finish()
    }
}
