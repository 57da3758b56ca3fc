import CHDF5
import MimicCore

/// What an HDF5 path names.
public enum ObjectKind: Sendable, Equatable {
    case group
    case dataset
}

/// An open HDF5 group. Keeps its file alive and owns its group id (H5Gopen2 / H5Gcreate2),
/// closed when the last copy of the value goes away.
///
/// Paths given to methods are relative to this group (`"obs/eef_pos"`) or absolute from the
/// file's root when they start with `/`. Empty components and `.` are ignored, so `""` is the
/// group itself.
public struct HDF5Group {
    public let file: HDF5File
    /// The absolute HDF5 path, e.g. `/data/demo_0`.
    public let path: String

    let handle: H5Handle

    init(file: HDF5File, path: String, handle: H5Handle) {
        self.file = file
        self.path = path
        self.handle = handle
    }

    var site: H5Site { H5Site(file: file.path, path: path) }

    // MARK: Paths

    /// A path split into components, and whether it is absolute.
    struct Name {
        var components: [Substring]
        var isAbsolute: Bool

        init(_ text: String) {
            isAbsolute = text.hasPrefix("/")
            components = text.split(separator: "/").filter { $0 != "." }
        }

        var isEmpty: Bool { components.isEmpty }

        /// The name to hand to HDF5 for the first `count` components.
        func hdf5Name(prefix count: Int) -> String {
            (isAbsolute ? "/" : "") + components.prefix(count).joined(separator: "/")
        }

        var hdf5Name: String { hdf5Name(prefix: components.count) }
    }

    /// The absolute path of `relativePath`.
    func absolutePath(_ relativePath: String) -> String {
        let name = Name(relativePath)
        let base = name.isAbsolute ? "" : (path == "/" ? "" : path)
        if name.isEmpty { return name.isAbsolute ? "/" : path }
        return base + "/" + name.components.joined(separator: "/")
    }

    private func absolutePath(_ name: Name, prefix count: Int) -> String {
        let base = name.isAbsolute ? "" : (path == "/" ? "" : path)
        if count == 0 { return name.isAbsolute ? "/" : path }
        return base + "/" + name.components.prefix(count).joined(separator: "/")
    }

    /// Runs `body` with this group's id; `.io` if the file was closed.
    func withID<R>(_ body: (hid_t) throws(HDF5Error) -> R) throws(HDF5Error) -> R {
        guard file.isOpen else { throw file.closedError(path) }
        return try handle.withID(file.closedError(path), body)
    }

    /// The kind of object at the first `count` components of `name`, nil if missing.
    private func kind(_ location: hid_t, _ name: Name, prefix count: Int) -> ObjectKind? {
        if count == 0 && !name.isAbsolute { return .group }
        for i in 1...max(1, count) where i <= count {
            guard H5.linkExists(location, name.hdf5Name(prefix: i)) else { return nil }
        }
        let hdf5Name = count == 0 ? "/" : name.hdf5Name(prefix: count)
        guard count == 0 || H5.objectExists(location, hdf5Name) else { return nil }
        guard let object = try? H5.objectOpen(location, hdf5Name, site) else { return nil }
        defer { H5.close(object, .object) }
        switch H5.idType(object) {
        case H5I_GROUP: return .group
        case H5I_DATASET: return .dataset
        default: return nil
        }
    }

    /// The kind at `name`, or `.notFound` naming the first missing component.
    private func requireKind(_ location: hid_t, _ name: Name) throws(HDF5Error) -> ObjectKind {
        if let kind = kind(location, name, prefix: name.components.count) { return kind }
        let full = absolutePath(name, prefix: name.components.count)
        for i in 1..<max(1, name.components.count) where kind(location, name, prefix: i) != .group {
            let missing = absolutePath(name, prefix: i)
            let what = kind(location, name, prefix: i) == .dataset ? "is a dataset" : "does not exist"
            throw site.at(full).error(.notFound, "not found (\(missing) \(what))")
        }
        throw site.at(full).error(.notFound, "not found")
    }

    /// Throws unless every parent of `name` is a group or missing (missing ones are created).
    private func requireParentsAreGroups(_ location: hid_t, _ name: Name) throws(HDF5Error) {
        for i in 1..<max(1, name.components.count) {
            switch kind(location, name, prefix: i) {
            case .group?: continue
            case nil where !H5.linkExists(location, name.hdf5Name(prefix: i)): return
            default:
                throw site.at(absolutePath(name, prefix: i)).error(
                    .wrongKind, "is not a group, so it cannot hold \(absolutePath(name, prefix: name.components.count))")
            }
        }
    }

    /// Creates each missing group among the first `count` components of `name`, one at a time
    /// (so every group gets Mimic's creation properties, unlike HDF5's intermediate groups).
    private func createMissingGroups(_ location: hid_t, _ name: Name, count: Int) throws(HDF5Error) {
        guard count > 0 else { return }
        for i in 1...count where !H5.linkExists(location, name.hdf5Name(prefix: i)) {
            let group = try H5.groupCreate(location, name.hdf5Name(prefix: i), site.at(absolutePath(name, prefix: i)))
            H5.close(group, .object)
        }
    }

    private func requireWritable(_ full: String) throws(HDF5Error) {
        guard file.isWritable else {
            throw site.at(full).error(.io, "the file is open read-only; open it with writable: true")
        }
    }

    // MARK: Queries

    /// Whether something exists at `relativePath`, checking each link of a nested path
    /// (H5Lexists per component, then H5Oexists_by_name). Never fails: false on any error.
    public func exists(_ relativePath: String) -> Bool {
        let name = Name(relativePath)
        return
            (try? withID { (id) throws(HDF5Error) -> Bool in
                if name.isEmpty { return true }
                for i in 1...name.components.count where !H5.linkExists(id, name.hdf5Name(prefix: i)) { return false }
                return H5.objectExists(id, name.hdf5Name)
            }) ?? false
    }

    /// `.group` or `.dataset`, or nil when nothing is there (or it is a committed datatype).
    public func kind(of relativePath: String) -> ObjectKind? {
        let name = Name(relativePath)
        return
            (try? withID { (id) throws(HDF5Error) -> ObjectKind? in
                kind(id, name, prefix: name.components.count)
            }) ?? nil
    }

    /// The fewest bytes one link takes, in the file (a link message, or a B-tree record and a heap
    /// object, is larger) and in memory (a `String` is 16): what a link count claims for `ReadLimit`.
    static let linkBytes = 8

    /// The names of the links in this group, sorted by name as H5Lget_name_by_idx counts them
    /// (H5Gget_info, then one pass of H5Literate over the name index, sorted: n log n in the
    /// number of links, where a call per index was quadratic).
    /// A link count that the file cannot hold or memory cannot take is refused (`.invalidData`)
    /// before anything is allocated for it (`ReadLimit`), and so is a listing that disagrees
    /// with the count (damage).
    public func children() throws(HDF5Error) -> [String] {
        try withID { (id) throws(HDF5Error) -> [String] in
            let count = try H5.linkCount(id, site)
            let fileSize = try H5.fileSize(holding: id, site)
            try ReadLimit(fileSize: fileSize, stored: fileSize, expansion: 1).check(
                count: count, elementSize: Self.linkBytes, shape: [count], dtype: "links", site)
            let names = try H5.linkNames(id, limit: count, site)
            guard names.count == count else {
                throw site.error(.invalidData, "lists \(names.count) links but H5Gget_info counts \(count) (damaged file?)")
            }
            return names
        }
    }

    /// The groups and datasets linked from this group, by name in name order, with their kind.
    /// Like `walk` (one level deep), `.notFound` for a link that leads nowhere and HDF5's error for
    /// a damaged object; named datatypes are skipped.
    public func members() throws(HDF5Error) -> [(name: String, kind: ObjectKind)] {
        var members: [(name: String, kind: ObjectKind)] = []
        for child in try children() {
            guard let (object, kind) = try openMember(child) else { continue }
            H5.close(object, .object)
            members.append((child, kind))
        }
        return members
    }

    /// Opens the object of link `child` of this group (one component, as `children()` lists it)
    /// with H5Oopen: its new id, which the caller owns, and its kind; nil for a named datatype.
    /// `.notFound` for a link that leads nowhere; HDF5's error for a damaged object.
    private func openMember(_ child: String) throws(HDF5Error) -> (hid_t, ObjectKind)? {
        try withID { (id) throws(HDF5Error) -> (hid_t, ObjectKind)? in
            let full = absolutePath(child)
            guard H5.objectExists(id, child) else {
                throw site.at(full).error(.notFound, "is a link that leads nowhere (a dangling or looping soft link, or an external link to a missing file)")
            }
            let object = try H5.objectOpen(id, child, site.at(full))
            switch H5.idType(object) {
            case H5I_GROUP: return (object, .group)
            case H5I_DATASET: return (object, .dataset)
            default:
                H5.close(object, .object)  // a named datatype: nothing to read
                return nil
            }
        }
    }

    /// One object found by `walk`.
    public enum Entry {
        /// A group, by its path relative to the walk's group (`obs`).
        case group(String, HDF5Group)
        /// A dataset, by its path relative to the walk's group (`obs/robot0_eef_pos`), open.
        case dataset(String, HDF5Dataset)
    }

    /// Every group and dataset below this group, depth first in name order, following links.
    ///
    /// Refuses what would make a walk endless or a dataset vanish without a word:
    /// `.invalidData` for a link back to a group the walk is inside (a cycle of hard or soft
    /// links), for groups nested deeper than `maxDepth`, and for more than `maxEntries` objects;
    /// `.notFound` for a link that leads nowhere (`members()`). Named datatypes are skipped.
    public func walk(maxDepth: Int = 32, maxEntries: Int = 10_000) throws(HDF5Error) -> [Entry] {
        var entries: [Entry] = []
        var inside: Set<H5ObjectIdentity> = []
        try walk(prefix: "", depth: 0, maxDepth: maxDepth, maxEntries: maxEntries, inside: &inside, into: &entries)
        return entries
    }

    private func walk(
        prefix: String, depth: Int, maxDepth: Int, maxEntries: Int,
        inside: inout Set<H5ObjectIdentity>, into entries: inout [Entry]
    ) throws(HDF5Error) {
        let identity = try withID { (id) throws(HDF5Error) in try H5.objectIdentity(id, site) }
        inside.insert(identity)
        defer { inside.remove(identity) }
        for child in try children() {
            guard entries.count < maxEntries else {
                throw site.error(.invalidData, "holds more than \(maxEntries) groups and datasets (links that repeat the same objects?)")
            }
            guard let (object, kind) = try openMember(child) else { continue }
            let full = absolutePath(child)
            let handle = H5Handle(object, .object)
            switch kind {
            case .group:
                let sub = HDF5Group(file: file, path: full, handle: handle)
                let subIdentity = try sub.withID { (id) throws(HDF5Error) in try H5.objectIdentity(id, sub.site) }
                guard !inside.contains(subIdentity) else {
                    throw site.at(full).error(.invalidData, "is a link back to a group that contains it (a cycle)")
                }
                guard depth < maxDepth else {
                    throw site.at(full).error(.invalidData, "is nested more than \(maxDepth) groups deep")
                }
                entries.append(.group(prefix + child, sub))
                try sub.walk(
                    prefix: prefix + child + "/", depth: depth + 1, maxDepth: maxDepth, maxEntries: maxEntries,
                    inside: &inside, into: &entries)
            case .dataset:
                entries.append(.dataset(prefix + child, try HDF5Dataset(file: file, path: full, handle: handle)))
            }
        }
    }

    // MARK: Groups

    /// Opens the group at `relativePath` (H5Gopen2). `.notFound` / `.wrongKind`.
    public func group(_ relativePath: String) throws(HDF5Error) -> HDF5Group {
        let name = Name(relativePath)
        if name.isEmpty && !name.isAbsolute { return self }
        return try withID { (id) throws(HDF5Error) -> HDF5Group in
            let full = absolutePath(relativePath)
            guard try requireKind(id, name) == .group else {
                throw site.at(full).error(.wrongKind, "is a dataset, not a group")
            }
            let groupID = try H5.groupOpen(id, name.isEmpty ? "/" : name.hdf5Name, site.at(full))
            return HDF5Group(file: file, path: full, handle: H5Handle(groupID, .object))
        }
    }

    /// Creates the group at `relativePath` and any missing parents (H5Gcreate2 with
    /// intermediate-group creation); opens it if it already exists. `.wrongKind` if it or a
    /// parent is a dataset; `.io` if the file is read-only.
    public func createGroup(_ relativePath: String) throws(HDF5Error) -> HDF5Group {
        let name = Name(relativePath)
        if name.isEmpty { return try group(relativePath) }
        return try withID { (id) throws(HDF5Error) -> HDF5Group in
            let full = absolutePath(relativePath)
            switch kind(id, name, prefix: name.components.count) {
            case .group?: return try group(relativePath)
            case .dataset?: throw site.at(full).error(.wrongKind, "a dataset exists here; cannot create a group")
            case nil: break
            }
            try requireWritable(full)
            try requireParentsAreGroups(id, name)
            try createMissingGroups(id, name, count: name.components.count - 1)
            let groupID = try H5.groupCreate(id, name.hdf5Name, site.at(full))
            return HDF5Group(file: file, path: full, handle: H5Handle(groupID, .object))
        }
    }

    // MARK: Datasets

    /// Opens the dataset at `relativePath` (H5Dopen2). `.notFound` / `.wrongKind`.
    public func dataset(_ relativePath: String) throws(HDF5Error) -> HDF5Dataset {
        let name = Name(relativePath)
        return try withID { (id) throws(HDF5Error) -> HDF5Dataset in
            let full = absolutePath(relativePath)
            guard !name.isEmpty, try requireKind(id, name) == .dataset else {
                throw site.at(full).error(.wrongKind, "is a group, not a dataset")
            }
            let datasetID = try H5.datasetOpen(id, name.hdf5Name, site.at(full))
            return try HDF5Dataset(file: file, path: full, handle: H5Handle(datasetID, .object))
        }
    }

    /// Reads the numeric dataset at `relativePath`: `dataset(relativePath).read()`.
    public func read(_ relativePath: String) throws(HDF5Error) -> Tensor {
        try dataset(relativePath).read()
    }

    /// Reads the strings dataset at `relativePath`: `dataset(relativePath).readStrings()`.
    public func readStrings(_ relativePath: String) throws(HDF5Error) -> [String] {
        try dataset(relativePath).readStrings()
    }

    /// Writes `tensor` as a dataset at `relativePath` with exactly its element type
    /// (little-endian), creating missing parent groups (H5Dcreate2 + H5Dwrite). An existing
    /// dataset there is replaced (its space is not reclaimed in the file); an existing group is
    /// `.wrongKind`. Layout and compression as `options` says.
    public func write(_ relativePath: String, _ tensor: Tensor, options: WriteOptions = .init()) throws(HDF5Error) {
        let element = NumericElement(tensor.storage)
        try createDataset(relativePath, shape: tensor.shape, fileType: element.fileType, elementSize: element.size, options: options) { (dataset, site) throws(HDF5Error) in
            try H5IO.writeTensor(tensor, to: .dataset(dataset), site)
        }
    }

    /// Creates a soft link `name` directly in this group to the HDF5 path `target`, which need not
    /// exist (h5py's `group[name] = h5py.SoftLink(target)`). `.io` if the file is read-only or
    /// `name` exists.
    public func createSoftLink(_ name: String, to target: String) throws(HDF5Error) {
        let full = absolutePath(name)
        try requireWritable(full)
        try withID { (id) throws(HDF5Error) in try H5.linkCreateSoft(id, name, to: target, site.at(full)) }
    }

    /// Creates an external link `name` directly in this group to the object at `path` in the file
    /// `file` (h5py's `group[name] = h5py.ExternalLink(file, path)`); a relative `file` is
    /// resolved against the directory of the file holding the link. `.io` if the file is
    /// read-only or `name` exists.
    public func createExternalLink(_ name: String, file: String, path: String) throws(HDF5Error) {
        let full = absolutePath(name)
        try requireWritable(full)
        try withID { (id) throws(HDF5Error) in try H5.linkCreateExternal(id, name, file: file, path: path, site.at(full)) }
    }

    /// Creates a dataset of `shape` with the element type of `storage` (whose values are not
    /// used) and writes nothing into it: reads give HDF5's fill value, 0, and a chunked layout
    /// (`options`) allocates no chunks, so a dataset of any size costs a few bytes of the file.
    /// Replaces an existing dataset, like `write`.
    public func createUnwritten(
        _ relativePath: String, shape: [Int], like storage: Tensor.Storage,
        options: WriteOptions = .init()
    ) throws(HDF5Error) {
        let element = NumericElement(storage)
        try createDataset(
            relativePath, shape: shape, fileType: element.fileType, elementSize: element.size,
            options: options
        ) { (_, _) throws(HDF5Error) in }
    }

    /// Writes `tensor` as a new dataset `name` directly in this group, like `write` but without
    /// looking for what may already be there: `name` is one path component, this group is
    /// writable and nothing is called `name` yet (HDF5 reports an error otherwise). The fast path
    /// of writers that fill fresh groups (`RobomimicWriter`).
    public func writeNew(_ name: String, _ tensor: Tensor, options: WriteOptions = .init()) throws(HDF5Error) {
        let element = NumericElement(tensor.storage)
        let full = absolutePath(name)
        let site = self.site.at(full)
        try withID { (id) throws(HDF5Error) in
            let chunk = try options.chunkShape(for: tensor.shape, elementSize: element.size, site)
            let space = try H5IO.createSpace(tensor.shape, unlimitedRows: chunk != nil && tensor.shape.first == 0, site)
            defer { H5.close(space, .dataspace) }
            let creation = try options.creationList(chunk: chunk, site)
            defer { H5.close(creation, .propertyList) }
            let dataset = try H5.datasetCreate(id, name, type: element.fileType, space: space, creation: creation, site)
            defer { H5.close(dataset, .object) }
            try H5IO.writeTensor(tensor, to: .dataset(dataset), site)
        }
    }

    /// Writes `encoded` (``ChunkCodec``) as a new dataset `name` directly in this group, like
    /// ``writeNew(_:_:options:)`` (whose `options` made it): the dataset is created with the
    /// options' filters and each chunk is stored as encoded (`H5Dwrite_chunk`).
    func writeNew(_ name: String, encoded: EncodedDataset, options: WriteOptions) throws(HDF5Error) {
        let full = absolutePath(name)
        let site = self.site.at(full)
        try withID { (id) throws(HDF5Error) in
            let space = try H5IO.createSpace(encoded.shape, unlimitedRows: encoded.shape.first == 0, site)
            defer { H5.close(space, .dataspace) }
            let creation = try options.creationList(chunk: encoded.chunk, site)
            defer { H5.close(creation, .propertyList) }
            let dataset = try H5.datasetCreate(id, name, type: encoded.element.fileType, space: space, creation: creation, site)
            defer { H5.close(dataset, .object) }
            let inner = [hsize_t](repeating: 0, count: encoded.shape.count - 1)
            for (k, bytes) in encoded.chunks.enumerated() {
                try H5.writeChunk(dataset, offset: [hsize_t(k * encoded.chunk[0])] + inner, bytes: bytes, site)
            }
        }
    }

    /// Creates the new group `name` directly in this group, without looking for what may already
    /// be there (the fast path of `createGroup` for writers that fill fresh groups).
    public func createNewGroup(_ name: String) throws(HDF5Error) -> HDF5Group {
        let full = absolutePath(name)
        return try withID { (id) throws(HDF5Error) -> HDF5Group in
            let groupID = try H5.groupCreate(id, name, site.at(full))
            return HDF5Group(file: file, path: full, handle: H5Handle(groupID, .object))
        }
    }

    /// Writes `strings` as a 1-D dataset of fixed-length byte strings at `relativePath`, each
    /// as long as the longest UTF-8 encoding (at least 1 byte), NUL-padded: numpy `|S<n>`, as
    /// robomimic's `mask/<filter>` datasets. Replaces an existing dataset, like `write`.
    public func writeStrings(_ relativePath: String, _ strings: [String]) throws(HDF5Error) {
        let size = max(1, strings.map(\.utf8.count).max() ?? 1)
        let full = absolutePath(relativePath)
        let type = try H5IO.createFixedStringType(size: size, site.at(full))
        defer { H5.close(type, .datatype) }
        try createDataset(relativePath, shape: [strings.count], fileType: type, elementSize: size, options: WriteOptions()) { (dataset, site) throws(HDF5Error) in
            guard !strings.isEmpty else { return }
            let bytes = H5IO.fixedStringBytes(strings, size: size)
            let result = bytes.withUnsafeBytes { raw in
                Result { () throws(HDF5Error) in try H5.datasetWrite(dataset, memoryType: type, from: raw.baseAddress, site) }
            }
            try result.get()
        }
    }

    /// Creates a dataset (replacing an existing one) and runs `fill` with its id.
    private func createDataset(
        _ relativePath: String, shape: [Int], fileType: hid_t, elementSize: Int, options: WriteOptions,
        fill: (hid_t, H5Site) throws(HDF5Error) -> Void
    ) throws(HDF5Error) {
        let name = Name(relativePath)
        let full = absolutePath(relativePath)
        let site = self.site.at(full)
        guard !name.isEmpty else { throw site.error(.invalidData, "a dataset needs a name") }
        try withID { (id) throws(HDF5Error) in
            try requireWritable(full)
            try requireParentsAreGroups(id, name)
            switch kind(id, name, prefix: name.components.count) {
            case .dataset?: try H5.linkDelete(id, name.hdf5Name, site)
            case .group?: throw site.error(.wrongKind, "is a group; cannot write a dataset over it")
            case nil where H5.linkExists(id, name.hdf5Name):
                throw site.error(.wrongKind, "is neither a group nor a dataset; cannot write a dataset over it")
            case nil: break
            }
            try createMissingGroups(id, name, count: name.components.count - 1)
            let chunk = try options.chunkShape(for: shape, elementSize: elementSize, site)
            let space = try H5IO.createSpace(shape, unlimitedRows: chunk != nil && shape.first == 0, site)
            defer { H5.close(space, .dataspace) }
            let creation = try options.creationList(chunk: chunk, site)
            defer { H5.close(creation, .propertyList) }
            let dataset = try H5.datasetCreate(id, name.hdf5Name, type: fileType, space: space, creation: creation, site)
            defer { H5.close(dataset, .object) }
            try fill(dataset, site)
        }
    }

    // MARK: Attributes and copies

    /// The attributes of this group.
    public var attributes: HDF5Attributes {
        HDF5Attributes(file: file, path: path, handle: handle)
    }

    /// Deep-copies the group or dataset `name` (relative to this group) with all its attributes
    /// to `destination` under `newName`, possibly in another file (H5Ocopy). Missing parents of
    /// `newName` are created. `.notFound` if the source is missing; `.invalidData` if
    /// `newName` already exists; `.io` if the destination file is read-only.
    public func copy(_ name: String, to destination: HDF5Group, as newName: String) throws(HDF5Error) {
        let sourceName = Name(name)
        let targetName = Name(newName)
        let targetPath = destination.absolutePath(newName)
        let targetSite = destination.site.at(targetPath)
        guard !sourceName.isEmpty || sourceName.isAbsolute else { throw site.error(.invalidData, "nothing to copy: empty source name") }
        guard !targetName.isEmpty else { throw targetSite.error(.invalidData, "the copy needs a name") }
        try withID { (sourceID) throws(HDF5Error) in
            _ = try requireKind(sourceID, sourceName)
            try destination.withID { (destinationID) throws(HDF5Error) in
                try destination.requireWritable(targetPath)
                try destination.requireParentsAreGroups(destinationID, targetName)
                if H5.linkExists(destinationID, targetName.hdf5Name) || destination.exists(newName) {
                    throw targetSite.error(.invalidData, "already exists; remove it or copy under another name")
                }
                let source = sourceName.isEmpty ? "/" : sourceName.hdf5Name
                try H5.objectCopy(
                    sourceID, source, to: destinationID, as: targetName.hdf5Name,
                    site.at(absolutePath(name)))
            }
        }
    }
}
