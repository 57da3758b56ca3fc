import Foundation
import Testing

@testable import MimicReport

@Suite struct ReportPageTests {
    static func report(
        kinematic: Bool = false, phases: [(phase: String, seconds: Double)]? = nil, frames: Bool = false, task: String = "Stack"
    )
        -> RunReport
    {
        let line: [SIMD3<Double>] = (0..<40).map { (t: Int) -> SIMD3<Double> in
            let s = Double(t)
            return SIMD3(0.1 - s * 0.005, s * 0.002, 1.0 - s * 0.004)
        }
        let header = RunReport.Header(
            source: "stack_prepared.hdf5", output: "stack_gen.hdf5", task: task, robots: ["Panda"], seed: 3, workers: 2, demos: 20, samples: 2858,
            attempts: kinematic ? nil : 23, kinematic: kinematic, mujoco: kinematic ? nil : "3.3.0", seconds: 8.83)
        let image = RGBImage(width: 4, height: 4, pixels: (0..<48).map { UInt8($0 * 5) })
        return RunReport(
            header: header,
            paths: .init(
                effectors: ["robot0"], sources: [.init(demo: "demo_0", effectors: [line])], generated: [.init(demo: "demo_0", effectors: [line])],
                generatedTotal: 20),
            placements: .init(
                regions: [.init(object: "cubeA", x: -0.08...0.08, y: -0.08...0.08)], sources: [.init(object: "cubeA", demo: "demo_0", x: 0, y: 0)],
                generated: [.init(object: "cubeA", demo: "demo_0", x: 0.01, y: -0.02)], generatedTotal: 20),
            outcome: .init(failureReasons: kinematic ? [:] : ["no_success": 1, "success_not_held": 2]),
            lengths: .init(generated: [140, 150, 160], generatedTotal: 20, sources: [130, 145]),
            phaseSeconds: phases,
            cameras: frames ? [.init(camera: "agentview", frames: [.init(demo: "demo_0", step: 0, image: image)])] : [])
    }

    @Test func hasEverySectionAndTheRunsNumbers() {
        let page = ReportPage.html(Self.report(), generator: "mimic test")
        for id in ["run", "paths", "placements", "outcome", "lengths", "phases"] { #expect(page.contains(#"<section id="\#(id)">"#), "section \(id)") }
        #expect(!page.contains(#"id="frames""#))
        for text in ["stack_prepared.hdf5", "Panda", "87.0 %", "2\u{2009}858", "MuJoCo 3.3.0", "8.83 s", "success not held", "no success", "cubeA reset region"] {
            #expect(page.contains(text), "\(text)")
        }
        #expect(page.contains("Time per phase: not recorded"))
        #expect(!page.contains("<script") && !page.contains("http://") && !page.contains("https://"))
    }

    /// Failure bars are sorted by count, most frequent first.
    @Test func failureReasonsMostFrequentFirst() throws {
        let page = ReportPage.html(Self.report(), generator: "g")
        let a = try #require(page.range(of: ">success not held</text>")), b = try #require(page.range(of: ">no success</text>"))
        #expect(a.lowerBound < b.lowerBound)
    }

    @Test func phasesWhenRecorded() {
        let page = ReportPage.html(
            Self.report(phases: [("write", 1.5), ("physics", 6.0), ("plan", 0.5), ("render", 0), ("observations", 0.25)]), generator: "g")
        #expect(!page.contains("not recorded (the run"))
        let order = ["plan", "physics (workers)", "observations (workers)", "render (workers)", "write"].map { page.range(of: ">\($0)</text>")?.lowerBound }
        #expect(order.allSatisfy { $0 != nil })
        #expect(order.compactMap { $0 } == order.compactMap { $0 }.sorted())
        #expect(page.contains("6.00 s · 72.7 %"))
    }

    @Test func kinematicRunsSayTheyAreUnchecked() {
        let page = ReportPage.html(Self.report(kinematic: true), generator: "g")
        #expect(page.contains("kinematic candidates") && page.contains("no success rate"))
        #expect(!page.contains("attempts</span>"))
    }

    @Test func framesAreInlinePNGs() {
        let page = ReportPage.html(Self.report(frames: true), generator: "g")
        #expect(page.contains(#"<section id="frames">"#) && page.contains("<h3>agentview</h3>"))
        #expect(page.contains(#"src="\#(RGBImage(width: 4, height: 4, pixels: (0..<48).map { UInt8($0 * 5) }).pngDataURI)""#))
    }

    @Test func textFromTheRunIsEscaped() {
        let page = ReportPage.html(Self.report(task: "<img src=x onerror=alert(1)>"), generator: "g")
        #expect(!page.contains("<img src=x") && page.contains("&lt;img src=x onerror=alert(1)&gt;"))
    }

    @Test func sameReportSameBytes() {
        let phases: [(phase: String, seconds: Double)] = [("plan", 1), ("write", 2)]
        #expect(ReportPage.html(Self.report(phases: phases, frames: true), generator: "g") == ReportPage.html(Self.report(phases: phases, frames: true), generator: "g"))
    }
}
