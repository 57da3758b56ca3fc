import Testing
import MimicCore
@testable import MimicSim

@Suite struct MuJoCoCallsTests {
    @Test func linksMuJoCo330() { #expect(mujocoVersion == "3.3.0") }

    @Test func compilerErrorsBecomeDatasetErrors() {
        do {
            _ = try loadModel(xml: "<mujoco><worldbody><geom type=\"box\"/></worldbody>", file: "f.hdf5", path: "/data/demo_0.attrs[model_file]")
            Issue.record("expected an error")
        } catch {
            #expect(error.file == "f.hdf5" && error.path == "/data/demo_0.attrs[model_file]")
            #expect(error.detail.hasPrefix("MuJoCo 3.3.0 cannot compile the MJCF: "))
        }
    }
}
