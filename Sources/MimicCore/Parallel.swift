import Foundation

/// Runs `body(worker, index)` for every index in `0..<count` on `workers` threads (worker w takes
/// w, w + workers, ...) and returns the results in index order. Each worker may keep state of its
/// own keyed by `worker` (MimicSim's `WorkerPool`); `body` must not touch another worker's.
public func parallelMap<T>(_ count: Int, workers: Int, _ body: @Sendable (_ worker: Int, _ index: Int) -> T) -> [T] {
    guard count > 0 else { return [] }
    let slots = UnsafeMutableBufferPointer<T?>.allocate(capacity: count)
    slots.initialize(repeating: nil)
    defer {
        slots.deinitialize()
        slots.deallocate()
    }
    let shared = SharedSlots(buffer: slots)
    let threads = min(workers, count)
    DispatchQueue.concurrentPerform(iterations: threads) { w in
        for k in stride(from: w, to: count, by: threads) { shared.buffer[k] = body(w, k) }
    }
    return slots.map { $0! }
}

/// The result buffer worker threads fill at distinct indices.
private struct SharedSlots<T>: @unchecked Sendable {
    let buffer: UnsafeMutableBufferPointer<T?>
}
