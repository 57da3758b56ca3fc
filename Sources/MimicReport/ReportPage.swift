/// The report as one self-contained HTML page: inline CSS, inline SVG plots and PNG data URIs,
/// no script and nothing fetched. The same report gives the same bytes.
public enum ReportPage {
    /// The page of `report`; `generator` names what wrote it (`mimic 0.1.0`).
    public static func html(_ report: RunReport, generator: String) -> String {
        let h = report.header
        var body: [String] = []
        body.append(header(h))
        if !report.notes.isEmpty {
            body.append(#"<section class="notes">"# + report.notes.map { "<p>\(HTML.escape($0))</p>" }.joined() + "</section>")
        }
        body.append(paths(report.paths))
        body.append(placements(report.placements, objects: objectOrder(report.placements)))
        body.append(outcome(report.outcome, header: h))
        body.append(lengths(report.lengths, header: h))
        body.append(phases(report.phaseSeconds, header: h))
        if !report.cameras.isEmpty { body.append(frames(report.cameras)) }
        body.append("<footer>Written by \(HTML.escape(generator)) (<code>mimic report</code>). Hover over a mark for its demo.</footer>")
        return """
            <!DOCTYPE html>
            <html lang="en">
            <head>
            <meta charset="utf-8">
            <meta name="viewport" content="width=device-width, initial-scale=1">
            <title>Mimic report: \(HTML.escape(h.task)), \(HTML.count(h.demos)) demos</title>
            <style>\(style)</style>
            </head>
            <body>
            <main>
            \(body.joined(separator: "\n"))
            </main>
            </body>
            </html>

            """
    }

    static let style = """
        body { margin: 0; background: #f1f3f5; color: #212529; font: 14px/1.45 "DejaVu Sans", Helvetica, Arial, sans-serif; }
        main { max-width: 1000px; margin: 0 auto; padding: 20px 24px 32px; }
        h1 { font-size: 22px; margin: 0 0 2px; }
        h2 { font-size: 17px; margin: 0 0 6px; }
        h3 { font-size: 14px; margin: 12px 0 4px; color: #495057; }
        section { background: white; border: 1px solid #dee2e6; border-radius: 6px; padding: 14px 18px; margin: 14px 0; }
        .subtitle { color: #495057; margin: 0 0 12px; }
        .tiles { display: flex; flex-wrap: wrap; gap: 10px; margin: 0 0 12px; }
        .tile { flex: 1 1 100px; background: #f8f9fa; border: 1px solid #e9ecef; border-radius: 6px; padding: 8px 12px; }
        .tile b { display: block; font-size: 20px; }
        .tile span { color: #6c757d; font-size: 12px; }
        table { border-collapse: collapse; }
        td, th { text-align: left; padding: 2px 14px 2px 0; vertical-align: top; }
        th { color: #6c757d; font-weight: normal; white-space: nowrap; }
        td code, p code { word-break: break-all; }
        .row { display: flex; flex-wrap: wrap; gap: 8px; }
        .caption, .legend { color: #495057; font-size: 13px; margin: 4px 0; }
        .legend i { display: inline-block; width: 14px; height: 4px; margin: 0 4px 2px 10px; vertical-align: middle; }
        .legend i.dot { width: 8px; height: 8px; border-radius: 50%; }
        .missing { color: #868e96; font-style: italic; }
        .notes { background: #fff9db; border-color: #ffe066; }
        .notes p { margin: 2px 0; }
        .frames { display: flex; flex-wrap: wrap; gap: 10px; }
        figure { margin: 0; }
        figure img { display: block; border: 1px solid #ced4da; image-rendering: pixelated; }
        figcaption { color: #495057; font-size: 12px; }
        footer { color: #868e96; font-size: 12px; text-align: center; }
        """

    // MARK: Sections

    static func header(_ h: RunReport.Header) -> String {
        var tiles: [(String, String)] = [("\(HTML.count(h.demos))", h.kinematic ? "demos generated" : "demos kept")]
        if let attempts = h.attempts, let rate = h.successRate {
            tiles.append((HTML.count(attempts), "attempts"))
            tiles.append((HTML.percent(rate), "success rate"))
        }
        tiles.append((HTML.count(h.samples), "samples (steps)"))
        if let seconds = h.seconds {
            tiles.append((HTML.duration(seconds), "total time"))
            if seconds > 0 { tiles.append((HTML.fixed(Double(h.demos) / seconds, 2), h.kinematic ? "demos / s" : "kept demos / s")) }
        }
        var rows: [(String, String)] = [
            ("source", "<code>\(HTML.escape(h.source))</code>"), ("output", "<code>\(HTML.escape(h.output))</code>"),
            ("task", HTML.escape(h.task)), ("robots", h.robots.isEmpty ? unknown : HTML.escape(h.robots.joined(separator: ", "))),
            (
                "checked",
                h.kinematic
                    ? "no: kinematic candidates (the end effector assumed to reach every command; not run in a simulator)"
                    : "yes: every attempt run closed loop in MuJoCo \(HTML.escape(h.mujoco ?? "(version not recorded)"))"
            ),
            ("seed", h.seed.map { "\($0)" } ?? unknown), ("workers", h.workers.map { "\($0)" } ?? unknown),
        ]
        if let shards = h.shards { rows.append(("shards", HTML.count(shards))) }
        return """
            <section id="run">
            <h1>Mimic generation report</h1>
            <p class="subtitle">\(HTML.escape(h.task)) · \(HTML.escape(h.robots.isEmpty ? "robot unknown" : h.robots.joined(separator: " + "))) · \(h.kinematic ? "kinematic candidates" : "checked in MuJoCo")</p>
            <div class="tiles">\(tiles.map { "<div class=\"tile\"><b>\($0.0)</b><span>\($0.1)</span></div>" }.joined())</div>
            <table>\(rows.map { "<tr><th>\($0.0)</th><td>\($0.1)</td></tr>" }.joined())</table>
            </section>
            """
    }

    static let unknown = #"<span class="missing">not recorded</span>"#

    static func legend(_ items: [(label: String, color: String, dot: Bool)]) -> String {
        #"<p class="legend">"# + items.map { #"<i class="\#($0.dot ? "dot" : "")" style="background:\#($0.color)"></i>"# + HTML.escape($0.label) }.joined()
            + "</p>"
    }

    /// "all 20" or "200 of 1 000 000 (spread evenly over the run)".
    static func sampled(_ shown: Int, of total: Int) -> String {
        shown >= total ? "all \(HTML.count(total))" : "\(HTML.count(shown)) of \(HTML.count(total)) (a sample spread evenly over the run)"
    }

    static func paths(_ p: RunReport.Paths) -> String {
        var parts = [
            #"<section id="paths">"#, "<h2>End-effector paths</h2>",
            #"<p class="caption">World frame, metres, equal scales. Generated demos drawn: \#(sampled(p.generated.count, of: p.generatedTotal)); source demos: \#(p.sources.count), a ring where each starts.</p>"#,
        ]
        var items = [(label: "generated", color: Charts.generatedColor, dot: false)]
        if !p.failed.isEmpty { items.append(("failed attempts (\(p.failed.count))", Charts.failedColor, false)) }
        items.append(("source", Charts.sourceColor, false))
        parts.append(legend(items))
        if p.effectors.isEmpty {
            parts.append(#"<p class="missing">No end-effector poses (datagen_info) in the demos read.</p>"#)
        }
        for (e, name) in p.effectors.enumerated() {
            if p.effectors.count > 1 { parts.append("<h3>\(HTML.escape(name))</h3>") }
            parts.append(#"<div class="row">"# + Charts.paths(p, effector: e, view: .top) + Charts.paths(p, effector: e, view: .side) + "</div>")
        }
        parts.append("</section>")
        return parts.joined(separator: "\n")
    }

    /// Objects in the order they are coloured: regions first, then any others, by name.
    static func objectOrder(_ p: RunReport.Placements) -> [String] {
        var names: [String] = []
        for name in p.regions.map(\.object) + (p.sources + p.generated + p.failed).map(\.object).sorted() where !names.contains(name) {
            names.append(name)
        }
        return names
    }

    static func placements(_ p: RunReport.Placements, objects: [String]) -> String {
        var parts = [#"<section id="placements">"#, "<h2>Object placements</h2>"]
        guard !(p.generated.isEmpty && p.sources.isEmpty && p.failed.isEmpty) else {
            parts.append(#"<p class="missing">No object placements recorded (no mimic_scene attributes or object poses in the demos read).</p></section>"#)
            return parts.joined(separator: "\n")
        }
        let region =
            p.regions.isEmpty
            ? "The task has no placement region (no built-in profile or task spec placement), so none is drawn."
            : p.aroundSource
                ? "Dashed rectangles: the task's placement offsets around each source's initial object position (placement around: source)."
                : "Dashed rectangles: the task's reset region per object (its placement, as robosuite samples it)."
        parts.append(
            #"<p class="caption">Initial x-y position of each object, top view, equal scales. Generated demos: \#(sampled(Set(p.generated.map(\.demo)).count, of: p.generatedTotal)). \#(region)</p>"#
        )
        var items = objects.enumerated().map { (label: $0.element, color: Charts.objectColors[$0.offset % Charts.objectColors.count], dot: true) }
        items.append(("source (diamond)", "#495057", false))
        if !p.failed.isEmpty { items.append(("failed attempt (cross)", Charts.failedColor, false)) }
        parts.append(legend(items))
        parts.append(Charts.placements(p, objects: objects))
        parts.append("</section>")
        return parts.joined(separator: "\n")
    }

    static func outcome(_ o: RunReport.Outcome, header h: RunReport.Header) -> String {
        var parts = [#"<section id="outcome">"#, "<h2>Success and failures</h2>"]
        guard let attempts = h.attempts else {
            parts.append(
                #"<p class="missing">Kinematic candidates: not run in a simulator, so there is no success rate and no failure. Run <code>mimic augment --execute</code> to check them.</p></section>"#
            )
            return parts.joined(separator: "\n")
        }
        let failed = o.failureReasons.values.reduce(0, +)
        parts.append(
            #"<p class="caption">\#(HTML.count(h.demos)) of \#(HTML.count(attempts)) attempts kept (\#(HTML.percent(h.successRate ?? 0))); \#(HTML.count(failed)) failed. Bars: attempts per outcome.</p>"#
        )
        var rows: [(label: String, value: Double, color: String)] = [("kept (success)", Double(h.demos), "#2f9e44")]
        for (reason, count) in o.failureReasons.sorted(by: { ($1.value, $0.key) < ($0.value, $1.key) }) {
            rows.append((reason.replacingOccurrences(of: "_", with: " "), Double(count), Charts.failedColor))
        }
        parts.append(Charts.bars(rows, valueText: { HTML.count(Int($0)) }, axisLabel: "attempts"))
        if let kept = o.failedKept {
            parts.append("<h3>Failed attempts kept (\(HTML.count(kept)))</h3>")
            if !o.failedExamples.isEmpty {
                parts.append(
                    "<table>" + o.failedExamples.map { "<tr><th>\(HTML.escape($0.demo))</th><td>\(HTML.escape($0.reason))</td></tr>" }.joined() + "</table>")
            }
        }
        parts.append("</section>")
        return parts.joined(separator: "\n")
    }

    static func lengths(_ l: RunReport.Lengths, header h: RunReport.Header) -> String {
        var parts = [#"<section id="lengths">"#, "<h2>Episode lengths</h2>"]
        func summary(_ values: [Int]) -> String {
            guard let low = values.min(), let high = values.max() else { return "none" }
            return "\(low)–\(high) steps, median \(values.sorted()[values.count / 2])"
        }
        let mean = h.demos > 0 ? " (mean \(HTML.fixed(Double(h.samples) / Double(h.demos), 1)) over all of them)" : ""
        parts.append(
            #"<p class="caption">Generated: \#(summary(l.generated)) in \#(sampled(l.generated.count, of: l.generatedTotal))\#(mean). Sources: \#(summary(l.sources)) in \#(l.sources.count). Each series as its share of demos per bin.</p>"#
        )
        let series = [("generated", l.generated, Charts.generatedColor), ("source", l.sources, Charts.sourceColor)]
        if series.allSatisfy({ $0.1.isEmpty }) {
            parts.append(#"<p class="missing">No demos read.</p>"#)
        } else {
            parts.append(legend([("generated", Charts.generatedColor, true), ("source", Charts.sourceColor, true)]))
            parts.append(Charts.lengths(series.map { (label: $0.0, values: $0.1, color: $0.2) }))
        }
        parts.append("</section>")
        return parts.joined(separator: "\n")
    }

    /// The phases in the order a demo goes through them; others after them, by name.
    static let phaseOrder = ["plan", "physics", "observations", "render", "write"]

    static func phases(_ phases: [(phase: String, seconds: Double)]?, header h: RunReport.Header) -> String {
        var parts = [#"<section id="phases">"#, "<h2>Time per phase</h2>"]
        guard let phases, !phases.isEmpty else {
            parts.append(#"<p class="missing">Time per phase: not recorded (the run's stats have no phase_seconds; older runs do not).</p></section>"#)
            return parts.joined(separator: "\n")
        }
        let ordered = phases.sorted { a, b in
            let i = phaseOrder.firstIndex(of: a.phase) ?? phaseOrder.count, j = phaseOrder.firstIndex(of: b.phase) ?? phaseOrder.count
            return (i, a.phase) < (j, b.phase)
        }
        parts.append(
            #"<p class="caption">wall-clock seconds; physics, observations and render are summed over the workers, so together they can exceed the run's time\#(h.seconds.map { "; the whole run took \(HTML.duration($0)) of wall time" } ?? "").</p>"#
        )
        let total = ordered.reduce(0) { $0 + max($1.seconds, 0) }
        parts.append(
            Charts.bars(
                ordered.map {
                    (label: ["physics", "observations", "render"].contains($0.phase) ? "\($0.phase) (workers)" : $0.phase, value: max($0.seconds, 0), color: "#5c7cfa")
                },
                valueText: { "\(HTML.duration($0))" + (total > 0 ? " · \(HTML.percent($0 / total))" : "") }, axisLabel: "seconds"))
        parts.append("</section>")
        return parts.joined(separator: "\n")
    }

    static func frames(_ cameras: [RunReport.CameraFrames]) -> String {
        var parts = [
            #"<section id="frames">"#, "<h2>Sample frames</h2>",
            #"<p class="caption">First, middle and last step of a few demos per camera, turned upright (the files store them as OpenGL reads them, bottom row first).</p>"#,
        ]
        for camera in cameras {
            parts.append("<h3>\(HTML.escape(camera.camera))</h3>")
            parts.append(#"<div class="frames">"#)
            for frame in camera.frames {
                let scale = max(1, 160 / max(frame.image.width, 1))
                parts.append(
                    #"<figure><img src="\#(frame.image.pngDataURI)" width="\#(frame.image.width * scale)" height="\#(frame.image.height * scale)" alt="\#(HTML.escape(camera.camera)) \#(HTML.escape(frame.demo)) step \#(frame.step)"><figcaption>\#(HTML.escape(frame.demo)) · step \#(frame.step)</figcaption></figure>"#
                )
            }
            parts.append("</div>")
        }
        parts.append("</section>")
        return parts.joined(separator: "\n")
    }
}
