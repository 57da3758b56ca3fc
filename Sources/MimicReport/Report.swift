import MimicCore

/// Everything `mimic report` shows about one generation run, as plain values: the CLI reads
/// them from the run's files (MimicHDF5) and ``ReportPage`` draws them. Lists of demos are
/// samples of a bounded size, so a report of a million-demo run fits in memory; the counts
/// beside them are the run's own.
public struct RunReport: Sendable {
    public var header: Header
    public var paths: Paths
    public var placements: Placements
    public var outcome: Outcome
    public var lengths: Lengths
    /// `phase_seconds` of the run's stats (wall-clock seconds; physics, observations and render
    /// summed over the workers), in the order shown; nil when the stats have none.
    public var phaseSeconds: [(phase: String, seconds: Double)]?
    /// Sample frames per camera, for demos that have images.
    public var cameras: [CameraFrames]
    /// What the reader left out or could not find (a source file that is gone, ...), shown on the page.
    public var notes: [String]

    public init(
        header: Header, paths: Paths, placements: Placements, outcome: Outcome, lengths: Lengths,
        phaseSeconds: [(phase: String, seconds: Double)]? = nil, cameras: [CameraFrames] = [], notes: [String] = []
    ) {
        self.header = header
        self.paths = paths
        self.placements = placements
        self.outcome = outcome
        self.lengths = lengths
        self.phaseSeconds = phaseSeconds
        self.cameras = cameras
        self.notes = notes
    }

    /// The run as the stats and the output's attributes describe it.
    public struct Header: Sendable {
        public var source: String
        public var output: String
        public var task: String
        public var robots: [String]
        public var seed: UInt64?
        public var workers: Int?
        /// Demos written (kept) and their samples (steps).
        public var demos: Int
        public var samples: Int
        /// Attempts of a checked run; nil for a kinematic one.
        public var attempts: Int?
        /// Kinematic candidates (not run in a simulator) rather than demos checked in MuJoCo.
        public var kinematic: Bool
        public var mujoco: String?
        /// Wall time of the run, seconds.
        public var seconds: Double?
        /// Shards of a sharded run (nil for one file).
        public var shards: Int?

        public init(
            source: String, output: String, task: String, robots: [String], seed: UInt64?, workers: Int?, demos: Int, samples: Int,
            attempts: Int?, kinematic: Bool, mujoco: String?, seconds: Double?, shards: Int? = nil
        ) {
            self.source = source
            self.output = output
            self.task = task
            self.robots = robots
            self.seed = seed
            self.workers = workers
            self.demos = demos
            self.samples = samples
            self.attempts = attempts
            self.kinematic = kinematic
            self.mujoco = mujoco
            self.seconds = seconds
            self.shards = shards
        }

        /// Kept demos per attempt, for a checked run.
        public var successRate: Double? { attempts.map { Double(demos) / Double(max($0, 1)) } }
    }

    /// End-effector positions of one demo: per end effector (in ``Paths/effectors`` order) its
    /// position at every step, world frame, metres.
    public struct DemoPath: Sendable {
        public var demo: String
        public var effectors: [[SIMD3<Double>]]

        public init(demo: String, effectors: [[SIMD3<Double>]]) {
            self.demo = demo
            self.effectors = effectors
        }
    }

    /// Source and generated end-effector paths.
    public struct Paths: Sendable {
        /// End-effector names (`robot0`, `left`, ...).
        public var effectors: [String]
        public var sources: [DemoPath]
        /// A sample of the generated demos (``generatedTotal`` in the run).
        public var generated: [DemoPath]
        public var generatedTotal: Int
        /// A sample of the failed attempts kept with `--keep-failed`, when given.
        public var failed: [DemoPath]

        public init(effectors: [String], sources: [DemoPath], generated: [DemoPath], generatedTotal: Int, failed: [DemoPath] = []) {
            self.effectors = effectors
            self.sources = sources
            self.generated = generated
            self.generatedTotal = generatedTotal
            self.failed = failed
        }
    }

    /// An object's initial position (x, y) in one demo.
    public struct ObjectPosition: Sendable, Equatable {
        public var object: String
        public var demo: String
        public var x: Double
        public var y: Double

        public init(object: String, demo: String, x: Double, y: Double) {
            self.object = object
            self.demo = demo
            self.x = x
            self.y = y
        }
    }

    /// A rectangle objects are placed in (robosuite's reset region), world x and y, metres.
    public struct Region: Sendable, Equatable {
        public var object: String
        public var x: ClosedRange<Double>
        public var y: ClosedRange<Double>

        public init(object: String, x: ClosedRange<Double>, y: ClosedRange<Double>) {
            self.object = object
            self.x = x
            self.y = y
        }

        /// The regions of a task's placement: around its `reference` point, or with `around:
        /// source` around each source's initial position of the object (`sources`), one per
        /// source demo. None without a placement.
        public static func regions(of placement: TaskSpec.PlacementSpec?, sources: [ObjectPosition]) -> [Region] {
            guard let placement else { return [] }
            var regions: [Region] = []
            for name in placement.objects.keys.sorted() {
                let range = placement.objects[name]!
                let centres: [(Double, Double)] =
                    placement.around == .source
                    ? sources.filter { $0.object == name }.map { ($0.x, $0.y) }
                    : [(placement.reference[0], placement.reference[1])]
                for (cx, cy) in centres {
                    regions.append(Region(object: name, x: (cx + range.x[0])...(cx + range.x[1]), y: (cy + range.y[0])...(cy + range.y[1])))
                }
            }
            return regions
        }
    }

    /// Initial object positions against the task's reset region.
    public struct Placements: Sendable {
        public var regions: [Region]
        /// Whether the regions are around each source's placement (`around: source`) rather than fixed.
        public var aroundSource: Bool
        public var sources: [ObjectPosition]
        /// A sample of the generated demos' placements (of ``generatedTotal`` demos).
        public var generated: [ObjectPosition]
        public var generatedTotal: Int
        /// The failed attempts' placements, when they were kept.
        public var failed: [ObjectPosition]

        public init(
            regions: [Region], aroundSource: Bool = false, sources: [ObjectPosition], generated: [ObjectPosition], generatedTotal: Int,
            failed: [ObjectPosition] = []
        ) {
            self.regions = regions
            self.aroundSource = aroundSource
            self.sources = sources
            self.generated = generated
            self.generatedTotal = generatedTotal
            self.failed = failed
        }
    }

    /// Successes and failures of a checked run.
    public struct Outcome: Sendable {
        /// Failed attempts per reason (the stats' `failure_reasons`).
        public var failureReasons: [String: Int]
        /// A few failed attempts kept with `--keep-failed` and why each failed.
        public var failedExamples: [(demo: String, reason: String)]
        /// Failed attempts in the `--keep-failed` file, when one was read.
        public var failedKept: Int?

        public init(failureReasons: [String: Int] = [:], failedExamples: [(demo: String, reason: String)] = [], failedKept: Int? = nil) {
            self.failureReasons = failureReasons
            self.failedExamples = failedExamples
            self.failedKept = failedKept
        }
    }

    /// Episode lengths (steps) of a sample of generated demos and of the sources.
    public struct Lengths: Sendable {
        public var generated: [Int]
        public var generatedTotal: Int
        public var sources: [Int]

        public init(generated: [Int], generatedTotal: Int, sources: [Int]) {
            self.generated = generated
            self.generatedTotal = generatedTotal
            self.sources = sources
        }
    }

    /// Frames of one camera (`obs/<camera>_image`).
    public struct CameraFrames: Sendable {
        public var camera: String
        public var frames: [Frame]

        public init(camera: String, frames: [Frame]) {
            self.camera = camera
            self.frames = frames
        }
    }

    /// One image of a demo at a step, upright.
    public struct Frame: Sendable {
        public var demo: String
        public var step: Int
        public var image: RGBImage

        public init(demo: String, step: Int, image: RGBImage) {
            self.demo = demo
            self.step = step
            self.image = image
        }
    }
}

/// Which demos of a run a report reads: at most `limit` of `count`, spread evenly and the
/// same every time (`i · count / limit`), so the report of a run has the same bytes each time.
public enum DemoSample {
    public static func indices(count: Int, limit: Int) -> [Int] {
        guard count > limit else { return Array(0..<max(count, 0)) }
        guard limit > 0 else { return [] }
        return (0..<limit).map { $0 * count / limit }
    }
}
