import Foundation
import Testing
import MimicMath
@testable import MimicCore

@Suite struct GeneratorTests {
    func close(_ a: Pose, _ b: Pose, _ tolerance: Double = 1e-9) -> Bool {
        euclideanNorm(a.position - b.position) < tolerance && a.rotation.angle(to: b.rotation) < tolerance
    }

    @Test func segmentKeepsTheEndEffectorPoseRelativeToItsObject() throws {
        let generator = try GenerationFixture.generator()
        for index in 0..<20 {
            let demo = generator.generate(index)
            let d = demo.sourceDemos[0][0]
            let source = generator.sources[d].info
            let cubeNew = demo.placement["cube"]!, cubeSource = source.objectPoses["cube"]![0]
            let targets = demo.info.endEffectors[0].targetPose
            // Subtask 1 starts after 5 interpolation steps and covers source steps 0..<21.
            for k in 0..<21 {
                let generated = cubeNew.inverse * targets[5 + k]
                let original = cubeSource.inverse * source.endEffectors[0].targetPose[k]
                #expect(close(generated, original), "demo \(index) step \(k)")
            }
        }
    }

    @Test func bridgeInterpolatesFromTheStartPoseToTheFirstTarget() throws {
        let generator = try GenerationFixture.generator()
        let demo = generator.generate(3)
        let start = generator.sources[0].info.endEffectors[0].eefPose[0]
        let targets = demo.info.endEffectors[0].targetPose
        let first = targets[5]
        for i in 0..<5 {
            #expect(close(targets[i], Pose.interpolate(start, first, t: Double(i + 1) / 6), 1e-7))
        }
        // The bridge holds the gripper command of the segment's first step.
        #expect(demo.info.endEffectors[0].gripperAction.doubles[0] == -1)
    }

    @Test func stepCountsFollowInterpolationAndFixedSteps() throws {
        var subtasks = GenerationFixture.subtasks
        subtasks[0].interpolationSteps = 3
        subtasks[0].fixedSteps = 2
        subtasks[1].interpolationSteps = 0
        let demo = try GenerationFixture.generator(subtasks: subtasks).generate(0)
        // 3 + 2 bridge steps, 21 steps of subtask 1, no bridge, 19 steps of subtask 2.
        #expect(demo.length == 3 + 2 + 21 + 19)
        let targets = demo.info.endEffectors[0].targetPose
        #expect(close(targets[3], targets[5]) && close(targets[4], targets[5]))
    }

    @Test func carriedObjectFollowsTheHand() throws {
        let demo = try GenerationFixture.generator().generate(1)
        let last = demo.length - 1
        let cube = demo.info.objectPoses["cube"]![last], eef = demo.info.endEffectors[0].eefPose[last]
        #expect(euclideanNorm(cube.position - eef.position) < 1e-6)
        // It rose with the hand from where it was placed.
        #expect(cube.position.z > demo.placement["cube"]!.position.z + 0.1)
        // Before the grasp it stays where it was placed.
        #expect(close(demo.info.objectPoses["cube"]![10], demo.placement["cube"]!))
    }

    @Test func sameSeedAndIndexGiveTheSameDemo() throws {
        let a = try GenerationFixture.generator(), b = try GenerationFixture.generator()
        for i in [0, 5, 99] {
            #expect(a.generate(i).actions == b.generate(i).actions)
        }
        #expect(a.generate(0).actions != a.generate(1).actions)
        #expect(try GenerationFixture.generator(seed: 8).generate(0).actions != a.generate(0).actions)
    }

    @Test func placementStaysInItsRangesAndKeepsTheSourceHeight() throws {
        let generator = try GenerationFixture.generator()
        for i in 0..<200 {
            let cube = generator.generate(i).placement["cube"]!
            #expect(abs(cube.position.x) <= 0.1 && abs(cube.position.y) <= 0.1)
            #expect(abs(cube.position.z - 0.82) < 1e-12)
            // Upright: only a rotation about z.
            #expect(abs(cube.rotation.act(SIMD3(0, 0, 1)).z - 1) < 1e-9)
        }
    }

    @Test func withoutPlacementObjectsSpanTheirSourcePoses() throws {
        let cubes = [SIMD3(0.0, 0.0, 0.82), SIMD3(0.05, -0.04, 0.82), SIMD3(-0.06, 0.03, 0.82)]
        let layout = EndEffectorLayout(name: "robot0", poseColumns: 0..<6, gripperColumns: 6..<7, convention: .oscAbsolute)
        let task = GenerationTask(effectors: [.init(layout: layout, subtasks: GenerationFixture.subtasks)], actionWidth: 7, placement: nil)
        let generator = try Generator(task: task, sources: try GenerationFixture.sources(cubes), seed: 1, file: "f")
        var xs: [Double] = []
        for i in 0..<300 {
            let p = generator.generate(i).placement["cube"]!.position
            #expect(p.x >= -0.06 - 1e-12 && p.x <= 0.05 + 1e-12 && p.y >= -0.04 - 1e-12 && p.y <= 0.03 + 1e-12)
            xs.append(p.x)
        }
        // New placements, not only the three source ones.
        #expect(Set(xs).count > 100)
    }

    /// `around: source`: every placement is one source's initial pose moved by at most the
    /// ranges (position and heading), and every source serves as an origin.
    @Test func aroundSourcePlacementsStayNearTheDrawnSource() throws {
        let cubes = [SIMD3(0.0, 0.0, 0.82), SIMD3(0.3, -0.2, 0.82), SIMD3(-0.3, 0.2, 0.82)]
        let placement = TaskSpec.PlacementSpec(objects: ["cube": .init(x: [-0.02, 0.02], y: [-0.01, 0.01], yaw: [-0.1, 0.1])], around: .source)
        let generator = try GenerationFixture.generator(placement: placement, cubes: cubes)
        var used = Set<Int>()
        for i in 0..<100 {
            let cube = generator.generate(i).placement["cube"]!
            let near = generator.sources.indices.filter { d in
                let initial = generator.sources[d].info.objectPoses["cube"]![0]
                let offset = cube.position - initial.position
                return abs(offset.x) <= 0.02 + 1e-12 && abs(offset.y) <= 0.01 + 1e-12 && offset.z == 0
                    && cube.rotation.angle(to: initial.rotation) <= 0.1 + 1e-9
            }
            #expect(near.count == 1, "placement \(i)")
            used.formUnion(near)
        }
        #expect(used == [0, 1, 2])
    }

    @Test func nearestObjectPicksAmongTheClosestSources() throws {
        var subtasks = GenerationFixture.subtasks
        subtasks[0].selection = .nearestObject
        subtasks[0].nnK = 1
        let generator = try GenerationFixture.generator(subtasks: subtasks)
        for i in 0..<30 {
            let demo = generator.generate(i)
            let cube = demo.placement["cube"]!
            let scores = generator.sources.map { s -> Double in
                let o = s.info.objectPoses["cube"]![0]
                return euclideanNorm(o.position - cube.position) + o.rotation.angle(to: cube.rotation)
            }
            #expect(demo.sourceDemos[0][0] == scores.indices.min { scores[$0] < scores[$1] })
        }
    }

    @Test func nearestEndEffectorScoresTheTransformedStartPose() throws {
        var subtasks = GenerationFixture.subtasks
        subtasks[0].selection = .nearestEndEffector
        subtasks[0].nnK = 1
        let generator = try GenerationFixture.generator(subtasks: subtasks)
        for i in 0..<30 {
            let demo = generator.generate(i)
            let start = generator.sources[0].info.endEffectors[0].eefPose[0]
            let cube = demo.placement["cube"]!
            let scores = generator.sources.map { s -> Double in
                let candidate = cube * s.info.objectPoses["cube"]![0].inverse * s.info.endEffectors[0].eefPose[0]
                return euclideanNorm(candidate.position - start.position) + candidate.rotation.angle(to: start.rotation)
            }
            #expect(demo.sourceDemos[0][0] == scores.indices.min { scores[$0] < scores[$1] })
        }
    }

    @Test func sourceIsChosenOncePerEpisodeUnlessAskedPerSubtask() throws {
        let once = try GenerationFixture.generator()
        for i in 0..<20 { #expect(Set(once.generate(i).sourceDemos[0]).count == 1) }
        var task = once.task
        task.selectPerSubtask = true
        let perSubtask = try Generator(task: task, sources: once.sources, seed: 7, file: "f")
        #expect((0..<40).contains { Set(perSubtask.generate($0).sourceDemos[0]).count > 1 })
    }

    @Test func endOffsetsStayInTheirRange() throws {
        var subtasks = GenerationFixture.subtasks
        subtasks[0].endOffset = [2, 4]
        subtasks[1].interpolationSteps = 0
        let generator = try GenerationFixture.generator(subtasks: subtasks)
        var seen = Set<Int>()
        for i in 0..<40 {
            let demo = generator.generate(i)
            let offset = demo.offsets[0][0]
            #expect((2...4).contains(offset))
            seen.insert(offset)
            // Subtask 1 covers 21 + offset source steps, subtask 2 the rest of the 40.
            #expect(demo.length == 5 + 40)
        }
        #expect(seen == [2, 3, 4])
    }

    @Test func speedFactorShortensSegments() throws {
        var subtasks = GenerationFixture.subtasks
        subtasks[0].speed = [2, 2]
        subtasks[1].speed = [0.5, 0.5]
        let demo = try GenerationFixture.generator(subtasks: subtasks).generate(0)
        #expect(demo.speeds[0] == [2, 0.5])
        // 5 + round(21 / 2) + 5 + round(19 / 0.5)
        #expect(demo.length == 5 + 11 + 5 + 38)
    }

    @Test func noiseChangesDeltaActionsWithinTheirRange() throws {
        var noisy = GenerationFixture.subtasks
        noisy[0].actionNoise = 0.05
        noisy[1].actionNoise = 0.05
        let delta = PoseActionConvention.oscDelta(.robosuiteDefault)
        let quiet = try GenerationFixture.generator(convention: delta).generate(0)
        let loud = try GenerationFixture.generator(subtasks: noisy, convention: delta).generate(0)
        #expect(quiet.actions != loud.actions)
        #expect(loud.actions.allSatisfy { $0 >= -1 && $0 <= 1 })
        // The kinematic model reaches what each (noisy) action commands.
        let e = loud.info.endEffectors[0]
        for t in 0..<(loud.length - 1) { #expect(close(e.eefPose[t + 1], e.targetPose[t], 1e-9)) }
    }

    @Test func signalsFollowTheirSource() throws {
        let demo = try GenerationFixture.generator().generate(2)
        let grasp = try #require(demo.info.subtaskTermSignals["grasp"])
        // The source rises at its step 20: generated step 5 + 20.
        #expect(DatagenInfo.firstRise(grasp) == 25)
    }

    /// Isaac Lab annotations: the gripper commands come from the actions at the resolved columns.
    @Test func makeTakesIsaacLabGripperCommandsFromTheActions() throws {
        let demos = [SIMD3(0.0, 0, 0.82), SIMD3(0.05, -0.04, 0.82)].enumerated().map { (i, cube) in
            IsaacLabDatagenInfoTests.demo(GenerationFixture.info(cubeAt: cube), name: "demo_\(i)", actionWidth: 8)
        }
        let spec = try TaskSpec.decode(
            Data(#"{"action": {"convention": "absoluteWXYZ"}, "endEffectors": [{"name": "robot0", "poseColumns": [0, 7], "gripperColumns": [7, 8]}]}"#.utf8),
            file: "t")
        var notes: [String] = []
        let generator = try Generator.make(demos: demos, envArgs: nil, spec: spec, seed: 1, file: "f", notes: &notes)
        #expect(generator.sources[1].info.endEffectors[0].gripperAction == Tensor(shape: [40, 1], float64: (0..<40).map { 100 * Double($0) + 7 }))
        let demo = generator.generate(0)
        let gripper = Set((0..<40).map { 100 * Double($0) + 7 })
        #expect((0..<demo.length).allSatisfy { gripper.contains(demo.actions[8 * $0 + 7]) })
    }

    @Test func unknownObjectsAreErrors() throws {
        var subtasks = GenerationFixture.subtasks
        subtasks[1].object = "bowl"
        #expect(throws: DatasetError.self) { try GenerationFixture.generator(subtasks: subtasks) }
        let placement = TaskSpec.PlacementSpec(objects: ["bowl": .init(x: [0, 0], y: [0, 0], yaw: [0, 0])])
        #expect(throws: DatasetError.self) { try GenerationFixture.generator(placement: placement) }
    }
}

@Suite struct TwoArmGeneratorTests {
    static func generator(share: Bool) throws -> Generator {
        let cubes = [SIMD3(0.0, 0, 0.82), SIMD3(0.05, -0.04, 0.82), SIMD3(-0.06, 0.03, 0.82), SIMD3(0.02, 0.05, 0.82)]
        let subtasks = { (arm: String) in
            [
                TaskSpec.SubtaskSpec(object: "cube", endSignal: "grasp_\(arm)", selection: .random, actionNoise: 0),
                TaskSpec.SubtaskSpec(object: "cube", endSignal: nil, selection: .random, actionNoise: 0),
            ]
        }
        let sources = try cubes.enumerated().map { (i, cube) -> SourceDemo in
            var info = GenerationFixture.info(cubeAt: cube)
            var second = info.endEffectors[0]
            second.name = "robot1"
            info.endEffectors.append(second)
            let grasp = info.subtaskTermSignals["grasp"]!
            info.subtaskTermSignals = ["grasp_robot0": grasp, "grasp_robot1": grasp]
            return try SourceDemo(
                name: "demo_\(i)", info: info, effectorNames: ["robot0", "robot1"],
                endSignals: [subtasks("robot0").map(\.endSignal), subtasks("robot1").map(\.endSignal)], modelXML: nil, file: "f")
        }
        let layouts = [0, 7].map { c in
            EndEffectorLayout(name: c == 0 ? "robot0" : "robot1", poseColumns: c..<(c + 6), gripperColumns: (c + 6)..<(c + 7), convention: .oscAbsolute)
        }
        var task = GenerationTask(
            effectors: [
                .init(layout: layouts[0], subtasks: subtasks("robot0")),
                .init(layout: layouts[1], subtasks: subtasks("robot1")),
            ], actionWidth: 14, placement: nil)
        task.shareSourceDemo = share
        return try Generator(task: task, sources: sources, seed: 3, file: "f")
    }

    @Test func armsFollowTheSameSourceDemoByDefault() throws {
        let shared = try Self.generator(share: true)
        for i in 0..<20 {
            let demo = shared.generate(i)
            #expect(demo.sourceDemos[0] == demo.sourceDemos[1])
            #expect(demo.actions.count == demo.length * 14)
            #expect(demo.sourceLabels.count == demo.length * 2)
        }
        let independent = try Self.generator(share: false)
        #expect((0..<20).contains { independent.generate($0).sourceDemos[0] != independent.generate($0).sourceDemos[1] })
    }
}
