import Testing
import MimicCore
@testable import MimicHDF5

@Suite struct DTypeTests {
    @Test func descriptionsAreNumpyLike() {
        #expect(DType.float32.description == "float32")
        #expect(DType.uint64.description == "uint64")
        #expect(DType.bool.description == "bool")
        #expect(DType.fixedString(12).description == "|S12")
        #expect(DType.variableString.description == "str")
        #expect(DType.other("compound").description == "compound")
        #expect(DType.fixedString(3).isString && DType.variableString.isString && !DType.int8.isString)
    }

    @Test(arguments: sampleTensors(shape: [1]))
    func storageMapsToItsDType(tensor: Tensor) {
        #expect(DType(tensor.storage).description == tensor.dtypeName)
    }

    @Test func inspectsPredefinedTypes() throws {
        let site = H5Site(file: "t", path: "/")
        #expect(try H5TypeInfo(inspecting: H5.Predefined.float32LE, site).dtype == .float32)
        #expect(try H5TypeInfo(inspecting: H5.Predefined.nativeUInt16, site).dtype == .uint16)
        #expect(try H5TypeInfo(inspecting: H5.Predefined.int64LE, site).element == .int64)
        let bool = try H5IO.createBoolType(site)
        defer { H5.close(bool, .datatype) }
        let info = try H5TypeInfo(inspecting: bool, site)
        #expect(info.dtype == .bool)
        #expect(info.element == .int8)
        #expect(info.readsThroughNativeCopy)
        let text = try H5IO.createFixedStringType(size: 7, site)
        defer { H5.close(text, .datatype) }
        #expect(try H5TypeInfo(inspecting: text, site).dtype == .fixedString(7))
        #expect(try H5TypeInfo(inspecting: text, site).element == nil)
        let variable = try H5IO.createVariableStringType(site)
        defer { H5.close(variable, .datatype) }
        #expect(try H5TypeInfo(inspecting: variable, site).dtype == .variableString)
    }

    @Test func otherEnumsAreNotBool() throws {
        let site = H5Site(file: "t", path: "/")
        let type = try H5.enumCreate(base: H5.Predefined.nativeInt8, site)
        defer { H5.close(type, .datatype) }
        try H5.enumInsert(type, "RED", 0, site)
        try H5.enumInsert(type, "GREEN", 1, site)
        #expect(try H5TypeInfo(inspecting: type, site).dtype == .other("enum"))
    }
}
