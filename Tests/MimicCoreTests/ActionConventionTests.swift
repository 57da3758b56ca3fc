import Testing
import MimicMath
@testable import MimicCore

@Suite struct ActionConventionTests {
    static let layout = EndEffectorLayout(
        name: "robot0", poseColumns: 0..<6, gripperColumns: 6..<7,
        convention: .oscDelta(.robosuiteDefault))

    static func target(_ layout: EndEffectorLayout, _ action: [Double], _ current: Pose) -> Pose {
        action.withUnsafeBufferPointer { layout.targetPose(action: $0, worldFromEef: current) }
    }

    @Test func scaleAndUnscaleAreInverseInsideTheRange() {
        let s = ActionScaling.robosuiteDefault
        var rng = RandomStream(seed: 1)
        for _ in 0..<1000 {
            let i = Int(rng.next() % 6)
            let a = rng.uniform(-1, 1)
            #expect(abs(s.unscale(s.scale(a, i), i) - a) < 1e-12)
        }
        #expect(s.scale(3, 0) == 0.05)  // clipped to the input range first
        #expect(s.scale(-1, 4) == -0.5)
        #expect(s.unscale(1, 0) == 1)  // beyond output_max clips to 1
    }

    @Test func zeroDeltaTargetsTheCurrentPose() {
        let current = Pose(position: SIMD3(0.1, -0.2, 1.0), rotation: Quaternion(axisAngle: SIMD3(0.3, -0.2, 1.1)))
        let t = Self.target(Self.layout, [0, 0, 0, 0, 0, 0, -1], current)
        #expect(simdLength(t.position - current.position) < 1e-15)
        #expect(t.rotation.angle(to: current.rotation) < 1e-12)
    }

    @Test func deltaIsScaledAndRotationPremultiplied() {
        var rng = RandomStream(seed: 7)
        for _ in 0..<200 {
            let current = Pose(
                position: SIMD3(rng.uniform(-1, 1), rng.uniform(-1, 1), rng.uniform(0, 2)),
                rotation: Quaternion(axisAngle: SIMD3(rng.uniform(-2, 2), rng.uniform(-2, 2), rng.uniform(-2, 2))))
            let a = (0..<6).map { _ in rng.uniform(-1, 1) }
            let t = Self.target(Self.layout, a + [1], current)
            #expect(simdLength(t.position - current.position - SIMD3(a[0], a[1], a[2]) * 0.05) < 1e-12)
            let expected = Quaternion(axisAngle: SIMD3(a[3], a[4], a[5]) * 0.5) * current.rotation
            #expect(t.rotation.angle(to: expected) < 1e-9)
        }
    }

    @Test func baseFrameRotatesTheDelta() {
        // A base turned 180° about z (robosuite's opposed two-arm setup): +x in the base is -x in the world.
        var layout = Self.layout
        layout.worldFromActionFrame = Pose(position: SIMD3(1, 0, 0), rotation: Quaternion(axisAngle: SIMD3(0, 0, .pi)))
        let t = Self.target(layout, [1, 0, 0, 0, 0, 0.2, 0], .identity)
        #expect(simdLength(t.position - SIMD3(-0.05, 0, 0)) < 1e-12)
        #expect(t.rotation.angle(to: Quaternion(axisAngle: SIMD3(0, 0, 0.1))) < 1e-9)
    }

    @Test func absoluteConventions() {
        let pose = Pose(position: SIMD3(0.4, 0.1, 0.9), rotation: Quaternion(axisAngle: SIMD3(0.2, 0.1, -0.7)))
        let aa = pose.rotation.axisAngle, q = pose.rotation
        let cases: [(PoseActionConvention, [Double])] = [
            (.oscAbsolute, [0.4, 0.1, 0.9, aa.x, aa.y, aa.z]),
            (.absoluteWXYZ, [0.4, 0.1, 0.9, q.w, q.x, q.y, q.z]),
            (.absoluteXYZW, [0.4, 0.1, 0.9, q.x, q.y, q.z, q.w]),
        ]
        for (convention, action) in cases {
            let layout = EndEffectorLayout(name: "e", poseColumns: 0..<convention.width, gripperColumns: convention.width..<convention.width, convention: convention)
            let t = Self.target(layout, action, .identity)
            #expect(simdLength(t.position - pose.position) < 1e-12)
            #expect(t.rotation.angle(to: pose.rotation) < 1e-9)
        }
    }
}
