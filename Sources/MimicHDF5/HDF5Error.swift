/// An error from reading or writing an HDF5 file: what went wrong, in which file, at which
/// HDF5 path.
///
/// The C counterpart is a negative `herr_t` / `hid_t` return plus HDF5's error stack; the
/// wrapper turns each failing call into one of these, with the innermost message of the
/// stack (where HDF5 found the problem) in `detail` when there is no better explanation.
/// `description` is one line a user can act on: `"<file>: <path>: <detail>"`, where `path`
/// is `/` when the error is about the file itself.
public struct HDF5Error: Error, CustomStringConvertible, Sendable, Equatable {
    /// What kind of problem this is; the command-line tool maps kinds to exit codes
    /// (`fileNotFound`, `io` → I/O failure; the others → bad input data).
    public enum Kind: Sendable, Equatable {
        /// The file does not exist.
        case fileNotFound
        /// The file exists but is not an HDF5 file (no signature), or is truncated or corrupt.
        case notHDF5
        /// An HDF5 call failed: permissions, disk full, a closed file, a damaged object.
        case io
        /// No group or dataset at this path.
        case notFound
        /// A dataset where a group was expected, or the other way round.
        case wrongKind
        /// The stored element type is not the requested one (e.g. strings read as numbers).
        case typeMismatch
        /// The stored shape is not the requested one (e.g. an array where a scalar was expected).
        case shapeMismatch
        /// The content or an argument is invalid (e.g. an unknown attribute, a bad gzip level).
        case invalidData
        /// A valid HDF5 feature this wrapper does not handle (compound types, null dataspaces).
        case unsupported
    }

    public var kind: Kind
    /// The file path as the caller gave it.
    public var file: String
    /// The absolute HDF5 path of the object concerned; `/` for the file itself.
    public var path: String
    /// What went wrong, in words.
    public var detail: String

    public init(_ kind: Kind, file: String, path: String, detail: String) {
        self.kind = kind
        self.file = file
        self.path = path.isEmpty ? "/" : path
        self.detail = detail
    }

    public var description: String { "\(file): \(path): \(detail)" }
}

/// Where an HDF5 call happens, so that every failure can name its file and HDF5 path.
struct H5Site: Sendable {
    var file: String
    var path: String

    func error(_ kind: HDF5Error.Kind, _ detail: String) -> HDF5Error {
        HDF5Error(kind, file: file, path: path, detail: detail)
    }

    /// The same file, another object.
    func at(_ path: String) -> H5Site { H5Site(file: file, path: path) }
}
