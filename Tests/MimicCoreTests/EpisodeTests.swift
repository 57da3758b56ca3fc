import Testing
import MimicMath
@testable import MimicCore

@Suite struct EpisodeTests {
    @Test func drivingAnEpisodeKinematicallyReproducesGenerate() throws {
        let generator = try GenerationFixture.generator()
        let generated = generator.generate(6)
        var episode = Episode(generator: generator, index: 6)
        #expect(episode.scene == generated.scene)
        var eef = [generator.sources[0].info.endEffectors[0].eefPose[0]]
        var row = [Double](repeating: 0, count: generator.task.actionWidth)
        var actions: [Double] = []
        while let commands = episode.next(eefPoses: eef, objects: episode.scene) {
            episode.action(for: commands, eefPoses: eef, into: &row)
            actions += row
            eef[0] = row.withUnsafeBufferPointer { generator.task.effectors[0].layout.targetPose(action: $0, worldFromEef: eef[0]) }
        }
        // The fixture's objects are only carried after the grasp; before it the plans agree exactly.
        #expect(actions.count == generated.actions.count)
        #expect(Array(actions.prefix(7 * 20)) == Array(generated.actions.prefix(7 * 20)))
        #expect(episode.sourceDemos == generated.sourceDemos)
        #expect(episode.next(eefPoses: eef, objects: episode.scene) == nil)
    }

    @Test func subtasksArePlannedFromTheObjectPosesGivenWhenTheyStart() throws {
        let generator = try GenerationFixture.generator()
        var episode = Episode(generator: generator, index: 2)
        var objects = episode.scene
        let eef = [generator.sources[0].info.endEffectors[0].eefPose[0]]
        // Move the cube before the first subtask is planned: the segment follows it.
        objects["cube"]!.position += SIMD3(0.05, 0, 0)
        var targets: [Pose] = []
        while let commands = episode.next(eefPoses: eef, objects: objects) { targets.append(commands[0].target) }
        let d = episode.sourceDemos[0][0]
        let source = generator.sources[d].info
        let expected = objects["cube"]! * source.objectPoses["cube"]![0].inverse * source.endEffectors[0].targetPose[0]
        #expect((targets[5].position - expected.position).x.magnitude < 1e-12)
        #expect(targets[5].rotation.angle(to: expected.rotation) < 1e-9)
    }

    /// With `settle`, a gripper change waits (holding the previous target and gripper command,
    /// with no source step) while the measured hand is away from that target, at most maxSteps;
    /// a hand at its target never waits.
    @Test(arguments: [0.0, 0.05]) func gripperChangesWaitForTheArm(lag: Double) throws {
        var generator = try GenerationFixture.generator()
        generator.task.settle = (position: 0.01, rotation: 0.1, maxSteps: 4)
        var plain = try GenerationFixture.generator()
        plain.task.settle = nil
        func drive(_ generator: Generator) -> [Command] {
            var episode = Episode(generator: generator, index: 3)
            var out: [Command] = []
            var eef = generator.sources[0].info.endEffectors[0].eefPose[0]
            while let commands = episode.next(eefPoses: [eef], objects: episode.scene) {
                out.append(commands[0])
                eef = commands[0].target
                eef.position.z += lag  // the arm lags this far above every target
            }
            return out
        }
        let settled = drive(generator), paced = drive(plain)
        let close = try #require(paced.firstIndex { $0.gripper.first! > 0 })
        #expect(settled.count == paced.count + (lag > 0 ? 4 : 0))
        for k in 0..<settled.count {
            let expected = k < close ? paced[k] : (lag > 0 && k < close + 4 ? paced[close - 1] : paced[k - (lag > 0 ? 4 : 0)])
            #expect(settled[k].target == expected.target && settled[k].gripper == expected.gripper, "step \(k)")
            if lag > 0, (close..<(close + 4)).contains(k) { #expect(settled[k].source == nil && settled[k].noise == 0) }
        }
    }

    /// Choosing the first source ahead (for the simulator's scene) draws what the first step
    /// would: given the same poses, the episode plans exactly the same commands.
    @Test(arguments: [0, 1, 5]) func choosingTheFirstSourceAheadChangesNothing(index: Int) throws {
        let subtasks = GenerationFixture.subtasks.map { s -> TaskSpec.SubtaskSpec in var s = s; s.selection = .nearestObject; s.nnK = 2; return s }
        let generator = try GenerationFixture.generator(subtasks: subtasks)
        func drive(_ ahead: Bool) -> (Int?, [Pose], [[Int]]) {
            var episode = Episode(generator: generator, index: index)
            let first = ahead ? episode.selectFirstSource() : nil
            let eef = [generator.sources[0].info.endEffectors[0].eefPose[0]]
            var targets: [Pose] = []
            while let commands = episode.next(eefPoses: eef, objects: episode.scene) { targets.append(commands[0].target) }
            return (first, targets, episode.sourceDemos)
        }
        let (first, ahead, sources) = drive(true), (_, plain, plainSources) = drive(false)
        #expect(ahead == plain && sources == plainSources)
        #expect(first == sources[0][0])
    }
}
