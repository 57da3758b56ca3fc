import Testing
@testable import mimic

@Suite struct ParallelTests {
    @Test(arguments: [1, 2, 3, 8])
    func resultsComeInIndexOrderWhateverTheWorkers(workers: Int) {
        let squares = parallelMap(50, workers: workers) { _, i in i * i }
        #expect(squares == (0..<50).map { $0 * $0 })
        #expect(parallelMap(0, workers: workers) { _, i in i }.isEmpty)
    }

    @Test func eachWorkerKeepsItsOwnState() throws {
        final class Counter { var count = 0 }
        let counters = PerWorker<Counter>(workers: 2) { Counter() }
        let owners = parallelMap(40, workers: 2) { w, _ in
            let counter = try! counters.state(w)
            counter.count += 1
            return w
        }
        #expect(try counters.state(0).count == owners.filter { $0 == 0 }.count)
        #expect(try counters.state(1).count == owners.filter { $0 == 1 }.count)
    }
}
