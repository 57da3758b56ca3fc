import Foundation
import Testing

@testable import MimicLeRobot

/// The python of scripts/setup_lerobot.sh's venv (pyarrow, lerobot), or the test stops naming the script.
func lerobotPython() throws -> String {
    let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
    let python = root.appendingPathComponent(".cache/lerobot-venv/bin/python").path
    try #require(FileManager.default.isExecutableFile(atPath: python), "needs \(python): run scripts/setup_lerobot.sh")
    return python
}

/// Runs `executable` with `arguments`; returns its exit status and stdout (stderr appended on failure).
func run(_ executable: String, _ arguments: [String]) throws -> (status: Int32, output: String) {
    let process = Process()
    process.executableURL = URL(fileURLWithPath: executable)
    process.arguments = arguments
    let out = Pipe()
    process.standardOutput = out
    process.standardError = out
    try process.run()
    let data = out.fileHandleForReading.readDataToEndOfFile()
    process.waitUntilExit()
    return (process.terminationStatus, String(decoding: data, as: UTF8.self))
}

@Suite struct ParquetTests {
    /// Decodes the RLE / bit-packed hybrid (the test's own reader of the spec's grammar).
    static func decodeHybrid(_ bytes: [UInt8], bitWidth: Int, count: Int) -> [UInt8] {
        var out: [UInt8] = []
        var r = CompactReader(bytes: bytes)
        while out.count < count {
            let header = r.varint()
            if header & 1 == 0 {
                var value = 0
                for b in 0..<((bitWidth + 7) / 8) { value |= Int(r.byte()) << (8 * b) }
                out += [UInt8](repeating: UInt8(value), count: Int(header >> 1))
            } else {
                let n = Int(header >> 1) * 8
                let packed = (0..<(n * bitWidth / 8)).map { _ in r.byte() }
                for i in 0..<n {
                    var v = 0
                    for b in 0..<bitWidth where packed[(i * bitWidth + b) / 8] >> ((i * bitWidth + b) % 8) & 1 == 1 { v |= 1 << b }
                    out.append(UInt8(v))
                }
            }
        }
        #expect(r.at == bytes.count)
        return Array(out.prefix(count))
    }

    /// Random level sequences (long runs, short runs, alternations) decode to themselves, for bit widths 1 to 3.
    @Test func hybridRoundTrips() {
        var rng = SystemRandomNumberGenerator()
        for _ in 0..<500 {
            let bitWidth = Int.random(in: 1...3, using: &rng)
            var values: [UInt8] = []
            while values.count < Int.random(in: 0...300, using: &rng) {
                let v = UInt8.random(in: 0..<(1 << bitWidth), using: &rng)
                values += [UInt8](repeating: v, count: Bool.random(using: &rng) ? Int.random(in: 1...20, using: &rng) : 1)
            }
            let encoded = ParquetWriter.hybrid(values, bitWidth: bitWidth)
            #expect(Self.decodeHybrid(encoded, bitWidth: bitWidth, count: values.count) == values)
        }
    }

    /// A run of 8 or more is one RLE run: 100 ones at bit width 1 are a header (200) and the value.
    @Test func longRunsAreRLE() {
        #expect(ParquetWriter.hybrid([UInt8](repeating: 1, count: 100), bitWidth: 1) == [0xC8, 0x01, 0x01])
        #expect(ParquetWriter.bitPacked([1, 0, 1, 1, 0, 0, 0, 0, 1], bitWidth: 1) == [0b0000_1101, 0b1])
    }

    /// Random files (every column kind, empty and fixed-width lists, 0 to 300 rows, with and
    /// without gzip) read back by pyarrow with the values written, bit for bit.
    @Test func pyarrowReadsRandomFiles() throws {
        let python = try lerobotPython()
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("mimic-parquet-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }
        var rng = SystemRandomNumberGenerator()
        var expected: [String] = []
        var paths: [String] = []
        for f in 0..<12 {
            let rows = f == 0 ? 0 : Int.random(in: 1...300, using: &rng)
            let width = f == 1 ? 0 : Int.random(in: 1...20, using: &rng)
            let floats = (0..<(rows * width)).map { _ in Float.random(in: -1e6...1e6, using: &rng) }
            let columns = [
                ParquetColumn("observation.state", .float32Lists(floats, width: width)),
                ParquetColumn("i", .int64((0..<rows).map { _ in Int64.random(in: .min ... .max, using: &rng) })),
                ParquetColumn("f", .float32((0..<rows).map { _ in Float.random(in: -1...1, using: &rng) })),
                ParquetColumn("d", .float64((0..<rows).map { _ in Double.random(in: -1e300...1e300, using: &rng) })),
                ParquetColumn("b", .boolean((0..<rows).map { _ in Bool.random(using: &rng) })),
            ]
            let path = dir.appendingPathComponent("\(f).parquet").path
            let compression: ParquetCompression = f % 2 == 0 ? .none : .gzip(level: 6)
            try Data(ParquetWriter.file(columns: columns, rows: rows, compression: compression)).write(to: URL(fileURLWithPath: path))
            paths.append(path)
            var lines = ["rows \(rows)"]
            for c in columns {
                switch c.values {
                case .float32Lists(let v, let w):
                    lines.append(
                        "\(c.name) " + (0..<rows).map { r in "[" + v[(r * w)..<(r * w + w)].map { String($0.bitPattern) }.joined(separator: ",") + "]" }.joined(separator: " "))
                case .int64(let v): lines.append("\(c.name) " + v.map(String.init).joined(separator: " "))
                case .float32(let v): lines.append("\(c.name) " + v.map { String($0.bitPattern) }.joined(separator: " "))
                case .float64(let v): lines.append("\(c.name) " + v.map { String($0.bitPattern) }.joined(separator: " "))
                case .boolean(let v): lines.append("\(c.name) " + v.map { $0 ? "1" : "0" }.joined(separator: " "))
                }
            }
            expected.append(lines.joined(separator: "\n"))
        }
        let script = """
            import sys, numpy as np, pyarrow.parquet as pq
            for path in sys.argv[1:]:
                t = pq.read_table(path)
                print("rows", t.num_rows)
                s = t.column("observation.state").to_pylist()
                print("observation.state " + " ".join("[" + ",".join(str(x) for x in np.asarray(r, np.float32).view(np.uint32).tolist()) + "]" for r in s))
                print("i " + " ".join(str(x) for x in t.column("i").to_pylist()))
                print("f " + " ".join(str(x) for x in t.column("f").to_numpy().astype(np.float32).view(np.uint32).tolist()))
                print("d " + " ".join(str(x) for x in t.column("d").to_numpy().view(np.uint64).tolist()))
                print("b " + " ".join("1" if x else "0" for x in t.column("b").to_pylist()))
                print("--")
            """
        let result = try run(python, ["-c", script] + paths)
        #expect(result.status == 0, "\(result.output)")
        let got = result.output.split(separator: "--\n", omittingEmptySubsequences: false).map { $0.trimmingCharacters(in: .newlines) }
        for (i, e) in expected.enumerated() {
            let lines = e.split(separator: "\n").map { $0.trimmingCharacters(in: .whitespaces) }
            let back = i < got.count ? got[i].split(separator: "\n").map { $0.trimmingCharacters(in: .whitespaces) } : []
            #expect(lines == back, "file \(i)")
        }
    }

    /// The footer: PAR1 at both ends, the metadata length before the last 4 bytes.
    @Test func fileFraming() {
        let bytes = ParquetWriter.file(columns: [ParquetColumn("x", .int64([1, 2, 3]))], rows: 3)
        #expect(Array(bytes.prefix(4)) == Array("PAR1".utf8) && Array(bytes.suffix(4)) == Array("PAR1".utf8))
        let n = bytes.suffix(8).prefix(4).enumerated().reduce(0) { $0 | Int($1.element) << (8 * $1.offset) }
        var r = CompactReader(bytes: Array(bytes[(bytes.count - 8 - n)..<(bytes.count - 8)]))
        var last: Int16 = 0
        #expect(r.field(last: &last)! == (1, 5))
        #expect(r.zigzag() == 2)
    }
}
