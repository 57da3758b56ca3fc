import Testing
import MimicMath
@testable import MimicCore

@Suite struct EpisodeTests {
    @Test func drivingAnEpisodeKinematicallyReproducesGenerate() throws {
        let generator = try GenerationFixture.generator()
        let generated = generator.generate(6)
        var episode = Episode(generator: generator, index: 6)
        #expect(episode.placement == generated.placement)
        var eef = [generator.sources[0].info.endEffectors[0].eefPose[0]]
        var row = [Double](repeating: 0, count: generator.task.actionWidth)
        var actions: [Double] = []
        while let commands = episode.next(eefPoses: eef, objects: episode.placement) {
            episode.action(for: commands, eefPoses: eef, into: &row)
            actions += row
            eef[0] = row.withUnsafeBufferPointer { generator.task.effectors[0].layout.targetPose(action: $0, worldFromEef: eef[0]) }
        }
        // The fixture's objects are only carried after the grasp; before it the plans agree exactly.
        #expect(actions.count == generated.actions.count)
        #expect(Array(actions.prefix(7 * 20)) == Array(generated.actions.prefix(7 * 20)))
        #expect(episode.sourceDemos == generated.sourceDemos)
        #expect(episode.next(eefPoses: eef, objects: episode.placement) == nil)
    }

    @Test func subtasksArePlannedFromTheObjectPosesGivenWhenTheyStart() throws {
        let generator = try GenerationFixture.generator()
        var episode = Episode(generator: generator, index: 2)
        var objects = episode.placement
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
            while let commands = episode.next(eefPoses: eef, objects: episode.placement) { targets.append(commands[0].target) }
            return (first, targets, episode.sourceDemos)
        }
        let (first, ahead, sources) = drive(true), (_, plain, plainSources) = drive(false)
        #expect(ahead == plain && sources == plainSources)
        #expect(first == sources[0][0])
    }
}
