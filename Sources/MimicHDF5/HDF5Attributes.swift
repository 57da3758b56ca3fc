import CHDF5
import MimicCore

/// The attributes of a group or dataset (H5A*). Reading converts between numeric types the way
/// the method's name says; writing replaces an existing attribute of the same name, with the
/// type h5py would write for the Python value.
public struct HDF5Attributes {
    public let file: HDF5File
    /// The absolute HDF5 path of the owning group or dataset.
    public let path: String

    let handle: H5Handle

    init(file: HDF5File, path: String, handle: H5Handle) {
        self.file = file
        self.path = path
        self.handle = handle
    }

    private var site: H5Site { H5Site(file: file.path, path: path) }

    private func withID<R>(_ body: (hid_t) throws(HDF5Error) -> R) throws(HDF5Error) -> R {
        guard file.isOpen else { throw file.closedError(path) }
        return try handle.withID(file.closedError(path), body)
    }

    // MARK: Queries

    /// The attribute names, sorted (H5Oget_info + H5Aget_name_by_idx).
    public func names() throws(HDF5Error) -> [String] {
        try withID { (id) throws(HDF5Error) -> [String] in
            let count = try H5.attributeCount(id, site)
            var names: [String] = []
            for i in 0..<count { names.append(try H5.attributeName(id, at: i, site)) }
            return names
        }
    }

    /// Whether the attribute exists (H5Aexists); false on any error.
    public func contains(_ name: String) -> Bool {
        (try? withID { (id) throws(HDF5Error) -> Bool in H5.attributeExists(id, name) }) ?? false
    }

    /// The stored type of attribute `name`.
    public func dtype(_ name: String) throws(HDF5Error) -> DType {
        try withAttribute(name) { (attribute) throws(HDF5Error) -> DType in
            try H5IO.describe(.attribute(attribute), site).0.dtype
        }
    }

    /// Opens attribute `name` for `body` (H5Aopen); `.notFound` naming it when missing.
    private func withAttribute<R>(_ name: String, _ body: (hid_t) throws(HDF5Error) -> R) throws(HDF5Error) -> R {
        try withID { (id) throws(HDF5Error) -> R in
            guard H5.attributeExists(id, name) else {
                throw site.error(.notFound, "no attribute '\(name)'")
            }
            let attribute = try H5.attributeOpen(id, name, site)
            defer { H5.close(attribute, .attribute) }
            return try body(attribute)
        }
    }

    /// The attribute as a tensor (numbers and numpy bools only).
    private func tensor(_ name: String) throws(HDF5Error) -> Tensor {
        try withAttribute(name) { (attribute) throws(HDF5Error) -> Tensor in
            try H5IO.readTensor(.attribute(attribute), what: "attribute '\(name)'", site)
        }
    }

    /// The one element of a scalar or 1-element attribute; `.shapeMismatch` otherwise.
    private func single(_ name: String, _ tensor: Tensor) throws(HDF5Error) -> Tensor {
        guard tensor.count == 1 else {
            throw site.error(.shapeMismatch, "attribute '\(name)' has shape \(tensor.shape), expected a single value")
        }
        return tensor
    }

    // MARK: Reading

    /// A scalar or 1-element integer attribute (any width and sign, or a numpy bool as 0/1).
    /// `.typeMismatch` for floats and strings; `.invalidData` for a uint64 above `Int.max`.
    public func int(_ name: String) throws(HDF5Error) -> Int {
        let values = try ints(name, single: true)
        return values[0]
    }

    /// A scalar or 1-element numeric attribute (integers, floats, numpy bools) as a Double.
    public func double(_ name: String) throws(HDF5Error) -> Double {
        try single(name, try tensor(name)).doubles[0]
    }

    /// A scalar or 1-element string attribute: fixed-length (numpy bytes) or variable-length
    /// (Python str). `.typeMismatch` for numbers.
    public func string(_ name: String) throws(HDF5Error) -> String {
        let strings = try withAttribute(name) { (attribute) throws(HDF5Error) -> [String] in
            try H5IO.readStrings(.attribute(attribute), what: "attribute '\(name)'", site)
        }
        guard strings.count == 1 else {
            throw site.error(.shapeMismatch, "attribute '\(name)' holds \(strings.count) strings, expected one")
        }
        return strings[0]
    }

    /// A numeric attribute of any shape (a scalar is one element) as Doubles, in row-major order.
    public func doubles(_ name: String) throws(HDF5Error) -> [Double] {
        try tensor(name).doubles
    }

    /// An integer attribute of any shape (a scalar is one element), in row-major order.
    public func ints(_ name: String) throws(HDF5Error) -> [Int] {
        try ints(name, single: false)
    }

    /// A numpy-bool attribute (h5py's enum) or an integer one (nonzero is true), scalar or 1 element.
    public func bool(_ name: String) throws(HDF5Error) -> Bool {
        try int(name) != 0
    }

    private func ints(_ name: String, single wantsSingle: Bool) throws(HDF5Error) -> [Int] {
        var tensor = try tensor(name)
        if wantsSingle { tensor = try single(name, tensor) }
        func convert<T: BinaryInteger>(_ values: [T]) throws(HDF5Error) -> [Int] {
            var result: [Int] = []
            result.reserveCapacity(values.count)
            for v in values {
                guard let i = Int(exactly: v) else {
                    throw site.error(.invalidData, "attribute '\(name)' holds \(v), which does not fit in Int")
                }
                result.append(i)
            }
            return result
        }
        switch tensor.storage {
        case .int8(let v): return try convert(v)
        case .int16(let v): return try convert(v)
        case .int32(let v): return try convert(v)
        case .int64(let v): return try convert(v)
        case .uint8(let v): return try convert(v)
        case .uint16(let v): return try convert(v)
        case .uint32(let v): return try convert(v)
        case .uint64(let v): return try convert(v)
        case .float32, .float64:
            throw site.error(.typeMismatch, "attribute '\(name)' holds \(tensor.dtypeName), expected an integer")
        }
    }

    // MARK: Writing

    /// Sets `name` to an int64 scalar (h5py's type for a Python int).
    public func set(_ name: String, int value: Int) throws(HDF5Error) {
        try set(name, tensor: Tensor(shape: [], storage: .int64([Int64(value)])))
    }

    /// Sets `name` to a float64 scalar.
    public func set(_ name: String, double value: Double) throws(HDF5Error) {
        try set(name, tensor: Tensor(shape: [], storage: .float64([value])))
    }

    /// Sets `name` to a 1-D float64 array.
    public func set(_ name: String, doubles values: [Double]) throws(HDF5Error) {
        try set(name, tensor: Tensor(shape: [values.count], storage: .float64(values)))
    }

    /// Sets `name` to a 1-D int64 array.
    public func set(_ name: String, ints values: [Int]) throws(HDF5Error) {
        try set(name, tensor: Tensor(shape: [values.count], storage: .int64(values.map { Int64($0) })))
    }

    /// Sets `name` to a numeric tensor attribute of the tensor's exact dtype and shape.
    public func set(_ name: String, tensor: Tensor) throws(HDF5Error) {
        let element = NumericElement(tensor.storage)
        let space = try H5IO.createSpace(tensor.shape, unlimitedRows: false, site)
        defer { H5.close(space, .dataspace) }
        try create(name, type: element.fileType, space: space) { (attribute) throws(HDF5Error) in
            try H5IO.writeTensor(tensor, to: .attribute(attribute), site)
        }
    }

    /// Sets `name` to a variable-length UTF-8 string scalar: what h5py writes for a Python str.
    public func set(_ name: String, string value: String) throws(HDF5Error) {
        let type = try H5IO.createVariableStringType(site)
        defer { H5.close(type, .datatype) }
        let space = try H5.spaceCreateScalar(site)
        defer { H5.close(space, .dataspace) }
        try create(name, type: type, space: space) { (attribute) throws(HDF5Error) in
            let result = value.withCString { (pointer) -> Result<Void, HDF5Error> in
                var pointerToString: UnsafePointer<CChar>? = pointer
                return withUnsafeBytes(of: &pointerToString) { raw in
                    Result { () throws(HDF5Error) in
                        try H5.attributeWrite(attribute, memoryType: type, from: raw.baseAddress, site)
                    }
                }
            }
            try result.get()
        }
    }

    /// Sets `name` to a fixed-length UTF-8 string scalar as long as `value` (at least 1 byte),
    /// NUL-padded: h5py reads it as `bytes` (numpy `|S<n>`). Unlike a variable-length string, its
    /// value is in the attribute itself, so a file made with `sharedAttributesFrom` stores equal
    /// ones once.
    public func set(_ name: String, fixedString value: String) throws(HDF5Error) {
        let size = max(1, value.utf8.count)
        let type = try H5IO.createFixedStringType(size: size, characterSet: H5T_CSET_UTF8, site)
        defer { H5.close(type, .datatype) }
        let space = try H5.spaceCreateScalar(site)
        defer { H5.close(space, .dataspace) }
        try create(name, type: type, space: space) { (attribute) throws(HDF5Error) in
            let bytes = H5IO.fixedStringBytes([value], size: size)
            let result = bytes.withUnsafeBytes { raw in
                Result { () throws(HDF5Error) in try H5.attributeWrite(attribute, memoryType: type, from: raw.baseAddress, site) }
            }
            try result.get()
        }
    }

    /// Sets `name` to a numpy-bool scalar (h5py's enum of int8: FALSE = 0, TRUE = 1).
    public func set(_ name: String, bool value: Bool) throws(HDF5Error) {
        let type = try H5IO.createBoolType(site)
        defer { H5.close(type, .datatype) }
        let space = try H5.spaceCreateScalar(site)
        defer { H5.close(space, .dataspace) }
        try create(name, type: type, space: space) { (attribute) throws(HDF5Error) in
            var byte: Int8 = value ? 1 : 0
            try H5.attributeWrite(attribute, memoryType: type, from: &byte, site)
        }
    }

    /// Replaces attribute `name` with a new one of `type` and `space`, and fills it.
    private func create(_ name: String, type: hid_t, space: hid_t, fill: (hid_t) throws(HDF5Error) -> Void) throws(HDF5Error) {
        guard !name.isEmpty else { throw site.error(.invalidData, "an attribute needs a name") }
        try withID { (id) throws(HDF5Error) in
            guard file.isWritable else {
                throw site.error(.io, "the file is open read-only; cannot set attribute '\(name)'")
            }
            if H5.attributeExists(id, name) { try H5.attributeDelete(id, name, site) }
            let attribute = try H5.attributeCreate(id, name, type: type, space: space, site)
            defer { H5.close(attribute, .attribute) }
            try fill(attribute)
        }
    }
}
