import MimicMath

/// A prepared source demo as generation uses it: its datagen_info, where each end effector's
/// subtasks end, and when each object is carried by each end effector.
public struct SourceDemo: Sendable {
    public var name: String
    public var info: DatagenInfo
    /// Per end effector (task order), the exclusive end step of each subtask before random
    /// offsets; the last is the demo length.
    public var subtaskEnds: [[Int]]
    /// Per end effector, per object name, per step: is the object moving rigidly with that end effector?
    var carried: [[String: [Bool]]]
    /// The MJCF scene stored with the demo, passed on to generated demos.
    public var modelXML: String?

    public var length: Int { info.length }

    /// - Parameters:
    ///   - endSignals: per end effector (task order), the end signal of each subtask (nil for the last).
    ///   - effectorNames: the task's end effectors, matched by name against `info.endEffectors`.
    /// - Throws: `DatasetError` when a signal is missing or never rises where the subtask must end.
    public init(
        name: String, info: DatagenInfo, effectorNames: [String], endSignals: [[String?]],
        modelXML: String?, file: String
    ) throws(DatasetError) {
        self.name = name
        self.modelXML = modelXML
        let path = info.origin.path(demo: name)
        var reordered: [EndEffectorTrack] = []
        for e in effectorNames {
            guard let track = info.endEffectors.first(where: { $0.name == e }) ?? (info.endEffectors.count == 1 && effectorNames.count == 1 ? info.endEffectors.first : nil) else {
                throw DatasetError(file: file, path: path, "has no end effector \(e) (it has \(info.endEffectors.map(\.name).joined(separator: ", ")))")
            }
            reordered.append(track)
        }
        var info = info
        info.endEffectors = reordered
        self.info = info
        let t = info.length
        guard t > 1 else { throw DatasetError(file: file, path: path, "demo has \(t) steps; a source needs at least 2") }
        subtaskEnds = try endSignals.map { (signals) throws(DatasetError) -> [Int] in
            var ends: [Int] = []
            var start = 0
            for (j, signal) in signals.enumerated() {
                guard let signal else {
                    guard j == signals.count - 1 else {
                        throw DatasetError(file: file, path: path, "subtask \(j + 1) has no end signal but is not the last subtask")
                    }
                    ends.append(t)
                    break
                }
                guard let values = info.subtaskTermSignals[signal] else {
                    throw DatasetError(
                        file: file, path: info.origin.path("subtask_term_signals", demo: name),
                        "has no signal \(signal) (it has: \(info.subtaskTermSignals.keys.sorted().joined(separator: ", ")))")
                }
                // The subtask ends right after the first 0→1 transition at or after its start.
                guard let rise = (start..<t).first(where: { values[$0] != 0 && ($0 == 0 || values[$0 - 1] == 0) }), rise + 1 < t else {
                    throw DatasetError(
                        file: file, path: info.origin.path("subtask_term_signals/\(signal)", demo: name),
                        "never rises from 0 to 1 after step \(start), so subtask \(j + 1) has no end")
                }
                ends.append(rise + 1)
                start = rise + 1
            }
            return ends
        }
        carried = info.endEffectors.map { eef in
            info.objectPoses.mapValues { Self.carriedSteps(eef: eef.eefPose, object: $0) }
        }
    }

    /// An object is carried at step s when it has left its initial place (> 1 cm), stays within
    /// 0.25 m of the end effector, and its pose in the end effector's frame moved less than 5 mm
    /// since the previous step (it moves rigidly with the hand).
    static func carriedSteps(eef: PoseTrack, object: PoseTrack) -> [Bool] {
        let t = min(eef.count, object.count)
        guard t > 0 else { return [] }
        let start = object[0].position
        var result = [Bool](repeating: false, count: t)
        var previousRelative = (eef[0].inverse * object[0]).position
        for s in 1..<max(t, 1) {
            let e = eef[s], o = object[s]
            let relative = (e.inverse * o).position
            let moved = euclideanNorm(o.position - start) > 0.01
            let near = euclideanNorm(o.position - e.position) < 0.25
            let rigid = euclideanNorm(relative - previousRelative) < 0.005
            result[s] = moved && near && rigid
            previousRelative = relative
        }
        return result
    }

    /// The segment [start, end) of subtask `j` of end effector `e`, with `offsets` (one per subtask) applied.
    func segment(effector e: Int, subtask j: Int, offsets: [Int]) -> Range<Int> {
        let ends = subtaskEnds[e]
        let t = length
        func shiftedEnd(_ k: Int) -> Int {
            k == ends.count - 1 ? t : min(max(ends[k] + offsets[k], 1), t - 1)
        }
        let start = j == 0 ? 0 : shiftedEnd(j - 1)
        let end = max(shiftedEnd(j), start + 1)
        return min(start, t - 1)..<min(end, t)
    }
}
