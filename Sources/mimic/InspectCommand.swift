import ArgumentParser
import Foundation
import MimicCore
import MimicHDF5

struct InspectCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "inspect",
        abstract: "Show a dataset's layout, demos, lengths, keys, masks and datagen_info.")

    @Argument(help: "An HDF5 dataset (robomimic, MimicGen, robosuite raw or Isaac Lab layout).")
    var file: String

    @Flag(help: "Print one JSON object instead of tables.")
    var json = false

    func run() async throws {
        let summary = try reportingFailures { try RobomimicReader(path: file).summary() }
        if json {
            Console.out(try Self.json(summary))
        } else {
            for line in Self.human(summary) { Console.out(line) }
        }
    }

    static func json(_ s: DatasetSummary) throws -> String {
        let lengths = s.lengths
        var object: [String: Any] = [
            "file": s.file,
            "format": s.format.rawValue,
            "env_name": s.envName as Any? ?? NSNull(),
            "env_version": s.envVersion as Any? ?? NSNull(),
            "demos": s.demoNames.count,
            "demo_names": s.demoNames,
            "samples": s.samples,
            "length": [
                "min": lengths.min() ?? 0,
                "mean": lengths.isEmpty ? 0 : Double(s.samples) / Double(lengths.count),
                "max": lengths.max() ?? 0,
            ],
            "action_dim": s.actionDim as Any? ?? NSNull(),
            "keys": s.keys.map { ["path": $0.path, "shape": $0.shape, "dtype": $0.dtype] },
            "masks": s.masks.mapValues { $0.count },
        ]
        if let d = s.datagenInfo {
            object["datagen_info"] =
                [
                    "end_effectors": d.endEffectors,
                    "objects": d.objects,
                    "signals": d.signals,
                    "first_rise": Dictionary(
                        uniqueKeysWithValues: d.firstRise.map { row in
                            (row.demo, row.steps.mapValues { $0 as Any? ?? NSNull() })
                        }),
                ] as [String: Any]
        } else {
            object["datagen_info"] = NSNull()
        }
        let data = try JSONSerialization.data(withJSONObject: object, options: [.sortedKeys, .prettyPrinted, .withoutEscapingSlashes])
        return String(decoding: data, as: UTF8.self)
    }

    static func human(_ s: DatasetSummary) -> [String] {
        var out = [s.file]
        let lengths = s.lengths
        let mean = lengths.isEmpty ? 0 : Double(s.samples) / Double(lengths.count)
        var env = s.envName ?? "unknown"
        if let v = s.envVersion { env += " (version \(v))" }
        let masks = s.masks.keys.sorted().map { "\($0) \(s.masks[$0]!.count)" }.joined(separator: ", ")
        out += Console.table([
            ["format", s.format.rawValue],
            ["env", env],
            ["demos", "\(s.demoNames.count)" + (masks.isEmpty ? "" : "  (masks: \(masks))")],
            ["samples", "\(s.samples)"],
            ["length", "min \(lengths.min() ?? 0)  mean \(String(format: "%.1f", mean))  max \(lengths.max() ?? 0)"],
            ["action dim", s.actionDim.map(String.init) ?? "-"],
        ])
        out.append("")
        out.append("keys (first demo)")
        // next_obs usually mirrors obs key for key: say so in one row instead of repeating them all.
        let obs = s.keys.filter { $0.path.hasPrefix("obs/") }
        let next = s.keys.filter { $0.path.hasPrefix("next_obs/") }
        let mirrored =
            !next.isEmpty && next.count == obs.count
            && zip(obs, next).allSatisfy { $0.path.dropFirst(4) == $1.path.dropFirst(9) && $0.shape == $1.shape && $0.dtype == $1.dtype }
        var rows = [["path", "shape", "dtype"]]
        for key in s.keys where !(mirrored && key.path.hasPrefix("next_obs/")) {
            rows.append([key.path, "(" + key.shape.map(String.init).joined(separator: ", ") + ")", key.dtype])
        }
        if mirrored { rows.append(["next_obs/*", "(as obs/*)", "\(next.count) keys"]) }
        out += Console.table(rows)
        if let d = s.datagenInfo {
            out.append("")
            out.append("datagen_info")
            out += Console.table([
                ["end effectors", d.endEffectors.joined(separator: ", ")],
                ["objects", d.objects.isEmpty ? "-" : d.objects.joined(separator: ", ")],
                ["signals", d.signals.isEmpty ? "-" : d.signals.joined(separator: ", ")],
            ])
            if !d.signals.isEmpty {
                out.append("")
                out.append("first rise of each signal (step)")
                out += Console.table(
                    [["demo"] + d.signals]
                        + d.firstRise.map { row in
                            [row.demo] + d.signals.map { signal in (row.steps[signal] ?? nil).map(String.init) ?? "-" }
                        })
            }
        }
        return out
    }
}
