/// A JSON value whose objects keep their keys in the order given, rendered as text: LeRobot's
/// and GR00T's metadata files list features and slices in vector order.
public indirect enum JSONText: Sendable, Equatable {
    case object([(String, JSONText)])
    case array([JSONText])
    case string(String)
    case int(Int)
    /// A finite number, written in the shortest form that reads back as the same Double.
    case number(Double)
    case bool(Bool)
    case null

    public static func == (a: JSONText, b: JSONText) -> Bool { a.rendered() == b.rendered() }

    /// One line, or indented by `indent` spaces per level when `indent > 0`.
    public func rendered(indent: Int = 0) -> String {
        var out = ""
        write(into: &out, indent: indent, level: 0)
        return out
    }

    private func write(into out: inout String, indent: Int, level: Int) {
        let newline = indent > 0 ? "\n" + String(repeating: " ", count: indent * (level + 1)) : ""
        let close = indent > 0 ? "\n" + String(repeating: " ", count: indent * level) : ""
        let comma = indent > 0 ? "," : ", "
        switch self {
        case .object(let members):
            guard !members.isEmpty else { return out += "{}" }
            out += "{"
            for (i, (key, value)) in members.enumerated() {
                out += (i > 0 ? comma : "") + newline
                Self.quote(key, into: &out)
                out += ": "
                value.write(into: &out, indent: indent, level: level + 1)
            }
            out += close + "}"
        case .array(let items):
            guard !items.isEmpty else { return out += "[]" }
            out += "["
            for (i, item) in items.enumerated() {
                out += (i > 0 ? comma : "") + newline
                item.write(into: &out, indent: indent, level: level + 1)
            }
            out += close + "]"
        case .string(let s): Self.quote(s, into: &out)
        case .int(let v): out += String(v)
        case .number(let v):
            precondition(v.isFinite, "JSON has no \(v)")
            out += v == v.rounded() && abs(v) < 1e15 ? String(Int64(v)) + ".0" : String(v)
        case .bool(let v): out += v ? "true" : "false"
        case .null: out += "null"
        }
    }

    private static func quote(_ s: String, into out: inout String) {
        out += "\""
        for scalar in s.unicodeScalars {
            switch scalar {
            case "\"": out += "\\\""
            case "\\": out += "\\\\"
            case "\n": out += "\\n"
            case "\r": out += "\\r"
            case "\t": out += "\\t"
            case let c where c.value < 0x20: out += "\\u" + String(repeating: "0", count: 4 - String(c.value, radix: 16).count) + String(c.value, radix: 16)
            default: out.unicodeScalars.append(scalar)
            }
        }
        out += "\""
    }
}
