import CMuJoCo
import MimicCore

/// Scale factors applied to a scene's physics: every geom's sliding friction, every body's mass
/// and inertia, every degree of freedom's damping. 1 leaves the recorded scene as it is.
public struct DynamicsScales: Sendable, Equatable {
    public var friction: Double
    public var mass: Double
    public var damping: Double
    public init(friction: Double = 1, mass: Double = 1, damping: Double = 1) {
        self.friction = friction
        self.mass = mass
        self.damping = damping
    }

    /// Scales drawn uniformly from `spec`'s ranges (1 where it gives none) with `rng`.
    public static func draw(_ spec: TaskSpec.DynamicsSpec, using rng: inout RandomStream) -> DynamicsScales {
        func draw(_ range: [Double]?) -> Double { range.map { rng.uniform($0[0], $0[1]) } ?? 1 }
        return DynamicsScales(friction: draw(spec.friction), mass: draw(spec.mass), damping: draw(spec.damping))
    }

    public var array: [Double] { [friction, mass, damping] }
}

/// Applies ``DynamicsScales`` to a world whose scene is its own copy (``Scene/copy()``), always
/// from the compiled values, so scales never compound.
public final class DynamicsRandomizer {
    let world: SimWorld
    private let friction: [Double], mass: [Double], inertia: [Double], damping: [Double]

    public init(world: SimWorld) {
        self.world = world
        let m = world.scene.model.pointee
        friction = (0..<Int(m.ngeom)).map { m.geom_friction[3 * $0] }
        mass = (0..<Int(m.nbody)).map { m.body_mass[$0] }
        inertia = (0..<(3 * Int(m.nbody))).map { m.body_inertia[$0] }
        damping = (0..<Int(m.nv)).map { m.dof_damping[$0] }
    }

    /// Writes the scaled parameters into the scene's model and recomputes its derived constants
    /// (`mj_setConst`).
    ///
    /// - Throws: ``MuJoCoError`` when MuJoCo raises an error recomputing the constants.
    public func apply(_ scales: DynamicsScales) throws(MuJoCoError) {
        let model = world.scene.model
        for (i, v) in friction.enumerated() { model.pointee.geom_friction[3 * i] = v * scales.friction }
        for (i, v) in mass.enumerated() { model.pointee.body_mass[i] = v * scales.mass }
        for (i, v) in inertia.enumerated() { model.pointee.body_inertia[i] = v * scales.mass }
        for (i, v) in damping.enumerated() { model.pointee.dof_damping[i] = v * scales.damping }
        try world.recomputeConstants()
    }
}
