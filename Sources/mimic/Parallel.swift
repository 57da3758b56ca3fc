import Foundation

/// Runs `body(worker, index)` for every index in `0..<count` on `workers` threads (worker w takes
/// w, w + workers, ...) and returns the results in index order. Each worker may keep state of its
/// own keyed by `worker` (a world, an executor); `body` must not touch another worker's.
func parallelMap<T>(_ count: Int, workers: Int, _ body: @Sendable (_ worker: Int, _ index: Int) -> T) -> [T] {
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

/// Per-worker state for `parallelMap`: slot w belongs to worker w alone.
final class PerWorker<State>: @unchecked Sendable {
    private var states: [State?]
    private let make: () throws -> State

    init(workers: Int, make: @escaping () throws -> State) {
        states = Array(repeating: nil, count: workers)
        self.make = make
    }

    /// Worker `w`'s state, made on its first use.
    func state(_ w: Int) throws -> State {
        if let existing = states[w] { return existing }
        let created = try make()
        states[w] = created
        return created
    }

    /// Replaces worker `w`'s state (from worker `w` only).
    func set(_ w: Int, _ state: State) { states[w] = state }
}

/// The result buffer worker threads fill at distinct indices.
private struct SharedSlots<T>: @unchecked Sendable {
    let buffer: UnsafeMutableBufferPointer<T?>
}
