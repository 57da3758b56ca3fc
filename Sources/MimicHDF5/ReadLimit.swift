import CHDF5
import Foundation

/// The check that refuses an absurd size before anything is allocated for it.
///
/// A dataset or attribute claims `elements × element size` bytes of memory (its shape and type),
/// and a damaged file can claim anything: a chunked `actions` of 10⁹ rows costs a few bytes of
/// metadata. Before a read allocates, the claim (or one chunk, if larger) is compared with:
///
/// - **what the file can account for**: the bytes HDF5 stores for the object
///   (`H5Dget_storage_size`: allocated chunks after compression, or the contiguous block; at most
///   the size of the file that holds it) times the most its filters can expand them (1 without
///   compression; 1100 with deflate, whose limit is 1032:1), plus `unstoredAllowance` (16 MiB) for
///   fill values of storage that was never written (HDF5 reads unallocated chunks as zeros, and a
///   small dataset created but not written is legitimate). Datasets whose filters can expand
///   without bound (szip, scale-offset, plugins) or whose elements live outside the file
///   (external or virtual storage) skip this part. An attribute's value is always in the file.
/// - **the memory the process can still get**: the claim may take at most half of it (a read is
///   often converted or copied once more). Claims under `unstoredAllowance` skip this part.
///
/// A refused read is an `.invalidData` error naming the file and HDF5 path, e.g. `claims 56.0 GB
/// (1000000000 x 7 float64) but the file is 3.1 MB and stores 0 B for it`.
struct ReadLimit: Sendable, Equatable {
    /// Bytes a read may claim beyond what the file accounts for.
    static let unstoredAllowance = 16 << 20
    /// The most deflate expands its input (1032:1 in theory), with a margin.
    static let deflateExpansion = 1100

    /// The size of the file that holds the object.
    var fileSize: Int
    /// Bytes the file stores for the object's elements; nil when they are not in the file.
    var stored: Int?
    /// How many bytes one stored byte may become; nil when the filters set no bound.
    var expansion: Int?
    /// Bytes of one chunk (HDF5 allocates a whole chunk to read part of it); 0 when not chunked.
    var chunkBytes = 0

    /// The limit of the dataset or attribute `value`, from its storage and filters.
    static func of(_ value: H5Value, _ site: H5Site) throws(HDF5Error) -> ReadLimit {
        switch value {
        case .attribute(let id):
            let size = try H5.fileSize(holding: id, site)
            return ReadLimit(fileSize: size, stored: size, expansion: 1)
        case .dataset(let id):
            let creation = try H5.datasetCreationList(id, site)
            defer { H5.close(creation, .propertyList) }
            return try ReadLimit(dataset: id, creation: creation, site)
        }
    }

    /// Throws `.invalidData` when reading `count` elements of `elementSize` bytes (shape and
    /// dtype for the message) claims more than the file accounts for or memory allows.
    func check(
        count: Int, elementSize: Int, shape: [Int], dtype: String, _ site: H5Site,
        availableMemory: () -> Int? = ReadLimit.availableMemory
    ) throws(HDF5Error) {
        let (product, overflow) = count.multipliedReportingOverflow(by: max(elementSize, 1))
        let elementBytes = overflow ? Int.max : product
        let claimed = max(elementBytes, chunkBytes)
        guard claimed > Self.unstoredAllowance else { return }
        let layout = shape.isEmpty ? "scalar" : shape.map(String.init).joined(separator: " x ")
        let chunks = chunkBytes > elementBytes ? ", in chunks of \(Self.bytes(chunkBytes))" : ""
        let what = "claims \(Self.bytes(claimed)) (\(layout) \(dtype)\(chunks))"
        if let stored, let expansion {
            let (scaled, overflow) = stored.multipliedReportingOverflow(by: expansion)
            let accountable = overflow ? Int.max : scaled.addingReportingOverflow(Self.unstoredAllowance).partialValue
            if claimed > accountable {
                var detail = "\(what) but the file is \(Self.bytes(fileSize))"
                if stored < fileSize { detail += " and stores \(Self.bytes(stored)) for it" }
                if expansion > 1 { detail += ", compressed at most \(expansion):1" }
                throw site.error(.invalidData, detail + " (damaged file?)")
            }
        }
        if let available = availableMemory(), claimed > available / 2 {
            throw site.error(.invalidData, "\(what) but only \(Self.bytes(available)) of memory is available")
        }
    }

    // MARK: Memory

    /// Bytes this process can still allocate: the least of the system's available memory
    /// (`MemAvailable`), the cgroup's limit less its usage, and the address-space and data limits
    /// (`RLIMIT_AS`, `RLIMIT_DATA`) less what is mapped already. nil when none is known.
    static func availableMemory() -> Int? {
        var candidates: [Int] = []
        let meminfo = Self.fields(of: "/proc/meminfo")
        if let kib = meminfo["MemAvailable"] { candidates.append(kib * 1024) }
        if let max = Self.number(in: "/sys/fs/cgroup/memory.max"), let current = Self.number(in: "/sys/fs/cgroup/memory.current") {
            candidates.append(Swift.max(0, max - current))
        }
        let status = Self.fields(of: "/proc/self/status")
        for (resource, field) in [(RLIMIT_AS, "VmSize"), (RLIMIT_DATA, "VmData")] {
            var limit = rlimit()
            #if canImport(Glibc)
            let result = getrlimit(__rlimit_resource_t(resource.rawValue), &limit)
            #else
            let result = getrlimit(resource, &limit)
            #endif
            guard result == 0, limit.rlim_cur != rlim_t.max /* RLIM_INFINITY */, let used = status[field] else { continue }
            candidates.append(Swift.max(0, Int(clamping: limit.rlim_cur) - used * 1024))
        }
        return candidates.min()
    }

    /// `Name: value ...` lines of a /proc file, first number of each (kB for memory).
    private static func fields(of path: String) -> [String: Int] {
        guard let text = try? String(contentsOfFile: path, encoding: .utf8) else { return [:] }
        var result: [String: Int] = [:]
        for line in text.split(separator: "\n") {
            let parts = line.split(separator: ":", maxSplits: 1)
            guard parts.count == 2, let value = parts[1].split(separator: " ").first.flatMap({ Int($0) }) else { continue }
            result[String(parts[0])] = value
        }
        return result
    }

    /// The number in a one-line file (`max` when there is no limit gives nil).
    private static func number(in path: String) -> Int? {
        guard let text = try? String(contentsOfFile: path, encoding: .utf8) else { return nil }
        return Int(text.trimmingCharacters(in: .whitespacesAndNewlines))
    }

    /// `56.0 GB`, `3.1 MB`, `512 B` (decimal units).
    static func bytes(_ n: Int) -> String {
        let units = ["B", "KB", "MB", "GB", "TB", "PB", "EB"]
        var value = Double(n), unit = 0
        while value >= 1000, unit < units.count - 1 {
            value /= 1000
            unit += 1
        }
        return unit == 0 ? "\(n) B" : String(format: "%.1f", value) + " " + units[unit]
    }
}

extension ReadLimit {
    /// The limit of dataset `id`, whose creation property list is `creation`.
    init(dataset id: hid_t, creation: hid_t, _ site: H5Site) throws(HDF5Error) {
        let size = try H5.fileSize(holding: id, site)
        let layout = H5.layout(creation)
        self.init(fileSize: size, stored: min(H5.storageSize(id), size), expansion: 1)  // the memberwise init
        let external = layout == H5D_CONTIGUOUS ? try H5.externalFileCount(creation, site) : 0
        if layout == H5D_VIRTUAL || external > 0 { stored = nil }
        for i in 0..<(try H5.filterCount(creation, site)) {
            switch try H5.filter(creation, at: i, site).id {
            case H5.shuffleFilter, H5.fletcher32Filter: continue
            case H5.deflateFilter: expansion = expansion.map { max($0, Self.deflateExpansion) }
            default: expansion = nil
            }
        }
        if layout == H5D_CHUNKED {
            let type = try H5.datasetType(id, site)
            defer { H5.close(type, .datatype) }
            var bytes = max(1, H5.typeSize(type))
            for n in try H5.chunkDims(creation, site) {
                let (product, overflow) = bytes.multipliedReportingOverflow(by: Int(clamping: n))
                bytes = overflow ? Int.max : product
            }
            chunkBytes = bytes
        }
    }
}
