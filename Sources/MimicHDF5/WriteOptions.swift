import CHDF5

/// How `HDF5Group.write` lays a dataset out on disk.
///
/// - No compression and no `chunkRows`: contiguous storage (the fastest to write and read).
/// - Otherwise: chunked, each chunk `chunkRows` rows of the first dimension × the full width of
///   the others, with the filters of `compression`; the shape is fixed (HDF5 indexes a dataset
///   of one chunk with no B-tree), but for an empty dataset, whose first dimension is unlimited
///   (HDF5 cannot chunk 0 rows otherwise).
/// Scalars and tensors with a zero-sized inner dimension cannot be chunked; they are always
/// written contiguous and uncompressed.
public struct WriteOptions: Sendable, Equatable {
    /// Filters applied to each chunk.
    public enum Compression: Sendable, Equatable {
        /// No filter.
        case none
        /// zlib deflate at `level` (0...9; 1 is fast, 9 small), after the byte-shuffle filter
        /// when `shuffle` (H5Pset_shuffle; usually much smaller for floats). What h5py writes for
        /// `compression="gzip", compression_opts=level, shuffle=shuffle`.
        case gzip(level: Int, shuffle: Bool)
    }

    /// Rows of the first dimension per chunk; nil picks about 1 MiB per chunk. Setting it
    /// without compression gives a chunked uncompressed dataset.
    public var chunkRows: Int?
    public var compression: Compression
    /// For ``RobomimicWriter``: string attributes of a demo of at least this many bytes (> 0) are
    /// written fixed-length into a file that stores equal ones once (robosuite's ~40 KB
    /// `model_file`, the same for every demo of a scene); h5py reads them as bytes. 0: every
    /// string is variable-length, as h5py writes a Python str.
    public var sharedStringsFrom: Int

    public init(chunkRows: Int? = nil, compression: Compression = .none, sharedStringsFrom: Int = 0) {
        self.chunkRows = chunkRows
        self.compression = compression
        self.sharedStringsFrom = sharedStringsFrom
    }

    /// gzip level 4 with shuffle, the default-chunked layout robomimic datasets usually have.
    public static let gzip = WriteOptions(compression: .gzip(level: 4, shuffle: true))

    /// The chunk size in bytes `chunkRows == nil` aims for.
    static let targetChunkBytes = 1 << 20

    /// The chunk shape for a tensor of `shape` with elements of `elementSize` bytes, or nil for
    /// contiguous storage. Throws `.invalidData` for a bad `chunkRows` or gzip level.
    func chunkShape(for shape: [Int], elementSize: Int, _ site: H5Site) throws(HDF5Error) -> [Int]? {
        if let chunkRows, chunkRows < 1 {
            throw site.error(.invalidData, "chunkRows must be at least 1, got \(chunkRows)")
        }
        if case .gzip(let level, _) = compression, !(0...9).contains(level) {
            throw site.error(.invalidData, "gzip level must be 0...9, got \(level)")
        }
        guard chunkRows != nil || compression != .none else { return nil }
        guard let rows = shape.first, shape.dropFirst().allSatisfy({ $0 > 0 }) else { return nil }
        var rowBytes = max(1, elementSize)
        for n in shape.dropFirst() {
            let (product, overflow) = rowBytes.multipliedReportingOverflow(by: n)
            rowBytes = overflow ? Int.max : product
        }
        // HDF5 limits a chunk to 4 GiB; stay well under it.
        let maxRows = max(1, (Int(UInt32.max) / 2) / rowBytes)
        let wanted = chunkRows ?? max(1, WriteOptions.targetChunkBytes / rowBytes)
        let chunkRowCount = max(1, min(wanted, max(rows, 1), maxRows))
        return [chunkRowCount] + shape.dropFirst()
    }

    /// A dataset-creation property list for this layout, recording no object times (the caller closes it).
    func creationList(chunk: [Int]?, _ site: H5Site) throws(HDF5Error) -> hid_t {
        let list = try H5.datasetCreationListCreate(site)
        guard let chunk else { return list }
        do throws(HDF5Error) {
            try H5.setChunk(list, chunk.map { hsize_t($0) }, site)
            if case .gzip(let level, let shuffle) = compression {
                if shuffle { try H5.setShuffle(list, site) }
                try H5.setDeflate(list, level: level, site)
            }
        } catch {
            H5.close(list, .propertyList)
            throw error
        }
        return list
    }
}
