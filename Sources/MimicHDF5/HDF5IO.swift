import CHDF5
import MimicCore

/// A dataset or an attribute: both have a datatype, a dataspace and a whole-object read and
/// write, so numbers and strings are read and written by the same code for both.
enum H5Value {
    case dataset(hid_t)
    case attribute(hid_t)

    /// H5Dget_type / H5Aget_type: a new id the caller closes.
    func type(_ site: H5Site) throws(HDF5Error) -> hid_t {
        switch self {
        case .dataset(let id): return try H5.datasetType(id, site)
        case .attribute(let id): return try H5.attributeType(id, site)
        }
    }

    /// H5Dget_space / H5Aget_space: a new id the caller closes.
    func space(_ site: H5Site) throws(HDF5Error) -> hid_t {
        switch self {
        case .dataset(let id): return try H5.datasetSpace(id, site)
        case .attribute(let id): return try H5.attributeSpace(id, site)
        }
    }

    func read(memoryType: hid_t, into buffer: UnsafeMutableRawPointer?, _ site: H5Site) throws(HDF5Error) {
        switch self {
        case .dataset(let id): try H5.datasetRead(id, memoryType: memoryType, into: buffer, site)
        case .attribute(let id): try H5.attributeRead(id, memoryType: memoryType, into: buffer, site)
        }
    }

    func write(memoryType: hid_t, from buffer: UnsafeRawPointer?, _ site: H5Site) throws(HDF5Error) {
        switch self {
        case .dataset(let id): try H5.datasetWrite(id, memoryType: memoryType, from: buffer, site)
        case .attribute(let id): try H5.attributeWrite(id, memoryType: memoryType, from: buffer, site)
        }
    }
}

/// Reading and writing whole datasets and attributes as tensors and strings.
enum H5IO {
    // MARK: Shapes

    /// The shape of a dataspace: `[]` for a scalar. A null dataspace (no elements, not even a
    /// scalar) is `.unsupported`.
    static func shape(ofSpace space: hid_t, _ site: H5Site) throws(HDF5Error) -> [Int] {
        switch H5.spaceClass(space) {
        case H5S_SCALAR:
            return []
        case H5S_SIMPLE:
            var shape: [Int] = []
            for d in try H5.spaceDims(space, site) {
                guard let n = Int(exactly: d), n <= Int(Int32.max) * 1024 else {
                    throw site.error(.invalidData, "implausible dimension \(d) (corrupt file?)")
                }
                shape.append(n)
            }
            _ = try elementCount(shape, site)
            return shape
        case H5S_NULL:
            throw site.error(.unsupported, "has a null dataspace (no value at all); cannot read it")
        default:
            throw site.error(.invalidData, "has an unknown dataspace class (corrupt file?)")
        }
    }

    /// The number of elements of `shape`, or `.invalidData` if it overflows, even with a zero
    /// dimension (so the product of any of its dimensions, a row's width say, fits in an Int).
    static func elementCount(_ shape: [Int], _ site: H5Site) throws(HDF5Error) -> Int {
        var nonzero = 1
        for n in shape where n > 0 {
            let (product, overflow) = nonzero.multipliedReportingOverflow(by: n)
            guard !overflow else { throw site.error(.invalidData, "shape \(shape) has too many elements (corrupt file?)") }
            nonzero = product
        }
        return shape.contains(0) ? 0 : nonzero
    }

    /// Dtype and shape of a dataset or attribute, without reading it.
    static func describe(_ value: H5Value, _ site: H5Site) throws(HDF5Error) -> (H5TypeInfo, [Int]) {
        let type = try value.type(site)
        defer { H5.close(type, .datatype) }
        let info = try H5TypeInfo(inspecting: type, site)
        let space = try value.space(site)
        defer { H5.close(space, .dataspace) }
        return (info, try shape(ofSpace: space, site))
    }

    // MARK: Reading

    /// `given`, else the `ReadLimit` of `value`.
    private static func limit(_ given: ReadLimit?, of value: H5Value, _ site: H5Site) throws(HDF5Error) -> ReadLimit {
        if let given { return given }
        return try ReadLimit.of(value, site)
    }

    /// Reads a whole numeric dataset or attribute into a tensor of the matching storage,
    /// converting byte order (and half floats to `Float`) through the native memory type.
    /// `what` names the object in the type-mismatch message ("dataset", "attribute 'x'").
    /// `limit` is the value's `ReadLimit`, computed here when not given.
    static func readTensor(_ value: H5Value, what: String, limit: ReadLimit? = nil, _ site: H5Site) throws(HDF5Error) -> Tensor {
        let type = try value.type(site)
        defer { H5.close(type, .datatype) }
        let info = try H5TypeInfo(inspecting: type, site)
        guard let element = info.element else {
            throw site.error(.typeMismatch, "\(what) holds \(info.dtype), not numbers")
        }
        let space = try value.space(site)
        defer { H5.close(space, .dataspace) }
        let shape = try shape(ofSpace: space, site)
        let count = try elementCount(shape, site)
        try Self.limit(limit, of: value, site).check(
            count: count, elementSize: info.memoryElementSize, shape: shape,
            dtype: info.dtype.description, site)

        var memoryType = element.nativeType
        var ownedMemoryType: hid_t = -1
        defer { H5.close(ownedMemoryType, .datatype) }
        if info.readsThroughNativeCopy {
            ownedMemoryType = try H5.typeNative(type, site)
            memoryType = ownedMemoryType
        }

        func fill<T>(_ zero: T) throws(HDF5Error) -> [T] {
            var array = [T](repeating: zero, count: count)
            guard count > 0 else { return array }
            let result = array.withUnsafeMutableBytes { raw in
                Result { () throws(HDF5Error) in try value.read(memoryType: memoryType, into: raw.baseAddress, site) }
            }
            try result.get()
            return array
        }

        let storage: Tensor.Storage
        switch element {
        case .float32: storage = .float32(try fill(Float(0)))
        case .float64: storage = .float64(try fill(Double(0)))
        case .int8: storage = .int8(try fill(Int8(0)))
        case .int16: storage = .int16(try fill(Int16(0)))
        case .int32: storage = .int32(try fill(Int32(0)))
        case .int64: storage = .int64(try fill(Int64(0)))
        case .uint8: storage = .uint8(try fill(UInt8(0)))
        case .uint16: storage = .uint16(try fill(UInt16(0)))
        case .uint32: storage = .uint32(try fill(UInt32(0)))
        case .uint64: storage = .uint64(try fill(UInt64(0)))
        }
        return Tensor(shape: shape, storage: storage)
    }

    /// Reads a whole string dataset or attribute (fixed or variable length, any shape, scalar
    /// as one string) in row-major order. Fixed-length strings end at the first NUL (numpy's
    /// rule) and lose trailing spaces when space-padded; bytes that are not UTF-8 are replaced.
    static func readStrings(_ value: H5Value, what: String, limit: ReadLimit? = nil, _ site: H5Site) throws(HDF5Error) -> [String] {
        let type = try value.type(site)
        defer { H5.close(type, .datatype) }
        let info = try H5TypeInfo(inspecting: type, site)
        let space = try value.space(site)
        defer { H5.close(space, .dataspace) }
        let shape = try shape(ofSpace: space, site)
        let count = try elementCount(shape, site)
        if info.dtype.isString {
            // Variable-length strings cost a pointer each here, and their bytes in HDF5's buffers.
            try Self.limit(limit, of: value, site).check(
                count: count, elementSize: info.memoryElementSize, shape: shape,
                dtype: info.dtype.description, site)
        }

        switch info.dtype {
        case .variableString:
            let memoryType = try H5.typeCopy(H5.Predefined.cString, site)
            defer { H5.close(memoryType, .datatype) }
            try H5.typeSetSize(memoryType, H5.variableSize, site)
            try H5.typeSetCharacterSet(memoryType, H5.typeCharacterSet(type), site)
            var pointers = [UnsafeMutablePointer<CChar>?](repeating: nil, count: count)
            guard count > 0 else { return [] }
            let result = pointers.withUnsafeMutableBytes { raw in
                Result { () throws(HDF5Error) -> [String] in
                    try value.read(memoryType: memoryType, into: raw.baseAddress, site)
                    let strings = raw.bindMemory(to: UnsafeMutablePointer<CChar>?.self).map { pointer in
                        pointer.map { String(cString: $0) } ?? ""
                    }
                    try H5.reclaim(type: memoryType, space: space, buffer: raw.baseAddress, site)
                    return strings
                }
            }
            return try result.get()

        case .fixedString(let size):
            guard size > 0 else { return [String](repeating: "", count: count) }
            let memoryType = try H5.typeCopy(type, site)
            defer { H5.close(memoryType, .datatype) }
            let (byteCount, overflow) = count.multipliedReportingOverflow(by: size)
            guard !overflow else { throw site.error(.invalidData, "\(what) is too large (corrupt file?)") }
            var bytes = [UInt8](repeating: 0, count: byteCount)
            guard count > 0 else { return [] }
            let result = bytes.withUnsafeMutableBytes { raw in
                Result { () throws(HDF5Error) in try value.read(memoryType: memoryType, into: raw.baseAddress, site) }
            }
            try result.get()
            let spacePadded = H5.typeStringPadding(type) == H5T_STR_SPACEPAD
            return (0..<count).map { i in
                var item = bytes[(i * size)..<((i + 1) * size)].prefix(while: { $0 != 0 })
                if spacePadded {
                    while item.last == UInt8(ascii: " ") { item = item.dropLast() }
                }
                return String(decoding: item, as: UTF8.self)
            }

        default:
            throw site.error(.typeMismatch, "\(what) holds \(info.dtype), not strings")
        }
    }

    // MARK: Writing

    /// A dataspace for `shape` (`[]` is a scalar); the caller closes it. With
    /// `unlimitedRows`, the first dimension may grow (needed for chunked datasets with 0 rows).
    static func createSpace(_ shape: [Int], unlimitedRows: Bool, _ site: H5Site) throws(HDF5Error) -> hid_t {
        if shape.isEmpty { return try H5.spaceCreateScalar(site) }
        let dims = shape.map { hsize_t($0) }
        var maxDims: [hsize_t]? = nil
        if unlimitedRows {
            maxDims = dims
            maxDims?[0] = H5.unlimited
        }
        return try H5.spaceCreateSimple(dims, max: maxDims, site)
    }

    /// Runs `body` with the raw bytes of the tensor's elements (nil base for no elements).
    static func withBytes(of storage: Tensor.Storage, _ body: (UnsafeRawPointer?) throws(HDF5Error) -> Void) throws(HDF5Error) {
        func pass<T>(_ array: [T]) -> Result<Void, HDF5Error> {
            array.withUnsafeBytes { raw in Result { () throws(HDF5Error) in try body(raw.baseAddress) } }
        }
        let result: Result<Void, HDF5Error>
        switch storage {
        case .float32(let v): result = pass(v)
        case .float64(let v): result = pass(v)
        case .int8(let v): result = pass(v)
        case .int16(let v): result = pass(v)
        case .int32(let v): result = pass(v)
        case .int64(let v): result = pass(v)
        case .uint8(let v): result = pass(v)
        case .uint16(let v): result = pass(v)
        case .uint32(let v): result = pass(v)
        case .uint64(let v): result = pass(v)
        }
        try result.get()
    }

    /// Writes all elements of `tensor` (no call at all for zero elements).
    static func writeTensor(_ tensor: Tensor, to value: H5Value, _ site: H5Site) throws(HDF5Error) {
        guard tensor.count > 0 else { return }
        let memoryType = NumericElement(tensor.storage).nativeType
        try withBytes(of: tensor.storage) { (bytes) throws(HDF5Error) in
            try value.write(memoryType: memoryType, from: bytes, site)
        }
    }

    /// A fixed-length byte-string type of `size` bytes, NUL-padded, ASCII: numpy `|S<size>`.
    /// The caller closes it.
    static func createFixedStringType(size: Int, characterSet: H5T_cset_t = H5T_CSET_ASCII, _ site: H5Site) throws(HDF5Error) -> hid_t {
        let type = try H5.typeCopy(H5.Predefined.cString, site)
        do throws(HDF5Error) {
            try H5.typeSetSize(type, size, site)
            try H5.typeSetStringPadding(type, H5T_STR_NULLPAD, site)
            try H5.typeSetCharacterSet(type, characterSet, site)
        } catch {
            H5.close(type, .datatype)
            throw error
        }
        return type
    }

    /// A variable-length UTF-8 string type: what h5py writes for a Python `str`. The caller closes it.
    static func createVariableStringType(_ site: H5Site) throws(HDF5Error) -> hid_t {
        let type = try H5.typeCopy(H5.Predefined.cString, site)
        do throws(HDF5Error) {
            try H5.typeSetSize(type, H5.variableSize, site)
            try H5.typeSetCharacterSet(type, H5T_CSET_UTF8, site)
        } catch {
            H5.close(type, .datatype)
            throw error
        }
        return type
    }

    /// h5py's numpy-bool type: an enum over native int8 with FALSE = 0, TRUE = 1. The caller closes it.
    static func createBoolType(_ site: H5Site) throws(HDF5Error) -> hid_t {
        let type = try H5.enumCreate(base: H5.Predefined.nativeInt8, site)
        do throws(HDF5Error) {
            try H5.enumInsert(type, "FALSE", 0, site)
            try H5.enumInsert(type, "TRUE", 1, site)
        } catch {
            H5.close(type, .datatype)
            throw error
        }
        return type
    }

    /// The bytes of `strings` as fixed-length, NUL-padded items of `size` bytes (longer strings
    /// are a programmer error here: the caller sizes the type from the longest string).
    static func fixedStringBytes(_ strings: [String], size: Int) -> [UInt8] {
        var bytes = [UInt8](repeating: 0, count: strings.count * size)
        bytes.withUnsafeMutableBytes { out in
            for (i, s) in strings.enumerated() {
                var text = s
                text.withUTF8 { utf8 in
                    guard let base = utf8.baseAddress else { return }
                    out.baseAddress!.advanced(by: i * size).copyMemory(from: base, byteCount: min(size, utf8.count))
                }
            }
        }
        return bytes
    }
}
