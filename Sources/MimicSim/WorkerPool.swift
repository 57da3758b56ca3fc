/// Per-worker simulator objects, one per scene: worker `w` running in scene `s` reuses the value
/// it made there first (a world with its executor, an ``EpisodeRunner``), so each is made once
/// per (worker, scene) and never shared between threads.
///
/// Thread-safety by partition: slot `w` is touched only by the thread running worker `w`
/// (`DispatchQueue.concurrentPerform`'s iteration `w`, as the `mimic` command's `parallelMap`
/// hands them out).
public final class WorkerPool<Value>: @unchecked Sendable {
    /// One worker's values by scene; only that worker's thread touches it.
    private final class Slot {
        var values: [Int: Value] = [:]
    }

    private let slots: [Slot]

    /// - Parameter workers: how many workers will ask (worker indices `0..<workers`).
    public init(workers: Int) {
        slots = (0..<max(workers, 1)).map { _ in Slot() }
    }

    /// Worker `worker`'s value for scene `scene`, made with `make` (on the calling worker's
    /// thread) on first use.
    public func value<E: Error>(worker: Int, scene: Int, orMake make: () throws(E) -> Value) throws(E) -> Value {
        let slot = slots[worker]
        if let existing = slot.values[scene] { return existing }
        let made = try make()
        slot.values[scene] = made
        return made
    }
}
