/// The value of an HDF5 attribute as Mimic models it: the kinds robomimic, MimicGen and
/// Isaac Lab files use (integers, floats, strings, numeric arrays, booleans).
public enum AttributeValue: Sendable, Equatable, CustomStringConvertible {
    case int(Int)
    case double(Double)
    case string(String)
    case ints([Int])
    case doubles([Double])
    case bool(Bool)

    public var description: String {
        switch self {
        case .int(let v): return String(v)
        case .double(let v): return String(v)
        case .string(let v): return v
        case .ints(let v): return "\(v)"
        case .doubles(let v): return "\(v)"
        case .bool(let v): return String(v)
        }
    }

    /// The value as an integer when it is one (or a boolean, or a one-element integer array).
    public var intValue: Int? {
        switch self {
        case .int(let v): return v
        case .bool(let v): return v ? 1 : 0
        case .ints(let v) where v.count == 1: return v[0]
        default: return nil
        }
    }

    /// The value as a string when it is one.
    public var stringValue: String? {
        if case .string(let v) = self { return v }
        return nil
    }
}
