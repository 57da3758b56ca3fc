import Foundation

/// Progress on stderr: a bar redrawn in place with rate and ETA on a terminal; otherwise a plain
/// line every 5 seconds, so logs of CI jobs stay readable (a short run prints none).
final class ProgressBar {
    let total: Int
    let unit: String
    let start = Date()
    let isTerminal = isatty(2) != 0
    private var lastDraw: Date

    init(total: Int, unit: String) {
        self.total = max(total, 1)
        self.unit = unit
        lastDraw = start
    }

    func update(_ done: Int) {
        let now = Date()
        let elapsed = now.timeIntervalSince(start)
        let rate = elapsed > 0 ? Double(done) / elapsed : 0
        let eta = rate > 0 ? Double(total - done) / rate : 0
        if isTerminal {
            guard now.timeIntervalSince(lastDraw) > 0.1 || done == total else { return }
            let width = 30
            let filled = width * done / total
            let bar = String(repeating: "#", count: filled) + String(repeating: " ", count: width - filled)
            Console.progress("\r[\(bar)] \(done)/\(total) \(unit)  \(Self.rate(rate)) \(unit)/s  ETA \(Self.duration(eta))  ")
        } else {
            guard now.timeIntervalSince(lastDraw) >= 5 else { return }
            Console.note("\(done)/\(total) \(unit) (\(done * 100 / total)%), \(Self.rate(rate)) \(unit)/s, ETA \(Self.duration(eta))")
        }
        lastDraw = now
    }

    func finish() {
        if isTerminal { Console.progress("\r" + String(repeating: " ", count: 90) + "\r") }
    }

    static func rate(_ r: Double) -> String { r >= 100 ? String(Int(r.rounded())) : String(format: "%.1f", r) }

    static func duration(_ seconds: Double) -> String {
        guard seconds.isFinite else { return "-" }
        let s = Int(seconds.rounded())
        return s >= 60 ? "\(s / 60)m\(String(format: "%02d", s % 60))s" : "\(s)s"
    }
}
