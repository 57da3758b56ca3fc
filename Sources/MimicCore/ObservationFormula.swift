import MimicMath

/// An observation robosuite computes in task code from other observations (its object "sensors"),
/// written as a formula over observation keys. Formulas are found in the source demos by
/// ``DerivedObservations/discover(targets:known:demos:)``, never assumed from a key's name.
public enum ObservationFormula: Sendable, Equatable, CustomStringConvertible {
    /// `obs[a] - obs[b]` (robosuite's `gripper_to_cube_pos`, `cubeA_to_cubeB`).
    case difference(String, String)
    /// The position `<body>_pos` in the frame `<frame>_pos`/`<frame>_quat` (`Can_to_robot0_eef_pos`).
    case positionInFrame(body: String, frame: String)
    /// The orientation `<body>_quat` in that frame, x,y,z,w with w ≥ 0 (`Can_to_robot0_eef_quat`).
    case rotationInFrame(body: String, frame: String)
    /// The same value at every step of every source demo (`nut_id`, one-hot object ids).
    case constant([Double])
    /// Keys concatenated in order (robosuite's `object` vector).
    case concatenation([String])

    public var description: String {
        switch self {
        case .difference(let a, let b): "\(a) - \(b)"
        case .positionInFrame(let body, let frame): "\(body)_pos in the frame of \(frame)"
        case .rotationInFrame(let body, let frame): "\(body)_quat in the frame of \(frame)"
        case .constant(let v): "constant \(v)"
        case .concatenation(let keys): keys.joined(separator: " ++ ")
        }
    }

    /// The formula's value at one step; `value(key)` gives that key's values at the step.
    public func evaluate(_ value: (String) -> ArraySlice<Double>) -> [Double] {
        switch self {
        case .difference(let a, let b):
            return zip(value(a), value(b)).map { $0 - $1 }
        case .positionInFrame(let body, let frame):
            let (p, _) = Self.pose(body, value), (f, q) = Self.pose(frame, value)
            let local = q.conjugate.act(p - f)
            return [local.x, local.y, local.z]
        case .rotationInFrame(let body, let frame):
            let (_, qb) = Self.pose(body, value), (_, qf) = Self.pose(frame, value)
            var r = (qf.conjugate * qb).normalized
            if r.w < 0 { r = -r }
            return [r.x, r.y, r.z, r.w]
        case .constant(let v):
            return v
        case .concatenation(let keys):
            return keys.flatMap { Array(value($0)) }
        }
    }

    /// `<stem>_pos` and `<stem>_quat` (x,y,z,w, normalized as robosuite's pose2mat does).
    static func pose(_ stem: String, _ value: (String) -> ArraySlice<Double>) -> (SIMD3<Double>, Quaternion) {
        let p = Array(value(stem + "_pos")), q = Array(value(stem + "_quat"))
        return (SIMD3(p[0], p[1], p[2]), Quaternion(x: q[0], y: q[1], z: q[2], w: q[3]).normalized)
    }
}

/// The observations of a source that follow from observations Mimic records, with their formulas.
public struct DerivedObservations: Sendable, Equatable {
    public struct Entry: Sendable, Equatable {
        public var key: String
        public var width: Int
        public var formula: ObservationFormula

        public init(key: String, width: Int, formula: ObservationFormula) {
            self.key = key
            self.width = width
            self.formula = formula
        }
    }

    /// In evaluation order: an entry's inputs are known keys or earlier entries.
    public var entries: [Entry]
    /// Targets no formula reproduces.
    public var unmatched: [String]

    public init(entries: [Entry], unmatched: [String]) {
        self.entries = entries
        self.unmatched = unmatched
    }

    /// Finds, for each target key, a formula over the `known` keys (and earlier targets) that
    /// reproduces the target at every step of every demo: within 1e-6, or 1e-4 when the target is
    /// stored as float32. Tried in order: differences of two 3-wide keys, positions and
    /// orientations of one `<stem>_pos`/`<stem>_quat` pair in the frame of another, a constant,
    /// and last concatenations of known and derived keys (greedy, left to right).
    public static func discover(targets: [String], known: [String], demos: [Demo]) -> DerivedObservations {
        let table = ValueTable(demos: demos, keys: Set(targets + known))
        var available = known.filter { table.width($0) != nil }
        var entries: [Entry] = []
        var pending: [String] = []
        for target in targets {
            guard let width = table.width(target) else { pending.append(target); continue }
            if let formula = candidates(width: width, available: available, table: table)
                .first(where: { table.matches(target, $0) }) ?? constant(target, table: table)
            {
                entries.append(Entry(key: target, width: width, formula: formula))
                available.append(target)
            } else {
                pending.append(target)
            }
        }
        var unmatched: [String] = []
        for target in pending {
            if let (keys, parts) = concatenation(target, available: available, table: table, hidden: entries.count) {
                entries += parts
                entries.append(Entry(key: target, width: table.width(target)!, formula: .concatenation(keys)))
                available.append(target)
            } else {
                unmatched.append(target)
            }
        }
        return DerivedObservations(entries: entries, unmatched: unmatched)
    }

    /// Keys that are only inputs of other keys, never written (their names start with `#`).
    public static func isHidden(_ key: String) -> Bool { key.hasPrefix("#") }

    static func candidates(width: Int, available: [String], table: ValueTable) -> [ObservationFormula] {
        let vectors = available.filter { table.width($0) == 3 }
        let stems = available.compactMap { key -> String? in
            guard key.hasSuffix("_pos"), table.width(key) == 3 else { return nil }
            let stem = String(key.dropLast(4))
            return table.width(stem + "_quat") == 4 && available.contains(stem + "_quat") ? stem : nil
        }
        var out: [ObservationFormula] = []
        if width == 3 {
            for a in vectors { for b in vectors where a != b { out.append(.difference(a, b)) } }
            for body in stems { for frame in stems where body != frame { out.append(.positionInFrame(body: body, frame: frame)) } }
        }
        if width == 4 {
            for body in stems { for frame in stems where body != frame { out.append(.rotationInFrame(body: body, frame: frame)) } }
        }
        return out
    }

    static func constant(_ target: String, table: ValueTable) -> ObservationFormula? {
        guard let first = table.row(target, demo: 0, step: 0) else { return nil }
        let formula = ObservationFormula.constant(Array(first))
        return table.matches(target, formula) ? formula : nil
    }

    /// The keys whose values, one after the other, make up `target`'s columns: at each column, the
    /// first available key that matches, else the first difference or frame formula over them
    /// (robosuite's `gripper_to_cube` inside `object`, when the file has no key of its own for
    /// it), added as hidden entries `#<n>` that are computed but never written.
    static func concatenation(_ target: String, available: [String], table: ValueTable, hidden: Int) -> ([String], [Entry])? {
        guard let width = table.width(target) else { return nil }
        var keys: [String] = [], parts: [Entry] = [], column = 0
        while column < width {
            if let key = available.first(where: { key in
                guard let w = table.width(key), column + w <= width else { return false }
                return table.matches(target, columns: column..<(column + w), key)
            }) {
                keys.append(key)
                column += table.width(key)!
                continue
            }
            let formulas = [3, 4].filter { column + $0 <= width }.flatMap { w in
                candidates(width: w, available: available, table: table).map { (w, $0) }
            }
            guard let (w, formula) = formulas.first(where: { table.matches(target, columns: column..<(column + $0.0), $0.1) }) else {
                return nil
            }
            let name = "#\(hidden + parts.count)"
            parts.append(Entry(key: name, width: w, formula: formula))
            keys.append(name)
            column += w
        }
        return keys.count > 1 ? (keys, parts) : nil
    }

    /// Appends one step of every derived key to `rows`, reading the inputs' last rows there.
    public func record(into rows: inout [String: [Double]], widths: [String: Int]) {
        var widths = widths
        for entry in entries {
            let value = entry.formula.evaluate { key in
                let all = rows[key] ?? [], w = widths[key] ?? 0
                return all[(all.count - w)...]
            }
            rows[entry.key, default: []] += value
            widths[entry.key] = entry.width
        }
    }
}

/// Source observation values as doubles, per demo, with their widths and storage types: the
/// low-dimensional ones (one row of floating-point numbers per step) among `keys`.
struct ValueTable {
    var values: [[String: [Double]]]
    var widths: [String: Int]
    var float32: Set<String>

    init(demos: [Demo], keys: Set<String>) {
        func lowDimensional(_ t: Tensor) -> Bool { t.shape.count == 2 && t.isFloatingPoint }
        values = demos.map { demo in
            keys.reduce(into: [:]) { out, key in
                if let t = demo.obs(key), lowDimensional(t) { out[key] = t.doubles }
            }
        }
        var widths: [String: Int] = [:], float32: Set<String> = []
        for demo in demos {
            for key in keys {
                guard let t = demo.obs(key), lowDimensional(t) else { continue }
                widths[key] = t.rowWidth
                if t.dtypeName == "float32" { float32.insert(key) }
            }
        }
        self.widths = widths
        self.float32 = float32
    }

    func width(_ key: String) -> Int? { widths[key] }

    func row(_ key: String, demo: Int, step: Int) -> ArraySlice<Double>? {
        guard demo < values.count, let all = values[demo][key], let w = widths[key], (step + 1) * w <= all.count else { return nil }
        return all[(step * w)..<((step + 1) * w)]
    }

    /// Whether `formula` reproduces `target` at every step of every demo.
    func matches(_ target: String, _ formula: ObservationFormula) -> Bool {
        guard let w = widths[target], w > 0 else { return false }
        return matches(target, columns: 0..<w, formula)
    }

    /// Whether `formula` reproduces the target's `columns` at every step of every demo.
    func matches(_ target: String, columns: Range<Int>, _ formula: ObservationFormula) -> Bool {
        let tolerance = float32.contains(target) ? 1e-4 : 1e-6
        guard let tw = widths[target] else { return false }
        for d in values.indices {
            guard let t = values[d][target] else { return false }
            for s in 0..<(t.count / tw) {
                var missing = false
                let v = formula.evaluate { key in
                    guard let r = row(key, demo: d, step: s) else { missing = true; return [] }
                    return r
                }
                guard !missing, v.count == columns.count else { return false }
                for c in 0..<v.count where !(abs(v[c] - t[s * tw + columns.lowerBound + c]) <= tolerance) { return false }
            }
        }
        return true
    }

    /// Whether `key`'s values equal the target's `columns` at every step of every demo.
    func matches(_ target: String, columns: Range<Int>, _ key: String) -> Bool {
        let tolerance = float32.contains(target) || float32.contains(key) ? 1e-4 : 1e-6
        guard let tw = widths[target], let kw = widths[key], kw == columns.count else { return false }
        for d in values.indices {
            guard let t = values[d][target], let k = values[d][key], t.count / tw == k.count / kw else { return false }
            for s in 0..<(t.count / tw) {
                for c in 0..<kw where !(abs(t[s * tw + columns.lowerBound + c] - k[s * kw + c]) <= tolerance) { return false }
            }
        }
        return true
    }
}
