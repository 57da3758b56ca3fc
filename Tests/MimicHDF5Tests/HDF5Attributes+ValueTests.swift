import Testing
import MimicCore
@testable import MimicHDF5

@Suite struct HDF5AttributesValueTests {
    @Test(arguments: [AttributeValue.int(-3), .double(2.5), .string("héllo"), .ints([1, 2, 3]), .doubles([0.25, -1]), .bool(true)])
    func everyKindRoundTrips(_ value: AttributeValue) throws {
        try withTemporaryFile { file in
            try file.root.attributes.set("a", value: value)
            #expect(try file.root.attributes.value("a") == value)
        }
    }

    @Test func singleElementArraysReadAsScalars() throws {
        try withTemporaryFile { file in
            try file.root.attributes.set("a", ints: [7])
            #expect(try file.root.attributes.value("a") == .int(7))
        }
    }
}
