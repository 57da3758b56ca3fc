import Foundation
import Testing
import MimicSim

@Suite struct RobosuiteAssetsTests {
    @Test func remapsRobosuiteAssetPaths() {
        let xml =
            #"<mesh file="/path/to/site-packages/robosuite/models/assets/robots/panda/meshes/link0.stl"/><texture file="/other/x.png"/><mesh file="/home/u/venv/lib/robosuite/models/assets/a.obj" name="a"/>"#
        #expect(RobosuiteAssets.isNeeded(by: xml))
        #expect(!RobosuiteAssets.isNeeded(by: #"<mesh file="/other/x.stl"/>"#))
        let out = RobosuiteAssets.remapping(xml, to: "/opt/rs/models/assets/")
        #expect(out == #"<mesh file="/opt/rs/models/assets/robots/panda/meshes/link0.stl"/><texture file="/other/x.png"/><mesh file="/opt/rs/models/assets/a.obj" name="a"/>"#)
    }

    @Test func relativeRootsBecomeAbsolute() {
        let root = RobosuiteAssets.normalize("some/dir/")
        #expect(root.hasPrefix("/"))
        #expect(root.hasSuffix("some/dir"))
    }

    /// The package directory stands for its models/assets directory.
    @Test func aPackageDirectoryMeansItsAssets() throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("mimic-rs-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir.appendingPathComponent("models/assets"), withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }
        #expect(RobosuiteAssets.normalize(dir.path) == dir.standardizedFileURL.path + "/models/assets")
        #expect(RobosuiteAssets.normalize(dir.path + "/models/assets") == dir.standardizedFileURL.path + "/models/assets")
    }

    /// The installed robosuite (scripts/setup.sh installs it) is found; a missing Python is an I/O error naming the flag.
    @Test func findsTheInstalledRobosuite() throws {
        let assets = try RobosuiteAssets.installed()
        #expect(assets.hasSuffix("robosuite/models/assets"))
        #expect(FileManager.default.fileExists(atPath: assets + "/robots/panda/robot.xml"))
        do {
            _ = try RobosuiteAssets.installed(python: "no-such-python-3")
            Issue.record("expected an error")
        } catch {
            #expect(error.kind == .io)
            #expect(error.description.contains("--robosuite-assets"))
        }
    }
}
