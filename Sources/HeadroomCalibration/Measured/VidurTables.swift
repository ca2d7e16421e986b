import Foundation

/// Vidur's per-layer operator table, `compute/<gpu>/<org>/<model>/mlp.csv` (microsoft/vidur,
/// `data/profiling/`): one row per (num_tokens, num_tensor_parallel_workers), each operator's
/// `time_stats.<op>.median` in milliseconds for one call in one layer, and the layer's shape in the
/// trailing columns.
public struct VidurComputeTable: Sendable {
    /// The operators of one transformer layer, in Vidur's names (`emb` is charged once per iteration).
    public static let layerOperators = ["input_layernorm", "attn_pre_proj", "attn_rope", "attn_post_proj", "post_attention_layernorm",
                                        "mlp_up_proj", "mlp_act", "mlp_down_proj", "add"]
    /// Operators a model may lack: Phi-2's parallel attention and MLP share the input norm, so its
    /// table has no `post_attention_layernorm` column (Vidur profiles only the operators a model runs).
    public static let optionalOperators: Set<String> = ["post_attention_layernorm"]
    public static let shapeColumns = ["n_head", "n_kv_head", "n_embd", "n_expanded_embd", "vocab_size", "use_gated_mlp"]

    public let file: String
    public let model: MeasuredModel
    /// Operator → tensor parallelism → seconds by token count (an optional operator the table lacks is absent).
    public let operators: [String: [Int: PiecewiseLinear]]
    public var tensorParallel: [Int] { operators["emb"].map { $0.keys.sorted() } ?? [] }
    public let rowCount: Int

    /// Reads the table; `name` is the model's folder name (for its layer count).
    public init(file: String, name: String) throws(TableError) {
        let table = try MeasuredTable(file: file)
        self.file = file
        rowCount = table.rows.count
        let tokens = try table.require("num_tokens"), workers = try table.require("num_tensor_parallel_workers")
        var shape: [Int] = []
        for column in Self.shapeColumns.dropLast() { shape.append(try table.count(0, try table.require(column), minimum: 1)) }
        let gated = table.text(0, try table.require("use_gated_mlp")).lowercased() == "true"
        guard let layers = MeasuredModel.layerCounts[name.lowercased()] else {
            throw TableError(file: file, message: "the layer count of `\(name)` is not known (known: "
                             + MeasuredModel.layerCounts.keys.sorted().joined(separator: ", ") + ")")
        }
        model = MeasuredModel(name: name, layers: layers, hidden: shape[2], heads: shape[0], kvHeads: shape[1], intermediate: shape[3],
                              vocab: shape[4], gatedMLP: gated)
        var operators: [String: [Int: PiecewiseLinear]] = [:]
        for name in ["emb"] + Self.layerOperators where table.has("time_stats.\(name).median") || !Self.optionalOperators.contains(name) {
            let column = try table.require("time_stats.\(name).median")
            var points: [Int: [(x: Double, y: Double)]] = [:]
            for row in table.rows.indices {
                let tp = try table.count(row, workers, minimum: 1)
                points[tp, default: []].append((Double(try table.count(row, tokens, minimum: 1)), try table.time(row, column) / 1e3))
            }
            operators[name] = points.mapValues { PiecewiseLinear(points: $0) }
        }
        self.operators = operators
    }

    /// The layer operators this table measured (`layerOperators` less the optional ones it lacks).
    public var measuredLayerOperators: [String] { Self.layerOperators.filter { operators[$0] != nil } }

    /// One operator's curve at a tensor parallelism the table has.
    public func curve(_ name: String, tp: Int) throws(TableError) -> PiecewiseLinear {
        guard let curve = operators[name]?[tp] else {
            throw TableError(file: file, column: "num_tensor_parallel_workers",
                             message: "no rows at TP \(tp) (measured: \(tensorParallel.map(String.init).joined(separator: ", ")))")
        }
        return curve
    }
}

/// Vidur's collective table, `network/<gpu>_<topology>/all_reduce.csv`: the median time of one
/// all-reduce (ms) by message size (bytes) and number of workers.
///
/// Some tables (A100 DGX) also hold all-reduces spread over several nodes (`devices_per_node`
/// below `num_workers`), ten times slower at 2 MB; a tensor-parallel group sits on one node, so
/// only rows with all workers on one node are read.
public struct VidurNetworkTable: Sendable {
    public let file: String
    public let rowCount: Int
    /// Workers → seconds by message bytes.
    public let allReduce: [Int: PiecewiseLinear]

    public init(file: String) throws(TableError) {
        let table = try MeasuredTable(file: file)
        self.file = file
        rowCount = table.rows.count
        let time = try table.require("time_stats.all_reduce.median"), workers = try table.require("num_workers")
        let size = try table.require("size")
        let perNode = table.has("devices_per_node") ? try table.require("devices_per_node") : nil
        var points: [Int: [(x: Double, y: Double)]] = [:]
        for row in table.rows.indices {
            let count = try table.count(row, workers, minimum: 1)
            if let perNode, try table.count(row, perNode, minimum: 1) != count { continue }
            points[count, default: []].append((Double(try table.count(row, size, minimum: 1)), try table.time(row, time) / 1e3))
        }
        allReduce = points.mapValues { PiecewiseLinear(points: $0) }
    }

    /// One all-reduce of `bytes` over `workers` GPUs, interpolated between measured sizes.
    public func allReduce(bytes: Double, workers: Int) throws(TableError) -> Double {
        guard let curve = allReduce[workers] else {
            throw TableError(file: file, column: "num_workers",
                             message: "no all-reduce over \(workers) GPUs (measured: \(allReduce.keys.sorted().map(String.init).joined(separator: ", ")))")
        }
        guard let seconds = curve.value(at: bytes) else {
            throw TableError(file: file, column: "size", message: "a \(Int(bytes))-byte all-reduce is outside the measured sizes "
                             + "\(Int(curve.range.lowerBound))–\(Int(curve.range.upperBound)) bytes")
        }
        return seconds
    }
}

/// Finding a model's tables under a directory of Vidur's layout.
public enum VidurLayout {
    /// `DIR/compute/<gpu>/<org>/<model>/mlp.csv`, matching the model's folder name case-insensitively
    /// (or `org/model`).
    public static func computeTable(input: String, model: String, gpu: String) throws(TableError) -> (file: String, name: String) {
        let root = (input as NSString).appendingPathComponent("compute/\(gpu)")
        let fm = FileManager.default
        guard let orgs = try? fm.contentsOfDirectory(atPath: root) else {
            throw TableError(file: root, message: "no such folder: --input should be a folder with Vidur's `compute/` and `network/` tables")
        }
        var found: [String] = []
        for org in orgs.sorted() {
            for name in ((try? fm.contentsOfDirectory(atPath: "\(root)/\(org)")) ?? []).sorted()
            where fm.fileExists(atPath: "\(root)/\(org)/\(name)/mlp.csv") {
                if name.lowercased() == model.lowercased() || "\(org)/\(name)".lowercased() == model.lowercased() {
                    return ("\(root)/\(org)/\(name)/mlp.csv", name)
                }
                found.append(name)
            }
        }
        throw TableError(file: root, message: "no table for model `\(model)` on \(gpu) (measured: \(found.joined(separator: ", ")))")
    }

    /// `DIR/network/<gpu>_dgx/all_reduce.csv` (all GPUs of a replica in one NVSwitch node).
    public static func allReduceTable(input: String, gpu: String) -> String {
        (input as NSString).appendingPathComponent("network/\(gpu)_dgx/all_reduce.csv")
    }
}
