import Testing
import MimicCore
import MimicSim

@Suite struct DynamicsRandomizerTests {
    /// The cube's height after a second of free fall onto the table, from the first state.
    static func settledHeight(_ world: SimWorld, state: [Double]) throws -> Double {
        try world.restore(state: state)
        try world.step(count: 500)
        return world.position(of: try world.scene.body("cube_main")).z
    }

    @Test func scalesApplyToTheCopyOnlyAndNeverCompound() throws {
        let lift = try Bundled.dataset("lift")
        let shared = try Bundled.scene("lift")
        let state = lift.demos[0].arrays["states"]!.row(0)
        let copy = try SimWorld(scene: shared.copy())
        let original = try SimWorld(scene: shared)
        let randomizer = DynamicsRandomizer(world: copy)
        let before = try Self.settledHeight(copy, state: state)
        // Damping 1000x: the arm barely moves under gravity in one second; the shared scene is unchanged.
        let arm = try shared.robot("robot0").armQposAddresses
        try randomizer.apply(DynamicsScales(damping: 1000))
        try copy.restore(state: state)
        try original.restore(state: state)
        try copy.step(count: 500)
        try original.step(count: 500)
        let slowed = arm.map { abs(copy.qpos($0) - state[1 + $0]) }.max()!
        let free = arm.map { abs(original.qpos($0) - state[1 + $0]) }.max()!
        #expect(slowed < free)
        // Back to 1: exactly the recorded physics again, however often scales were applied.
        try randomizer.apply(DynamicsScales(damping: 3))
        try randomizer.apply(DynamicsScales())
        #expect(try Self.settledHeight(copy, state: state) == before)
    }

    @Test func drawsStayInTheirRanges() {
        var rng = RandomStream(seed: 3)
        let spec = TaskSpec.DynamicsSpec(friction: [0.5, 0.6], mass: nil, damping: [2, 3])
        for _ in 0..<100 {
            let s = DynamicsScales.draw(spec, using: &rng)
            #expect((0.5...0.6).contains(s.friction) && s.mass == 1 && (2...3).contains(s.damping))
        }
    }
}
