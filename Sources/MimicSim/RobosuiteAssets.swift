import Foundation
import MimicCore

/// robosuite's scene assets on this machine: the meshes and textures a stored robosuite scene
/// (a demo's `model_file`) names by absolute path on the machine that recorded it.
///
/// A stored scene says `file=".../robosuite/models/assets/<rest>"`; Mimic rewrites every such
/// path to `<root>/<rest>` with the local asset directory before compiling. The directory is
/// resolved once per dataset by its ``SceneCatalog``: the one given (`--robosuite-assets`), else
/// the installed robosuite package's, asked of `python3` only when a scene names such a file.
public enum RobosuiteAssets {
    /// What every robosuite asset path contains.
    static let marker = "robosuite/models/assets/"

    /// Whether `xml` names files inside robosuite's asset tree.
    public static func isNeeded(by xml: String) -> Bool { xml.contains(marker) }

    /// `xml` with every `file="…robosuite/models/assets/<rest>"` attribute rewritten to
    /// `file="<assetsRoot>/<rest>"`. Other attributes and other paths are left alone, so the
    /// placeholder `/path/to/site-packages/robosuite` and any other machine's install prefix map
    /// to the same local files.
    public static func remapping(_ xml: String, to assetsRoot: String) -> String {
        let root = assetsRoot.hasSuffix("/") ? String(assetsRoot.dropLast()) : assetsRoot
        var out = ""
        out.reserveCapacity(xml.utf8.count)
        var rest = xml[...]
        let opener = "file=\""
        while let open = rest.range(of: opener) {
            out += rest[..<open.upperBound]
            rest = rest[open.upperBound...]
            guard let close = rest.firstIndex(of: "\"") else { break }
            let value = rest[..<close]
            if let found = value.range(of: marker) {
                out += root + "/" + value[found.upperBound...]
            } else {
                out += value
            }
            rest = rest[close...]
        }
        out += rest
        return out
    }

    /// `dir` as an absolute path to the `models/assets` directory: accepts that directory or the
    /// robosuite package directory that contains it (MuJoCo resolves relative file names against
    /// the model's meshdir, so the result is absolute).
    public static func normalize(_ dir: String) -> String {
        let absolute = URL(fileURLWithPath: dir).standardizedFileURL.path
        let trimmed = absolute.hasSuffix("/") ? String(absolute.dropLast()) : absolute
        if !trimmed.hasSuffix("models/assets"), FileManager.default.fileExists(atPath: trimmed + "/models/assets") {
            return trimmed + "/models/assets"
        }
        return trimmed
    }

    /// The installed robosuite's `models/assets` directory, asked of `python`
    /// (`os.path.dirname(robosuite.__file__)/models/assets`, found without importing robosuite).
    /// Starts a process: resolve once per run.
    ///
    /// - Throws: ``DatasetError`` (`.io`) when Python or robosuite is missing; the message says
    ///   to pass the directory explicitly.
    public static func installed(python: String = "python3") throws(DatasetError) -> String {
        func failure(_ detail: String) -> DatasetError {
            DatasetError(
                .io, file: python, path: "import robosuite",
                "cannot find robosuite's asset directory (\(detail)); install robosuite 1.5 or pass its models/assets directory (--robosuite-assets)")
        }
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = [python, "-c", "import importlib.util, os; s = importlib.util.find_spec('robosuite'); print(os.path.dirname(s.origin) if s else '')"]
        let output = Pipe()
        process.standardOutput = output
        process.standardError = FileHandle.nullDevice
        do { try process.run() } catch { throw failure("\(error)") }
        let data = output.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        let dir = String(decoding: data, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
        guard process.terminationStatus == 0, !dir.isEmpty else { throw failure("robosuite is not importable") }
        let assets = dir + "/models/assets"
        guard FileManager.default.fileExists(atPath: assets) else { throw failure("\(assets) does not exist") }
        return assets
    }
}
