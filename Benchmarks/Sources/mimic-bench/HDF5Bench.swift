import Foundation
import MimicCore
import MimicHDF5

/// HDF5 write throughput: whole robomimic files of Lift demos through `RobomimicWriter`, next to
/// a raw POSIX write of the same array bytes to the same directory.
struct HDF5Bench {
    /// One way of writing the demos to a file.
    enum Method: CaseIterable {
        case raw, contiguous, gzip1Shuffle, mimicGzip1Thread, parallelGzip1Shuffle

        var label: String {
            switch self {
            case .raw: return "raw write(2), one call per array"
            case .contiguous: return "RobomimicWriter, uncompressed (contiguous)"
            case .gzip1Shuffle: return "gzip level 1 + shuffle by libhdf5's own filters (zlib), the same layout"
            case .mimicGzip1Thread: return "RobomimicWriter, the same gzip by ChunkCodec (libdeflate), 1 thread"
            case .parallelGzip1Shuffle: return "RobomimicWriter, the same gzip, chunks compressed on every core"
            }
        }

        var options: WriteOptions {
            switch self {
            case .raw, .contiguous: return WriteOptions()
            case .gzip1Shuffle, .mimicGzip1Thread, .parallelGzip1Shuffle: return WriteOptions(compression: .gzip(level: 1, shuffle: true))
            }
        }
    }

    struct Result {
        var method: Method
        /// MB/s (1 MB = 10^6 bytes of array data) per repetition in wall-clock time, summarized.
        var rate: Stats
        /// The same in CPU time of the writing thread (user + system; HDF5 and write(2) run on it;
        /// for the parallel gzip writer, the compressing threads' time is not in it).
        var cpuRate: Stats
        /// Size of the finished file.
        var fileBytes: Int
    }

    /// The demos written to every file, and what they are.
    struct Workload {
        var demos: [Demo]
        var dataAttributes: [String: AttributeValue]
        var sourceDemos: Int
        var stepRange: ClosedRange<Int>
        var arrayBytes: Int
        var datasets: Int
    }

    var demosPerFile: Int
    var repetitions: Int
    var directory: String
    /// Threads for the parallel gzip writer.
    var cores = ProcessInfo.processInfo.activeProcessorCount

    /// Reads the Lift demos, adds MimicGen's datagen_info the way `mimic prepare` does, drops the
    /// per-demo `model_file` attribute (a ~38 KB MJCF string that raw would not write), and
    /// cycles them to `demosPerFile` demos named demo_0, demo_1, ...
    func workload(liftPath: String) throws -> Workload {
        let reader = try RobomimicReader(path: liftPath)
        guard let first = reader.demoNames.first else { throw BenchError("\(liftPath) holds no demos") }
        let setup = try PrepareSetup.infer(demo: try reader.demo(first), envArgs: reader.envArgs, spec: nil, file: liftPath)
        let builder = DatagenInfoBuilder(setup: setup)
        var sources: [Demo] = []
        for name in reader.demoNames {
            var demo = try reader.demo(name)
            demo.setDatagenInfo(try builder.build(demo, file: liftPath), format: OutputFormat(interfaceName: "MG_Lift"))
            demo.attributes["model_file"] = nil
            sources.append(demo)
        }
        var attributes = reader.dataAttributes
        attributes["total"] = nil
        let demos = (0..<demosPerFile).map { i in
            var demo = sources[i % sources.count]
            demo.name = "demo_\(i)"
            return demo
        }
        let lengths = sources.map(\.length)
        return Workload(
            demos: demos, dataAttributes: attributes, sourceDemos: sources.count,
            stepRange: lengths.min()!...lengths.max()!,
            arrayBytes: demos.reduce(0) { total, demo in total + demo.arrays.values.reduce(0) { $0 + byteCount($1) } },
            datasets: demos.reduce(0) { $0 + $1.arrays.count })
    }

    /// Writes every file `repetitions` times per method, rotating the order of the methods each
    /// repetition so that a slow spell of the machine does not land on one method only.
    func run(_ work: Workload, sink: inout Double) throws -> [Result] {
        let methods = Method.allCases
        var rates: [Method: [Double]] = [:]
        var cpuRates: [Method: [Double]] = [:]
        var sizes: [Method: Int] = [:]
        let names = work.demos.map(\.name)
        for repetition in -1..<repetitions {  // repetition -1 warms up (page cache, HDF5 init)
            for k in 0..<methods.count {
                let method = methods[(k + max(repetition, 0)) % methods.count]
                let path = directory + "/bench-\(method).hdf5"
                let start = nowNanoseconds(), cpuStart = threadCPUNanoseconds()
                switch method {
                case .raw: try rawWrite(work.demos, to: path)
                case .contiguous, .mimicGzip1Thread:
                    let writer = try RobomimicWriter(destination: path, dataAttributes: work.dataAttributes, options: method.options)
                    for demo in work.demos { try writer.write(demo) }
                    try writer.finish(masks: ["train": names])
                case .gzip1Shuffle: try libhdf5Write(work, to: path, options: method.options)
                case .parallelGzip1Shuffle:
                    // In batches of 64 demos, as `mimic augment` writes them.
                    let writer = try RobomimicWriter(destination: path, dataAttributes: work.dataAttributes, options: method.options)
                    for start in stride(from: 0, to: work.demos.count, by: 64) {
                        try writer.write(Array(work.demos[start..<min(start + 64, work.demos.count)]), threads: cores)
                    }
                    try writer.finish(masks: ["train": names])
                }
                let seconds = Double(nowNanoseconds() - start) / 1e9
                let cpuSeconds = Double(threadCPUNanoseconds() - cpuStart) / 1e9
                let size = (try FileManager.default.attributesOfItem(atPath: path)[.size] as? NSNumber)?.intValue ?? 0
                try FileManager.default.removeItem(atPath: path)
                sink += Double(size)
                guard repetition >= 0 else { continue }
                rates[method, default: []].append(Double(work.arrayBytes) / 1e6 / seconds)
                cpuRates[method, default: []].append(Double(work.arrayBytes) / 1e6 / cpuSeconds)
                sizes[method] = size
            }
            if repetition >= 0 {
                progress(
                    "  HDF5 repetition \(repetition + 1)/\(repetitions): "
                        + methods.map { "\($0): \(fixed(rates[$0]!.last!, 0)) MB/s" }.joined(separator: ", "))
            }
        }
        return methods.map {
            Result(
                method: $0, rate: Stats(rates[$0]!, calls: 1), cpuRate: Stats(cpuRates[$0]!, calls: 1),
                fileBytes: sizes[$0]!)
        }
    }

    /// The file `RobomimicWriter` writes, its arrays through `HDF5Group.write`, so that
    /// libhdf5's own filters (zlib) compress them, one chunk at a time.
    func libhdf5Write(_ work: Workload, to path: String, options: WriteOptions) throws {
        let file = try HDF5File.create(path)
        let data = try file.root.createGroup("data")
        for (name, value) in work.dataAttributes.sorted(by: { $0.key < $1.key }) { try data.attributes.set(name, value: value) }
        for demo in work.demos {
            let group = try data.createGroup(demo.name)
            var attributes = demo.attributes
            attributes["num_samples"] = .int(demo.length)
            for (name, value) in attributes.sorted(by: { $0.key < $1.key }) { try group.attributes.set(name, value: value) }
            for (key, tensor) in demo.arrays.sorted(by: { $0.key < $1.key }) { try group.write(key, tensor, options: options) }
        }
        try file.root.writeStrings("mask/train", work.demos.map(\.name))
        try file.flush()
        file.close()
    }

    /// The same bytes as the HDF5 file's datasets, in the same order, one `write(2)` per array,
    /// to a temporary name that is renamed into place after `close` (as `RobomimicWriter` does).
    func rawWrite(_ demos: [Demo], to path: String) throws {
        let partial = path + ".partial"
        let fd = open(partial, O_WRONLY | O_CREAT | O_TRUNC, 0o644)
        guard fd >= 0 else { throw BenchError("cannot create \(partial): errno \(errno)") }
        for demo in demos {
            for (_, tensor) in demo.arrays.sorted(by: { $0.key < $1.key }) {
                try withBytes(tensor) { bytes in
                    var offset = 0
                    while offset < bytes.count {
                        let written = write(fd, bytes.baseAddress! + offset, bytes.count - offset)
                        guard written > 0 else { throw BenchError("write to \(partial) failed: errno \(errno)") }
                        offset += written
                    }
                }
            }
        }
        guard close(fd) == 0, rename(partial, path) == 0 else { throw BenchError("cannot finish \(path): errno \(errno)") }
    }
}

/// The element bytes of `tensor`.
func byteCount(_ tensor: Tensor) -> Int { withBytes(tensor) { $0.count } }

/// Calls `body` with the raw element bytes of `tensor`.
func withBytes<R>(_ tensor: Tensor, _ body: (UnsafeRawBufferPointer) throws -> R) rethrows -> R {
    switch tensor.storage {
    case .float32(let v): return try v.withUnsafeBytes(body)
    case .float64(let v): return try v.withUnsafeBytes(body)
    case .int8(let v): return try v.withUnsafeBytes(body)
    case .int16(let v): return try v.withUnsafeBytes(body)
    case .int32(let v): return try v.withUnsafeBytes(body)
    case .int64(let v): return try v.withUnsafeBytes(body)
    case .uint8(let v): return try v.withUnsafeBytes(body)
    case .uint16(let v): return try v.withUnsafeBytes(body)
    case .uint32(let v): return try v.withUnsafeBytes(body)
    case .uint64(let v): return try v.withUnsafeBytes(body)
    }
}

/// The file system type of the mount holding `path` (from /proc/self/mounts), e.g. "ext4", "tmpfs".
func fileSystemType(_ path: String) -> String {
    guard let mounts = try? String(contentsOfFile: "/proc/self/mounts", encoding: .utf8) else { return "unknown" }
    let resolved = URL(fileURLWithPath: path).resolvingSymlinksInPath().path
    var best: (mountPoint: String, type: String) = ("", "unknown")
    for line in mounts.split(separator: "\n") {
        let fields = line.split(separator: " ")
        guard fields.count >= 3 else { continue }
        let mountPoint = String(fields[1]), type = String(fields[2])
        let covers = mountPoint == "/" || resolved == mountPoint || resolved.hasPrefix(mountPoint + "/")
        if covers, mountPoint.count >= best.mountPoint.count { best = (mountPoint, type) }
    }
    return best.type
}
