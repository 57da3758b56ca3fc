import Testing
@testable import MimicHDF5

@Suite struct H5CallsTests {
    @Test func shimConstantsMatchTheHeaders() {
        #expect(H5.defaultPlist == 0)
        #expect(H5.allSpace == 0)
        #expect(H5.variableSize == -1)          // (size_t)-1 imports as Int
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
}
