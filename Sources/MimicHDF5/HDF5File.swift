import CHDF5
import Foundation

/// An open HDF5 file. Owns the file id (H5Fopen / H5Fcreate) and closes it in `deinit` or
/// `close()`.
///
/// Files are opened with H5F_CLOSE_STRONG: `close()` also closes every group and dataset still
/// open in the file, so the file (and HDF5's lock on it) is really released; values obtained
/// from it before then throw `.io` ("the file is closed") afterwards.
///
/// Threads: every HDF5 call is serialized behind one global lock; use HDF5 from one thread
/// (docs/architecture.md). The class is `Sendable` so a file can be handed to that thread.
public final class HDF5File: @unchecked Sendable {
    /// The path as given to `open` / `create`.
    public let path: String
    /// Whether the file was opened for writing.
    public let isWritable: Bool

    let handle: H5Handle
    private let rootHandle: H5Handle

    private init(path: String, writable: Bool, fileID: hid_t) throws(HDF5Error) {
        self.path = path
        self.isWritable = writable
        self.handle = H5Handle(fileID, .file)
        let site = H5Site(file: path, path: "/")
        do throws(HDF5Error) {
            self.rootHandle = H5Handle(try H5.groupOpen(fileID, "/", site), .object)
        } catch {
            handle.close()
            throw error
        }
    }

    /// Opens an existing file, read-only unless `writable` (H5Fopen).
    ///
    /// Errors: `.fileNotFound` if nothing is at `path`; `.notHDF5` if it is a directory, has no
    /// HDF5 signature (H5Fis_hdf5), or is truncated or corrupt; `.io` otherwise (permissions,
    /// already open elsewhere for writing).
    public static func open(_ path: String, writable: Bool = false) throws(HDF5Error) -> HDF5File {
        let site = H5Site(file: path, path: "/")
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory) else {
            throw site.error(.fileNotFound, "no such file")
        }
        if isDirectory.boolValue { throw site.error(.notHDF5, "is a directory, not an HDF5 file") }
        guard FileManager.default.isReadableFile(atPath: path) else {
            throw site.error(.io, "permission denied (cannot read the file)")
        }
        switch H5.isHDF5(path) {
        case (false?, _):
            throw site.error(.notHDF5, "not an HDF5 file (no HDF5 signature)")
        case (nil, let message):
            throw site.error(.notHDF5, "not a readable HDF5 file (\(message ?? "HDF5 could not check it"))")
        case (true?, _):
            break
        }
        switch H5.fileOpen(path, writable: writable, site) {
        case .success(let id):
            return try HDF5File(path: path, writable: writable, fileID: id)
        case .failure(let error):
            // The file exists, is readable and starts with the HDF5 signature: a failure is a
            // lock held by another program, this process holding it open in another mode, a
            // permission problem for writing, or else damage (truncation shows up as
            // "truncated file: eof = ..., stored_eof = ...").
            let detail = error.detail
            if detail.contains("lock file") {  // not "lock": "sblock" appears in truncation messages
                throw site.error(.io, "cannot open the file: it is locked, probably open for writing in another program (\(detail))")
            }
            if detail.contains("already open") {
                throw site.error(.io, "cannot open the file: it is already open in this program in another mode (\(detail))")
            }
            if writable, !FileManager.default.isWritableFile(atPath: path) {
                throw site.error(.io, "permission denied (cannot open the file for writing)")
            }
            throw site.error(.notHDF5, "truncated or corrupt HDF5 file (\(detail))")
        }
    }

    /// Creates a file, truncating any existing file at `path` (H5Fcreate with H5F_ACC_TRUNC), in
    /// HDF5 1.10's file format (h5py and libhdf5 1.10 or later read it). With
    /// `sharedAttributesFrom` > 0, HDF5 stores an attribute of at least that many bytes once for
    /// all the objects that carry the same one (a shared object-header message; this works for
    /// fixed-length values, ``HDF5Attributes/set(_:fixedString:)``).
    /// Errors: `.io` (missing directory, permissions, the file is open in this process).
    public static func create(_ path: String, sharedAttributesFrom: Int = 0) throws(HDF5Error) -> HDF5File {
        let site = H5Site(file: path, path: "/")
        let directory = (path as NSString).deletingLastPathComponent
        if !directory.isEmpty, !FileManager.default.fileExists(atPath: directory) {
            throw site.error(.io, "cannot create the file: directory \(directory) does not exist")
        }
        let id = try H5.fileCreate(path, sharedAttributesFrom: sharedAttributesFrom, site)
        return try HDF5File(path: path, writable: true, fileID: id)
    }

    /// The root group `/`. After `close()`, every operation on it throws `.io`.
    public var root: HDF5Group {
        HDF5Group(file: self, path: "/", handle: rootHandle)
    }

    /// Whether `close()` has not been called yet.
    public var isOpen: Bool { handle.isOpen }

    /// Writes everything buffered to disk (H5Fflush, global scope).
    public func flush() throws(HDF5Error) {
        try handle.withID(closedError("/")) { (id) throws(HDF5Error) in
            try H5.fileFlush(id, H5Site(file: path, path: "/"))
        }
    }

    /// Closes the file and every object still open in it (H5Fclose with H5F_CLOSE_STRONG).
    /// Calling it again does nothing. Errors while closing are not reported: call `flush()`
    /// first to learn about write failures.
    public func close() {
        rootHandle.close()
        handle.close()
    }

    /// The error for using an object of this file after `close()`.
    func closedError(_ objectPath: String) -> HDF5Error {
        HDF5Error(.io, file: path, path: objectPath, detail: "the file is closed")
    }

    deinit { close() }
}
