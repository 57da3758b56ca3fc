import CHDF5
import Testing
import MimicCore
@testable import MimicHDF5

@Suite struct HDF5AttributesTests {
    @Test func everyKindRoundTrips() throws {
        try withTemporaryFile { file in
            let data = try file.root.createGroup("data")
            let a = data.attributes
            try a.set("total", int: 12345)
            try a.set("negative", int: -7)
            try a.set("dt", double: 0.05)
            try a.set("env_args", string: "{\"env_name\": \"Stack_D0\", \"ü\": 1}")
            try a.set("bounds", doubles: [-1.5, 0, 2.25])
            try a.set("indices", ints: [3, 1, 4, 1, 5])
            try a.set("success", bool: true)
            try a.set("failed", bool: false)
            try a.set("no_doubles", doubles: [])

            #expect(try a.int("total") == 12345)
            #expect(try a.int("negative") == -7)
            #expect(try a.double("dt") == 0.05)
            #expect(try a.double("total") == 12345)
            #expect(try a.string("env_args") == "{\"env_name\": \"Stack_D0\", \"ü\": 1}")
            #expect(try a.doubles("bounds") == [-1.5, 0, 2.25])
            #expect(try a.ints("indices") == [3, 1, 4, 1, 5])
            #expect(try a.doubles("indices") == [3, 1, 4, 1, 5])
            #expect(try a.bool("success"))
            #expect(try !a.bool("failed"))
            #expect(try a.int("success") == 1)
            #expect(try a.double("success") == 1)
            #expect(try a.doubles("no_doubles") == [])
            #expect(try a.ints("total") == [12345])

            #expect(try a.dtype("total") == .int64)
            #expect(try a.dtype("dt") == .float64)
            #expect(try a.dtype("env_args") == .variableString)
            #expect(try a.dtype("success") == .bool)
            #expect(try a.names() == ["bounds", "dt", "env_args", "failed", "indices", "negative", "no_doubles", "success", "total"])
            #expect(a.contains("total"))
            #expect(!a.contains("missing"))
        }
    }

    @Test func overwriteChangesTypeAndValue() throws {
        try withTemporaryFile { file in
            let a = file.root.attributes
            try a.set("x", int: 1)
            try a.set("x", string: "one")
            #expect(try a.string("x") == "one")
            try a.set("x", doubles: [1, 2])
            #expect(try a.doubles("x") == [1, 2])
            #expect(try a.names() == ["x"])
        }
    }

    @Test func numericTensorAttributesAndSmallerIntegers() throws {
        try withTemporaryFile { file in
            let a = file.root.attributes
            try a.set("u8", tensor: Tensor(shape: [], storage: .uint8([200])))
            try a.set("i16", tensor: Tensor(shape: [1], storage: .int16([-300])))
            try a.set("f32", tensor: Tensor(shape: [2], storage: .float32([0.5, 1.5])))
            try a.set("big", tensor: Tensor(shape: [], storage: .uint64([UInt64.max])))
            #expect(try a.int("u8") == 200)
            #expect(try a.int("i16") == -300)
            #expect(try a.double("u8") == 200)
            #expect(try a.doubles("f32") == [0.5, 1.5])
            expectHDF5Error(.invalidData) { _ = try a.int("big") }
        }
    }

    @Test func fixedLengthStringAttributesRead() throws {
        try withTemporaryFile { file in
            // numpy bytes (np.bytes_("robomimic")) is a fixed-length string attribute.
            let site = H5Site(file: file.path, path: "/")
            let type = try H5IO.createFixedStringType(size: 9, site)
            defer { H5.close(type, .datatype) }
            try file.root.withID { (root) throws(HDF5Error) in
                let space = try H5.spaceCreateScalar(site)
                defer { H5.close(space, .dataspace) }
                let attribute = try H5.attributeCreate(root, "source", type: type, space: space, site)
                defer { H5.close(attribute, .attribute) }
                try H5.attributeWrite(attribute, memoryType: type, from: Array("robomimic".utf8), site)
            }
            #expect(try file.root.attributes.string("source") == "robomimic")
            #expect(try file.root.attributes.dtype("source") == .fixedString(9))
        }
    }

    @Test func wrongTypesAndShapesAreReported() throws {
        try withTemporaryFile { file in
            let a = file.root.attributes
            try a.set("name", string: "Lift")
            try a.set("dt", double: 0.05)
            try a.set("pair", ints: [1, 2])
            let asInt = expectHDF5Error(.typeMismatch) { _ = try a.int("name") }
            #expect(asInt?.detail == "attribute 'name' holds str, not numbers")
            let floatAsInt = expectHDF5Error(.typeMismatch) { _ = try a.int("dt") }
            #expect(floatAsInt?.detail == "attribute 'dt' holds float64, expected an integer")
            expectHDF5Error(.typeMismatch) { _ = try a.string("dt") }
            let shape = expectHDF5Error(.shapeMismatch) { _ = try a.int("pair") }
            #expect(shape?.detail == "attribute 'pair' has shape [2], expected a single value")
            let missing = expectHDF5Error(.notFound) { _ = try a.double("missing") }
            #expect(missing?.description == "\(file.path): /: no attribute 'missing'")
        }
    }

    /// A fixed-length UTF-8 string attribute reads back as the string, with its length as type.
    @Test func fixedStringsRoundTrip() throws {
        try withTemporaryFile { file in
            let a = try file.root.createGroup("data").attributes
            try a.set("model_file", fixedString: "<mujoco model=\"ü\"/>")
            try a.set("empty", fixedString: "")
            #expect(try a.string("model_file") == "<mujoco model=\"ü\"/>")
            #expect(try a.dtype("model_file") == .fixedString("<mujoco model=\"ü\"/>".utf8.count))
            #expect(try a.string("empty") == "")
        }
    }
}
