import MimicCore

/// The executed attempts of a generation run, spread over workers: attempt `i` is planned on the
/// calling thread (its episode, and the scene of its first source, compiled there on first use),
/// then run by any worker with that worker's ``EpisodeRunner`` for the scene. The result of
/// attempt `i` depends only on the setup and `i`, never on the worker that ran it.
public final class EpisodeRunnerPool: @unchecked Sendable {
    /// One attempt, planned: its episode and the scene it runs in.
    public struct Attempt: Sendable {
        public let episode: Episode
        public let entry: ExecutionScenes.Entry
    }

    public let setup: ExecutionSetup
    public let scenes: ExecutionScenes
    private let runners: WorkerPool<EpisodeRunner>

    /// - Parameter workers: how many workers will call ``run(_:worker:options:)`` (indices `0..<workers`).
    public init(setup: ExecutionSetup, scenes: ExecutionScenes, workers: Int) {
        self.setup = setup
        self.scenes = scenes
        runners = WorkerPool(workers: workers)
    }

    /// Plans the attempts of `indices` on this thread, compiling the scenes they need.
    public func plan(_ indices: some Sequence<Int>) throws(DatasetError) -> [Attempt] {
        var attempts: [Attempt] = []
        for i in indices {
            let episode = setup.episode(i)
            attempts.append(Attempt(episode: episode, entry: try scenes.entry(forSource: episode.firstSource!)))
        }
        return attempts
    }

    /// Runs a planned attempt on worker `worker`'s runner for its scene.
    public func run(_ attempt: Attempt, worker: Int, options: RolloutOptions) throws(DatasetError) -> ExecutedEpisode {
        let runner = try runners.value(worker: worker, scene: attempt.entry.index) { () throws(DatasetError) in
            try EpisodeRunner(setup: setup, entry: attempt.entry)
        }
        return try runner.run(attempt.episode, options: options)
    }
}
