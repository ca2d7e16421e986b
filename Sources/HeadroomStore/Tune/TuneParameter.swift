import Foundation
import Headroom
import HeadroomEngine

/// One dimension of a tune: a key path into the scenario (as sweeps write them) and the values it
/// may take, as a finite, ordered list of levels. Integers take every whole number of their range,
/// durations every whole second (or every step), continuous ranges 101 levels spread linearly or
/// logarithmically (or every step), categories their listed values. A finite list makes repeated
/// proposals detectable (no simulation is spent twice on one configuration) and lets `--grid`
/// enumerate the very space the search explores.
public struct TuneParameter: Sendable, Equatable {
    public enum Kind: String, Sendable { case integer, continuous, duration, categorical }

    /// The key path as `ScenarioDocument.set` reads it (`policy.annotations["a.b/c"]`).
    public var path: String
    /// The key path as the user wrote it, for labels.
    public var written: String
    public var kind: Kind
    /// Whether proposals spread evenly in the logarithm of the value.
    public var logarithmic: Bool
    /// Each level's YAML text, in order.
    public var levels: [String]
    /// Each level's number (seconds for durations); empty for categories.
    public var numbers: [Double]

    /// Continuous ranges without a step are cut into this many intervals.
    public static let continuousIntervals = 100
    /// A parameter with more levels than this needs a coarser step.
    public static let maximumLevels = 100_000

    public static let forms = """
        --param takes KEYPATH=RANGE, where RANGE is one of:
          LOW..HIGH         whole numbers, every one (1..64)
          LOW..HIGH:log     the same, proposed evenly in log scale (1..256:log)
          LOW..HIGH/STEP    every STEP from LOW (2..64/2, 0.5..2/0.25, 0s..15m/30s)
          0.1..10[:log]     continuous (a decimal point): 101 levels
          0s..15m           durations: every whole second (ns us ms s m h d w)
          a|b|c             categories, each YAML (kpa|hpa, {kind: fixed}|{kind: kpa})
        KEYPATH as sweeps write it: policy.replicas, node_pools[0].spare_nodes,
          policy.annotations."autoscaling.knative.dev/target" (or ["..."])
        """

    /// The key path's last key without an annotation's prefix (`target` for
    /// `policy.annotations["autoscaling.knative.dev/target"]`, `spare_nodes` for
    /// `node_pools[0].spare_nodes`): how labels name the parameter when no other shares it.
    public var shortName: String {
        var last = path
        if path.hasSuffix("\"]"), let open = path.range(of: "[\"", options: .backwards) {
            last = String(path[open.upperBound..<path.index(path.endIndex, offsetBy: -2)])
        } else if let cut = path.lastIndex(where: { $0 == "." || $0 == "]" }) {
            last = String(path[path.index(after: cut)...])
        }
        return last.split(separator: "/").last.map(String.init) ?? last
    }

    /// Reads `KEYPATH=RANGE`.
    public static func parse(_ text: String) throws(TuneError) -> TuneParameter {
        func fail(_ why: String) -> TuneError { TuneError("--param '\(text)': \(why)\n\(forms)") }
        guard let equals = Self.assignment(in: text) else { throw fail("expected KEYPATH=RANGE") }
        let written = String(text[..<equals]).trimmingCharacters(in: .whitespaces)
        let range = String(text[text.index(after: equals)...]).trimmingCharacters(in: .whitespaces)
        guard !written.isEmpty, !range.isEmpty else { throw fail("expected KEYPATH=RANGE") }
        let path = Self.normalized(path: written)
        if range.contains("|") {
            let items = range.split(separator: "|", omittingEmptySubsequences: false).map { $0.trimmingCharacters(in: .whitespaces) }
            guard items.count >= 2, !items.contains(where: \.isEmpty) else { throw fail("categories are two or more values between |") }
            guard Set(items).count == items.count else { throw fail("a category is listed twice") }
            return TuneParameter(path: path, written: written, kind: .categorical, logarithmic: false, levels: items, numbers: [])
        }
        var body = Substring(range)
        var logarithmic = false
        if body.hasSuffix(":log") { logarithmic = true; body = body.dropLast(4) }
        var stepText: String?
        if let slash = body.lastIndex(of: "/") {
            stepText = String(body[body.index(after: slash)...])
            body = body[..<slash]
        }
        let bounds = body.components(separatedBy: "..")
        guard bounds.count == 2 else { throw fail("a range is LOW..HIGH, or categories a|b|c") }
        let (lowText, highText) = (bounds[0].trimmingCharacters(in: .whitespaces), bounds[1].trimmingCharacters(in: .whitespaces))
        let kind: Kind
        let low: Double, high: Double
        var step: Double?
        // Whole-number bounds with a fractional step (1..8/0.5) are a continuous range.
        if let l = Int(lowText), let h = Int(highText), stepText.map({ Int($0) != nil }) ?? true {
            kind = .integer; (low, high) = (Double(l), Double(h))
            if let stepText { guard let s = Int(stepText), s > 0 else { throw fail("an integer range's step is a whole number above 0") }; step = Double(s) }
        } else if let l = Double(lowText), let h = Double(highText), l.isFinite, h.isFinite {
            kind = .continuous; (low, high) = (l, h)
            if let stepText { guard let s = Double(stepText), s > 0, s.isFinite else { throw fail("the step is a number above 0") }; step = s }
        } else if let l = Units.duration(lowText), let h = Units.duration(highText) {
            kind = .duration; (low, high) = (l.seconds, h.seconds)
            if let stepText { guard let s = Units.duration(stepText), s.seconds > 0 else { throw fail("a duration range's step is a duration above 0, e.g. 30s") }; step = s.seconds }
            guard low >= 0 else { throw fail("a duration is 0s or more") }
        } else {
            throw fail("'\(body)' is neither whole numbers, numbers nor durations on both sides of ..")
        }
        guard low < high else { throw fail("LOW must be below HIGH") }
        if logarithmic { guard low > 0 else { throw fail(":log needs LOW above 0") } }
        if logarithmic && step != nil { throw fail("give a step or :log, not both") }
        var numbers: [Double]
        if let step {
            let count = Int(((high - low) / step + 1e-9).rounded(.down)) + 1
            guard count <= maximumLevels else { throw fail("\(count) levels; the most is \(maximumLevels) (take a coarser step)") }
            numbers = (0..<count).map { low + Double($0) * step }
        } else {
            switch kind {
            case .integer:
                let count = Int(high - low) + 1
                guard count <= maximumLevels else { throw fail("\(count) levels; the most is \(maximumLevels) (give a step: LOW..HIGH/STEP)") }
                numbers = (0..<count).map { low + Double($0) }
            case .duration where high - low <= Double(maximumLevels) && low == low.rounded() && high == high.rounded():
                numbers = stride(from: low, through: high, by: 1).map { $0 }
            default:
                let n = Double(continuousIntervals)
                numbers = (0...continuousIntervals).map { i in
                    logarithmic ? exp(log(low) + (log(high) - log(low)) * Double(i) / n) : low + (high - low) * Double(i) / n
                }
                numbers = numbers.map { kind == .duration ? $0.rounded() : Self.significant($0, digits: 3) }
                numbers = numbers.reduce(into: [Double]()) { if $0.last != $1 { $0.append($1) } }
            }
        }
        let levels = numbers.map { Self.text($0, kind: kind) }
        return TuneParameter(path: path, written: written, kind: kind, logarithmic: logarithmic, levels: levels, numbers: numbers)
    }

    /// The `=` that separates the key path from the range: the first one outside quotes and brackets.
    static func assignment(in text: String) -> String.Index? {
        var quoted = false, depth = 0
        for index in text.indices {
            switch text[index] {
            case "\"": quoted.toggle()
            case "[" where !quoted: depth += 1
            case "]" where !quoted: depth -= 1
            case "=" where !quoted && depth == 0: return index
            default: break
            }
        }
        return nil
    }

    /// `a."b.c".d` → `a["b.c"].d`: the quoted-segment form the issue writes, as sweeps read it.
    static func normalized(path: String) -> String {
        var result = "", rest = Substring(path)
        while let open = rest.range(of: ".\"") {
            result += rest[..<open.lowerBound]
            let after = rest[open.upperBound...]
            guard let close = after.firstIndex(of: "\"") else { return path }
            result += "[\"" + after[..<close] + "\"]"
            rest = after[after.index(after: close)...]
        }
        return result + rest
    }

    /// A level's YAML: whole numbers without a decimal point, durations in the largest exact unit.
    static func text(_ value: Double, kind: Kind) -> String {
        switch kind {
        case .integer: return String(Int(value))
        case .duration: return SimTime.seconds(value).description
        default:
            if value == value.rounded(), abs(value) < 1e15 { return String(Int(value)) }
            return String(format: "%g", significant(value, digits: 6))
        }
    }

    static func significant(_ value: Double, digits: Int) -> Double {
        guard value != 0, value.isFinite else { return value }
        let scale = pow(10, Double(digits) - ceil(log10(abs(value))))
        return (value * scale).rounded() / scale
    }

    /// Where each level sits in [0, 1] for the proposal step: by value (or its logarithm) for
    /// numbers, by position for categories (whose order means nothing; the proposal treats them
    /// apart).
    public var coordinates: [Double] {
        guard levels.count > 1 else { return [0.5] }
        guard !numbers.isEmpty, let low = numbers.first, let high = numbers.last, high > low else {
            return levels.indices.map { Double($0) / Double(levels.count - 1) }
        }
        if logarithmic { return numbers.map { (log($0) - log(low)) / (log(high) - log(low)) } }
        return numbers.map { ($0 - low) / (high - low) }
    }
}
