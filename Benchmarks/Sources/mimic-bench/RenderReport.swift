import Foundation
import MimicCore
import MimicSim

extension MimicBench {
    /// The render section: per image size, Mimic's configurations, then robosuite on the same
    /// frames; then `mimic render` as a separate pass.
    static func runRender(_ options: Options, directory: String, failures: inout [String], sink: inout Double) throws -> String {
        let bench = RenderBench(states: options.renderStates, sourceDemos: options.renderDemos, chunks: options.renderChunks)
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        progress("render: reading \(options.renderSourcePath), compiling the scenes of its first \(options.renderDemos) demos with textures")
        let setup = try bench.setup(sourcePath: options.renderSourcePath, assetsRoot: options.robosuiteAssets)
        var sizes: [(result: RenderBench.SizeResult, robosuite: RenderBench.RobosuiteResult?)] = []
        for side in options.renderSizes {
            progress(
                "render: \(side)x\(side), \(setup.picks.count) states x \(RenderBench.cameras.count) cameras, 1 worker (cull on, off) and \(bench.workers) workers")
            let result = try bench.measure(setup, width: side, height: side, sink: &sink)
            if result.noCullDiffering > 0 { failures.append("render \(side)x\(side): \(result.noCullDiffering) frames differ with cull = false") }
            if result.allWorkersDiffering > 0 {
                failures.append("render \(side)x\(side): \(result.allWorkersDiffering) frames drawn on \(bench.workers) workers differ from 1 worker's")
            }
            let file = directory + "/render-\(side).hdf5"
            try bench.writeComparison(setup, result, to: file)
            progress("render: \(side)x\(side), robosuite (\(displayPath(options.renderScript)))")
            var robosuite: RenderBench.RobosuiteResult?
            do {
                robosuite = try bench.robosuite(
                    python: options.python, script: options.renderScript, file: file, json: directory + "/robosuite-\(side).json",
                    chunks: options.renderChunks)
                if robosuite?.passed == false { failures.append("render \(side)x\(side): robosuite's images differ from Mimic's") }
                if robosuite?.frames != result.frames {
                    failures.append("render \(side)x\(side): robosuite timed \(robosuite?.frames ?? 0) frames, Mimic \(result.frames)")
                }
            } catch {
                failures.append("render \(side)x\(side), robosuite: \(error)")
            }
            sizes.append((result, robosuite))
        }
        var pass: RenderBench.PassResult?
        if options.renderPassDemos > 0 {
            let side = options.renderSizes.first ?? 84
            if FileManager.default.isExecutableFile(atPath: options.mimicPath) {
                progress("render: mimic render of \(options.renderPassDemos) demos at \(side)x\(side), \(bench.workers) workers (\(options.mimicPath))")
                do {
                    pass = try bench.renderPass(
                        mimic: options.mimicPath, setup: setup, demos: options.renderPassDemos, width: side, height: side, directory: directory,
                        reference: sizes.first { $0.result.width == side }?.result)
                    if let differing = pass?.differing, differing > 0 {
                        failures.append("mimic render: \(differing) frames differ from the in-process images of the same states")
                    }
                } catch {
                    failures.append("mimic render pass: \(error)")
                }
            } else {
                failures.append("no mimic binary at \(options.mimicPath) for the mimic render pass (swift build -c release first)")
            }
        }
        return renderReport(setup: setup, sizes: sizes, pass: pass, bench: bench, options: options)
    }

    static func renderReport(
        setup: RenderBench.Setup, sizes: [(result: RenderBench.SizeResult, robosuite: RenderBench.RobosuiteResult?)],
        pass: RenderBench.PassResult?, bench: RenderBench, options: Options
    ) -> String {
        var rows = [
            [
                "size", "renderer", "workers", "frames", "ms/frame wall", "min-max", "ms/frame CPU", "min-max", "frame median wall",
                "frame median CPU", "robosuite/this wall", "robosuite/this CPU",
            ]
        ]
        var lines: [String] = []
        let n = bench.workers
        for (result, robosuite) in sizes {
            let size = "\(result.width)x\(result.height)"
            func ratio(_ reference: Double?, _ value: Double) -> String { reference.map { fixed($0 / value, 2) + "x" } ?? "n/a" }
            func row(_ name: String, workers: String, frames: Int, _ wall: Stats, _ cpu: Stats, frameWall: Double?, frameCPU: Double?) -> [String] {
                [
                    size, name, workers, String(frames), short(wall.median), short(wall.min) + "-" + short(wall.max), short(cpu.median),
                    short(cpu.min) + "-" + short(cpu.max), frameWall.map(short) ?? "", frameCPU.map(short) ?? "",
                    ratio(robosuite?.wall.median, wall.median), ratio(robosuite?.cpu.median, cpu.median),
                ]
            }
            let t = result.timings
            let one = t[.oneWorker]!, noCull = t[.oneWorkerNoCull]!, all = t[.allWorkers]!
            rows.append(row("Mimic CameraRenderer", workers: "1", frames: result.frames, one.wall, one.cpu, frameWall: one.frameWall, frameCPU: one.frameCPU))
            rows.append(
                row(
                    "Mimic CameraRenderer, cull = false", workers: "1", frames: result.frames, noCull.wall, noCull.cpu, frameWall: noCull.frameWall,
                    frameCPU: noCull.frameCPU))
            rows.append(row("Mimic CameraRenderer, all cores", workers: String(n), frames: result.frames, all.wall, all.cpu, frameWall: nil, frameCPU: nil))
            if let r = robosuite {
                rows.append(row("robosuite 1.5.2 sim.render", workers: "1", frames: r.frames, r.wall, r.cpu, frameWall: r.frameWall, frameCPU: r.frameCPU))
            } else {
                rows.append([size, "robosuite 1.5.2 sim.render: not run"])
            }
            rows.append([])
            var line =
                "\(size): 1 -> \(n) workers \(fixed(one.wall.median / all.wall.median, 2))x the frames per second (CPU per frame \(fixed(all.cpu.median / one.cpu.median, 2))x); "
                + "cull = false costs \(fixed(noCull.wall.median / one.wall.median, 2))x the wall and \(fixed(noCull.cpu.median / one.cpu.median, 2))x the CPU per frame"
            if let r = robosuite {
                line +=
                    "; robosuite/Mimic per core (1 worker): \(fixed(r.wall.median / one.wall.median, 2))x wall, \(fixed(r.cpu.median / one.cpu.median, 2))x CPU; "
                    + "robosuite/Mimic on \(n) workers (wall): \(fixed(r.wall.median / all.wall.median, 2))x"
            }
            lines.append(line)
            var check =
                "       check: cull = false \(result.noCullDiffering == 0 ? "the same pixels" : "\(result.noCullDiffering) frames DIFFER"); \(n) workers "
                + (result.allWorkersDiffering == 0 ? "the same pixels" : "\(result.allWorkersDiffering) frames DIFFER")
            if let r = robosuite {
                check +=
                    "; robosuite vs Mimic: "
                    + r.check.map { "\($0.camera) mean |diff| \(fixed($0.meanDifference, 4)) levels, \(fixed(100 * $0.differing, 3))% of values differ" }
                    .joined(separator: ", ") + (r.passed ? "" : " (FAILED)") + "; robosuite script \(fixed(r.seconds, 0)) s in all"
            }
            lines.append(check + "; Mimic setup (worlds, \(n * setup.scenes.count * RenderBench.cameras.count) renderers, first frames) \(fixed(result.setupSeconds, 1)) s")
        }
        if rows.last?.isEmpty == true { rows.removeLast() }
        var passText = ""
        if let pass {
            var passRows = [
                [
                    "pass", "demos", "states", "frames", "size", "workers", "wall s", "frames/s", "ms/frame wall", "CPU s", "ms/frame CPU",
                    "x in-process all cores (wall)",
                ]
            ]
            let inProcess = sizes.first { $0.result.width == pass.width && $0.result.height == pass.height }?.result.timings[.allWorkers]
            let perFrame = 1000 * pass.wall / Double(pass.frames)
            passRows.append([
                "mimic render", String(pass.demos), String(pass.states), String(pass.frames), "\(pass.width)x\(pass.height)", String(pass.workers),
                fixed(pass.wall, 1), short(Double(pass.frames) / pass.wall), short(perFrame), fixed(pass.cpu, 1),
                short(1000 * pass.cpu / Double(pass.frames)), inProcess.map { fixed(perFrame / $0.wall.median, 2) + "x" } ?? "n/a",
            ])
            let compared =
                pass.compared.map { "check: \($0) of its frames compared with the in-process images of the same states: \(pass.differing ?? 0) differ" }
                ?? "check: not compared"
            passText =
                "\n\n`mimic render` as a separate pass (\(displayPath(options.mimicPath))): the first \(pass.demos) demos of the source copied to a file of their\n"
                + "         own, then `mimic render FILE -o OUT --cameras \(RenderBench.cameras.joined(separator: ",")) --image-size \(pass.width)x\(pass.height) --workers \(pass.workers)`, timed whole\n"
                + "         (reading, compiling each demo's scene with textures, GL contexts, every state drawn, gzip 4 writing). CPU: getrusage\n"
                + "         of the child. x in-process: its wall per frame / the in-process all-cores row's.\n\n"
                + formatTable(passRows, rightAligned: Set(1...11)) + "\n" + compared
        }
        let lp = ProcessInfo.processInfo.environment["LP_NUM_THREADS"].map { "LP_NUM_THREADS=\($0)" } ?? "LP_NUM_THREADS unset: llvmpipe rasterizes on one thread per core"
        return """
            Rendering  camera frames of \(displayPath(setup.sourcePath)) (cameras \(RenderBench.cameras.joined(separator: ", "))), MimicSim's CameraRenderer
                     (MuJoCo's renderer, OSMesa) against robosuite 1.5.2 (MUJOCO_GL=osmesa) drawing the same frames in this run
            states: \(setup.picks.count) spread evenly over the \(setup.states.enumerated().map { $0.element.count / setup.scenes[$0.offset].stateSize }.reduce(0, +)) rows of its first \(setup.demos.count) demos (each in its own model_file, compiled with
                     textures in \(fixed(setup.compileSeconds, 1)) s); \(setup.picks.count * RenderBench.cameras.count) frames per configuration; \(lp), for both.
            Mimic: one CameraRenderer per camera, demo scene and worker; a frame is render(states:rows: 1) (restore the state with
                     mj_forward, draw, read the pixels); one untimed frame per renderer first. The frames go in \(options.renderChunks) chunks; the
                     configurations take turns chunk by chunk. all cores: each chunk over parallelMap, \(bench.workers) workers, worker w drawing
                     frames w, w + \(bench.workers), ... with its own renderers: ms/frame wall is the chunk's elapsed time / its frames (throughput).
            robosuite: Demos/verify/robosuite_render.py --time on a file of the same states and Mimic's images: per state
                     set_state_from_flattened + forward, its camera observations compared with Mimic's, then each camera timed
                     alone (sim.render, which neither restores nor runs mj_forward): a frame's time, grouped in the same chunks.
            ms/frame: median over the chunks of a chunk's mean; min-max over the chunks; CPU is the whole process's
                     (CLOCK_PROCESS_CPUTIME_ID; robosuite: time.process_time), llvmpipe's threads included. frame median: median
                     of single frames (robosuite_render.py's own figure). robosuite/this: robosuite's ms/frame / this row's.

            """ + formatTable(rows, rightAligned: Set(2...11)) + "\n" + lines.joined(separator: "\n") + passText
    }
}
