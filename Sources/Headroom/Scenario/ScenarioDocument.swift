import Foundation
import Yams

/// A scenario as YAML text, before validation: the form that is stored, overridden by key path
/// (sweeps, `--seed`, `--duration`) and hashed. `scenario()` validates it.
public struct ScenarioDocument: Sendable, Equatable {
    /// Where the text came from, for error messages.
    public var file: String
    /// The YAML (after any overrides).
    public private(set) var yaml: String
    /// The key paths overridden so far, in order, and the text before the first: an error in the
    /// overridden YAML is reported against the override or the file's own lines, never against
    /// lines of the re-serialized text.
    public private(set) var overrides: [String] = []
    var original: String?

    public init(yaml: String, file: String) {
        self.yaml = yaml
        self.file = file
    }

    public static func load(file path: String) throws(ScenarioError) -> ScenarioDocument {
        ScenarioDocument(yaml: try ScenarioFile.read(path), file: path)
    }

    public func scenario(policies: PolicyRegistry = .standard) throws(ScenarioError) -> Scenario {
        do {
            return try Scenario.parse(yaml: yaml, file: file, policies: policies)
        } catch {
            throw overrides.isEmpty ? error : located(error)
        }
    }

    /// Replaces (or adds) the value at `path` — `duration`, `policy.annotations["autoscaling.knative.dev/target"]`,
    /// `node_pools[0].provisioning.median` — with `value`, itself YAML (`30s`, `{kind: kpa}`).
    public mutating func set(_ path: String, to value: String) throws(ScenarioError) {
        let replacement: Yams.Node
        do {
            guard let node = try Yams.compose(yaml: value) else { throw ScenarioError(file: file, path: path, message: "empty value") }
            replacement = node
        } catch let error as ScenarioError {
            throw error
        } catch {
            throw ScenarioError(file: file, path: path, message: "the value `\(value)` is not valid YAML")
        }
        try set(path, to: replacement)
    }

    mutating func set(_ path: String, to value: Yams.Node) throws(ScenarioError) {
        let segments = try Self.segments(of: path, file: file)
        let root = try YAMLText.compose(yaml, file: file)
        let updated = try Self.replacing(in: root, at: segments[...], with: value, path: path, file: file)
        do {
            let text = try Yams.serialize(node: updated)
            if original == nil { original = yaml }
            overrides.append(path)
            yaml = text
        } catch {
            throw ScenarioError(file: file, path: path, message: "cannot write the overridden YAML: \(error)")
        }
    }

    enum Segment: Equatable {
        case key(String)
        case index(Int)
    }

    /// `a.b[0]["c.d"]` → key a, key b, index 0, key c.d.
    static func segments(of path: String, file: String) throws(ScenarioError) -> [Segment] {
        var segments: [Segment] = []
        var rest = Substring(path)
        func fail() -> ScenarioError {
            ScenarioError(file: file, path: path, message: "not a key path; write it as `a.b[0].c` or `a[\"key.with.dots\"]`")
        }
        while !rest.isEmpty {
            if rest.hasPrefix("[\"") {
                guard let end = rest.range(of: "\"]") else { throw fail() }
                segments.append(.key(String(rest[rest.index(rest.startIndex, offsetBy: 2)..<end.lowerBound])))
                rest = rest[end.upperBound...]
            } else if rest.hasPrefix("[") {
                guard let end = rest.firstIndex(of: "]"), let index = Int(rest[rest.index(after: rest.startIndex)..<end]) else { throw fail() }
                segments.append(.index(index))
                rest = rest[rest.index(after: end)...]
            } else {
                let end = rest.firstIndex { $0 == "." || $0 == "[" } ?? rest.endIndex
                guard end > rest.startIndex else { throw fail() }
                segments.append(.key(String(rest[..<end])))
                rest = rest[end...]
            }
            if rest.hasPrefix(".") { rest = rest.dropFirst() }
        }
        guard !segments.isEmpty else { throw fail() }
        return segments
    }

    static func replacing(
        in node: Yams.Node, at segments: ArraySlice<Segment>, with value: Yams.Node, path: String, file: String
    ) throws(ScenarioError) -> Yams.Node {
        guard let first = segments.first else { return value }
        let rest = segments.dropFirst()
        switch (first, node) {
        case let (.key(key), .mapping(mapping)):
            var pairs = Array(mapping).map { ($0.key, $0.value) }
            if let index = pairs.firstIndex(where: { $0.0.string == key }) {
                pairs[index].1 = try replacing(in: pairs[index].1, at: rest, with: value, path: path, file: file)
            } else {
                let fresh: Yams.Node = rest.isEmpty ? value : try replacing(in: Yams.Node([(Yams.Node, Yams.Node)]()), at: rest, with: value, path: path, file: file)
                pairs.append((Yams.Node(key), fresh))
            }
            return Yams.Node(pairs)
        case let (.index(index), .sequence(sequence)):
            var items = Array(sequence)
            guard items.indices.contains(index) else {
                throw ScenarioError(file: file, path: path, message: "index \(index) is out of range (the list has \(items.count) items)")
            }
            items[index] = try replacing(in: items[index], at: rest, with: value, path: path, file: file)
            return Yams.Node(items)
        default:
            throw ScenarioError(file: file, path: path, message: "the document has no \(first) here to set")
        }
    }
}
