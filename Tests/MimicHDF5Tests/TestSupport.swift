import Foundation
import Testing
import MimicCore
@testable import MimicHDF5

/// A fresh directory under the system temporary directory, removed after `body`.
func withTemporaryDirectory<R>(_ body: (URL) throws -> R) throws -> R {
    let directory = FileManager.default.temporaryDirectory
        .appendingPathComponent("MimicHDF5Tests-\(UUID().uuidString)", isDirectory: true)
    try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
    defer { try? FileManager.default.removeItem(at: directory) }
    return try body(directory)
}

/// A new writable HDF5 file in a temporary directory, removed after `body`.
func withTemporaryFile<R>(_ body: (HDF5File) throws -> R) throws -> R {
    try withTemporaryDirectory { directory in
        let file = try HDF5File.create(directory.appendingPathComponent("test.hdf5").path)
        defer { file.close() }
        return try body(file)
    }
}

/// Runs `body`, expecting an `HDF5Error` of `kind`; returns it for further checks.
@discardableResult
func expectHDF5Error(
    _ kind: HDF5Error.Kind, sourceLocation: SourceLocation = #_sourceLocation,
    _ body: () throws -> Void
) -> HDF5Error? {
    do {
        try body()
        Issue.record("expected an HDF5Error of kind \(kind), nothing was thrown", sourceLocation: sourceLocation)
        return nil
    } catch let error as HDF5Error {
        #expect(error.kind == kind, "got \(error)", sourceLocation: sourceLocation)
        return error
    } catch {
        Issue.record("expected an HDF5Error, got \(error)", sourceLocation: sourceLocation)
        return nil
    }
}

/// One tensor of each storage type, of `shape`, with values that differ per element.
func sampleTensors(shape: [Int]) -> [Tensor] {
    let n = shape.reduce(1, *)
    let i = (0..<n).map { $0 }
    return [
        Tensor(shape: shape, storage: .float32(i.map { Float($0) * 0.5 - 3 })),
        Tensor(shape: shape, storage: .float64(i.map { Double($0) * 0.25 - 1e-3 })),
        Tensor(shape: shape, storage: .int8(i.map { Int8(truncatingIfNeeded: $0 - 64) })),
        Tensor(shape: shape, storage: .int16(i.map { Int16(truncatingIfNeeded: $0 * 300 - 20000) })),
        Tensor(shape: shape, storage: .int32(i.map { Int32(truncatingIfNeeded: $0) &* -100_000 })),
        Tensor(shape: shape, storage: .int64(i.map { Int64($0) &* (1 << 40) &- 7 })),
        Tensor(shape: shape, storage: .uint8(i.map { UInt8(truncatingIfNeeded: $0 * 7) })),
        Tensor(shape: shape, storage: .uint16(i.map { UInt16(truncatingIfNeeded: $0 * 1000) })),
        Tensor(shape: shape, storage: .uint32(i.map { UInt32(truncatingIfNeeded: $0) &* 3_000_000 })),
        Tensor(shape: shape, storage: .uint64(i.map { UInt64($0) &<< 50 | 1 })),
    ]
}
