import Foundation
import Yams

/// A sweep: a base scenario, named variants and a grid of overrides by key path, times seeds. It
/// is a file of its own naming its `base`, or a `sweep:` section inside a scenario (which is then
/// the base; `headroom run` ignores the section).
///
/// ```yaml
/// sweep:
///   name: signals
///   base: signals/kpa-concurrency.yaml      # relative to the sweep file
///   seeds: 3                                # seeds 1…3, or a list [1, 7, 11]
///   variants:                               # optional: named sets of overrides
///     - {name: kpa, set: {policy: {kind: kpa}}}
///     - {name: one-pool, base: fleets/one-pool.yaml}   # a scenario of another shape
///   grid:                                   # optional: every combination of these values
///     replica.engine.max_num_seqs: [64, 256]
/// ```
public struct SweepSpec: Sendable {
    public var name: String
    public var file: String
    public var base: ScenarioDocument
    public var seeds: [UInt64]
    public var variants: [(name: String, overrides: [(path: String, value: String)])]
    /// Variants that start from a scenario of their own (`base:` in the variant, relative to the
    /// sweep file) instead of the sweep's base: a different shape of fleet compared on the same
    /// seeds (the same requests when both write the same workload).
    public var variantBases: [String: ScenarioDocument] = [:]
    public var grid: [(path: String, values: [String])]

    /// One run of the sweep.
    public struct Job: Sendable {
        public var variant: String
        public var seed: UInt64
        public var document: ScenarioDocument

        public init(variant: String, seed: UInt64, document: ScenarioDocument) {
            self.variant = variant
            self.seed = seed
            self.document = document
        }
    }

    public static func load(file path: String) throws(ScenarioError) -> SweepSpec {
        let text = try ScenarioFile.read(path)
        let root = try YAMLText.compose(text, file: path)
        // Either a sweep file naming its base, or a scenario carrying a `sweep:` section (its own base).
        guard case let .mapping(pairs) = root, let sweepNode = pairs["sweep"] else {
            throw ScenarioError(file: path, path: "", message: "expected a `sweep:` section")
        }
        let embedded = pairs.count > 1
        let map = try YAMLValue(node: sweepNode, path: "sweep", file: path)
            .mapping(allowing: embedded ? ["name", "seeds", "variants", "grid"] : ["name", "base", "seeds", "variants", "grid"])
        var base: ScenarioDocument
        if embedded {
            let scenarioPairs = Array(pairs).filter { $0.key.string != "sweep" }.map { ($0.key, $0.value) }
            do {
                base = ScenarioDocument(yaml: try Yams.serialize(node: Yams.Node(scenarioPairs)), file: path)
            } catch {
                throw ScenarioError(file: path, path: "", message: "cannot read the scenario around the sweep section")
            }
        } else {
            base = try Self.document(try map.required("base"), from: path)
        }
        var seeds: [UInt64] = [1]
        if let seedsValue = map["seeds"] {
            if case .sequence = seedsValue.node {
                seeds = try seedsValue.sequence().map { (v) throws(ScenarioError) in UInt64(try v.int(0...Int.max)) }
            } else {
                seeds = (1...UInt64(try seedsValue.int(1...10_000))).map { $0 }
            }
        }
        var variants: [(String, [(String, String)])] = []
        var variantBases: [String: ScenarioDocument] = [:]
        if let list = map["variants"] {
            for item in try list.sequence() {
                let variant = try item.mapping(allowing: ["name", "set", "base"])
                let name = try variant.required("name").string()
                if variants.contains(where: { $0.0 == name }) { throw try variant.required("name").error("variant `\(name)` is named twice") }
                if let own = variant["base"] { variantBases[name] = try Self.document(own, from: path) }
                let set = variant["base"] == nil ? try variant.required("set") : variant["set"]
                var overrides: [(String, String)] = []
                if let set {
                    guard case let .mapping(pairs) = set.node else { throw set.error("expected a mapping of key path: value") }
                    for (key, value) in pairs {
                        guard let keyPath = key.string else { throw set.error("key paths must be text") }
                        overrides.append((keyPath, try Self.text(value, at: set)))
                    }
                }
                variants.append((name, overrides))
            }
        }
        var grid: [(String, [String])] = []
        if let gridValue = map["grid"] {
            guard case let .mapping(pairs) = gridValue.node else { throw gridValue.error("expected a mapping of key path: [values]") }
            for (key, value) in pairs {
                guard let keyPath = key.string, case let .sequence(items) = value, !items.isEmpty else {
                    throw gridValue.error("each grid entry is a key path and a non-empty list of values")
                }
                grid.append((keyPath, try items.map { (item) throws(ScenarioError) in try Self.text(item, at: gridValue) }))
            }
        }
        var spec = SweepSpec(name: try map.required("name").string(), file: path, base: base, seeds: seeds, variants: variants, grid: grid)
        spec.variantBases = variantBases
        return spec
    }

    /// The scenario a `base:` names, relative to the sweep file.
    static func document(_ value: YAMLValue, from sweepPath: String) throws(ScenarioError) -> ScenarioDocument {
        let written = try value.string()
        let basePath = written.hasPrefix("/") ? written
            : URL(fileURLWithPath: sweepPath).absoluteURL.deletingLastPathComponent().appendingPathComponent(written).standardizedFileURL.path
        do { return try ScenarioDocument.load(file: basePath) } catch { throw value.error("cannot read the base scenario `\(basePath)`: \(error.message)") }
    }

    static func text(_ node: Yams.Node, at place: YAMLValue) throws(ScenarioError) -> String {
        if case let .scalar(scalar) = node { return scalar.string }
        do { return try Yams.serialize(node: node) } catch { throw place.error("cannot read this value") }
    }

    /// Every (variant × grid point × seed), in a fixed order; each document is validated.
    public func jobs(policies: PolicyRegistry = .standard) throws(ScenarioError) -> [Job] {
        var points: [(label: String, variant: String, overrides: [(String, String)])] =
            variants.isEmpty ? [("base", "base", [])] : variants.map { ($0.name, $0.name, $0.overrides) }
        for (path, values) in grid {
            points = points.flatMap { point in
                values.map { value in ("\(point.label), \(path)=\(value)", point.variant, point.overrides + [(path, value)]) }
            }
        }
        var jobs: [Job] = []
        for point in points {
            var document = variantBases[point.variant] ?? base
            for (path, value) in point.overrides { try document.set(path, to: value) }
            for seed in seeds {
                var seeded = document
                try seeded.set("seed", to: String(seed))
                _ = try seeded.scenario(policies: policies)
                jobs.append(Job(variant: point.label, seed: seed, document: seeded))
            }
        }
        return jobs
    }
}
