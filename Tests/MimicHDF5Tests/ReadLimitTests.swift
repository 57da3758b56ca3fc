import Testing
import MimicCore
@testable import MimicHDF5

@Suite struct ReadLimitTests {
    static let site = H5Site(file: "f.hdf5", path: "/data/demo_0/actions")
    @Sendable static func plenty() -> Int? { 1 << 40 }

    /// The message of the error `check` throws, or nil when it accepts.
    static func refusal(_ limit: ReadLimit, rows: Int, width: Int = 7, memory: () -> Int? = plenty) -> String? {
        do {
            try limit.check(count: rows * width, elementSize: 8, shape: [rows, width], dtype: "float64", site, availableMemory: memory)
            return nil
        } catch {
            #expect(error.kind == .invalidData)
            return error.detail
        }
    }

    @Test func absurdClaimsAreRefusedNamingSizesAndShape() {
        let sparse = ReadLimit(fileSize: 3_100_000, stored: 0, expansion: 1)
        #expect(Self.refusal(sparse, rows: 1_000_000_000) == "claims 56.0 GB (1000000000 x 7 float64) but the file is 3.1 MB and stores 0 B for it (damaged file?)")
        // Compressed data may expand 1100 times, no more.
        let gzip = ReadLimit(fileSize: 3_100_000, stored: 10_000, expansion: ReadLimit.deflateExpansion)
        #expect(Self.refusal(gzip, rows: 1_000_000_000)?.contains("compressed at most 1100:1") == true)
        #expect(Self.refusal(gzip, rows: 10_000 * 1100 / 56) == nil)
    }

    @Test func smallClaimsAndUnstoredFillValuesAreAllowed() {
        // A dataset created and never written (fill values) within the allowance reads.
        let unwritten = ReadLimit(fileSize: 10_000, stored: 0, expansion: 1)
        #expect(Self.refusal(unwritten, rows: ReadLimit.unstoredAllowance / 56) == nil)
        #expect(Self.refusal(unwritten, rows: ReadLimit.unstoredAllowance / 56 + 1) != nil)
        // Whatever the memory, claims within the allowance never look at it.
        #expect(Self.refusal(unwritten, rows: 1000, memory: { 0 }) == nil)
    }

    @Test func storageOutsideTheFileIsLimitedByMemoryOnly() {
        let external = ReadLimit(fileSize: 1000, stored: nil, expansion: 1)
        #expect(Self.refusal(external, rows: 1_000_000) == nil)
        #expect(Self.refusal(external, rows: 1_000_000, memory: { 100_000_000 }) == "claims 56.0 MB (1000000 x 7 float64) but only 100.0 MB of memory is available")
        let unboundedFilter = ReadLimit(fileSize: 1000, stored: 10, expansion: nil)
        #expect(Self.refusal(unboundedFilter, rows: 1_000_000) == nil)
    }

    @Test func aHugeChunkIsAClaimToo() {
        let limit = ReadLimit(fileSize: 10_000, stored: 5000, expansion: 1, chunkBytes: 1 << 40)
        #expect(Self.refusal(limit, rows: 10)?.contains("in chunks of 1.1 TB") == true)
    }

    @Test func availableMemoryIsKnownHere() throws {
        let memory = try #require(ReadLimit.availableMemory())
        #expect(memory > 0)
    }

    @Test func bytesInDecimalUnits() {
        #expect(ReadLimit.bytes(512) == "512 B")
        #expect(ReadLimit.bytes(3_100_000) == "3.1 MB")
        #expect(ReadLimit.bytes(56_000_000_000) == "56.0 GB")
    }

    @Test func limitsOfRealDatasetsAndAttributes() throws {
        try withTemporaryFile { file in
            try file.root.write("plain", Tensor(shape: [100, 7], float64: .init(repeating: 1, count: 700)))
            try file.root.write("gzip", Tensor(shape: [100, 7], float64: .init(repeating: 1, count: 700)), options: .gzip)
            try file.root.createUnwritten("sparse", shape: [1_000_000_000, 7], like: .float64([]), options: WriteOptions(chunkRows: 100))
            try file.root.attributes.set("note", string: "x")
            try file.flush()
            func limit(_ name: String) throws -> ReadLimit {
                try file.root.dataset(name).withID { (id) throws(HDF5Error) in try ReadLimit.of(.dataset(id), Self.site) }
            }
            let plain = try limit("plain")
            #expect(plain.stored == 5600 && plain.expansion == 1 && plain.chunkBytes == 0)
            #expect(plain.fileSize > 5600)
            let gzip = try limit("gzip")
            #expect(gzip.expansion == ReadLimit.deflateExpansion && gzip.stored! < 5600 && gzip.chunkBytes == 5600)
            #expect(try limit("sparse").stored == 0)
            let error = expectHDF5Error(.invalidData) { _ = try file.root.dataset("sparse").read() }
            #expect(error?.description.contains("/sparse: claims 56.0 GB (1000000000 x 7 float64) but the file is") == true)
            expectHDF5Error(.invalidData) { try file.root.dataset("sparse").checkSize() }
            try file.root.dataset("plain").checkSize()
        }
    }

    @Test func legitimateHighlyCompressedDataReads() throws {
        try withTemporaryFile { file in
            // 32 MB of zeros, gzip 9: about 1000:1, beyond the allowance for what is not stored.
            let zeros = Tensor(shape: [4_000_000], float64: .init(repeating: 0, count: 4_000_000))
            try file.root.write("zeros", zeros, options: WriteOptions(compression: .gzip(level: 9, shuffle: false)))
            #expect(try file.root.read("zeros") == zeros)
        }
    }
}
