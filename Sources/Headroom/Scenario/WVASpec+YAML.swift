import HeadroomEngine
import Yams

/// Reads pasted WVA objects (llm-d-workload-variant-autoscaler@b08b1c7): a YAML stream of
/// `VariantAutoscaling`s and, optionally, the saturation-scaling and scale-to-zero ConfigMaps.
extension WVASpec {
    static let apiVersion = "llmd.ai/v1alpha1"
    static let acceleratorLabel = "inference.optimization/acceleratorName"
    static let saturationKeys = [
        "kvCacheThreshold", "queueLengthThreshold", "kvSpareTrigger", "queueSpareTrigger", "enableLimiter", "analyzerName",
        "scaleUpThreshold", "scaleDownBoundary", "model_id", "namespace",
    ]

    /// Parses every document of `yaml`; errors name the file, line, column and YAML path (documents
    /// are numbered from 0: `[1].spec.variantCost`).
    public static func parse(yaml: String, file: String = "<wva>") throws(ScenarioError) -> WVASpec {
        var stream: YamlSequence<Yams.Node>
        do { stream = try Yams.compose_all(yaml: yaml) } catch let error as YamlError {
            throw YAMLText.error(error, text: yaml, file: file)
        } catch { throw ScenarioError(file: file, path: "", message: "not valid YAML") }
        var documents: [YAMLValue] = []
        while let node = stream.next() { documents.append(YAMLValue(node: node, path: "[\(documents.count)]", file: file)) }
        if let error = stream.error as? YamlError { throw YAMLText.error(error, text: yaml, file: file) }
        var spec = WVASpec(variants: [])
        var sawSaturation = false, sawScaleToZero = false
        for document in documents {
            if case let .scalar(scalar) = document.node, scalar.style == .plain, ["", "~", "null"].contains(scalar.string) {
                continue
            }
            let kind = try document.mapping(allowing: ["apiVersion", "kind", "metadata", "spec", "status", "data"]).required(
                "kind")
            switch try kind.scalar("a kind") {
            case "VariantAutoscaling":
                let variant = try Variant(document)
                if let twin = spec.variants.first(where: { $0.name == variant.name && $0.namespace == variant.namespace }) {
                    throw document.error(
                        "a second VariantAutoscaling `\(twin.namespace)/\(twin.name)`; names must be unique per namespace")
                }
                spec.variants.append(variant)
            case "ConfigMap":
                let map = try document.mapping(allowing: ["apiVersion", "kind", "metadata", "data"])
                let nameValue = try map.required("metadata").mapping(allowing: ["name", "namespace", "labels", "annotations"])
                    .required("name")
                let name = try nameValue.string()
                if name.hasSuffix("saturation-scaling-config") {
                    guard !sawSaturation else { throw nameValue.error("a second saturation-scaling ConfigMap") }
                    sawSaturation = true
                    spec.saturation = try saturationConfig(map.required("data"), text: yaml)
                } else if name.hasSuffix("scale-to-zero-config") {
                    guard !sawScaleToZero else { throw nameValue.error("a second scale-to-zero ConfigMap") }
                    sawScaleToZero = true
                    spec.scaleToZeroEntries = try scaleToZeroEntries(map.required("data"), text: yaml)
                } else {
                    throw nameValue.error(
                        "unknown ConfigMap `\(name)`; WVA reads wva-saturation-scaling-config and wva-model-scale-to-zero-config")
                }
            case let other:
                let hint =
                    Suggestion.closest(to: other, in: ["VariantAutoscaling", "ConfigMap"]).map { "did you mean `\($0)`? " } ?? ""
                throw kind.error("unknown kind `\(other)`; \(hint)allowed: VariantAutoscaling, ConfigMap")
            }
        }
        guard !spec.variants.isEmpty else {
            throw ScenarioError(
                file: file, path: "", message: "no VariantAutoscaling: paste at least one (apiVersion \(apiVersion))")
        }
        return spec
    }

    /// The `default` entry; upstream's engine reads no other (`optimizeV1`, `optimizeV2`).
    static func saturationConfig(_ data: YAMLValue, text: String) throws(ScenarioError) -> WVASaturationConfig {
        if case let .mapping(entries) = data.node {
            for (key, _) in entries where key.string != "default" {
                throw YAMLValue(node: key, path: "\(data.path).\(key.string ?? "?")", file: data.file).error(
                    "WVA at b08b1c7 reads only the `default` entry (engine.go); a per-model entry would have no effect, so leave it out"
                )
            }
        }
        guard let value = try data.mapping(allowing: ["default"])["default"] else {
            throw data.error(
                "missing `default`: without it WVA at b08b1c7 skips every model (engine.go: \"Default saturation scaling config not found\")"
            )
        }
        let (entry, shift) = try embedded(value, text: text)
        do throws(ScenarioError) { return try saturationDefault(entry) } catch { throw shifted(error, shift) }
    }

    static func saturationDefault(_ entry: YAMLValue) throws(ScenarioError) -> WVASaturationConfig {
        let map = try entry.mapping(allowing: saturationKeys)
        for key in ["model_id", "namespace"] {
            if let value = map[key] {
                throw value.error("`\(key)` belongs to per-model entries, which WVA at b08b1c7 does not read")
            }
        }
        func threshold(_ key: String) throws(ScenarioError) -> Double {
            guard let value = map[key] else {
                throw entry.error(
                    "missing `\(key)`: upstream reads an omitted threshold as 0 (only the V2 keys have defaults), which no one "
                        + "means; write the shipped value (kvCacheThreshold 0.80, queueLengthThreshold 5, kvSpareTrigger 0.1, queueSpareTrigger 3)"
                )
            }
            return try value.number(-1e9...1e9)
        }
        var config = WVASaturationConfig(
            kvCacheThreshold: try threshold("kvCacheThreshold"), queueLengthThreshold: try threshold("queueLengthThreshold"),
            kvSpareTrigger: try threshold("kvSpareTrigger"), queueSpareTrigger: try threshold("queueSpareTrigger"))
        if let limiter = map["enableLimiter"], try limiter.bool() {
            throw limiter.error(
                "the GPU limiter is not modelled (Headroom's node pools bound capacity); use false or leave it out")
        }
        if let name = map["analyzerName"] {
            let text = try name.scalar("an analyzer name")
            guard let analyzer = WVASaturationConfig.Analyzer(rawValue: text) else {
                // Upstream falls back to V1 for any other name, so a misspelt `saturation` would silently do so.
                let hint = Suggestion.closest(to: text, in: ["saturation"]).map { "did you mean `\($0)`? " } ?? ""
                throw name.error("unknown analyzerName `\(text)`; \(hint)allowed: saturation (V2), or leave it out (V1)")
            }
            config.analyzer = analyzer
        }
        if let v = map["scaleUpThreshold"] { config.scaleUpThreshold = try v.number(-1e9...1e9) }
        if let v = map["scaleDownBoundary"] { config.scaleDownBoundary = try v.number(-1e9...1e9) }
        config.applyDefaults()
        if let (key, message) = config.validationError() { throw (map[key] ?? entry).error(message) }
        return config
    }

    /// `ParseScaleToZeroConfigMap`: `default` plus entries keyed by their `model_id`.
    static func scaleToZeroEntries(_ data: YAMLValue, text: String) throws(ScenarioError) -> [String: ScaleToZeroEntry] {
        guard case let .mapping(entries) = data.node else { _ = try data.mapping(allowing: ["default"]); return [:] }
        var out: [String: ScaleToZeroEntry] = [:]
        for (keyNode, valueNode) in entries {
            let key = keyNode.string ?? "?"
            let (entry, shift) = try embedded(
                YAMLValue(node: valueNode, path: "\(data.path).\(key)", file: data.file), text: text)
            do throws(ScenarioError) {
                let map = try entry.mapping(allowing: ["model_id", "namespace", "enable_scale_to_zero", "retention_period"])
                let parsed = ScaleToZeroEntry(
                    enabled: try map["enable_scale_to_zero"]?.bool(),
                    retention: try map["retention_period"]?.duration(.zero ... .hours(24 * 365)))
                if key == "default" { out["default"] = parsed; continue }
                guard let idValue = map["model_id"] else { throw entry.error("an entry other than `default` needs `model_id`") }
                let id = try idValue.string()
                guard out[id] == nil else { throw idValue.error("a second entry for model_id `\(id)`") }
                out[id] = parsed
            } catch { throw shifted(error, shift) }
        }
        return out
    }

    /// A ConfigMap value holds YAML as text: parse it, and say how far its lines and columns sit from
    /// the outer file's (for a block scalar `|`, its lines follow the key's line at the block's indentation).
    static func embedded(_ value: YAMLValue, text: String) throws(ScenarioError) -> (YAMLValue, (lines: Int, columns: Int)?) {
        guard case let .scalar(scalar) = value.node else {
            throw value.error("expected the entry as text (`key: |` and indented YAML)")
        }
        var shift: (lines: Int, columns: Int)?
        if scalar.style == .literal || scalar.style == .folded, let mark = scalar.mark {
            let lines = text.split(separator: "\n", omittingEmptySubsequences: false)
            let first = lines.dropFirst(mark.line).first { !$0.allSatisfy { $0 == " " } } ?? ""
            shift = (mark.line, first.prefix { $0 == " " }.count)
        } else if let mark = scalar.mark {
            shift = (mark.line - 1, mark.column)
        }
        do {
            guard let node = try Yams.compose(yaml: scalar.string) else { throw value.error("the entry is empty") }
            return (YAMLValue(node: node, path: value.path, file: value.file), shift)
        } catch let error as ScenarioError {
            throw error
        } catch let error as YamlError {
            throw shifted(YAMLText.error(error, text: scalar.string, file: value.file), shift, path: value.path)
        } catch { throw value.error("not valid YAML") }
    }

    /// An error found inside an embedded entry, placed in the outer file; a quoted entry keeps the
    /// inner place, which is the best Yams gives.
    static func shifted(_ error: ScenarioError, _ shift: (lines: Int, columns: Int)?, path: String? = nil) -> ScenarioError {
        var out = error
        if let path, out.path.isEmpty { out.path = path }
        guard let shift else { return out }
        out.line = error.line.map { $0 + shift.lines }
        out.column = error.column.map { $0 + shift.columns }
        return out
    }
}
