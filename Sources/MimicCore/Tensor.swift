/// A dense, row-major n-dimensional array that keeps the element type it was read with,
/// so a dataset read from a file and written back is bit-for-bit the same.
///
/// `shape` is outermost first: a robomimic `actions` array of T steps and A dimensions has
/// shape `[T, A]`; a pose stack has shape `[T, 4, 4]`. `count == shape.reduce(1, *)`.
public struct Tensor: Sendable, Equatable {
    /// The element storage, one case per element type Mimic reads and writes.
    public enum Storage: Sendable, Equatable {
        case float32([Float])
        case float64([Double])
        case int8([Int8])
        case int16([Int16])
        case int32([Int32])
        case int64([Int64])
        case uint8([UInt8])
        case uint16([UInt16])
        case uint32([UInt32])
        case uint64([UInt64])
    }

    public var shape: [Int]
    public var storage: Storage

    /// Creates a tensor; `storage` must hold `shape.reduce(1, *)` elements (a programmer error otherwise).
    public init(shape: [Int], storage: Storage) {
        precondition(shape.allSatisfy { $0 >= 0 }, "negative dimension in \(shape)")
        self.shape = shape
        self.storage = storage
        precondition(storage.count == shape.reduce(1, *), "storage holds \(storage.count) elements, shape \(shape) needs \(shape.reduce(1, *))")
    }

    public init(shape: [Int], float64 values: [Double]) { self.init(shape: shape, storage: .float64(values)) }
    public init(shape: [Int], float32 values: [Float]) { self.init(shape: shape, storage: .float32(values)) }

    /// Number of elements.
    public var count: Int { storage.count }

    /// Length of the first dimension (the time axis for per-step data); 0 for a scalar.
    public var rows: Int { shape.first ?? 0 }

    /// Elements per row: the product of all dimensions after the first (1 for a 1-D tensor).
    public var rowWidth: Int { shape.dropFirst().reduce(1, *) }

    /// The element type's name as numpy spells it (`float32`, `int64`, `uint8`, ...).
    public var dtypeName: String { storage.dtypeName }

    /// Whether the elements are floating point.
    public var isFloatingPoint: Bool {
        switch storage {
        case .float32, .float64: return true
        default: return false
        }
    }

    /// All elements converted to Double (exact for every stored type but 64-bit integers above 2^53).
    public var doubles: [Double] {
        switch storage {
        case .float32(let v): return v.map { Double($0) }
        case .float64(let v): return v
        case .int8(let v): return v.map { Double($0) }
        case .int16(let v): return v.map { Double($0) }
        case .int32(let v): return v.map { Double($0) }
        case .int64(let v): return v.map { Double($0) }
        case .uint8(let v): return v.map { Double($0) }
        case .uint16(let v): return v.map { Double($0) }
        case .uint32(let v): return v.map { Double($0) }
        case .uint64(let v): return v.map { Double($0) }
        }
    }

    /// Rows `range` of the first dimension, keeping the element type.
    public func rows(_ range: Range<Int>) -> Tensor {
        precondition(range.lowerBound >= 0 && range.upperBound <= rows, "rows \(range) out of 0..<\(rows)")
        let w = rowWidth
        let lo = range.lowerBound * w, hi = range.upperBound * w
        var newShape = shape
        newShape[0] = range.count
        return Tensor(shape: newShape, storage: storage.slice(lo..<hi))
    }
}

extension Tensor.Storage {
    public var count: Int {
        switch self {
        case .float32(let v): return v.count
        case .float64(let v): return v.count
        case .int8(let v): return v.count
        case .int16(let v): return v.count
        case .int32(let v): return v.count
        case .int64(let v): return v.count
        case .uint8(let v): return v.count
        case .uint16(let v): return v.count
        case .uint32(let v): return v.count
        case .uint64(let v): return v.count
        }
    }

    public var dtypeName: String {
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
        }
    }

    func slice(_ r: Range<Int>) -> Tensor.Storage {
        switch self {
        case .float32(let v): return .float32(Array(v[r]))
        case .float64(let v): return .float64(Array(v[r]))
        case .int8(let v): return .int8(Array(v[r]))
        case .int16(let v): return .int16(Array(v[r]))
        case .int32(let v): return .int32(Array(v[r]))
        case .int64(let v): return .int64(Array(v[r]))
        case .uint8(let v): return .uint8(Array(v[r]))
        case .uint16(let v): return .uint16(Array(v[r]))
        case .uint32(let v): return .uint32(Array(v[r]))
        case .uint64(let v): return .uint64(Array(v[r]))
        }
    }
}

extension Tensor {
    /// The row-major index of the first NaN or infinite element; nil when every element is
    /// finite (integers always are).
    public var firstNonFiniteIndex: Int? {
        switch storage {
        case .float32(let v): return v.firstIndex { !$0.isFinite }
        case .float64(let v): return v.firstIndex { !$0.isFinite }
        default: return nil
        }
    }

    /// Where row-major element `index` is, in words: `row 12, column 3` for a (T, A) tensor,
    /// `row 12` for (T,), `row 5, element [2, 3]` for more dimensions, `the value` for a scalar.
    public func position(ofElement index: Int) -> String {
        guard !shape.isEmpty else { return "the value" }
        let width = rowWidth
        let row = width > 0 ? index / width : 0
        let rest = width > 0 ? index % width : 0
        switch shape.count {
        case 1: return "row \(row)"
        case 2: return "row \(row), column \(rest)"
        default:
            var inner: [Int] = []
            var remainder = rest
            for n in shape.dropFirst().reversed() {
                inner.append(n > 0 ? remainder % n : 0)
                remainder = n > 0 ? remainder / n : 0
            }
            return "row \(row), element [\(inner.reversed().map(String.init).joined(separator: ", "))]"
        }
    }

    /// Throws `DatasetError` at `path` naming the first NaN or infinite element and where it is
    /// (`holds NaN at row 12, column 3`).
    public func requireFinite(file: String, path: String) throws(DatasetError) {
        guard let index = firstNonFiniteIndex else { return }
        throw Self.nonFiniteError(doubles[index], at: position(ofElement: index), file: file, path: path)
    }

    /// The error for a NaN or infinite `value` found at `position` (words) of the dataset at `path`.
    public static func nonFiniteError(_ value: Double, at position: String, file: String, path: String) -> DatasetError {
        DatasetError(file: file, path: path, "holds \(value.isNaN ? "NaN" : "\(value)") at \(position); every value must be finite")
    }
}
