import Foundation
import MimicCore
import MimicHDF5
import Testing

@Suite(.serialized) struct ReportCommandTests {
    /// Tests/Browser, with the page opener and the PNG reader.
    static let browserTools = CLI.packageRoot.appendingPathComponent("Tests/Browser")

    /// What Tests/Browser/open_page.py reports.
    struct Opened: Decodable {
        struct Screenshot: Decodable { var width: Int, height: Int, variance: Double }
        var errors: [String]
        var height: Int
        var screenshot: Screenshot
    }

    /// Opens `page` in headless Chromium (scripts/setup_browser.sh installs it) at 1000 CSS
    /// pixels wide and captures it at half scale into `screenshot`.
    static func open(_ page: String, screenshot: String) throws -> Opened {
        let result = try CLI.run(
            ["python3", browserTools.appendingPathComponent("open_page.py").path, page, screenshot, "1000", "0.5"],
            executable: URL(fileURLWithPath: "/usr/bin/env"), timeout: 120)
        try #require(result.status == 0, "open_page.py failed (run scripts/setup_browser.sh): \(result.stderr)")
        return try JSONDecoder().decode(Opened.self, from: Data(result.stdout.utf8))
    }

    /// A checked run with its failed attempts kept, then its report: every section with the
    /// run's numbers, the same bytes twice, and a page a real browser loads without a console
    /// error into a screenshot that is not blank.
    @Test func checkedRunReportOpensInABrowser() throws {
        let dir = try TemporaryDirectory()
        let prepared = try LiftCut.prepared(in: dir)
        let run = dir.path("gen.hdf5"), failed = dir.path("failed.hdf5"), page = dir.path("report.html")
        let augment = try CLI.run([
            "augment", prepared, "-o", run, "-n", "3", "--execute", "--workers", "2", "--seed", "4", "--keep-failed", failed, "--max-attempts", "12",
        ])
        try #require(augment.status == 0, "\(augment.stderr)")
        let inputs = try [run, run + ".stats.json", failed].map { try Data(contentsOf: URL(fileURLWithPath: $0)) }
        let report = try CLI.run(["report", run, "-o", page, "--failed", failed])
        try #require(report.status == 0, "\(report.stderr)")
        #expect(report.stdout.contains("-> \(page)"))
        let html = try String(contentsOfFile: page, encoding: .utf8)
        let stats = try #require(JSONSerialization.jsonObject(with: inputs[1]) as? [String: Any])
        for id in ["run", "paths", "placements", "outcome", "lengths", "phases"] { #expect(html.contains(#"<section id="\#(id)">"#), "section \(id)") }
        #expect(html.contains("Lift") && html.contains("Panda") && html.contains("MuJoCo 3.3.0"))
        #expect(html.contains("<b>\(stats["demos"] as! Int)</b><span>demos kept</span>"))
        #expect(html.contains("<b>\(stats["attempts"] as! Int)</b><span>attempts</span>"))
        #expect(html.contains("cube reset region"))
        // augment records where the time went: the phases are drawn (render is 0 without cameras).
        #expect(html.contains(">physics (workers)</text>") && !html.contains("Time per phase: not recorded"))
        #expect(html.contains("Failed attempts kept ("))
        #expect(!html.contains("<script") && !html.contains("http"))
        // Deterministic, and the inputs are untouched.
        let again = dir.path("again.html")
        #expect(try CLI.run(["report", run, "-o", again, "--failed", failed]).status == 0)
        #expect(try Data(contentsOf: URL(fileURLWithPath: again)) == Data(contentsOf: URL(fileURLWithPath: page)))
        #expect(try [run, run + ".stats.json", failed].map { try Data(contentsOf: URL(fileURLWithPath: $0)) } == inputs)
        #expect(dir.contents.filter { $0.contains(".partial-") }.isEmpty)

        let shot = dir.path("report.png")
        let opened = try Self.open(page, screenshot: shot)
        #expect(opened.errors.isEmpty, "\(opened.errors)")
        #expect(opened.screenshot.width == 500)
        #expect(opened.height > 1500 && opened.screenshot.height > 700, "page \(opened.height) px, screenshot \(opened.screenshot.height) px")
        #expect(opened.screenshot.variance > 100, "screenshot pixel variance \(opened.screenshot.variance): blank?")
    }

    /// Demos with camera images (uint8 (T, H, W, 3), stored bottom row first) get sample frames,
    /// upright, as inline PNGs; stats with phase_seconds get the phase bars; a source that is
    /// gone is noted, not fatal.
    @Test func framesAndPhases() throws {
        let dir = try TemporaryDirectory()
        let run = dir.path("images.hdf5"), page = dir.path("report.html")
        let (t, h, w) = (5, 6, 4)
        var demos: [Demo] = []
        for d in 0..<2 {
            var demo = Demo(name: "demo_\(d)")
            demo.arrays["actions"] = Tensor(shape: [t, 7], float64: [Double](repeating: 0, count: t * 7))
            // Stored row r of step s has the value 10·s + r in every channel: the first stored row is the image's bottom.
            var pixels: [UInt8] = []
            for s in 0..<t { for r in 0..<h { pixels += [UInt8](repeating: UInt8(10 * s + r + 100 * d), count: w * 3) } }
            demo.arrays["obs/agentview_image"] = Tensor(shape: [t, h, w, 3], storage: .uint8(pixels))
            demo.attributes["num_samples"] = .int(t)
            demo.attributes["mimic_scene"] = .string(#"{"cube":[0.01,-0.02,0.83,0,0,0,1]}"#)
            demos.append(demo)
        }
        try writeDataset(run, demos: demos, envArgs: #"{"env_name": "Lift", "type": 1, "env_kwargs": {"robots": ["Panda"]}}"#)
        let stats: [String: Any] = [
            "demos": 2, "samples": 2 * t, "seconds": 1.5, "seed": 1, "workers": 1, "source": dir.path("gone.hdf5"), "kinematic": true,
            "phase_seconds": ["plan": 0.25, "physics": 0, "observations": 0.5, "render": 2.0, "write": 0.125],
        ]
        try JSONSerialization.data(withJSONObject: stats).write(to: URL(fileURLWithPath: run + ".stats.json"))
        let result = try CLI.run(["report", run, "-o", page])
        try #require(result.status == 0, "\(result.stderr)")
        let html = try String(contentsOfFile: page, encoding: .utf8)
        #expect(html.contains(#"<section id="frames">"#) && html.contains("<h3>agentview</h3>"))
        #expect(html.contains("gone.hdf5") && html.contains("was not found"))
        #expect(html.contains(">render (workers)</text>") && html.contains(">write</text>") && !html.contains("not recorded (the run"))
        #expect(html.contains("cube reset region"))
        let uris = html.matches(of: #/src="data:image/png;base64,([A-Za-z0-9+/=]+)"/#).map { String($0.1) }
        #expect(uris.count == 6, "first, middle and last step of two demos")
        // The first frame (demo_0, step 0) decodes upright: its top row is the last row stored.
        let png = dir.path("frame.png")
        try #require(Data(base64Encoded: uris[0])).write(to: URL(fileURLWithPath: png))
        let decoded = try CLI.run(
            ["python3", Self.browserTools.appendingPathComponent("png.py").path, png], executable: URL(fileURLWithPath: "/usr/bin/env"))
        let image = try #require(JSONSerialization.jsonObject(with: Data(decoded.stdout.utf8)) as? [String: Any])
        #expect(image["width"] as? Int == w && image["height"] as? Int == h && image["crc_ok"] as? Bool == true)
        let pixels = try #require(Data(base64Encoded: image["pixels"] as? String ?? ""))
        for r in 0..<h { #expect(pixels[r * w * 3] == UInt8(h - 1 - r), "upright row \(r)") }

        let opened = try Self.open(page, screenshot: dir.path("shot.png"))
        #expect(opened.errors.isEmpty, "\(opened.errors)")
        #expect(opened.screenshot.variance > 100)
    }

    /// Damaged or missing input: one error line, the project's exit code, no page left behind.
    @Test func damagedInputIsOneLine() throws {
        let dir = try TemporaryDirectory()
        let run = dir.path("run.hdf5"), page = dir.path("report.html")
        var demo = Demo(name: "demo_0")
        demo.arrays["actions"] = Tensor(shape: [2, 7], float64: [Double](repeating: 0, count: 14))
        demo.attributes["num_samples"] = .int(2)
        demo.attributes["mimic_scene"] = .string("not json")
        try writeDataset(run, demos: [demo])
        func check(_ arguments: [String], status: Int32, mentions: String) throws {
            let result = try CLI.run(arguments)
            #expect(result.status == status, "\(arguments): \(result.stderr)")
            let errors = result.stderr.split(separator: "\n").filter { $0.hasPrefix("mimic: error: ") }
            #expect(errors.count == 1 && errors[0].contains(mentions), "\(result.stderr)")
            #expect(!FileManager.default.fileExists(atPath: page))
            #expect(dir.contents.filter { $0.contains(".partial-") }.isEmpty)
        }
        try check(["report", run, "-o", page], status: 74, mentions: "run.hdf5.stats.json")
        try Data(#"{"demos": "many", "samples": 2, "source": "x"}"#.utf8).write(to: URL(fileURLWithPath: run + ".stats.json"))
        try check(["report", run, "-o", page], status: 65, mentions: "demos")
        try Data(#"{"demos": 1, "samples": 2, "source": "x"}"#.utf8).write(to: URL(fileURLWithPath: run + ".stats.json"))
        try check(["report", run, "-o", page], status: 65, mentions: "/data/demo_0.attrs[mimic_scene]")
        try check(["report", dir.path("nothing.hdf5"), "-o", page], status: 74, mentions: "nothing.hdf5")
        let result = try CLI.run(["report", run, "-o", run])
        #expect(result.status == 64 && result.stderr.contains("never modifies its input"))
    }
}
