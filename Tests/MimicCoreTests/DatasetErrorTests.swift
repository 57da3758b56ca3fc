import Testing
@testable import MimicCore

@Suite struct DatasetErrorTests {
    @Test func descriptionIsOneLineNamingFileAndPath() {
        let e = DatasetError(file: "in.hdf5", path: "/data/demo_0/actions", "expected float actions, found int64")
        #expect(e.description == "in.hdf5: /data/demo_0/actions: expected float actions, found int64")
        #expect(!e.description.contains("\n"))
        #expect(e.kind == .invalidData)
    }

    @Test func emptyPathMeansTheFile() {
        #expect(DatasetError(.io, file: "x.json", path: "", "cannot read").description == "x.json: /: cannot read")
    }
}
