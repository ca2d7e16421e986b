/// A series' identity: label names and values sorted by name, `__name__` among them (Prometheus'
/// `labels.Labels`). Small and compared whole, so an array of pairs.
public struct Labels: Hashable, Sendable, CustomStringConvertible {
    public private(set) var pairs: [(name: String, value: String)]

    public init(_ pairs: [(String, String)] = []) {
        self.pairs = pairs.filter { !$0.1.isEmpty }.map { (name: $0.0, value: $0.1) }.sorted { $0.name < $1.name }
    }

    public init(_ dictionary: [String: String]) { self.init(dictionary.map { ($0.key, $0.value) }) }

    public subscript(name: String) -> String? { pairs.first { $0.name == name }?.value }

    public var metricName: String? { self["__name__"] }

    /// A copy with `name` set to `value` (removed when empty, as Prometheus treats an empty label).
    public func setting(_ name: String, _ value: String) -> Labels {
        var copy = self
        copy.pairs.removeAll { $0.name == name }
        if !value.isEmpty {
            let index = copy.pairs.firstIndex { $0.name > name } ?? copy.pairs.count
            copy.pairs.insert((name: name, value: value), at: index)
        }
        return copy
    }

    public func dropping(_ names: Set<String>) -> Labels {
        var copy = self
        copy.pairs.removeAll { names.contains($0.name) }
        return copy
    }

    public func keeping(_ names: Set<String>) -> Labels {
        var copy = self
        copy.pairs.removeAll { !names.contains($0.name) }
        return copy
    }

    public var withoutName: Labels { dropping(["__name__"]) }

    public static func == (a: Labels, b: Labels) -> Bool {
        a.pairs.count == b.pairs.count && zip(a.pairs, b.pairs).allSatisfy { $0.name == $1.name && $0.value == $1.value }
    }

    public func hash(into hasher: inout Hasher) {
        for pair in pairs {
            hasher.combine(pair.name)
            hasher.combine(pair.value)
        }
    }

    /// `name{a="1", b="2"}`, as Prometheus prints a series.
    public var description: String {
        let rest = pairs.filter { $0.name != "__name__" }.map { "\($0.name)=\"\($0.value)\"" }.joined(separator: ", ")
        return (metricName ?? "") + "{" + rest + "}"
    }
}
