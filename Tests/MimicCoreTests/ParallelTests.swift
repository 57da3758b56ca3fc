import Testing
import MimicCore

@Suite struct ParallelTests {
    @Test(arguments: [1, 2, 3, 8])
    func resultsComeInIndexOrderWhateverTheWorkers(workers: Int) {
        let squares = parallelMap(50, workers: workers) { _, i in i * i }
        #expect(squares == (0..<50).map { $0 * $0 })
        #expect(parallelMap(0, workers: workers) { _, i in i }.isEmpty)
    }

    @Test func workerIndicesPartitionTheRange() {
        // Worker w takes w, w + workers, ...: each index once, by the worker its residue names.
        let owners = parallelMap(40, workers: 3) { w, _ in w }
        #expect(owners == (0..<40).map { $0 % 3 })
    }
}
