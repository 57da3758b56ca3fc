import Foundation
import CHDF5
import Testing
import MimicCore
@testable import MimicHDF5

@Suite struct HDF5IOTests {
    static let shapes: [[Int]] = [[], [5], [3, 4], [6, 4, 4], [0], [0, 7], [0, 4, 4], [2, 0]]

    @Test(arguments: shapes)
    func everyDTypeRoundTrips(shape: [Int]) throws {
        try withTemporaryFile { file in
            for (i, tensor) in sampleTensors(shape: shape).enumerated() {
                try file.root.write("t\(i)", tensor)
                let dataset = try file.root.dataset("t\(i)")
                #expect(dataset.shape == shape)
                #expect(dataset.dtype == DType(tensor.storage))
                #expect(try dataset.read() == tensor)
            }
            // And again after closing and reopening, through a fresh file.
            file.close()
            let reopened = try HDF5File.open(file.path)
            for (i, tensor) in sampleTensors(shape: shape).enumerated() {
                #expect(try reopened.root.read("t\(i)") == tensor)
            }
        }
    }

    @Test func extremeValuesSurvive() throws {
        try withTemporaryFile { file in
            let values: [Tensor] = [
                Tensor(shape: [4], storage: .float32([.infinity, -.infinity, .leastNonzeroMagnitude, .greatestFiniteMagnitude])),
                Tensor(shape: [3], storage: .int64([.min, .max, 0])),
                Tensor(shape: [2], storage: .uint64([.max, 0])),
            ]
            for (i, t) in values.enumerated() {
                try file.root.write("v\(i)", t)
                #expect(try file.root.read("v\(i)") == t)
            }
            let nan = Tensor(shape: [1], storage: .float64([.nan]))
            try file.root.write("nan", nan)
            #expect(try file.root.read("nan").doubles[0].isNaN)
        }
    }

    @Test func fixedStringsRoundTrip() throws {
        try withTemporaryFile { file in
            let names = ["demo_0", "demo_10", "", "démo_ü"]
            try file.root.writeStrings("mask/train", names)
            let dataset = try file.root.dataset("mask/train")
            #expect(dataset.dtype == .fixedString("démo_ü".utf8.count))
            #expect(dataset.shape == [4])
            #expect(try dataset.readStrings() == names)
            try file.root.writeStrings("mask/empty", [])
            #expect(try file.root.readStrings("mask/empty") == [])
            #expect(try file.root.dataset("mask/empty").dtype == .fixedString(1))
        }
    }

    @Test func variableStringsRead() throws {
        try withTemporaryFile { file in
            let strings = ["pick", "", "place the cube on the other cube ✓"]
            try writeVariableStrings(file, "/lang", strings)
            let dataset = try file.root.dataset("lang")
            #expect(dataset.dtype == .variableString)
            #expect(try dataset.readStrings() == strings)
            let error = expectHDF5Error(.typeMismatch) { _ = try dataset.read() }
            #expect(error?.detail == "the dataset holds str, not numbers")
        }
    }

    @Test func numpyBoolDatasetReadsAsInt8() throws {
        try withTemporaryFile { file in
            let site = H5Site(file: file.path, path: "/dones")
            let type = try H5IO.createBoolType(site)
            defer { H5.close(type, .datatype) }
            try createRaw(file, "dones", fileType: type, shape: [4], memoryType: type, bytes: [1, 0, 0, 1] as [Int8])
            let dataset = try file.root.dataset("dones")
            #expect(dataset.dtype == .bool)
            #expect(try dataset.read() == Tensor(shape: [4], storage: .int8([1, 0, 0, 1])))
        }
    }

    @Test func bigEndianDataIsConvertedToNative() throws {
        try withTemporaryFile { file in
            let site = H5Site(file: file.path, path: "/be")
            let type = try H5.typeCopy(H5.Predefined.float64LE, site)
            defer { H5.close(type, .datatype) }
            try H5.typeSetOrder(type, H5T_ORDER_BE, site)
            let values: [Double] = [1.5, -2.25, 1e300]
            try createRaw(file, "be", fileType: type, shape: [3], memoryType: H5.Predefined.nativeDouble, bytes: values)
            let dataset = try file.root.dataset("be")
            #expect(dataset.dtype == .float64)
            #expect(try dataset.read() == Tensor(shape: [3], float64: values))

            let intType = try H5.typeCopy(H5.Predefined.int32LE, site)
            defer { H5.close(intType, .datatype) }
            try H5.typeSetOrder(intType, H5T_ORDER_BE, site)
            try createRaw(file, "be_int", fileType: intType, shape: [2], memoryType: H5.Predefined.nativeInt32, bytes: [Int32(-7), 1 << 20])
            #expect(try file.root.read("be_int") == Tensor(shape: [2], storage: .int32([-7, 1 << 20])))
        }
    }

    @Test func scalarStringDatasetReadsAsOneString() throws {
        try withTemporaryFile { file in
            let site = H5Site(file: file.path, path: "/name")
            let type = try H5IO.createFixedStringType(size: 5, site)
            defer { H5.close(type, .datatype) }
            try createRaw(file, "name", fileType: type, shape: [], memoryType: type, bytes: Array("Lift\0".utf8))
            #expect(try file.root.readStrings("name") == ["Lift"])
            #expect(try file.root.dataset("name").shape == [])
        }
    }

    @Test func elementCountRefusesOverflowEvenWithAZeroDimension() throws {
        let site = H5Site(file: "f", path: "/x")
        #expect(try H5IO.elementCount([0, 7], site) == 0)
        #expect(try H5IO.elementCount([3, 4], site) == 12)
        expectHDF5Error(.invalidData) { _ = try H5IO.elementCount([1 << 40, 1 << 40], site) }
        // The row width of [0, 2^40, 2^40] overflows although it has no elements.
        expectHDF5Error(.invalidData) { _ = try H5IO.elementCount([0, 1 << 40, 1 << 40], site) }
    }

    @Test func hugeStringDatasetsAreRefusedBeforeAllocating() throws {
        try withTemporaryFile { file in
            try file.root.writeStrings("masks", ["demo_0"])
            #expect(try file.root.readStrings("masks") == ["demo_0"])
            let type = try H5IO.createFixedStringType(size: 20, H5Site(file: file.path, path: "/big"))
            defer { H5.close(type, .datatype) }
            let site = H5Site(file: file.path, path: "/big")
            try file.root.withID { (root) throws(HDF5Error) in
                let space = try H5IO.createSpace([1_000_000_000], unlimitedRows: true, site)
                defer { H5.close(space, .dataspace) }
                let creation = try WriteOptions(chunkRows: 1024).creationList(chunk: [1024], site)
                defer { H5.close(creation, .propertyList) }
                H5.close(try H5.datasetCreate(root, "big", type: type, space: space, creation: creation, site), .object)
            }
            let error = expectHDF5Error(.invalidData) { _ = try file.root.readStrings("big") }
            #expect(error?.detail.hasPrefix("claims 20.0 GB (1000000000 |S20)") == true)
        }
    }
}

/// Creates dataset `name` in the root group with any file type, written from `bytes` as `memoryType`.
func createRaw<T>(_ file: HDF5File, _ name: String, fileType: hid_t, shape: [Int], memoryType: hid_t, bytes: [T]) throws {
    let site = H5Site(file: file.path, path: "/" + name)
    try file.root.withID { (root) throws(HDF5Error) in
        let space = try H5IO.createSpace(shape, unlimitedRows: false, site)
        defer { H5.close(space, .dataspace) }
        let dataset = try H5.datasetCreate(root, name, type: fileType, space: space, creation: H5.defaultPlist, site)
        defer { H5.close(dataset, .object) }
        let result = bytes.withUnsafeBytes { raw in
            Result { () throws(HDF5Error) in try H5.datasetWrite(dataset, memoryType: memoryType, from: raw.baseAddress, site) }
        }
        try result.get()
    }
}

/// Creates a 1-D dataset of variable-length UTF-8 strings (what h5py writes for a list of str).
func writeVariableStrings(_ file: HDF5File, _ name: String, _ strings: [String]) throws {
    let site = H5Site(file: file.path, path: name)
    let type = try H5IO.createVariableStringType(site)
    defer { H5.close(type, .datatype) }
    let copies = strings.map { strdup($0) }
    defer { copies.forEach { free($0) } }
    let pointers: [UnsafePointer<CChar>?] = copies.map { $0.map { UnsafePointer($0) } }
    try createRaw(file, String(name.dropFirst()), fileType: type, shape: [strings.count], memoryType: type, bytes: pointers)
}
