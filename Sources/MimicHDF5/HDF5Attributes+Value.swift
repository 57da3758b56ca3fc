import MimicCore

extension HDF5Attributes {
    /// Attribute `name` as an `AttributeValue`, by its stored type: strings, numpy bools,
    /// integers and floats (one element → scalar case, several → array case).
    public func value(_ name: String) throws(HDF5Error) -> AttributeValue {
        switch try dtype(name) {
        case .fixedString, .variableString: return .string(try string(name))
        case .bool: return .bool(try bool(name))
        case .int8, .int16, .int32, .int64, .uint8, .uint16, .uint32, .uint64:
            let values = try ints(name)
            return values.count == 1 ? .int(values[0]) : .ints(values)
        case .float32, .float64:
            let values = try doubles(name)
            return values.count == 1 ? .double(values[0]) : .doubles(values)
        case .other(let description):
            throw HDF5Error(.unsupported, file: file.path, path: path, detail: "attribute '\(name)' has type \(description), which Mimic does not read")
        }
    }

    /// Writes `value` as attribute `name` (replacing an existing one): strings as variable-length
    /// UTF-8 (as h5py writes Python str), booleans as numpy bools, numbers as int64 / float64.
    public func set(_ name: String, value: AttributeValue) throws(HDF5Error) {
        switch value {
        case .int(let v): try set(name, int: v)
        case .double(let v): try set(name, double: v)
        case .string(let v): try set(name, string: v)
        case .ints(let v): try set(name, ints: v)
        case .doubles(let v): try set(name, doubles: v)
        case .bool(let v): try set(name, bool: v)
        }
    }
}
