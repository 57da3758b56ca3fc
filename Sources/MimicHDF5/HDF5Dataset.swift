import CHDF5
import MimicCore

/// An open HDF5 dataset. Keeps its file alive and owns its dataset id (H5Dopen2), closed
/// when the last copy of the value goes away. Shape, dtype and layout are read once, at open.
public struct HDF5Dataset {
    public let file: HDF5File
    /// The absolute HDF5 path, e.g. `/data/demo_0/actions`.
    public let path: String
    /// The dimensions, outermost first; `[]` for a scalar.
    public let shape: [Int]
    /// The stored element type.
    public let dtype: DType
    /// The chunk dimensions, or nil for contiguous (or compact) storage.
    public let chunkShape: [Int]?
    /// The filter pipeline, in order: `"shuffle"`, `"gzip(4)"`, or HDF5's name for others
    /// (`"lzf"`, `"szip"`, ...).
    public let filters: [String]
    /// Whether `read()` can read it: numbers, numpy bools and half floats (not strings, compound
    /// or opaque types).
    public let isNumeric: Bool
    /// Bytes one element takes in memory once read.
    let memoryElementSize: Int
    /// What a read may claim (`ReadLimit`), from the storage and filters.
    let limit: ReadLimit

    let handle: H5Handle

    init(file: HDF5File, path: String, handle: H5Handle) throws(HDF5Error) {
        self.file = file
        self.path = path
        self.handle = handle
        let site = H5Site(file: file.path, path: path)
        let (info, shape) = try H5IO.describe(.dataset(handle.id), site)
        self.dtype = info.dtype
        self.shape = shape
        self.isNumeric = info.element != nil
        self.memoryElementSize = info.memoryElementSize
        let creation = try H5.datasetCreationList(handle.id, site)
        defer { H5.close(creation, .propertyList) }
        self.limit = try ReadLimit(dataset: handle.id, creation: creation, site)
        if H5.layout(creation) == H5D_CHUNKED {
            chunkShape = try H5.chunkDims(creation, site).map { Int(clamping: $0) }
        } else {
            chunkShape = nil
        }
        var filters: [String] = []
        for i in 0..<(try H5.filterCount(creation, site)) {
            let filter = try H5.filter(creation, at: i, site)
            switch filter.id {
            case H5.deflateFilter: filters.append("gzip(\(filter.firstValue.map(String.init) ?? "?"))")
            case H5.shuffleFilter: filters.append("shuffle")
            default: filters.append(filter.name.isEmpty ? "filter \(filter.id)" : filter.name)
            }
        }
        self.filters = filters
    }

    var site: H5Site { H5Site(file: file.path, path: path) }

    /// Whether any filter other than shuffle is applied (gzip, lzf, szip, ...).
    public var isCompressed: Bool { filters.contains { $0 != "shuffle" } }

    /// Number of elements.
    public var count: Int { shape.reduce(1, *) }

    /// Length of the first dimension; 0 for a scalar.
    public var rows: Int { shape.first ?? 0 }

    /// Throws `.invalidData` when reading the dataset would claim more memory than the file can
    /// account for or the process can get (`ReadLimit`: a damaged shape), without reading it.
    /// `read()` and `readStrings()` check the same before they allocate.
    public func checkSize() throws(HDF5Error) {
        try limit.check(count: count, elementSize: memoryElementSize, shape: shape, dtype: dtype.description, site)
    }

    /// Reads the whole dataset into a tensor of the matching storage (H5Dread with the native
    /// memory type, so big-endian data arrives in native order). `.bool` reads as `.int8`
    /// (or `.uint8`) 0/1, half floats as `.float32`. A scalar has shape `[]`.
    /// `.typeMismatch` naming the dtype for strings and other non-numeric types.
    public func read() throws(HDF5Error) -> Tensor {
        try withID { (id) throws(HDF5Error) -> Tensor in
            try H5IO.readTensor(.dataset(id), what: "the dataset", limit: limit, site)
        }
    }

    /// Reads a dataset of fixed- or variable-length strings, in row-major order (a scalar is one
    /// string). `.typeMismatch` for anything else.
    public func readStrings() throws(HDF5Error) -> [String] {
        try withID { (id) throws(HDF5Error) -> [String] in
            try H5IO.readStrings(.dataset(id), what: "the dataset", limit: limit, site)
        }
    }

    /// The attributes of this dataset.
    public var attributes: HDF5Attributes {
        HDF5Attributes(file: file, path: path, handle: handle)
    }

    func withID<R>(_ body: (hid_t) throws(HDF5Error) -> R) throws(HDF5Error) -> R {
        guard file.isOpen else { throw file.closedError(path) }
        return try handle.withID(file.closedError(path), body)
    }
}
