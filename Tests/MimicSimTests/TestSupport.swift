import Foundation
import MimicCore
import MimicHDF5
import MimicSim
import Testing

/// The bundled datasets and their demos, read once per test process (HDF5 wants one thread).
enum Bundled {
    static let packageRoot = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()

    /// A bundled dataset (`Datasets/`), or a test fixture (`Tests/Fixtures/`) of that name.
    static func path(_ name: String) -> String {
        let bundled = packageRoot.appendingPathComponent("Datasets/\(name).hdf5").path
        return FileManager.default.fileExists(atPath: bundled) ? bundled : packageRoot.appendingPathComponent("Tests/Fixtures/\(name).hdf5").path
    }

    /// A dataset's env_args and demos, in demo order.
    struct Dataset: Sendable {
        var name: String
        var envArgs: EnvArgs
        var demos: [Demo]
    }

    nonisolated(unsafe) private static var cache: [String: Dataset] = [:]
    private static let lock = NSLock()

    static func dataset(_ name: String) throws -> Dataset {
        lock.lock()
        defer { lock.unlock() }
        if let d = cache[name] { return d }
        let reader = try RobomimicReader(path: path(name))
        let demos = try reader.demoNames.map { try reader.demo($0) }
        let d = Dataset(name: name, envArgs: reader.envArgs!, demos: demos)
        cache[name] = d
        return d
    }

    nonisolated(unsafe) private static var scenes: [String: Scene] = [:]

    /// The installed robosuite's asset directory, which the bundled scenes name.
    static let assetsRoot: String? = try? RobosuiteAssets.installed()

    /// The scene of one demo (compiled once per test process: about 0.5 s each).
    static func scene(_ name: String, demo: Int = 0) throws -> Scene {
        let d = try dataset(name)
        lock.lock()
        defer { lock.unlock() }
        let key = "\(name)#\(demo)"
        if let s = scenes[key] { return s }
        let s = try Scene(
            mjcf: d.demos[demo].modelXML!, assetsRoot: assetsRoot, file: path(name),
            path: "/data/\(d.demos[demo].name).attrs[model_file]")
        scenes[key] = s
        return s
    }
}

extension Tensor {
    /// Row `t` as doubles.
    func row(_ t: Int) -> [Double] {
        let w = rowWidth
        return Array(doubles[t * w..<(t + 1) * w])
    }
}

/// The largest |a[i] - b[i]|; arrays of different lengths are a test failure (and give infinity).
func maxAbsDifference(_ a: [Double], _ b: [Double], sourceLocation: SourceLocation = #_sourceLocation) -> Double {
    guard a.count == b.count else {
        Issue.record("maxAbsDifference of arrays of different lengths, \(a.count) and \(b.count)", sourceLocation: sourceLocation)
        return .infinity
    }
    return zip(a, b).reduce(0) { max($0, abs($1.0 - $1.1)) }
}
