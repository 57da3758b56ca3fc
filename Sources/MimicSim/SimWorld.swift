import CMuJoCo
import CMuJoCoShim
import MimicCore
import MimicMath

/// One simulation of a ``Scene``: MuJoCo's mutable `mjData`, owned and freed by this object.
///
/// Not thread-safe: a worker makes its own `SimWorld` (`mj_makeData`) from the shared scene and
/// uses it from one thread at a time. Poses read here are those of MuJoCo's last kinematics pass
/// (``forward()``, ``restore(state:)`` or the first half of a physics step).
///
/// States use robosuite's flattened layout `[time, qpos..., qvel...]` (``Scene/stateSize`` values);
/// quaternions inside `qpos` are w, x, y, z as MuJoCo stores them.
public final class SimWorld {
    public let scene: Scene
    let data: UnsafeMutablePointer<mjData>
    private var m: UnsafeMutablePointer<mjModel> { scene.model }

    /// A fresh simulation of `scene` at its default state (`mj_makeData`, then `mj_forward`).
    ///
    /// `mj_makeData` allocates the memory the model's `<size memory=…>` (or njmax/nconmax) asks
    /// for.
    ///
    /// - Throws: ``DatasetError`` naming the scene with MuJoCo's message when MuJoCo cannot make
    ///   the data (out of memory) or the first `mj_forward` raises an error.
    public init(scene: Scene) throws(DatasetError) {
        self.scene = scene
        guard let data = mimic_mj_makeData(scene.model) else {
            throw DatasetError(file: scene.file, path: scene.path, "MuJoCo cannot make a simulation of the scene: \(MuJoCoError.lastMessage)")
        }
        self.data = data
        do {
            try forward()
        } catch {
            throw DatasetError(file: scene.file, path: scene.path, error.description)
        }
    }

    deinit { mj_deleteData(data) }

    /// Simulation time in seconds (`time`).
    public var time: Double { data.pointee.time }

    /// Recomputes everything derived from `qpos`/`qvel` (positions, contacts, forces; `mj_forward`).
    ///
    /// - Throws: ``MuJoCoError`` when MuJoCo raises an error; reset the world before using it again.
    public func forward() throws(MuJoCoError) {
        guard mimic_mj_forward(m, data) == 0 else { throw MuJoCoError(function: "mj_forward") }
    }

    /// Advances the simulation `count` physics steps with the current controls (`mj_step`): no
    /// controller runs. For letting placed objects settle, or measuring raw simulation speed.
    ///
    /// - Throws: ``MuJoCoError`` when MuJoCo raises an error (a stack overflow, say).
    public func step(count: Int = 1) throws(MuJoCoError) {
        for _ in 0..<count where mimic_mj_step(m, data) != 0 { throw MuJoCoError(function: "mj_step") }
    }

    /// The first half of a physics step (`mj_step1`: kinematics, inertia, bias forces, contacts),
    /// after which controls are computed from the current kinematics.
    public func stepFirstHalf() throws(MuJoCoError) {
        guard mimic_mj_step1(m, data) == 0 else { throw MuJoCoError(function: "mj_step1") }
    }

    /// The second half of a physics step (`mj_step2`: forces from the controls, integration).
    public func stepSecondHalf() throws(MuJoCoError) {
        guard mimic_mj_step2(m, data) == 0 else { throw MuJoCoError(function: "mj_step2") }
    }

    /// Resets everything to the model's defaults (`mj_resetData`): `qpos0`, zero velocities,
    /// controls and activations, the solver's warm start. Derived quantities are stale until
    /// ``forward()``.
    public func resetToModelDefaults() { mj_resetData(m, data) }

    /// Runs `body` in robosuite's reset configuration: everything at the model's defaults
    /// (``resetToModelDefaults()``, at rest), the `qpos` `addresses` at `positions`, kinematics and
    /// the joint-space inertia (into `fullM`) computed; then restores the current state. The
    /// configuration robosuite's controllers are built in, which their first step after a state
    /// load still uses.
    public func inResetConfiguration(
        addresses: [Int], positions: [Double], fullM: UnsafeMutablePointer<Double>, _ body: () -> Void
    ) throws(MuJoCoError) {
        let saved = state()
        resetToModelDefaults()
        for (address, value) in zip(addresses, positions) { data.pointee.qpos[address] = value }
        try forward()
        fullInertia(into: fullM)
        body()
        // The state was just read from this world and computed once: restoring it cannot fail.
        do { try restore(state: saved) } catch { throw MuJoCoError(function: "mj_forward") }
    }

    /// Recomputes the model's derived constants after its physical parameters changed (`mj_setConst`).
    func recomputeConstants() throws(MuJoCoError) {
        guard mimic_mj_setConst(m, data) == 0 else { throw MuJoCoError(function: "mj_setConst") }
    }

    // MARK: - Dynamics

    /// Writes the dense `nv x nv` joint-space inertia of the last kinematics pass into `matrix`
    /// (`mj_fullM` of `qM`; row-major, symmetric).
    public func fullInertia(into matrix: UnsafeMutablePointer<Double>) { mj_fullM(m, matrix, data.pointee.qM) }

    /// Writes the `3 x nv` positional and rotational Jacobians of `site` (row-major, world frame,
    /// over every dof) into `positional` and `rotational` (`mj_jacSite`).
    public func jacobian(of site: SiteID, positional: UnsafeMutablePointer<Double>, rotational: UnsafeMutablePointer<Double>) {
        mj_jacSite(m, data, positional, rotational, Int32(site.index))
    }

    /// `qpos` (``Scene/nq`` values), read and written in place by controllers.
    public var qposValues: UnsafeMutablePointer<Double> { data.pointee.qpos }
    /// `qvel` (``Scene/nv`` values).
    public var qvelValues: UnsafeMutablePointer<Double> { data.pointee.qvel }
    /// `ctrl` (``Scene/nu`` values): what the actuators apply in the next physics step.
    public var controls: UnsafeMutablePointer<Double> { data.pointee.ctrl }
    /// `qfrc_bias` (``Scene/nv`` values): Coriolis, centrifugal and gravity forces of the last kinematics pass.
    public var biasForces: UnsafeMutablePointer<Double> { data.pointee.qfrc_bias }

    // MARK: - State

    /// Restores a robosuite flattened state `[time, qpos..., qvel...]` and recomputes the derived
    /// quantities, as robosuite's `reset_to` does: `mj_resetData` (so controls, activations and
    /// the solver's warm start are those of a fresh reset), set time, qpos, qvel, `mj_forward`.
    ///
    /// - Throws: ``DatasetError`` naming `file`/`path` when `state` does not have
    ///   ``Scene/stateSize`` values or holds a non-finite number, or when MuJoCo raises an error
    ///   computing it.
    public func restore(state: UnsafeBufferPointer<Double>, file: String = "<state>", path: String = "") throws(DatasetError) {
        let nq = scene.nq, nv = scene.nv
        guard state.count == 1 + nq + nv else {
            throw DatasetError(
                file: file, path: path,
                "a state of this scene has \(1 + nq + nv) values (time, \(nq) qpos, \(nv) qvel), found \(state.count); is it from another scene?")
        }
        if let bad = state.firstIndex(where: { !$0.isFinite }) {
            throw DatasetError(file: file, path: path, "state value \(bad) is \(state[bad])")
        }
        mj_resetData(m, data)
        data.pointee.time = state[0]
        for i in 0..<nq { data.pointee.qpos[i] = state[1 + i] }
        for i in 0..<nv { data.pointee.qvel[i] = state[1 + nq + i] }
        do {
            try forward()
        } catch {
            throw DatasetError(file: file, path: path, error.description)
        }
    }

    /// Restores a flattened state given as an array; see ``restore(state:file:path:)-(UnsafeBufferPointer<Double>,_,_)``.
    public func restore(state: [Double], file: String = "<state>", path: String = "") throws(DatasetError) {
        try state.withUnsafeBufferPointer { (buffer) throws(DatasetError) in try restore(state: buffer, file: file, path: path) }
    }

    /// Writes the current state `[time, qpos..., qvel...]` into `buffer` (``Scene/stateSize`` values).
    public func writeState(into buffer: UnsafeMutableBufferPointer<Double>) {
        let nq = scene.nq, nv = scene.nv
        precondition(buffer.count >= 1 + nq + nv, "state buffer of \(buffer.count) values, need \(1 + nq + nv)")
        buffer[0] = data.pointee.time
        for i in 0..<nq { buffer[1 + i] = data.pointee.qpos[i] }
        for i in 0..<nv { buffer[1 + nq + i] = data.pointee.qvel[i] }
    }

    /// The current state `[time, qpos..., qvel...]`.
    public func state() -> [Double] {
        [Double](unsafeUninitializedCapacity: scene.stateSize) { buffer, count in
            writeState(into: buffer)
            count = scene.stateSize
        }
    }

    /// `qpos[index]`.
    public func qpos(_ index: Int) -> Double { data.pointee.qpos[index] }
    /// `qvel[index]`.
    public func qvel(_ index: Int) -> Double { data.pointee.qvel[index] }
    /// `qacc[index]` (from the last `mj_forward` or step).
    public func qacc(_ index: Int) -> Double { data.pointee.qacc[index] }

    /// Places a free-jointed object: sets the joint's 7 `qpos` values to `pose` (position, then
    /// the quaternion w, x, y, z) and, by default, its 6 velocities to zero. Call ``forward()``
    /// before reading poses or contacts.
    ///
    /// - Throws: ``DatasetError`` when `joint` is not a free joint.
    public func setFreeJointPose(_ joint: JointID, to pose: Pose, zeroVelocity: Bool = true) throws(DatasetError) {
        guard scene.kind(of: joint) == .free else {
            throw DatasetError(file: scene.file, path: scene.path, "joint \"\(scene.name(of: joint))\" is not a free joint")
        }
        let q = data.pointee.qpos + scene.qposAddress(of: joint)
        let wxyz = pose.rotation.normalized.wxyz
        q[0] = pose.position.x; q[1] = pose.position.y; q[2] = pose.position.z
        q[3] = wxyz[0]; q[4] = wxyz[1]; q[5] = wxyz[2]; q[6] = wxyz[3]
        if zeroVelocity {
            let v = data.pointee.qvel + scene.qvelAddress(of: joint)
            for i in 0..<6 { v[i] = 0 }
        }
    }

    // MARK: - Poses

    /// worldFromBody (`xpos`, `xquat`).
    public func pose(of body: BodyID) -> Pose {
        let p = data.pointee.xpos + 3 * body.index
        let q = data.pointee.xquat + 4 * body.index
        return Pose(position: SIMD3(p[0], p[1], p[2]), rotation: Quaternion(wxyz: SIMD4(q[0], q[1], q[2], q[3])))
    }

    /// worldFromSite (`site_xpos`, `site_xmat`; the rotation is converted from the matrix, `w >= 0`).
    public func pose(of site: SiteID) -> Pose {
        Pose(position: position(of: site), rotation: Quaternion(rotationMatrix: rotationMatrix(of: site)))
    }

    /// worldFromGeom (`geom_xpos`, `geom_xmat`).
    public func pose(of geom: GeomID) -> Pose {
        let p = data.pointee.geom_xpos + 3 * geom.index
        return Pose(position: SIMD3(p[0], p[1], p[2]), rotation: Quaternion(rotationMatrix: matrix(data.pointee.geom_xmat + 9 * geom.index)))
    }

    /// The body origin in the world (`xpos`).
    public func position(of body: BodyID) -> SIMD3<Double> {
        let p = data.pointee.xpos + 3 * body.index
        return SIMD3(p[0], p[1], p[2])
    }

    /// The site origin in the world (`site_xpos`).
    public func position(of site: SiteID) -> SIMD3<Double> {
        let p = data.pointee.site_xpos + 3 * site.index
        return SIMD3(p[0], p[1], p[2])
    }

    /// The geom centre in the world (`geom_xpos`).
    public func position(of geom: GeomID) -> SIMD3<Double> {
        let p = data.pointee.geom_xpos + 3 * geom.index
        return SIMD3(p[0], p[1], p[2])
    }

    /// The site's rotation matrix in the world (`site_xmat`, row-major).
    public func rotationMatrix(of site: SiteID) -> Matrix3 { matrix(data.pointee.site_xmat + 9 * site.index) }

    /// The body's rotation matrix in the world (`xmat`, row-major).
    public func rotationMatrix(of body: BodyID) -> Matrix3 { matrix(data.pointee.xmat + 9 * body.index) }

    private func matrix(_ r: UnsafeMutablePointer<Double>) -> Matrix3 {
        Matrix3(rows: (SIMD3(r[0], r[1], r[2]), SIMD3(r[3], r[4], r[5]), SIMD3(r[6], r[7], r[8])))
    }

    // MARK: - Contacts

    /// Number of contacts MuJoCo found in the last collision pass (`ncon`).
    public var contactCount: Int { Int(data.pointee.ncon) }

    /// True when some contact of the last collision pass has one geom in `a` and the other in `b`
    /// (robosuite's `check_contact(sim, a, b)`: every entry of the contact list counts).
    public func inContact(_ a: some Collection<GeomID>, _ b: some Collection<GeomID>) -> Bool {
        let n = Int(data.pointee.ncon)
        guard n > 0, !a.isEmpty, !b.isEmpty else { return false }
        for i in 0..<n {
            let c = data.pointee.contact[i]
            let g1 = GeomID(index: Int(c.geom.0)), g2 = GeomID(index: Int(c.geom.1))
            if (a.contains(g1) && b.contains(g2)) || (a.contains(g2) && b.contains(g1)) { return true }
        }
        return false
    }

    /// True when some contact of the last collision pass involves a geom of `a` (with anything).
    public func inContact(_ a: some Collection<GeomID>) -> Bool {
        let n = Int(data.pointee.ncon)
        for i in 0..<n {
            let c = data.pointee.contact[i]
            if a.contains(GeomID(index: Int(c.geom.0))) || a.contains(GeomID(index: Int(c.geom.1))) { return true }
        }
        return false
    }

    // MARK: - Warnings

    /// How many times MuJoCo raised each warning since the last reset (`warning[i].number`),
    /// indexed by `mjtWarning`. A bad `qacc` (`mjWARN_BADQACC`, index 6) means the simulation
    /// diverged and MuJoCo reset it.
    var warningCounts: [Int] {
        withUnsafeBytes(of: data.pointee.warning) { raw in
            raw.bindMemory(to: mjWarningStat.self).map { Int($0.number) }
        }
    }

    /// The number of times the instability warnings (bad qpos, qvel or qacc) fired since the last reset.
    var instabilityCount: Int {
        withUnsafeBytes(of: data.pointee.warning) { raw in
            let w = raw.bindMemory(to: mjWarningStat.self)
            return Int(w[Int(mjWARN_BADQPOS.rawValue)].number + w[Int(mjWARN_BADQVEL.rawValue)].number + w[Int(mjWARN_BADQACC.rawValue)].number)
        }
    }
}
