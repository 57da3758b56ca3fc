import Testing
import MimicCore
@testable import MimicHDF5

@Suite struct H5CallsTests {
    @Test func shimConstantsMatchTheHeaders() {
        #expect(H5.defaultPlist == 0)
        #expect(H5.allSpace == 0)
        #expect(H5.variableSize == -1)  // (size_t)-1 imports as Int
        #expect(H5.unlimited == UInt64.max)
        #expect(H5.deflateFilter == 1)
        #expect(H5.shuffleFilter == 2)
    }

    @Test func predefinedTypesHaveTheirSizes() {
        #expect(H5.typeSize(H5.Predefined.nativeFloat) == 4)
        #expect(H5.typeSize(H5.Predefined.nativeDouble) == 8)
        #expect(H5.typeSize(H5.Predefined.nativeInt8) == 1)
        #expect(H5.typeSize(H5.Predefined.nativeUInt16) == 2)
        #expect(H5.typeSize(H5.Predefined.int64LE) == 8)
        #expect(H5.typeSize(H5.Predefined.cString) == 1)
    }

    @Test func failingCallsThrowWithHDF5sMessage() {
        let site = H5Site(file: "nowhere.hdf5", path: "/x")
        let error = expectHDF5Error(.io) { _ = try H5.groupOpen(-1, "x", site) }
        #expect(error?.detail.hasPrefix("H5Gopen2 failed: ") == true)
        #expect(error?.path == "/x")
    }

    @Test func handleClosesOnceAndRefusesUseAfterClose() throws {
        let space = try H5.spaceCreateScalar(H5Site(file: "f", path: "/"))
        let handle = H5Handle(space, .dataspace)
        #expect(handle.isOpen)
        handle.close()
        handle.close()
        #expect(!handle.isOpen)
        let closed = HDF5Error(.io, file: "f", path: "/", detail: "closed")
        let error = expectHDF5Error(.io) { try handle.withID(closed) { (_) throws(HDF5Error) in } }
        #expect(error == closed)
    }

    @Test func storageSizeFileSizeAndIdentity() throws {
        try withTemporaryFile { file in
            try file.root.write("a", Tensor(shape: [10], float64: .init(repeating: 1, count: 10)))
            try file.root.createSoftLink("b", to: "/a")
            try file.flush()
            let site = H5Site(file: file.path, path: "/a")
            let a = try file.root.dataset("a"), b = try file.root.dataset("b")
            try a.withID { (id) throws(HDF5Error) in
                #expect(H5.storageSize(id) == 80)
                #expect(try H5.fileSize(holding: id, site) > 80)
                let same = try b.withID { (other) throws(HDF5Error) in try H5.objectIdentity(other, site) }
                #expect(try H5.objectIdentity(id, site) == same)
                let root = try file.root.withID { (other) throws(HDF5Error) in try H5.objectIdentity(other, site) }
                #expect(try H5.objectIdentity(id, site) != root)
            }
        }
    }
}
