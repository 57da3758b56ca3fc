import MimicCore

/// A dataset's chunks encoded ahead of writing: what libhdf5's shuffle and deflate filters would
/// store for each chunk, computed on any thread, so that the HDF5 thread only copies bytes
/// (`H5Dwrite_chunk`). Readers see an ordinary gzip dataset.
struct EncodedDataset: Sendable {
    var shape: [Int]
    var element: NumericElement
    /// The chunk shape (rows of the first dimension × the full other dimensions).
    var chunk: [Int]
    /// The stored bytes of chunk `k` (rows `k·chunk[0]` on), in order.
    var chunks: [[UInt8]]
}

/// The shuffle + deflate encoding of gzip-filtered chunks, as libhdf5's filters lay them out:
/// each chunk full size (an edge chunk padded with zeros, HDF5's fill value), its bytes regrouped
/// by position within the element when shuffling, then a zlib stream at the level. The deflate is
/// libdeflate's (3 to 5 times zlib's speed on shuffled floats here, the same sizes): any zlib
/// reader, so h5py and libhdf5's gzip filter, inflates it; the bytes are libdeflate's, not zlib's.
enum ChunkCodec {
    /// `tensor` encoded for a dataset written with `options`, or nil when `options` does not
    /// make it a gzip-filtered chunked dataset (then libhdf5 writes it, as usual). `compressor`
    /// is the calling thread's, at the options' level.
    static func encode(_ tensor: Tensor, options: WriteOptions, compressor: Deflater) -> EncodedDataset? {
        guard case .gzip(let level, let shuffle) = options.compression, tensor.count > 0 else { return nil }
        precondition(compressor.level == level, "a compressor at level \(compressor.level) for gzip level \(level)")
        let element = NumericElement(tensor.storage)
        guard let chunk = try? options.chunkShape(for: tensor.shape, elementSize: element.size, H5Site(file: "", path: "")) else { return nil }
        let rowBytes = tensor.shape.dropFirst().reduce(element.size, *)
        let chunkBytes = chunk[0] * rowBytes
        let total = tensor.count * element.size
        var chunks: [[UInt8]] = []
        var raw = [UInt8](repeating: 0, count: chunkBytes)
        var shuffled = [UInt8](repeating: 0, count: chunkBytes)
        // The body throws nothing: H5IO.withBytes only passes the storage's bytes.
        try? H5IO.withBytes(of: tensor.storage) { (pointer) throws(HDF5Error) in
            let bytes = UnsafeRawBufferPointer(start: pointer, count: total)
            var start = 0
            while start < total {
                let count = min(chunkBytes, total - start)
                raw.withUnsafeMutableBytes { dst in
                    dst.copyMemory(from: UnsafeRawBufferPointer(rebasing: bytes[start..<(start + count)]))
                    if count < chunkBytes { dst.baseAddress!.advanced(by: count).initializeMemory(as: UInt8.self, repeating: 0, count: chunkBytes - count) }
                }
                if shuffle && element.size > 1 {
                    Self.shuffle(raw, into: &shuffled, elementSize: element.size)
                    chunks.append(compressor.zlib(shuffled))
                } else {
                    chunks.append(compressor.zlib(raw))
                }
                start += chunkBytes
            }
        }
        return EncodedDataset(shape: tensor.shape, element: element, chunk: chunk, chunks: chunks)
    }

    /// HDF5's shuffle filter: byte `b` of every element, for b = 0, 1, ..., in turn.
    static func shuffle(_ bytes: [UInt8], into out: inout [UInt8], elementSize: Int) {
        let count = bytes.count / elementSize
        bytes.withUnsafeBufferPointer { src in
            out.withUnsafeMutableBufferPointer { dst in
                for b in 0..<elementSize {
                    let base = b * count
                    for i in 0..<count { dst[base + i] = src[i * elementSize + b] }
                }
            }
        }
    }
}
