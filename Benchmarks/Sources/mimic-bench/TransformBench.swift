import Foundation
import MimicMath

/// Swift side of the segment-transform benchmark: `PoseKernels.transform` on stacks of random
/// poses, out of place into a preallocated (already touched) output, as the numpy script does.
struct TransformBench {
    struct Result {
        var dtype: String
        var poses: Int
        var stats: Stats
    }

    var sizes: [Int]
    var runs: Int
    var targetSeconds: Double

    /// Fewer runs for stacks that do not fit in cache (one call already lasts milliseconds);
    /// the same rule as numpy_transform.py.
    func runs(forPoses poses: Int) -> Int { poses <= 100_000 ? runs : max(3, runs / 4) }

    /// Two transforms the timed loop alternates between, so no call repeats the previous one.
    static let worldFromNew = (
        Pose(position: SIMD3(0.12, -0.30, 0.05), rotation: Quaternion(axisAngle: SIMD3(0.1, -0.4, 1.3))),
        Pose(position: SIMD3(-0.08, 0.21, 0.02), rotation: Quaternion(axisAngle: SIMD3(-0.7, 0.2, 0.5)))
    )

    /// `count` random poses (positions in a 2 m cube, any rotation) as row-major 4x4 Doubles.
    static func randomPoses(_ count: Int, seed: UInt64) -> [Double] {
        var rng = SplitMix64(seed: seed)
        return [Double](unsafeUninitializedCapacity: count * 16) { buffer, initialized in
            for i in 0..<count {
                let rotationVector = SIMD3(rng.uniform(-1, 1), rng.uniform(-1, 1), rng.uniform(-1, 1)) * 1.8
                let pose = Pose(
                    position: SIMD3(rng.uniform(-1, 1), rng.uniform(-1, 1), rng.uniform(-1, 1)),
                    rotation: Quaternion(axisAngle: rotationVector))
                pose.writeMatrix(into: buffer.baseAddress! + 16 * i)
            }
            initialized = count * 16
        }
    }

    func run(sink: inout Double) -> [Result] {
        var results: [Result] = []
        for poses in sizes {
            let doubles = Self.randomPoses(poses, seed: UInt64(poses))
            var output = [Double](repeating: 0, count: doubles.count)
            let stats = doubles.withUnsafeBufferPointer { input in
                output.withUnsafeMutableBufferPointer { output in
                    measure(items: poses, runs: runs(forPoses: poses), targetSeconds: targetSeconds, sink: &sink) {
                        transformRepeated(input, output, calls: $0)
                    }
                }
            }
            results.append(Result(dtype: "float64", poses: poses, stats: stats))
            progress("  Swift  float64 \(poses) poses: \(fixed(stats.median, 2)) ns/pose")
        }
        for poses in sizes {
            let floats = Self.randomPoses(poses, seed: UInt64(poses)).map { Float($0) }
            var output = [Float](repeating: 0, count: floats.count)
            let stats = floats.withUnsafeBufferPointer { input in
                output.withUnsafeMutableBufferPointer { output in
                    measure(items: poses, runs: runs(forPoses: poses), targetSeconds: targetSeconds, sink: &sink) {
                        transformRepeated(input, output, calls: $0)
                    }
                }
            }
            results.append(Result(dtype: "float32", poses: poses, stats: stats))
            progress("  Swift  float32 \(poses) poses: \(fixed(stats.median, 2)) ns/pose")
        }
        return results
    }
}

/// `calls` transforms of the whole segment, alternating between two `worldFromNew`; returns a
/// sum of output entries (one per call) so the calls cannot be dropped or merged.
@inline(never)
func transformRepeated(
    _ input: UnsafeBufferPointer<Double>, _ output: UnsafeMutableBufferPointer<Double>,
    calls: Int
) -> Double {
    let (a, b) = TransformBench.worldFromNew
    var sum = 0.0
    for call in 0..<calls {
        PoseKernels.transform(call & 1 == 0 ? a : b, input, into: output)
        sum += output[(call &* 16 &+ 3) % input.count]
    }
    return sum
}

/// The `Float` overload of ``transformRepeated(_:_:calls:)-(UnsafeBufferPointer<Double>,_,_)``.
@inline(never)
func transformRepeated(
    _ input: UnsafeBufferPointer<Float>, _ output: UnsafeMutableBufferPointer<Float>,
    calls: Int
) -> Double {
    let (a, b) = TransformBench.worldFromNew
    var sum = 0.0
    for call in 0..<calls {
        PoseKernels.transform(call & 1 == 0 ? a : b, input, into: output)
        sum += Double(output[(call &* 16 &+ 3) % input.count])
    }
    return sum
}

/// Writes W (16 Doubles) then `poses` random poses to `path` for numpy_transform.py --check, and
/// returns what the Swift kernel computes from them (W * pose, per pose).
func writeCheckInput(path: String, poses: Int) throws -> [Double] {
    let worldFromNew = TransformBench.worldFromNew.0
    let input = TransformBench.randomPoses(poses, seed: 99)
    var bytes = Data()
    for array in [worldFromNew.matrix, input] { array.withUnsafeBytes { bytes.append(contentsOf: $0) } }
    try bytes.write(to: URL(fileURLWithPath: path))
    var output = [Double](repeating: 0, count: input.count)
    input.withUnsafeBufferPointer { input in
        output.withUnsafeMutableBufferPointer { PoseKernels.transform(worldFromNew, input, into: $0) }
    }
    return output
}

/// The largest absolute difference between `expected` and the Doubles stored in `path`.
func maxDifference(_ expected: [Double], fileAt path: String) throws -> Double {
    let data = try Data(contentsOf: URL(fileURLWithPath: path))
    guard data.count == expected.count * 8 else {
        throw BenchError("\(path) holds \(data.count) bytes, expected \(expected.count * 8)")
    }
    let values = data.withUnsafeBytes { raw in (0..<expected.count).map { raw.loadUnaligned(fromByteOffset: 8 * $0, as: Double.self) } }
    return zip(expected, values).map { abs($0 - $1) }.max() ?? 0
}

struct BenchError: Error, CustomStringConvertible {
    var description: String
    init(_ description: String) { self.description = description }
}
