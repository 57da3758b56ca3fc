import Testing
import MimicMath
@testable import MimicCore

@Suite struct SourceDemoTests {
    @Test func subtaskEndsRightAfterTheFirstRise() throws {
        let source = try GenerationFixture.sources([SIMD3(0, 0, 0.82)])[0]
        #expect(source.subtaskEnds == [[21, 40]])
        #expect(source.segment(effector: 0, subtask: 0, offsets: [0, 0]) == 0..<21)
        #expect(source.segment(effector: 0, subtask: 1, offsets: [0, 0]) == 21..<40)
        #expect(source.segment(effector: 0, subtask: 0, offsets: [3, 0]) == 0..<24)
        #expect(source.segment(effector: 0, subtask: 1, offsets: [3, 0]) == 24..<40)
        // Offsets never empty a segment or run past the demo.
        #expect(source.segment(effector: 0, subtask: 1, offsets: [100, 0]) == 39..<40)
        #expect(source.segment(effector: 0, subtask: 0, offsets: [-100, 0]) == 0..<1)
    }

    @Test func missingOrSilentSignalsAreErrors() {
        let info = GenerationFixture.info(cubeAt: SIMD3(0, 0, 0.82))
        #expect(throws: DatasetError.self) {
            try SourceDemo(name: "demo_0", info: info, effectorNames: ["robot0"], endSignals: [["place", nil]], modelXML: nil, file: "f")
        }
        var silent = info
        silent.subtaskTermSignals["grasp"] = Array(repeating: 0, count: info.length)
        #expect(throws: DatasetError.self) {
            try SourceDemo(name: "demo_0", info: silent, effectorNames: ["robot0"], endSignals: [["grasp", nil]], modelXML: nil, file: "f")
        }
        #expect(throws: DatasetError.self) {
            try SourceDemo(name: "demo_0", info: info, effectorNames: ["robot1", "robot2"], endSignals: [[nil], [nil]], modelXML: nil, file: "f")
        }
        #expect(throws: DatasetError.self) {
            try SourceDemo(name: "demo_0", info: info, effectorNames: ["robot0"], endSignals: [[nil, nil]], modelXML: nil, file: "f")
        }
    }

    @Test func objectIsCarriedOnlyAfterItLeavesItsPlaceWithTheHand() {
        let info = GenerationFixture.info(cubeAt: SIMD3(0, 0, 0.82))
        let carried = SourceDemo.carriedSteps(eef: info.endEffectors[0].eefPose, object: info.objectPoses["cube"]!)
        #expect(carried.prefix(21).allSatisfy { !$0 })
        // The cube rises 0.01 m per step after the grasp: carried once it is more than 1 cm up.
        #expect(carried[23] && carried[39])
    }
}
