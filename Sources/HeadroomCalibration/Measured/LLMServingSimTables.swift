import Foundation

/// LLMServingSim's per-layer table, `H100/<org>/<model>/tp<N>/layers.csv`
/// (casys-kaist/LLMServingSim, `profiler/v0/perf_models/`): `layer_name,input,kv_cache,tp_size,
/// latency(ns)`, one row per operator kind and input token count, nanoseconds for one call in one
/// layer.
public struct LLMServingSimLayerTable: Sendable {
    /// A dense layer's operators (the `attn` row, measured without a KV cache, is left to the
    /// attention model so that both backends charge attention alike).
    public static let layerOperators = ["input_layernorm", "q_proj", "k_proj", "v_proj", "rope", "o_proj", "post_layernorm",
                                        "gate_proj", "up_proj", "act_fn", "down_proj"]
    /// A mixture-of-experts layer's operators (Mixtral): the MLP rows give way to the router
    /// (`gate`: logits, softmax, top-k) and one expert's `expert.w1/w3/w2` and `act_fn`, each
    /// measured over `input` tokens through one whole expert (LLMServingSim's `models/mixtral.py`).
    public static let mixtureOperators = ["input_layernorm", "q_proj", "k_proj", "v_proj", "rope", "o_proj", "post_layernorm", "gate"]
    public static let expertOperators = ["expert.w1", "expert.w3", "act_fn", "expert.w2"]
    /// Once per iteration: `embedding` and `final_layernorm` over the batch's tokens, `lm_head` over
    /// the sampled positions.
    public static let onceOperators = ["embedding", "final_layernorm", "lm_head"]

    public let file: String
    public let tp: Int
    public let rowCount: Int
    /// Operator → seconds by input tokens.
    public let operators: [String: PiecewiseLinear]

    /// Whether the table times routed experts (`expert.*` rows) rather than a dense MLP.
    public var isMixtureOfExperts: Bool { operators["expert.w1"] != nil }
    var requiredOperators: [String] { isMixtureOfExperts ? Self.mixtureOperators + Self.expertOperators : Self.layerOperators }

    public init(file: String) throws(TableError) {
        let table = try MeasuredTable(file: file)
        self.file = file
        rowCount = table.rows.count
        let name = try table.require("layer_name"), input = try table.require("input"), tpColumn = try table.require("tp_size")
        let latency = try table.require("latency(ns)")
        var points: [String: [(x: Double, y: Double)]] = [:]
        var tps: Set<Int> = []
        for row in table.rows.indices {
            tps.insert(try table.count(row, tpColumn, minimum: 1))
            points[table.text(row, name), default: []].append((Double(try table.count(row, input, minimum: 1)), try table.time(row, latency) / 1e9))
        }
        guard tps.count == 1, let tp = tps.first else {
            throw TableError(file: file, column: "tp_size", message: "one table holds one TP; found \(tps.sorted())")
        }
        self.tp = tp
        operators = points.mapValues { PiecewiseLinear(points: $0) }
        for required in requiredOperators + Self.onceOperators where operators[required] == nil {
            throw TableError(file: file, column: "layer_name", message: "no rows for operator `\(required)`")
        }
    }
}

/// Finding a model's tables under LLMServingSim's layout.
public enum LLMServingSimLayout {
    /// `DIR/H100/<org>/<model>/tp<N>/layers.csv` (or `DIR` already the `H100` folder).
    public static func layerTable(input: String, model: String, tp: Int) throws(TableError) -> (file: String, name: String) {
        let fm = FileManager.default
        let root = fm.fileExists(atPath: (input as NSString).appendingPathComponent("H100")) ? (input as NSString).appendingPathComponent("H100") : input
        guard let orgs = try? fm.contentsOfDirectory(atPath: root) else {
            throw TableError(file: root, message: "no such folder: --input should be LLMServingSim's perf_models folder (with `H100/`)")
        }
        var found: [String] = []
        for org in orgs.sorted() {
            for name in ((try? fm.contentsOfDirectory(atPath: "\(root)/\(org)")) ?? []).sorted() {
                let folder = "\(root)/\(org)/\(name)"
                let tps = ((try? fm.contentsOfDirectory(atPath: folder)) ?? []).filter { fm.fileExists(atPath: "\(folder)/\($0)/layers.csv") }
                guard !tps.isEmpty else { continue }
                guard name.lowercased() == model.lowercased() || "\(org)/\(name)".lowercased() == model.lowercased() else {
                    found.append(name)
                    continue
                }
                guard tps.contains("tp\(tp)") else {
                    throw TableError(file: folder, message: "no table at TP \(tp) for \(name) (measured: "
                                     + tps.sorted().map { $0.replacingOccurrences(of: "tp", with: "") }.joined(separator: ", ") + ")")
                }
                return ("\(folder)/tp\(tp)/layers.csv", name)
            }
        }
        throw TableError(file: root, message: "no table for model `\(model)` (measured: \(found.joined(separator: ", ")))")
    }
}
