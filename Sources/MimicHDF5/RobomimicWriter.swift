import Foundation
import MimicCore

/// Writes a robomimic-layout file demo by demo (streaming: nothing but the current demo is held),
/// into a `PartialFile` beside the destination that becomes the destination only in `finish`.
/// A writer that is abandoned, or never finished, leaves no file behind; so does a process
/// interrupted by a signal when its handler calls `PartialFile.removeAllLive()`.
///
/// The result has what robomimic's `SequenceDataset` and h5py expect: `data.attrs[total]`,
/// `data.attrs[env_args]`, per demo `num_samples` and every array and attribute of the `Demo`
/// with its element type, and `mask/<key>` as fixed-length byte strings.
public final class RobomimicWriter {
    public let destination: String
    let partial: PartialFile
    private var file: HDF5File?
    private var data: HDF5Group
    private var total = 0
    public private(set) var demoCount = 0
    public var options: WriteOptions

    /// Starts a file for `destination`. `dataAttributes` (e.g. `env_args`) go on the `data` group.
    public init(destination: String, dataAttributes: [String: AttributeValue], options: WriteOptions = .init()) throws {
        self.destination = destination
        self.options = options
        partial = PartialFile(destination: destination)
        let file: HDF5File
        do {
            file = try HDF5File.create(partial.path, sharedAttributesFrom: options.sharedStringsFrom)
        } catch {
            partial.discard()
            throw DatasetError(.io, file: destination, path: "/", "cannot create the output: \(error.detail)")
        }
        self.file = file
        do {
            data = try file.root.createGroup("data")
            for (name, value) in dataAttributes.sorted(by: { $0.key < $1.key }) { try data.attributes.set(name, value: value) }
        } catch {
            file.close()
            partial.discard()
            throw error
        }
    }

    deinit { abandon() }

    /// Appends `demo` as `data/<demo.name>` with its attributes and arrays; sets `num_samples`.
    /// Throws when the file already has a demo of that name.
    public func write(_ demo: Demo) throws { try write([demo], threads: 1) }

    /// Appends `demos` in order, like ``write(_:)`` one by one. With gzip, every chunk of every
    /// array is compressed by ``ChunkCodec`` first, on `threads` threads (libhdf5 would compress
    /// them one at a time, behind its global lock), then stored as is: the same file for any
    /// `threads`.
    public func write(_ demos: [Demo], threads: Int) throws {
        guard case .gzip(let level, _) = options.compression, (0...9).contains(level) else {
            for demo in demos { try write(demo, encoded: [:]) }  // libhdf5 writes it, or says what is wrong
            return
        }
        let jobs = demos.indices.flatMap { d in demos[d].arrays.keys.sorted().map { (demo: d, path: $0) } }
        let options = self.options
        let compressors = (0..<max(1, min(threads, jobs.count))).map { _ in Deflater(level: level) }
        let encoded = parallelMap(jobs.count, workers: compressors.count) { worker, k in
            ChunkCodec.encode(demos[jobs[k].demo].arrays[jobs[k].path]!, options: options, compressor: compressors[worker])
        }
        var byDemo = [[String: EncodedDataset]](repeating: [:], count: demos.count)
        for (job, result) in zip(jobs, encoded) { byDemo[job.demo][job.path] = result }
        for (demo, encoded) in zip(demos, byDemo) { try write(demo, encoded: encoded) }
    }

    private func write(_ demo: Demo, encoded: [String: EncodedDataset]) throws {
        let group = try data.createNewGroup(demo.name)
        var attributes = demo.attributes
        attributes["num_samples"] = .int(demo.length)
        for (name, value) in attributes.sorted(by: { $0.key < $1.key }) {
            if options.sharedStringsFrom > 0, case .string(let text) = value, text.utf8.count >= options.sharedStringsFrom {
                try group.attributes.set(name, fixedString: text)
            } else {
                try group.attributes.set(name, value: value)
            }
        }
        // Every group of the demo is new: create each once and write datasets straight into it.
        var groups = ["": group]
        func parent(_ path: Substring) throws -> HDF5Group {
            if let known = groups[String(path)] { return known }
            let slash = path.lastIndex(of: "/")
            let above = try parent(slash.map { path[..<$0] } ?? "")
            let created = try above.createNewGroup(String(slash.map { path[path.index(after: $0)...] } ?? path))
            groups[String(path)] = created
            return created
        }
        for (path, tensor) in demo.arrays.sorted(by: { $0.key < $1.key }) {
            let slash = path.lastIndex(of: "/")
            let container = try parent(slash.map { path[..<$0] } ?? "")
            let name = String(slash.map { path[path.index(after: $0)...] } ?? path[...])
            if let chunks = encoded[path] {
                try container.writeNew(name, encoded: chunks, options: options)
            } else {
                try container.writeNew(name, tensor, options: options)
            }
        }
        for (path, values) in demo.groupAttributes.sorted(by: { $0.key < $1.key }) {
            let sub = try parent(path[...])
            for (name, value) in values.sorted(by: { $0.key < $1.key }) { try sub.attributes.set(name, value: value) }
        }
        total += demo.length
        demoCount += 1
    }

    /// Writes `data.attrs[total]` and the masks, closes the file and makes it the destination
    /// (`PartialFile.commit`: fsync, then one rename(2) that replaces an existing destination).
    public func finish(masks: [String: [String]]) throws {
        guard let file else { return }
        try data.attributes.set("total", value: .int(total))
        for (key, names) in masks.sorted(by: { $0.key < $1.key }) { try file.root.writeStrings("mask/\(key)", names) }
        try file.flush()
        file.close()
        self.file = nil
        try partial.commit()
    }

    /// Closes and deletes the unfinished file. Safe to call more than once.
    public func abandon() {
        guard let file else { return }
        file.close()
        self.file = nil
        partial.discard()
    }
}
