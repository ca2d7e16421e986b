import HeadroomEngine
import Yams

/// A node of a scenario document together with where it is (file, line, key path), so every
/// accessor can fail with an error that names the place.
struct YAMLValue {
    let node: Yams.Node
    let path: String
    let file: String

    func error(_ message: String) -> ScenarioError {
        ScenarioError(file: file, line: node.mark?.line, column: node.mark?.column, path: path, message: message)
    }

    /// The scalar's text, or an error naming what was expected instead.
    func scalar(_ expected: String) throws(ScenarioError) -> String {
        guard case let .scalar(scalar) = node else { throw error("expected \(expected), got a \(kind)") }
        return scalar.string
    }

    private var kind: String {
        switch node {
        case .scalar: return "value"
        case .mapping: return "mapping"
        case .sequence: return "list"
        case .alias: return "alias"
        }
    }

    func mapping(allowing keys: [String]) throws(ScenarioError) -> YAMLMapping {
        guard case let .mapping(mapping) = node else { throw error("expected a mapping with keys \(keys.joined(separator: ", ")), got a \(kind)") }
        var entries: [(String, YAMLValue)] = []
        for (keyNode, valueNode) in mapping {
            guard let key = keyNode.string else { throw error("keys must be plain names") }
            let child = YAMLValue(node: valueNode, path: path.isEmpty ? key : "\(path).\(key)", file: file)
            guard keys.contains(key) else {
                let located = YAMLValue(node: keyNode, path: child.path, file: file)
                let hint = Suggestion.closest(to: key, in: keys).map { "did you mean `\($0)`? " } ?? ""
                throw located.error("unknown key `\(key)`; \(hint)allowed: \(keys.joined(separator: ", "))")
            }
            guard !entries.contains(where: { $0.0 == key }) else { throw child.error("duplicate key `\(key)`") }
            entries.append((key, child))
        }
        return YAMLMapping(owner: self, entries: entries)
    }

    func sequence() throws(ScenarioError) -> [YAMLValue] {
        guard case let .sequence(items) = node else { throw error("expected a list, got a \(kind)") }
        return items.enumerated().map { YAMLValue(node: $1, path: "\(path)[\($0)]", file: file) }
    }

    func string() throws(ScenarioError) -> String {
        let text = try scalar("text")
        guard !text.isEmpty else { throw error("must not be empty") }
        return text
    }

    func bool() throws(ScenarioError) -> Bool {
        switch try scalar("true or false") {
        case "true", "True", "yes": return true
        case "false", "False", "no": return false
        case let other: throw error("expected true or false, got `\(other)`")
        }
    }

    func int(_ range: ClosedRange<Int>) throws(ScenarioError) -> Int {
        let text = try scalar("a whole number")
        guard let value = Int(text.replacingOccurrences(of: "_", with: "")) else { throw error("expected a whole number, got `\(text)`") }
        return try checked(value, range)
    }

    func number(_ range: ClosedRange<Double>, open: Bool = false) throws(ScenarioError) -> Double {
        let text = try scalar("a number")
        guard let value = Double(text.replacingOccurrences(of: "_", with: "")), value.isFinite else {
            throw error("expected a number, got `\(text)`")
        }
        if open && value == range.lowerBound { throw error("must be greater than \(range.lowerBound), got \(value)") }
        return try checked(value, range)
    }

    func duration(_ range: ClosedRange<SimTime> = .zero ... .never, positive: Bool = false) throws(ScenarioError) -> SimTime {
        let text = try scalar("a duration such as 250ms, 30s, 5m, 2h")
        let value: SimTime
        switch Units.checkedDuration(text) {
        case let .success(parsed): value = parsed
        case .failure(.tooLarge): throw error("`\(text)` is too large: the longest duration is \(Units.longestDuration)")
        case .failure: throw error("expected a duration with a unit (ns, us, ms, s, m, h, d, w), e.g. `30s`; got `\(text)`")
        }
        if positive && value <= .zero { throw error("must be longer than zero, got `\(text)`") }
        if value < .zero { throw error("must not be negative, got `\(text)`") }
        return try checked(value, range)
    }

    func bytes(positive: Bool = true) throws(ScenarioError) -> Double {
        let text = try scalar("a size such as 20GB")
        guard let value = Units.bytes(text) else { throw error("expected a size with a unit (B, KB, MB, GB, TB, KiB, MiB, GiB, TiB), e.g. `20GB`; got `\(text)`") }
        if positive ? value <= 0 : value < 0 { throw error("must be \(positive ? "greater than zero" : "zero or more"), got `\(text)`") }
        // Beyond an exabyte no GPU, disk or model is meant; such a number would only overflow later.
        guard value <= 1e18 else { throw error("must be at most 1 EB (10^18 bytes), got `\(text)`") }
        return value
    }

    func bandwidth() throws(ScenarioError) -> Double {
        let text = try scalar("a bandwidth such as 1.5GB/s")
        guard let value = Units.bandwidth(text) else { throw error("expected a bandwidth such as `1.5GB/s`, `800MiB/s` or `10Gbit/s`; got `\(text)`") }
        guard value > 0 else { throw error("must be greater than zero, got `\(text)`") }
        guard value <= 1e18 else { throw error("must be at most 10^18 bytes/s, got `\(text)`") }
        return value
    }

    /// A bandwidth, or `unlimited` (nil).
    func bandwidthOrUnlimited() throws(ScenarioError) -> Double? {
        let text = try scalar("a bandwidth such as 10GB/s, or `unlimited`")
        if text == "unlimited" { return nil }
        guard Units.bandwidth(text) != nil else {
            throw error("expected a bandwidth such as `10GB/s`, `800MiB/s` or `25Gbit/s`, or `unlimited`; got `\(text)`")
        }
        return try bandwidth()
    }

    func rate() throws(ScenarioError) -> Double {
        let text = try scalar("a rate such as 40/s")
        guard let value = Units.rate(text) else { throw error("expected a rate such as `40/s`, `2400/m` or `10/h`; got `\(text)`") }
        guard value >= 0 else { throw error("must not be negative, got `\(text)`") }
        // Arrivals closer than a nanosecond apart would all land at one instant of the clock.
        guard value <= 1e9 else { throw error("must be at most 1,000,000,000/s, got `\(text)`") }
        return value
    }

    func choice<Choice: RawRepresentable & CaseIterable>(_ type: Choice.Type) throws(ScenarioError) -> Choice
    where Choice.RawValue == String {
        let text = try scalar("one of \(Choice.allCases.map(\.rawValue).joined(separator: ", "))")
        guard let value = Choice(rawValue: text) else {
            let names = Choice.allCases.map(\.rawValue)
            let hint = Suggestion.closest(to: text, in: names).map { "did you mean `\($0)`? " } ?? ""
            throw error("unknown value `\(text)`; \(hint)allowed: \(names.joined(separator: ", "))")
        }
        return value
    }

    func checked<T: Comparable>(_ value: T, _ range: ClosedRange<T>) throws(ScenarioError) -> T {
        guard range.contains(value) else { throw error("must be between \(range.lowerBound) and \(range.upperBound), got \(value)") }
        return value
    }
}

/// The keys of one mapping, already checked against the allowed ones.
struct YAMLMapping {
    let owner: YAMLValue
    let entries: [(String, YAMLValue)]

    subscript(key: String) -> YAMLValue? { entries.first { $0.0 == key }?.1 }

    func required(_ key: String) throws(ScenarioError) -> YAMLValue {
        guard let value = self[key] else { throw owner.error("missing required key `\(key)`") }
        return value
    }
}

/// "Did you mean" for misspelt keys and values: the closest allowed word by edit distance, where
/// swapping two neighbouring letters counts as one edit (`medain` → `median`, not `mean`).
enum Suggestion {
    static func closest(to word: String, in candidates: [String]) -> String? {
        let scored = candidates.map { ($0, distance(word.lowercased(), $0.lowercased())) }
        // Ties go to the candidate closest in length, then to the first listed.
        guard let best = scored.enumerated().min(by: { left, right in
            (left.element.1, abs(left.element.0.count - word.count), left.offset)
                < (right.element.1, abs(right.element.0.count - word.count), right.offset)
        })?.element else { return nil }
        return best.1 <= max(2, best.0.count / 3) ? best.0 : nil
    }

    /// Damerau–Levenshtein distance (optimal string alignment): insertions, deletions,
    /// substitutions and transpositions of adjacent characters each cost one.
    static func distance(_ a: String, _ b: String) -> Int {
        let a = Array(a), b = Array(b)
        if a.isEmpty || b.isEmpty { return max(a.count, b.count) }
        var table = [[Int]](repeating: [Int](repeating: 0, count: b.count + 1), count: a.count + 1)
        for i in 0...a.count { table[i][0] = i }
        for j in 0...b.count { table[0][j] = j }
        for i in 1...a.count {
            for j in 1...b.count {
                let cost = a[i - 1] == b[j - 1] ? 0 : 1
                table[i][j] = min(table[i - 1][j] + 1, table[i][j - 1] + 1, table[i - 1][j - 1] + cost)
                if i > 1, j > 1, a[i - 1] == b[j - 2], a[i - 2] == b[j - 1] {
                    table[i][j] = min(table[i][j], table[i - 2][j - 2] + 1)
                }
            }
        }
        return table[a.count][b.count]
    }
}
