import Foundation

extension GPURates {
    /// Vidur's calls (`mlp.csv`), each with its work from the shape in the table's trailing columns.
    public static func samples(_ table: VidurComputeTable) -> [Sample] {
        var samples: [Sample] = []
        for (name, curves) in table.operators {
            for (tp, curve) in curves {
                for (tokens, seconds) in zip(curve.xs, curve.ys) {
                    if let work = vidurWork(name, model: table.model, tokens: tokens, tp: tp) {
                        samples.append(Sample(work: work, seconds: seconds))
                    }
                }
            }
        }
        return samples
    }

    static func vidurWork(_ name: String, model m: MeasuredModel, tokens: Double, tp: Int) -> OperatorWork? {
        let inter = m.intermediate / tp
        switch name {
        case "attn_pre_proj":
            return .gemm(tokens: tokens, k: m.hidden, n: (m.headsPerGPU(tp: tp) + 2 * m.kvHeadsPerGPU(tp: tp)) * m.headDim)
        case "attn_post_proj": return .gemm(tokens: tokens, k: m.headsPerGPU(tp: tp) * m.headDim, n: m.hidden)
        case "mlp_up_proj": return .gemm(tokens: tokens, k: m.hidden, n: (m.gatedMLP ? 2 : 1) * inter)
        case "mlp_down_proj": return .gemm(tokens: tokens, k: inter, n: m.hidden)
        case "input_layernorm", "post_attention_layernorm": return m.norm(tokens: tokens)
        case "attn_rope": return m.rope(tokens: tokens, tp: tp)
        case "mlp_act": return m.activation(tokens: tokens, width: inter)
        case "add": return m.add(tokens: tokens)
        case "emb": return m.embedding(tokens: tokens)
        default: return nil
        }
    }

    /// LLMServingSim's calls (`layers.csv`) for a model of that shape. The MoE router (`gate`) is
    /// left out: its time is Hugging Face's softmax, top-k and one-hot kernels, not its GEMM.
    public static func samples(_ table: LLMServingSimLayerTable, model: MeasuredModel) -> [Sample] {
        var samples: [Sample] = []
        for (name, curve) in table.operators {
            for (tokens, seconds) in zip(curve.xs, curve.ys) {
                if let work = llmServingSimWork(
                    name, model: model, tokens: tokens, tp: table.tp, experts: table.isMixtureOfExperts)
                {
                    samples.append(Sample(work: work, seconds: seconds))
                }
            }
        }
        return samples
    }

    static func llmServingSimWork(_ name: String, model m: MeasuredModel, tokens: Double, tp: Int, experts: Bool) -> OperatorWork?
    {
        let inter = m.intermediate / tp, expert = m.architecture.experts?.intermediate ?? inter
        switch name {
        case "q_proj": return .gemm(tokens: tokens, k: m.hidden, n: m.headsPerGPU(tp: tp) * m.headDim)
        case "k_proj", "v_proj": return .gemm(tokens: tokens, k: m.hidden, n: m.kvHeadsPerGPU(tp: tp) * m.headDim)
        case "o_proj": return .gemm(tokens: tokens, k: m.headsPerGPU(tp: tp) * m.headDim, n: m.hidden)
        case "gate_proj", "up_proj": return .gemm(tokens: tokens, k: m.hidden, n: inter)
        case "down_proj": return .gemm(tokens: tokens, k: inter, n: m.hidden)
        case "expert.w1", "expert.w3": return .gemm(tokens: tokens, k: m.hidden, n: expert)
        case "expert.w2": return .gemm(tokens: tokens, k: expert, n: m.hidden)
        case "lm_head": return .gemm(tokens: tokens, k: m.hidden, n: m.vocab / tp)
        case "input_layernorm", "post_layernorm", "final_layernorm": return m.norm(tokens: tokens)
        case "rope": return m.rope(tokens: tokens, tp: tp)
        case "act_fn": return m.activation(tokens: tokens, width: experts ? expert : inter)
        case "embedding": return m.embedding(tokens: tokens)
        default: return nil
        }
    }

    /// Fits the rates of `gpu` to every Vidur table under `DIR/compute/<gpu>/` except the models
    /// named in `excluding` (folder names, any case). Tables of another layer layout (phi-2's
    /// parallel attention and MLP has no `post_attention_layernorm`) are skipped and named.
    public static func fit(vidur input: String, gpu: MeasuredGPU, excluding: Set<String> = []) throws -> GPURates {
        let root = (input as NSString).appendingPathComponent("compute/\(gpu.rawValue)")
        var samples: [Sample] = [], used: [String] = [], skipped: [String] = []
        for (file, name) in tables(under: root, named: "mlp.csv") where !excluding.contains(name.lowercased()) {
            switch readVidur(file: file, name: name) {
            case .success(let table) where table.measuredLayerOperators.count < VidurComputeTable.layerOperators.count:
                // Read, but another layer layout: the sequential block's operators do not describe it.
                skipped.append(name)
            case .success(let table):
                samples += Self.samples(table)
                used.append(name)
            case .failure(let error) where error.column != nil: skipped.append(name)
            case .failure(let error): throw error
            }
        }
        guard !used.isEmpty else { throw TableError(file: root, message: "no Vidur tables to fit the \(gpu.rawValue) rates to") }
        var basis = "Vidur's \(gpu.rawValue.uppercased()) tables (commit 7d47513, MIT) of \(used.joined(separator: ", "))"
        if !skipped.isEmpty { basis += " (skipped, another layer layout: \(skipped.joined(separator: ", ")))" }
        return try fit(samples, gpu: gpu, style: .fused, basis: basis)
    }

    /// Fits H100 rates to LLMServingSim's tables under `DIR/H100/<org>/<model>/tp<N>/layers.csv`
    /// of the models whose shapes are known, except those in `excluding`.
    public static func fit(llmServingSim input: String, excluding: Set<String> = []) throws -> GPURates {
        let fm = FileManager.default
        let root =
            fm.fileExists(atPath: (input as NSString).appendingPathComponent("H100"))
            ? (input as NSString).appendingPathComponent("H100") : input
        var samples: [Sample] = [], used: [String] = []
        for (folder, name) in tables(under: root, named: nil) where !excluding.contains(name.lowercased()) {
            guard let shape = MeasuredModel.llmServingSimShapes[name.lowercased()] else { continue }
            let tps = ((try? fm.contentsOfDirectory(atPath: folder)) ?? []).sorted().filter {
                fm.fileExists(atPath: "\(folder)/\($0)/layers.csv")
            }
            for tp in tps {
                samples += Self.samples(try LLMServingSimLayerTable(file: "\(folder)/\(tp)/layers.csv"), model: shape)
                used.append("\(name) \(tp.uppercased().replacingOccurrences(of: "TP", with: "TP "))")
            }
        }
        guard !used.isEmpty else {
            throw TableError(file: root, message: "no LLMServingSim tables of a known shape to fit the H100 rates to")
        }
        return try fit(
            samples, gpu: .h100, style: .perModule,
            basis: "LLMServingSim's H100 tables (commit 5daddb2, MIT) of \(used.joined(separator: ", "))")
    }

    private static func readVidur(file: String, name: String) -> Result<VidurComputeTable, TableError> {
        do { return .success(try VidurComputeTable(file: file, name: name)) } catch { return .failure(error) }
    }

    /// `root/<org>/<model>[/file]`: (path, model folder name), sorted.
    private static func tables(under root: String, named file: String?) -> [(String, String)] {
        let fm = FileManager.default
        var found: [(String, String)] = []
        for org in ((try? fm.contentsOfDirectory(atPath: root)) ?? []).sorted() {
            for name in ((try? fm.contentsOfDirectory(atPath: "\(root)/\(org)")) ?? []).sorted() {
                let path = file.map { "\(root)/\(org)/\(name)/\($0)" } ?? "\(root)/\(org)/\(name)"
                var isFolder: ObjCBool = false
                if fm.fileExists(atPath: path, isDirectory: &isFolder), file != nil || isFolder.boolValue {
                    found.append((path, name))
                }
            }
        }
        return found
    }
}
