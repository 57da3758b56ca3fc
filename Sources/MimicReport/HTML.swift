import Foundation

/// Text made safe for HTML and SVG (element content and quoted attribute values), and numbers
/// as the page prints them.
public enum HTML {
    /// `text` with `&`, `<`, `>`, `"` and `'` replaced by character references.
    public static func escape(_ text: String) -> String {
        var out = ""
        out.reserveCapacity(text.utf8.count)
        for character in text {
            switch character {
            case "&": out += "&amp;"
            case "<": out += "&lt;"
            case ">": out += "&gt;"
            case "\"": out += "&quot;"
            case "'": out += "&#39;"
            default: out.append(character)
            }
        }
        return out
    }

    /// An integer with thousands separated by a thin space: `1 000 000`.
    public static func count(_ value: Int) -> String {
        let digits = String(value.magnitude)
        var groups: [Substring] = []
        var end = digits.endIndex
        while end > digits.startIndex {
            let start = digits.index(end, offsetBy: -3, limitedBy: digits.startIndex) ?? digits.startIndex
            groups.insert(digits[start..<end], at: 0)
            end = start
        }
        return (value < 0 ? "-" : "") + groups.joined(separator: "\u{2009}")
    }

    /// `value` with `decimals` digits after the point (C locale).
    public static func fixed(_ value: Double, _ decimals: Int) -> String { String(format: "%.\(decimals)f", value) }

    /// A duration: `850 ms`, `12.3 s`, `4 min 05 s`, `2 h 03 min`.
    public static func duration(_ seconds: Double) -> String {
        guard seconds.isFinite, seconds >= 0 else { return "–" }
        if seconds < 1 { return "\(fixed(seconds * 1000, 0)) ms" }
        if seconds < 60 { return "\(fixed(seconds, seconds < 10 ? 2 : 1)) s" }
        let whole = Int(seconds.rounded())
        if whole < 3600 { return String(format: "%d min %02d s", whole / 60, whole % 60) }
        return String(format: "%d h %02d min", whole / 3600, (whole % 3600) / 60)
    }

    /// A fraction as a percentage with one decimal: `87.0 %`.
    public static func percent(_ fraction: Double) -> String { "\(fixed(100 * fraction, 1)) %" }
}
