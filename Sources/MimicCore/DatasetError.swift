/// A problem with a dataset or a task file that the user can act on: it names the file, the
/// HDF5 path (or JSON key) and what was expected.
///
/// `description` is one line: `<file>: <path>: <detail>`.
public struct DatasetError: Error, CustomStringConvertible, Sendable, Equatable {
    public enum Kind: Sendable, Equatable {
        /// The content is not what Mimic expected (wrong layout, shape, value). Exit code 65.
        case invalidData
        /// The file could not be read or written. Exit code 74.
        case io
    }

    public var kind: Kind
    public var file: String
    public var path: String
    public var detail: String

    public init(_ kind: Kind = .invalidData, file: String, path: String, _ detail: String) {
        self.kind = kind
        self.file = file
        self.path = path
        self.detail = detail
    }

    public var description: String { "\(file): \(path.isEmpty ? "/" : path): \(detail)" }
}
