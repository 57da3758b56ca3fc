import Foundation
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
        let subtasks = GenerationFixture.subtasks.map { s -> TaskSpec.SubtaskSpec in
            var s = s; s.selection = .nearestObject; s.nnK = 2; return s
        }
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

/// Isaac Lab Mimic's constraints between end effectors, on two synthetic arms (robot0 grasps at
/// source step 20, robot1 at 12; each has a reach-and-grasp subtask and a lift subtask).
@Suite struct EpisodeConstraintTests {
    typealias Ref = TaskSpec.ConstraintSpec.SubtaskRef

    /// The episode step at which effector `e` plays the last command of its subtask `j` (found by
    /// its source step: the segment's last step), and the first such step.
    static func span(_ steps: [[Command]], effector e: Int, subtask j: Int, generator: Generator, episode: Episode) -> ClosedRange<Int> {
        let d = episode.sourceDemos[e][j]
        let segment = generator.sources[d].segment(effector: e, subtask: j, offsets: episode.offsets[e])
        let hits = steps.indices.filter { t in steps[t][e].source.map { $0.demo == d && segment.contains($0.step) } ?? false }
        return hits.first!...hits.last!
    }

    @Test func unconstrainedArmsRunFreely() throws {
        let generator = try TwoArmFixture.generator(constraints: [])
        // robot1's grasp segment (13 steps + 3 bridge) ends well before robot0's (21 + 3).
        let (steps, driven) = TwoArmFixture.drive(generator, index: 0)
        let one = Self.span(steps, effector: 0, subtask: 0, generator: generator, episode: driven)
        let two = Self.span(steps, effector: 1, subtask: 0, generator: generator, episode: driven)
        #expect(two.upperBound < one.upperBound)
    }

    /// Sequential, minTimeDiff -1: robot1's grasp subtask holds its first command until robot0's
    /// grasp subtask has played its last; then it plays on from its second command.
    @Test func sequentialWaitsForTheEarlierSubtask() throws {
        let constraint = TaskSpec.ConstraintSpec(kind: .sequential, subtasks: [Ref(endEffector: "robot0", subtask: 0), Ref(endEffector: "robot1", subtask: 0)])
        let generator = try TwoArmFixture.generator(constraints: [constraint])
        let (steps, episode) = TwoArmFixture.drive(generator, index: 1)
        let former = Self.span(steps, effector: 0, subtask: 0, generator: generator, episode: episode)
        // robot1 repeats its first command through the step robot0 ends its subtask.
        let first = steps[0][1].target
        for t in 0...former.upperBound { #expect(steps[t][1].target == first, "step \(t)") }
        #expect(steps[former.upperBound + 1][1].target != first)
        // Its whole subtask still plays: 3 bridge steps + 13 segment steps after the wait.
        let later = Self.span(steps, effector: 1, subtask: 0, generator: generator, episode: episode)
        #expect(later.upperBound == former.upperBound + 3 + 13 - 1)
    }

    /// Sequential with minTimeDiff d: the later subtask plays until d of its steps remain, then waits.
    @Test func sequentialMinTimeDiffLeavesThatManySteps() throws {
        let constraint = try JSONDecoder().decode(
            TaskSpec.ConstraintSpec.self, from: Data(#"{"type": "sequential", "subtasks": [["robot0", 0], ["robot1", 0]], "minTimeDiff": 4}"#.utf8))
        let generator = try TwoArmFixture.generator(constraints: [constraint])
        let (steps, episode) = TwoArmFixture.drive(generator, index: 2)
        let former = Self.span(steps, effector: 0, subtask: 0, generator: generator, episode: episode)
        let later = Self.span(steps, effector: 1, subtask: 0, generator: generator, episode: episode)
        // The later subtask (16 commands) ends exactly 4 steps after the earlier one.
        #expect(later.upperBound == former.upperBound + 4)
        // With 0 it never waits.
        let free = try TwoArmFixture.generator(constraints: [TaskSpec.ConstraintSpec(kind: .sequential, subtasks: constraint.subtasks, minTimeDiff: 0)])
        #expect(
            TwoArmFixture.drive(free, index: 2).steps.map { $0.map(\.target) }
                == TwoArmFixture.drive(try TwoArmFixture.generator(constraints: []), index: 2).steps.map { $0.map(\.target) })
    }

    /// Coordination: one source demo and one transform for both, and both end on the same step.
    @Test(arguments: [TaskSpec.ConstraintSpec.Scheme.transform, .translate, .replay])
    func coordinatedSubtasksShareTheTransformAndEndTogether(scheme: TaskSpec.ConstraintSpec.Scheme) throws {
        let constraint = TaskSpec.ConstraintSpec(
            kind: .coordination, subtasks: [Ref(endEffector: "robot0", subtask: 0), Ref(endEffector: "robot1", subtask: 0)],
            scheme: scheme)
        for index in 0..<4 {
            let generator = try TwoArmFixture.generator(constraints: [constraint], shareSourceDemo: false)
            let (steps, episode) = TwoArmFixture.drive(generator, index: index)
            #expect(episode.sourceDemos[0][0] == episode.sourceDemos[1][0])
            let one = Self.span(steps, effector: 0, subtask: 0, generator: generator, episode: episode)
            let two = Self.span(steps, effector: 1, subtask: 0, generator: generator, episode: episode)
            #expect(one.upperBound == two.upperBound, "episode \(index)")
            // robot1's last grasp command is the source's carried by robot0's transform.
            let d = episode.sourceDemos[0][0], source = generator.sources[d].info
            let start = generator.sources[d].segment(effector: 0, subtask: 0, offsets: episode.offsets[0]).lowerBound
            let now = episode.placement["cube"]!, then = source.objectPoses["cube"]![start]
            let delta: Pose =
                switch scheme {
                case .transform: now * then.inverse
                case .translate: Pose(position: now.position - then.position, rotation: .identity)
                case .replay: .identity
                }
            let last = steps[two.upperBound][1]
            let expected = delta * source.endEffectors[1].targetPose[last.source!.step]
            #expect(euclideanNorm(last.target.position - expected.position) < 1e-12)
        }
    }

    /// synchronizeStart: robot1, which has no first subtask of its own to wait on here, holds its
    /// first lift command until robot0 starts lifting.
    @Test func synchronizedStartHoldsTheFirstStep() throws {
        let constraint = TaskSpec.ConstraintSpec(
            kind: .coordination, subtasks: [Ref(endEffector: "robot0", subtask: 1), Ref(endEffector: "robot1", subtask: 1)],
            scheme: .transform, synchronizeStart: true)
        let generator = try TwoArmFixture.generator(constraints: [constraint])
        let (steps, episode) = TwoArmFixture.drive(generator, index: 0)
        let graspOne = Self.span(steps, effector: 0, subtask: 0, generator: generator, episode: episode)
        let graspTwo = Self.span(steps, effector: 1, subtask: 0, generator: generator, episode: episode)
        // robot1 finishes grasping first, then repeats its first lift-bridge command until robot0 starts its lift.
        let held = steps[graspTwo.upperBound + 1][1].target
        for t in (graspTwo.upperBound + 1)...graspOne.upperBound { #expect(steps[t][1].target == held, "step \(t)") }
        // Released on the step robot0 starts: it plays its second command then.
        #expect(steps[graspOne.upperBound + 1][1].target != held)
        let liftOne = Self.span(steps, effector: 0, subtask: 1, generator: generator, episode: episode)
        let liftTwo = Self.span(steps, effector: 1, subtask: 1, generator: generator, episode: episode)
        #expect(liftOne.upperBound == liftTwo.upperBound)
    }

    @Test func constraintsAreCheckedAgainstTheTask() throws {
        func error(_ json: String) -> DatasetError? {
            do {
                let spec = try JSONDecoder().decode(TaskSpec.ConstraintSpec.self, from: Data(json.utf8))
                _ = try TwoArmFixture.generator(constraints: [spec])
                return nil
            } catch let e as DatasetError { return e } catch { return DatasetError(file: "", path: "", "\(error)") }
        }
        #expect(error(#"{"type": "sequential", "subtasks": [["robot0", 0], ["robot2", 0]]}"#)?.detail.contains("robot2") == true)
        #expect(error(#"{"type": "coordination", "subtasks": [["robot0", 0], ["robot1", 5]]}"#)?.detail.contains("subtask 5") == true)
        #expect(error(#"{"type": "coordination", "subtasks": [["robot0", 0], ["robot1", 0]]}"#) == nil)
    }
}
