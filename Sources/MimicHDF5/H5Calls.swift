import CHDF5
import CHDF5Shim
import Foundation

// Every HDF5 C call MimicHDF5 makes goes through exactly one function in this file (the
// swift-system `Syscalls.swift` model). Each wrapper:
//   - takes the global lock and silences HDF5's error printing for the calling thread,
//   - checks the return value, and on failure throws an `HDF5Error` of kind `.io` naming the
//     call and the innermost message on HDF5's error stack (callers that can say something
//     more useful check first and throw a better error),
//   - takes an `H5Site` (file and HDF5 path) so the error says where.
//
// Threads: the Debian build of libhdf5 is thread-safe behind its own global lock; this file adds
// one recursive lock of its own so builds that are not thread-safe are safe too. Every call is
// serialized either way, so one thread should own all HDF5 work (docs/architecture.md).

/// The one lock around every HDF5 call.
private let h5Lock = NSRecursiveLock()

enum H5 {
    /// Runs one C call under the lock, with error printing silenced for this thread.
    /// Returns the result and, when `failed(result)`, the innermost HDF5 error message.
    @inline(__always)
    private static func run<R>(_ body: () -> R, failed: (R) -> Bool) -> (R, String?) {
        h5Lock.lock()
        defer { h5Lock.unlock() }
        mimic_h5_prepare_thread()
        let result = body()
        guard failed(result) else { return (result, nil) }
        return (result, lastErrorMessage())
    }

    /// Runs a C call whose result needs no check (queries on valid ids that cannot fail).
    @inline(__always)
    private static func run<R>(_ body: () -> R) -> R {
        h5Lock.lock()
        defer { h5Lock.unlock() }
        mimic_h5_prepare_thread()
        return body()
    }

    /// mimic_h5_last_error: the innermost message on this thread's error stack. Lock held.
    private static func lastErrorMessage() -> String {
        var buffer = [CChar](repeating: 0, count: 512)
        let capacity = buffer.count
        buffer.withUnsafeMutableBufferPointer { mimic_h5_last_error($0.baseAddress, capacity) }
        let message = String(decoding: buffer.prefix(while: { $0 != 0 }).map { UInt8(bitPattern: $0) }, as: UTF8.self)
        return message.isEmpty ? "no further information from HDF5" : message
    }

    private static func failure(_ call: String, _ message: String?, _ site: H5Site) -> HDF5Error {
        site.error(.io, "\(call) failed: \(message ?? "no further information from HDF5")")
    }

    /// A call returning an id (`hid_t`), negative on failure.
    private static func id(_ call: String, _ site: H5Site, _ body: () -> hid_t) throws(HDF5Error) -> hid_t {
        let (value, message) = run(body, failed: { $0 < 0 })
        if value < 0 { throw failure(call, message, site) }
        return value
    }

    /// A call returning `herr_t`, negative on failure.
    private static func status(_ call: String, _ site: H5Site, _ body: () -> herr_t) throws(HDF5Error) {
        let (value, message) = run(body, failed: { $0 < 0 })
        if value < 0 { throw failure(call, message, site) }
    }

    /// A call returning `htri_t`: positive true, zero false, negative failure.
    private static func tri(_ call: String, _ site: H5Site, _ body: () -> htri_t) throws(HDF5Error) -> Bool {
        let (value, message) = run(body, failed: { $0 < 0 })
        if value < 0 { throw failure(call, message, site) }
        return value > 0
    }

    /// A call returning a count or size (`ssize_t`, `int`), negative on failure.
    private static func count<I: BinaryInteger>(_ call: String, _ site: H5Site, _ body: () -> I) throws(HDF5Error) -> Int {
        let (value, message) = run(body, failed: { $0 < 0 })
        guard value >= 0, let result = Int(exactly: value) else { throw failure(call, message, site) }
        return result
    }

    // MARK: Library

    /// H5is_library_threadsafe.
    static func isThreadSafe() -> Bool { run { mimic_h5_is_threadsafe() } != 0 }

    /// H5P_DEFAULT as an `hid_t` (it imports into Swift as `Int32`).
    static let defaultPlist: hid_t = mimic_h5p_default()
    /// H5S_ALL.
    static let allSpace: hid_t = mimic_h5s_all()
    /// H5T_VARIABLE.
    static let variableSize: Int = mimic_h5t_variable()
    /// H5S_UNLIMITED.
    static let unlimited: hsize_t = mimic_h5s_unlimited()

    // MARK: Closing

    /// The kind of id, which decides the close function.
    enum IDKind: Sendable { case file, object, attribute, datatype, dataspace, propertyList }

    /// H5Fclose / H5Oclose / H5Aclose / H5Tclose / H5Sclose / H5Pclose. Ids that are no longer
    /// valid (closed with their file by H5F_CLOSE_STRONG) are skipped. Never fails.
    static func close(_ id: hid_t, _ kind: IDKind) {
        guard id >= 0 else { return }
        run {
            guard H5Iis_valid(id) > 0 else { return }
            switch kind {
            case .file: _ = H5Fclose(id)
            case .object: _ = H5Oclose(id)
            case .attribute: _ = H5Aclose(id)
            case .datatype: _ = H5Tclose(id)
            case .dataspace: _ = H5Sclose(id)
            case .propertyList: _ = H5Pclose(id)
            }
        }
    }

    // MARK: Files

    /// mimic_h5f_is_hdf5 (H5Fis_hdf5 / H5Fis_accessible): nil when HDF5 could not tell
    /// (e.g. unreadable), with HDF5's message.
    static func isHDF5(_ path: String) -> (Bool?, String?) {
        let (value, message) = run({ mimic_h5f_is_hdf5(path) }, failed: { $0 < 0 })
        if value < 0 { return (nil, message) }
        return (value > 0, nil)
    }

    /// H5Fopen with a file-access list that has H5F_CLOSE_STRONG, its descriptor close-on-exec
    /// (mimic_h5f_set_cloexec). On failure, also returns the
    /// innermost HDF5 message so the caller can tell a truncated file from a permission problem.
    static func fileOpen(_ path: String, writable: Bool, _ site: H5Site) -> Result<hid_t, HDF5Error> {
        let (fapl, faplMessage) = run({ mimic_h5p_create_fapl_strong_close() }, failed: { $0 < 0 })
        guard fapl >= 0 else { return .failure(failure("H5Pcreate(H5P_FILE_ACCESS)", faplMessage, site)) }
        defer { close(fapl, .propertyList) }
        let flags = writable ? mimic_h5f_acc_rdwr() : mimic_h5f_acc_rdonly()
        let (file, message) = run({ H5Fopen(path, flags, fapl) }, failed: { $0 < 0 })
        if file < 0 { return .failure(failure("H5Fopen", message, site)) }
        _ = run { mimic_h5f_set_cloexec(file) }  // best effort: children started later do not inherit its lock
        return .success(file)
    }

    /// H5Fcreate(H5F_ACC_TRUNC) with a file-access list that has H5F_CLOSE_STRONG and HDF5 1.10's
    /// file format, its descriptor close-on-exec (mimic_h5f_set_cloexec); attributes of at least
    /// `sharedAttributesFrom` bytes (> 0) are stored once per distinct value.
    static func fileCreate(_ path: String, sharedAttributesFrom: Int, _ site: H5Site) throws(HDF5Error) -> hid_t {
        let fapl = try id("H5Pcreate(H5P_FILE_ACCESS)", site) { mimic_h5p_create_fapl_strong_close() }
        defer { close(fapl, .propertyList) }
        try status("H5Pset_libver_bounds", site) { mimic_h5p_set_libver_v110(fapl) }
        try status("H5Pset_obj_track_times(H5P_GROUP_CREATE_DEFAULT)", site) { mimic_h5p_untime_default_groups() }
        let fcpl = try id("H5Pcreate(H5P_FILE_CREATE)", site) { mimic_h5p_create_fcpl(UInt32(clamping: sharedAttributesFrom)) }
        defer { close(fcpl, .propertyList) }
        let file = try id("H5Fcreate", site) { H5Fcreate(path, mimic_h5f_acc_trunc(), fcpl, fapl) }
        _ = run { mimic_h5f_set_cloexec(file) }  // best effort: children started later do not inherit its lock
        return file
    }

    /// H5Fflush(H5F_SCOPE_GLOBAL).
    static func fileFlush(_ file: hid_t, _ site: H5Site) throws(HDF5Error) {
        try status("H5Fflush", site) { H5Fflush(file, H5F_SCOPE_GLOBAL) }
    }

    // MARK: Links and objects

    /// H5Lexists; false on any failure (e.g. an intermediate component is a dataset).
    static func linkExists(_ location: hid_t, _ name: String) -> Bool {
        run { H5Lexists(location, name, defaultPlist) } > 0
    }

    /// H5Oexists_by_name; false on any failure (a missing intermediate, a dangling soft link).
    static func objectExists(_ location: hid_t, _ name: String) -> Bool {
        run { H5Oexists_by_name(location, name, defaultPlist) } > 0
    }

    /// H5Oopen.
    static func objectOpen(_ location: hid_t, _ name: String, _ site: H5Site) throws(HDF5Error) -> hid_t {
        try id("H5Oopen", site) { H5Oopen(location, name, defaultPlist) }
    }

    /// H5Iget_type.
    static func idType(_ object: hid_t) -> H5I_type_t {
        run { H5Iget_type(object) }
    }

    /// H5Gget_info: the number of links in a group.
    static func linkCount(_ group: hid_t, _ site: H5Site) throws(HDF5Error) -> Int {
        var info = H5G_info_t()
        try status("H5Gget_info", site) { H5Gget_info(group, &info) }
        guard let count = Int(exactly: info.nlinks) else { throw site.error(.invalidData, "implausible link count \(info.nlinks)") }
        return count
    }

    /// The longest link or attribute name Mimic accepts; a longer one is damage, not a name.
    static let maxNameLength = 1 << 16

    /// The length `call` reported for a name, refused when longer than `maxNameLength`.
    private static func nameLength(_ call: String, _ site: H5Site, _ body: () -> Int) throws(HDF5Error) -> Int {
        let length = try count(call, site, body)
        guard length <= maxNameLength else {
            throw site.error(.invalidData, "\(call) reports a name of \(length) bytes (corrupt file?)")
        }
        return length
    }

    /// What the visitor of `linkNames` collects, through the iteration's context pointer: the
    /// names' bytes one after another, and where each ends.
    private struct LinkNameList {
        var bytes: [UInt8] = []
        var ends: [Int] = []
        /// The most names to take; one more is damage.
        let limit: Int
        /// Why the visitor stopped the iteration, if it did.
        var refusal: String?

        func name(_ i: Int) -> ArraySlice<UInt8> { bytes[(i == 0 ? 0 : ends[i - 1])..<ends[i]] }
    }

    /// mimic_h5l_iterate_names (H5Literate over the name index, in one pass), sorted here into
    /// HDF5's name order (H5_INDEX_NAME, H5_ITER_INC: strcmp on the bytes, the order
    /// H5Lget_name_by_idx counts in): the names of a group's links. Linear in the links, where
    /// H5Lget_name_by_idx per index sorts the whole group once per name. The caller checks
    /// `limit` first: room for that many names is reserved, and a group that lists more, or a
    /// name longer than `maxNameLength`, stops the iteration with `.invalidData` (damage).
    static func linkNames(_ group: hid_t, limit: Int, _ site: H5Site) throws(HDF5Error) -> [String] {
        var list = LinkNameList(limit: max(0, limit))
        list.ends.reserveCapacity(list.limit)
        let (value, message) = withUnsafeMutablePointer(to: &list) { pointer in
            run(
                {
                    mimic_h5l_iterate_names(
                        group,
                        { name, context in
                            guard let list = context?.assumingMemoryBound(to: LinkNameList.self) else { return -1 }
                            guard let name else {
                                list.pointee.refusal = "H5Literate reports a link without a name (corrupt file?)"
                                return -1
                            }
                            guard list.pointee.ends.count < list.pointee.limit else {
                                list.pointee.refusal = "lists more than the \(list.pointee.limit) links H5Gget_info counts (damaged file?)"
                                return -1
                            }
                            let length = strnlen(name, H5.maxNameLength + 1)
                            guard length <= H5.maxNameLength else {
                                list.pointee.refusal = "H5Literate reports a name of more than \(H5.maxNameLength) bytes (corrupt file?)"
                                return -1
                            }
                            name.withMemoryRebound(to: UInt8.self, capacity: length) { bytes in
                                list.pointee.bytes.append(contentsOf: UnsafeBufferPointer(start: bytes, count: length))
                            }
                            list.pointee.ends.append(list.pointee.bytes.count)
                            return 0
                        }, pointer)
                }, failed: { $0 < 0 })
        }
        if let refusal = list.refusal { throw site.error(.invalidData, refusal) }
        if value < 0 { throw failure("H5Literate", message, site) }
        let order = list.ends.indices.sorted { list.name($0).lexicographicallyPrecedes(list.name($1)) }
        return order.map { String(decoding: list.name($0), as: UTF8.self) }
    }

    /// H5Lcreate_soft: a link `name` in `location` to the path `target` (which need not exist).
    static func linkCreateSoft(_ location: hid_t, _ name: String, to target: String, _ site: H5Site) throws(HDF5Error) {
        try status("H5Lcreate_soft", site) { H5Lcreate_soft(target, location, name, defaultPlist, defaultPlist) }
    }

    /// H5Lcreate_external: a link `name` in `location` to the object at `path` in the file `file`
    /// (a relative `file` is found beside the file that holds the link).
    static func linkCreateExternal(_ location: hid_t, _ name: String, file: String, path: String, _ site: H5Site) throws(HDF5Error) {
        try status("H5Lcreate_external", site) { H5Lcreate_external(file, path, location, name, defaultPlist, defaultPlist) }
    }

    /// H5Ldelete.
    static func linkDelete(_ location: hid_t, _ name: String, _ site: H5Site) throws(HDF5Error) {
        try status("H5Ldelete", site) { H5Ldelete(location, name, defaultPlist) }
    }

    /// H5Ocopy with default copy options and intermediate-group creation at the destination.
    static func objectCopy(_ source: hid_t, _ name: String, to destination: hid_t, as newName: String, _ site: H5Site) throws(HDF5Error) {
        let lcpl = try id("H5Pcreate(H5P_LINK_CREATE)", site) { mimic_h5p_create_lcpl_intermediate() }
        defer { close(lcpl, .propertyList) }
        try status("H5Ocopy", site) { H5Ocopy(source, name, destination, newName, defaultPlist, lcpl) }
    }

    // MARK: Groups

    /// H5Gopen2.
    static func groupOpen(_ location: hid_t, _ name: String, _ site: H5Site) throws(HDF5Error) -> hid_t {
        try id("H5Gopen2", site) { H5Gopen2(location, name, defaultPlist) }
    }

    /// H5Gcreate2 of one group whose parent exists, without object times (reproducible bytes).
    static func groupCreate(_ location: hid_t, _ name: String, _ site: H5Site) throws(HDF5Error) -> hid_t {
        let gcpl = try id("H5Pcreate(H5P_GROUP_CREATE)", site) { mimic_h5p_create_gcpl_untimed() }
        defer { close(gcpl, .propertyList) }
        return try id("H5Gcreate2", site) { H5Gcreate2(location, name, defaultPlist, gcpl, defaultPlist) }
    }

    // MARK: Datasets

    /// H5Dopen2.
    static func datasetOpen(_ location: hid_t, _ name: String, _ site: H5Site) throws(HDF5Error) -> hid_t {
        try id("H5Dopen2", site) { H5Dopen2(location, name, defaultPlist) }
    }

    /// H5Dcreate2 with intermediate-group creation.
    static func datasetCreate(_ location: hid_t, _ name: String, type: hid_t, space: hid_t, creation: hid_t, _ site: H5Site) throws(HDF5Error) -> hid_t {
        let lcpl = try id("H5Pcreate(H5P_LINK_CREATE)", site) { mimic_h5p_create_lcpl_intermediate() }
        defer { close(lcpl, .propertyList) }
        return try id("H5Dcreate2", site) { H5Dcreate2(location, name, type, space, lcpl, creation, defaultPlist) }
    }

    /// H5Dget_type.
    static func datasetType(_ dataset: hid_t, _ site: H5Site) throws(HDF5Error) -> hid_t {
        try id("H5Dget_type", site) { H5Dget_type(dataset) }
    }

    /// H5Dget_space.
    static func datasetSpace(_ dataset: hid_t, _ site: H5Site) throws(HDF5Error) -> hid_t {
        try id("H5Dget_space", site) { H5Dget_space(dataset) }
    }

    /// H5Dget_create_plist.
    static func datasetCreationList(_ dataset: hid_t, _ site: H5Site) throws(HDF5Error) -> hid_t {
        try id("H5Dget_create_plist", site) { H5Dget_create_plist(dataset) }
    }

    /// H5Dget_storage_size: the bytes the file holds for the dataset's elements (allocated chunks
    /// after compression, the contiguous block, the compact data); 0 when nothing is allocated
    /// (and, as HDF5 has no error value for it, when the call fails).
    static func storageSize(_ dataset: hid_t) -> Int {
        Int(clamping: run { H5Dget_storage_size(dataset) })
    }

    /// H5Iget_file_id + H5Fget_filesize: the size in bytes of the file that holds `object` (which
    /// is not the file it was opened through when an external link led to it).
    static func fileSize(holding object: hid_t, _ site: H5Site) throws(HDF5Error) -> Int {
        let file = try id("H5Iget_file_id", site) { H5Iget_file_id(object) }
        defer { close(file, .file) }
        var size: hsize_t = 0
        try status("H5Fget_filesize", site) { H5Fget_filesize(file, &size) }
        return Int(clamping: size)
    }

    /// mimic_h5o_identity: which object an id names (file number and address / token), so that a
    /// walk can tell when a link leads back to a group it is already inside.
    static func objectIdentity(_ object: hid_t, _ site: H5Site) throws(HDF5Error) -> H5ObjectIdentity {
        var fileNumber: UInt = 0
        var token = [UInt8](repeating: 0, count: 16)
        try status("H5Oget_info", site) { mimic_h5o_identity(object, &fileNumber, &token) }
        return H5ObjectIdentity(fileNumber: fileNumber, token: token)
    }

    /// H5Dread of the whole dataset into `buffer`, converting to `memoryType`.
    static func datasetRead(_ dataset: hid_t, memoryType: hid_t, into buffer: UnsafeMutableRawPointer?, _ site: H5Site) throws(HDF5Error) {
        try status("H5Dread", site) { H5Dread(dataset, memoryType, allSpace, allSpace, defaultPlist, buffer) }
    }

    /// H5Dwrite of the whole dataset from `buffer`, whose elements are of `memoryType`.
    static func datasetWrite(_ dataset: hid_t, memoryType: hid_t, from buffer: UnsafeRawPointer?, _ site: H5Site) throws(HDF5Error) {
        try status("H5Dwrite", site) { H5Dwrite(dataset, memoryType, allSpace, allSpace, defaultPlist, buffer) }
    }

    /// H5Dwrite_chunk: the stored (already filtered) bytes of the chunk at `offset`, all filters applied.
    static func writeChunk(_ dataset: hid_t, offset: [hsize_t], bytes: [UInt8], _ site: H5Site) throws(HDF5Error) {
        try status("H5Dwrite_chunk", site) {
            offset.withUnsafeBufferPointer { o in bytes.withUnsafeBytes { b in H5Dwrite_chunk(dataset, defaultPlist, 0, o.baseAddress, b.count, b.baseAddress) } }
        }
    }

    // MARK: Attributes

    /// H5Aexists; false on failure.
    static func attributeExists(_ object: hid_t, _ name: String) -> Bool {
        run { H5Aexists(object, name) } > 0
    }

    /// H5Aopen.
    static func attributeOpen(_ object: hid_t, _ name: String, _ site: H5Site) throws(HDF5Error) -> hid_t {
        try id("H5Aopen", site) { H5Aopen(object, name, defaultPlist) }
    }

    /// H5Acreate2.
    static func attributeCreate(_ object: hid_t, _ name: String, type: hid_t, space: hid_t, _ site: H5Site) throws(HDF5Error) -> hid_t {
        try id("H5Acreate2", site) { H5Acreate2(object, name, type, space, defaultPlist, defaultPlist) }
    }

    /// H5Adelete.
    static func attributeDelete(_ object: hid_t, _ name: String, _ site: H5Site) throws(HDF5Error) {
        try status("H5Adelete", site) { H5Adelete(object, name) }
    }

    /// H5Aget_type.
    static func attributeType(_ attribute: hid_t, _ site: H5Site) throws(HDF5Error) -> hid_t {
        try id("H5Aget_type", site) { H5Aget_type(attribute) }
    }

    /// H5Aget_space.
    static func attributeSpace(_ attribute: hid_t, _ site: H5Site) throws(HDF5Error) -> hid_t {
        try id("H5Aget_space", site) { H5Aget_space(attribute) }
    }

    /// H5Aread of the whole attribute into `buffer`, converting to `memoryType`.
    static func attributeRead(_ attribute: hid_t, memoryType: hid_t, into buffer: UnsafeMutableRawPointer?, _ site: H5Site) throws(HDF5Error) {
        try status("H5Aread", site) { H5Aread(attribute, memoryType, buffer) }
    }

    /// H5Awrite of the whole attribute from `buffer`.
    static func attributeWrite(_ attribute: hid_t, memoryType: hid_t, from buffer: UnsafeRawPointer?, _ site: H5Site) throws(HDF5Error) {
        try status("H5Awrite", site) { H5Awrite(attribute, memoryType, buffer) }
    }

    /// mimic_h5o_num_attrs (H5Oget_info with the num_attrs field).
    static func attributeCount(_ object: hid_t, _ site: H5Site) throws(HDF5Error) -> Int {
        try count("H5Oget_info", site) { mimic_h5o_num_attrs(object) }
    }

    /// H5Aget_name_by_idx (in name order).
    static func attributeName(_ object: hid_t, at index: Int, _ site: H5Site) throws(HDF5Error) -> String {
        let length = try nameLength("H5Aget_name_by_idx", site) {
            H5Aget_name_by_idx(object, ".", H5_INDEX_NAME, H5_ITER_INC, hsize_t(index), nil, 0, defaultPlist)
        }
        var buffer = [CChar](repeating: 0, count: length + 1)
        let capacity = buffer.count
        _ = try buffer.withUnsafeMutableBufferPointer { (buffer) throws(HDF5Error) -> Int in
            try count("H5Aget_name_by_idx", site) {
                H5Aget_name_by_idx(object, ".", H5_INDEX_NAME, H5_ITER_INC, hsize_t(index), buffer.baseAddress, capacity, defaultPlist)
            }
        }
        return string(fromNulTerminated: buffer)
    }

    // MARK: Datatypes

    /// The predefined datatypes (mimic_h5t_*): owned by the library, never closed.
    enum Predefined {
        static var nativeFloat: hid_t { mimic_h5t_native_float() }
        static var nativeDouble: hid_t { mimic_h5t_native_double() }
        static var nativeInt8: hid_t { mimic_h5t_native_int8() }
        static var nativeInt16: hid_t { mimic_h5t_native_int16() }
        static var nativeInt32: hid_t { mimic_h5t_native_int32() }
        static var nativeInt64: hid_t { mimic_h5t_native_int64() }
        static var nativeUInt8: hid_t { mimic_h5t_native_uint8() }
        static var nativeUInt16: hid_t { mimic_h5t_native_uint16() }
        static var nativeUInt32: hid_t { mimic_h5t_native_uint32() }
        static var nativeUInt64: hid_t { mimic_h5t_native_uint64() }
        static var float32LE: hid_t { mimic_h5t_ieee_f32le() }
        static var float64LE: hid_t { mimic_h5t_ieee_f64le() }
        static var int8LE: hid_t { mimic_h5t_std_i8le() }
        static var int16LE: hid_t { mimic_h5t_std_i16le() }
        static var int32LE: hid_t { mimic_h5t_std_i32le() }
        static var int64LE: hid_t { mimic_h5t_std_i64le() }
        static var uint8LE: hid_t { mimic_h5t_std_u8le() }
        static var uint16LE: hid_t { mimic_h5t_std_u16le() }
        static var uint32LE: hid_t { mimic_h5t_std_u32le() }
        static var uint64LE: hid_t { mimic_h5t_std_u64le() }
        static var cString: hid_t { mimic_h5t_c_s1() }
    }

    /// H5Tget_class.
    static func typeClass(_ type: hid_t) -> H5T_class_t { run { H5Tget_class(type) } }

    /// H5Tget_size (0 on failure).
    static func typeSize(_ type: hid_t) -> Int { Int(run { H5Tget_size(type) }) }

    /// H5Tget_sign.
    static func typeSign(_ type: hid_t) -> H5T_sign_t { run { H5Tget_sign(type) } }

    /// H5Tget_order.
    static func typeOrder(_ type: hid_t) -> H5T_order_t { run { H5Tget_order(type) } }

    /// H5Tis_variable_str.
    static func typeIsVariableString(_ type: hid_t, _ site: H5Site) throws(HDF5Error) -> Bool {
        try tri("H5Tis_variable_str", site) { H5Tis_variable_str(type) }
    }

    /// H5Tget_strpad.
    static func typeStringPadding(_ type: hid_t) -> H5T_str_t { run { H5Tget_strpad(type) } }

    /// H5Tget_cset.
    static func typeCharacterSet(_ type: hid_t) -> H5T_cset_t { run { H5Tget_cset(type) } }

    /// H5Tcopy.
    static func typeCopy(_ type: hid_t, _ site: H5Site) throws(HDF5Error) -> hid_t {
        try id("H5Tcopy", site) { H5Tcopy(type) }
    }

    /// H5Tset_size (`H5.variableSize` for a variable-length string).
    static func typeSetSize(_ type: hid_t, _ size: Int, _ site: H5Site) throws(HDF5Error) {
        try status("H5Tset_size", site) { H5Tset_size(type, size) }
    }

    /// H5Tset_cset.
    static func typeSetCharacterSet(_ type: hid_t, _ set: H5T_cset_t, _ site: H5Site) throws(HDF5Error) {
        try status("H5Tset_cset", site) { H5Tset_cset(type, set) }
    }

    /// H5Tset_strpad.
    static func typeSetStringPadding(_ type: hid_t, _ padding: H5T_str_t, _ site: H5Site) throws(HDF5Error) {
        try status("H5Tset_strpad", site) { H5Tset_strpad(type, padding) }
    }

    /// H5Tget_super: the base type of an enum.
    static func typeBase(_ type: hid_t, _ site: H5Site) throws(HDF5Error) -> hid_t {
        try id("H5Tget_super", site) { H5Tget_super(type) }
    }

    /// H5Tget_native_type(H5T_DIR_ASCEND).
    static func typeNative(_ type: hid_t, _ site: H5Site) throws(HDF5Error) -> hid_t {
        try id("H5Tget_native_type", site) { H5Tget_native_type(type, H5T_DIR_ASCEND) }
    }

    /// H5Tget_nmembers.
    static func typeMemberCount(_ type: hid_t, _ site: H5Site) throws(HDF5Error) -> Int {
        try count("H5Tget_nmembers", site) { H5Tget_nmembers(type) }
    }

    /// H5Tget_member_name (the library's copy is freed with H5free_memory); nil on failure.
    static func typeMemberName(_ type: hid_t, _ index: Int) -> String? {
        run { () -> String? in
            guard let name = H5Tget_member_name(type, UInt32(index)) else { return nil }
            defer { H5free_memory(name) }
            return String(cString: name)
        }
    }

    /// H5Tget_member_value: the raw bytes of enum member `index` (room for bases up to 16 bytes).
    static func typeMemberValue(_ type: hid_t, _ index: Int, _ site: H5Site) throws(HDF5Error) -> [UInt8] {
        var bytes = [UInt8](repeating: 0, count: 16)
        let result = bytes.withUnsafeMutableBytes { raw in
            Result { () throws(HDF5Error) in
                try status("H5Tget_member_value", site) { H5Tget_member_value(type, UInt32(index), raw.baseAddress) }
            }
        }
        try result.get()
        return bytes
    }

    /// H5Tenum_create.
    static func enumCreate(base: hid_t, _ site: H5Site) throws(HDF5Error) -> hid_t {
        try id("H5Tenum_create", site) { H5Tenum_create(base) }
    }

    /// H5Tenum_insert of a one-byte value.
    static func enumInsert(_ type: hid_t, _ name: String, _ value: Int8, _ site: H5Site) throws(HDF5Error) {
        var value = value
        try status("H5Tenum_insert", site) { H5Tenum_insert(type, name, &value) }
    }

    /// H5Tset_order.
    static func typeSetOrder(_ type: hid_t, _ order: H5T_order_t, _ site: H5Site) throws(HDF5Error) {
        try status("H5Tset_order", site) { H5Tset_order(type, order) }
    }

    // MARK: Dataspaces

    /// H5Screate(H5S_SCALAR).
    static func spaceCreateScalar(_ site: H5Site) throws(HDF5Error) -> hid_t {
        try id("H5Screate", site) { H5Screate(H5S_SCALAR) }
    }

    /// H5Screate_simple.
    static func spaceCreateSimple(_ dims: [hsize_t], max maxDims: [hsize_t]?, _ site: H5Site) throws(HDF5Error) -> hid_t {
        try id("H5Screate_simple", site) {
            if let maxDims { return H5Screate_simple(Int32(dims.count), dims, maxDims) }
            return H5Screate_simple(Int32(dims.count), dims, nil)
        }
    }

    /// H5Sget_simple_extent_type.
    static func spaceClass(_ space: hid_t) -> H5S_class_t { run { H5Sget_simple_extent_type(space) } }

    /// H5Sget_simple_extent_ndims + H5Sget_simple_extent_dims.
    static func spaceDims(_ space: hid_t, _ site: H5Site) throws(HDF5Error) -> [hsize_t] {
        let rank = try count("H5Sget_simple_extent_ndims", site) { H5Sget_simple_extent_ndims(space) }
        guard rank > 0 else { return [] }
        var dims = [hsize_t](repeating: 0, count: rank)
        _ = try count("H5Sget_simple_extent_dims", site) { H5Sget_simple_extent_dims(space, &dims, nil) }
        return dims
    }

    // MARK: Property lists

    /// H5Pcreate(H5P_DATASET_CREATE), without object times (reproducible bytes).
    static func datasetCreationListCreate(_ site: H5Site) throws(HDF5Error) -> hid_t {
        try id("H5Pcreate(H5P_DATASET_CREATE)", site) { mimic_h5p_create_dcpl_untimed() }
    }

    /// H5Pset_chunk.
    static func setChunk(_ list: hid_t, _ dims: [hsize_t], _ site: H5Site) throws(HDF5Error) {
        try status("H5Pset_chunk", site) { H5Pset_chunk(list, Int32(dims.count), dims) }
    }

    /// H5Pset_shuffle.
    static func setShuffle(_ list: hid_t, _ site: H5Site) throws(HDF5Error) {
        try status("H5Pset_shuffle", site) { H5Pset_shuffle(list) }
    }

    /// H5Pset_deflate.
    static func setDeflate(_ list: hid_t, level: Int, _ site: H5Site) throws(HDF5Error) {
        try status("H5Pset_deflate", site) { H5Pset_deflate(list, UInt32(clamping: level)) }
    }

    /// H5Pget_layout.
    static func layout(_ list: hid_t) -> H5D_layout_t { run { H5Pget_layout(list) } }

    /// H5Pget_chunk.
    static func chunkDims(_ list: hid_t, _ site: H5Site) throws(HDF5Error) -> [hsize_t] {
        var dims = [hsize_t](repeating: 0, count: 32)
        let rank = try count("H5Pget_chunk", site) { H5Pget_chunk(list, 32, &dims) }
        return Array(dims.prefix(rank))
    }

    /// H5Pget_external_count: how many external raw-data files a dataset's elements live in.
    static func externalFileCount(_ list: hid_t, _ site: H5Site) throws(HDF5Error) -> Int {
        try count("H5Pget_external_count", site) { H5Pget_external_count(list) }
    }

    /// H5Pget_nfilters.
    static func filterCount(_ list: hid_t, _ site: H5Site) throws(HDF5Error) -> Int {
        try count("H5Pget_nfilters", site) { H5Pget_nfilters(list) }
    }

    /// H5Pget_filter2: the filter id and its first client value (the gzip level for deflate).
    static func filter(_ list: hid_t, at index: Int, _ site: H5Site) throws(HDF5Error) -> (id: Int, name: String, firstValue: UInt32?) {
        var flags: UInt32 = 0
        var valueCount = 8
        var values = [UInt32](repeating: 0, count: 8)
        var name = [CChar](repeating: 0, count: 256)
        var config: UInt32 = 0
        let filterID = try count("H5Pget_filter2", site) {
            H5Pget_filter2(list, UInt32(index), &flags, &valueCount, &values, 256, &name, &config)
        }
        return (filterID, string(fromNulTerminated: name), valueCount > 0 ? values[0] : nil)
    }

    /// H5Z_FILTER_DEFLATE and H5Z_FILTER_SHUFFLE.
    static let deflateFilter = Int(mimic_h5z_filter_deflate())
    static let shuffleFilter = Int(mimic_h5z_filter_shuffle())
    /// H5Z_FILTER_FLETCHER32 (a checksum: it adds 4 bytes a chunk and compresses nothing).
    static let fletcher32Filter = Int(H5Z_FILTER_FLETCHER32)

    // MARK: Variable-length memory

    /// mimic_h5_reclaim (H5Treclaim): frees what a read of variable-length strings allocated.
    static func reclaim(type: hid_t, space: hid_t, buffer: UnsafeMutableRawPointer?, _ site: H5Site) throws(HDF5Error) {
        try status("H5Treclaim", site) { mimic_h5_reclaim(type, space, buffer) }
    }

    // MARK: Helpers

    static func string(fromNulTerminated buffer: [CChar]) -> String {
        String(decoding: buffer.prefix(while: { $0 != 0 }).map { UInt8(bitPattern: $0) }, as: UTF8.self)
    }
}

/// Which object an HDF5 id names: equal for two ids of the same object (hard links, soft links).
struct H5ObjectIdentity: Hashable {
    var fileNumber: UInt
    var token: [UInt8]
}

/// An HDF5 id that is closed when the last reference goes away, or earlier by `close()`.
///
/// Values that own an id (files, groups, datasets) keep one of these; use the id only inside
/// `withID` so the handle stays alive for the whole C call.
final class H5Handle: @unchecked Sendable {
    private(set) var id: hid_t
    let kind: H5.IDKind

    init(_ id: hid_t, _ kind: H5.IDKind) {
        self.id = id
        self.kind = kind
    }

    var isOpen: Bool { id >= 0 }

    /// Closes the id now; later calls do nothing.
    func close() {
        let old = id
        id = -1
        H5.close(old, kind)
    }

    /// Runs `body` with the id, keeping the handle alive; throws `closedError()` if closed.
    func withID<R>(_ closedError: @autoclosure () -> HDF5Error, _ body: (hid_t) throws(HDF5Error) -> R) throws(HDF5Error) -> R {
        defer { withExtendedLifetime(self) {} }
        guard id >= 0 else { throw closedError() }
        return try body(id)
    }

    deinit { close() }
}
