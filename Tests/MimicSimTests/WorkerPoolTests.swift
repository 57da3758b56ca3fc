import Foundation
import Testing
import MimicSim

@Suite struct WorkerPoolTests {
    /// Each (worker, scene) value is made once and kept; workers never share one.
    @Test func oneValuePerWorkerAndScene() throws {
        final class Made { let worker: Int, scene: Int; init(_ w: Int, _ s: Int) { worker = w; scene = s } }
        let pool = WorkerPool<Made>(workers: 2)
        var made = 0
        for (w, s) in [(0, 0), (1, 0), (0, 3), (0, 0), (1, 0), (0, 3)] {
            let value = pool.value(worker: w, scene: s) {
                made += 1; return Made(w, s)
            }
            #expect(value.worker == w && value.scene == s)
        }
        #expect(made == 3)
        #expect(pool.value(worker: 0, scene: 0) { Made(9, 9) } === pool.value(worker: 0, scene: 0) { Made(8, 8) })
    }

    /// A failed make leaves nothing behind: the next request makes it again.
    @Test func aFailedMakeIsRetried() throws {
        struct Failure: Error {}
        let pool = WorkerPool<Int>(workers: 1)
        #expect(throws: Failure.self) { try pool.value(worker: 0, scene: 1) { () throws(Failure) -> Int in throw Failure() } }
        #expect(pool.value(worker: 0, scene: 1) { 7 } == 7)
    }

    /// Workers on their own threads, as parallelMap runs them, each see only their own values.
    @Test func workersOnTheirOwnThreads() {
        let pool = WorkerPool<[Int]>(workers: 4)
        DispatchQueue.concurrentPerform(iterations: 4) { w in
            for s in 0..<50 { _ = pool.value(worker: w, scene: s) { [w, s] } }
        }
        for w in 0..<4 { for s in 0..<50 { #expect(pool.value(worker: w, scene: s) { [] } == [w, s]) } }
    }
}
