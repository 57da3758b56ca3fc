import CHDF5
import MimicCore

/// The element type of an HDF5 dataset or attribute, named the way numpy / h5py name it.
///
/// Byte order is not part of the type: big-endian data is converted to native order on read,
/// and everything is written little-endian (as numpy does on x86 and ARM).
public enum DType: Equatable, Sendable, CustomStringConvertible {
    case float32, float64
    case int8, int16, int32, int64
    case uint8, uint16, uint32, uint64
    /// numpy `bool` as h5py stores it: an enum of int8 with members FALSE = 0 and TRUE = 1.
    /// Reads as an `.int8` (or `.uint8`) tensor of 0s and 1s.
    case bool
    /// Fixed-length byte strings of `n` bytes each (numpy `|S<n>`, robomimic's filter masks).
    case fixedString(Int)
    /// Variable-length strings (h5py `string_dtype()`, Python `str` attributes).
    case variableString
    /// Anything else (compound, opaque, references, half floats, ...), described in words.
    case other(String)

    /// numpy-like: `float32`, `int64`, `bool`, `|S12`, `str`, or the words of `.other`.
    public var description: String {
        switch self {
        case .float32: return "float32"
        case .float64: return "float64"
        case .int8: return "int8"
        case .int16: return "int16"
        case .int32: return "int32"
        case .int64: return "int64"
        case .uint8: return "uint8"
        case .uint16: return "uint16"
        case .uint32: return "uint32"
        case .uint64: return "uint64"
        case .bool: return "bool"
        case .fixedString(let n): return "|S\(n)"
        case .variableString: return "str"
        case .other(let words): return words
        }
    }

    /// Whether the elements are strings (fixed or variable length).
    public var isString: Bool {
        switch self {
        case .fixedString, .variableString: return true
        default: return false
        }
    }

    /// The dtype a tensor with this storage is written with.
    public init(_ storage: Tensor.Storage) {
        switch storage {
        case .float32: self = .float32
        case .float64: self = .float64
        case .int8: self = .int8
        case .int16: self = .int16
        case .int32: self = .int32
        case .int64: self = .int64
        case .uint8: self = .uint8
        case .uint16: self = .uint16
        case .uint32: self = .uint32
        case .uint64: self = .uint64
        }
    }
}

/// The in-memory element type a numeric dataset or attribute is read into: one per
/// `Tensor.Storage` case.
enum NumericElement: Sendable, Equatable {
    case float32, float64, int8, int16, int32, int64, uint8, uint16, uint32, uint64

    init(_ storage: Tensor.Storage) {
        switch storage {
        case .float32: self = .float32
        case .float64: self = .float64
        case .int8: self = .int8
        case .int16: self = .int16
        case .int32: self = .int32
        case .int64: self = .int64
        case .uint8: self = .uint8
        case .uint16: self = .uint16
        case .uint32: self = .uint32
        case .uint64: self = .uint64
        }
    }

    /// The HDF5 native (memory) type: H5T_NATIVE_*.
    var nativeType: hid_t {
        switch self {
        case .float32: return H5.Predefined.nativeFloat
        case .float64: return H5.Predefined.nativeDouble
        case .int8: return H5.Predefined.nativeInt8
        case .int16: return H5.Predefined.nativeInt16
        case .int32: return H5.Predefined.nativeInt32
        case .int64: return H5.Predefined.nativeInt64
        case .uint8: return H5.Predefined.nativeUInt8
        case .uint16: return H5.Predefined.nativeUInt16
        case .uint32: return H5.Predefined.nativeUInt32
        case .uint64: return H5.Predefined.nativeUInt64
        }
    }

    /// The file type written: little-endian IEEE / two's complement (numpy's `<f4`, `<i8`, ...).
    var fileType: hid_t {
        switch self {
        case .float32: return H5.Predefined.float32LE
        case .float64: return H5.Predefined.float64LE
        case .int8: return H5.Predefined.int8LE
        case .int16: return H5.Predefined.int16LE
        case .int32: return H5.Predefined.int32LE
        case .int64: return H5.Predefined.int64LE
        case .uint8: return H5.Predefined.uint8LE
        case .uint16: return H5.Predefined.uint16LE
        case .uint32: return H5.Predefined.uint32LE
        case .uint64: return H5.Predefined.uint64LE
        }
    }

    /// Bytes per element.
    var size: Int {
        switch self {
        case .int8, .uint8: return 1
        case .int16, .uint16: return 2
        case .float32, .int32, .uint32: return 4
        case .float64, .int64, .uint64: return 8
        }
    }

    static func integer(size: Int, signed: Bool) -> NumericElement? {
        switch (size, signed) {
        case (1, true): return .int8
        case (2, true): return .int16
        case (4, true): return .int32
        case (8, true): return .int64
        case (1, false): return .uint8
        case (2, false): return .uint16
        case (4, false): return .uint32
        case (8, false): return .uint64
        default: return nil
        }
    }
}

/// What an HDF5 datatype is, as far as reading it goes.
struct H5TypeInfo {
    /// The dtype reported to callers.
    var dtype: DType
    /// The element to read numbers into, nil when the type is not numeric. For `.bool` this is
    /// the enum's base integer, read through the native enum type (HDF5 will not convert an enum
    /// to a plain integer).
    var element: NumericElement?
    /// Whether reading must use the native version of the file's own type (enums).
    var readsThroughNativeCopy: Bool

    /// Bytes one element takes in memory when read: the number's size, a fixed-length string's
    /// length, a pointer for a variable-length string, the stored size for anything else.
    var memoryElementSize: Int

    /// Inspects a datatype id (H5Tget_class, H5Tget_size, H5Tget_sign, enum members).
    init(inspecting type: hid_t, _ site: H5Site) throws(HDF5Error) {
        readsThroughNativeCopy = false
        element = nil
        let size = H5.typeSize(type)
        memoryElementSize = size
        let typeClass = H5.typeClass(type)
        switch typeClass {
        case H5T_INTEGER:
            let signed = H5.typeSign(type) != H5T_SGN_NONE
            if let e = NumericElement.integer(size: size, signed: signed) {
                element = e
                dtype = DType.numeric(e)
            } else {
                dtype = .other("\(signed ? "int" : "uint")\(size * 8)")
            }
        case H5T_FLOAT:
            switch size {
            case 4: element = .float32; dtype = .float32
            case 8: element = .float64; dtype = .float64
            case 1...3: element = .float32; dtype = .other("float\(size * 8)")
            default: element = .float64; dtype = .other("float\(size * 8)")
            }
        case H5T_STRING:
            if try H5.typeIsVariableString(type, site) {
                dtype = .variableString
            } else {
                dtype = .fixedString(size)
            }
        case H5T_ENUM:
            if try H5TypeInfo.isNumpyBool(type, site) {
                let base = try H5.typeBase(type, site)
                defer { H5.close(base, .datatype) }
                let signed = H5.typeSign(base) != H5T_SGN_NONE
                element = signed ? .int8 : .uint8
                readsThroughNativeCopy = true
                dtype = .bool
            } else {
                dtype = .other("enum")
            }
        case H5T_COMPOUND: dtype = .other("compound")
        case H5T_ARRAY: dtype = .other("array")
        case H5T_VLEN: dtype = .other("vlen")
        case H5T_OPAQUE: dtype = .other("opaque")
        case H5T_REFERENCE: dtype = .other("reference")
        case H5T_BITFIELD: dtype = .other("bitfield")
        case H5T_TIME: dtype = .other("time")
        default: dtype = .other("unknown HDF5 type class \(typeClass.rawValue)")
        }
        if let element { memoryElementSize = element.size }
        if dtype == .variableString { memoryElementSize = MemoryLayout<UnsafeMutablePointer<CChar>?>.size }
    }

    /// An enum of one-byte integers with exactly FALSE = 0 and TRUE = 1: how h5py stores numpy bool.
    private static func isNumpyBool(_ type: hid_t, _ site: H5Site) throws(HDF5Error) -> Bool {
        guard H5.typeSize(type) == 1, try H5.typeMemberCount(type, site) == 2 else { return false }
        var members: [String: UInt8] = [:]
        for index in 0..<2 {
            guard let name = H5.typeMemberName(type, index) else { return false }
            members[name] = try H5.typeMemberValue(type, index, site)[0]
        }
        return members == ["FALSE": 0, "TRUE": 1]
    }
}

extension DType {
    static func numeric(_ element: NumericElement) -> DType {
        switch element {
        case .float32: return .float32
        case .float64: return .float64
        case .int8: return .int8
        case .int16: return .int16
        case .int32: return .int32
        case .int64: return .int64
        case .uint8: return .uint8
        case .uint16: return .uint16
        case .uint32: return .uint32
        case .uint64: return .uint64
        }
    }
}
