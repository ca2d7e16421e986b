import Headroom

/// The shape of a model whose operators were measured: what composition needs beyond the tables.
///
/// Vidur's tables carry the layer's shape in trailing columns (`n_head, n_kv_head, n_embd,
/// n_expanded_embd, vocab_size, use_gated_mlp`) but not the layer count; LLMServingSim's carry no
/// shape at all. Both come from the models' Hugging Face `config.json` (`num_hidden_layers`,
/// `hidden_size`, `num_attention_heads`, `num_key_value_heads`, `intermediate_size`, `vocab_size`).
public struct MeasuredModel: Sendable, Equatable {
    public var name: String
    public var layers: Int
    public var hidden: Int
    public var heads: Int
    public var kvHeads: Int
    public var intermediate: Int
    public var vocab: Int
    public var gatedMLP: Bool
    /// Where the model departs from a dense multi-head layer with untied embeddings (explicit
    /// head width, tied embeddings, experts, latent attention): `MeasuredModel+Architecture.swift`.
    public var architecture = Architecture()

    public init(name: String, layers: Int, hidden: Int, heads: Int, kvHeads: Int, intermediate: Int, vocab: Int, gatedMLP: Bool) {
        self.name = name
        self.layers = layers
        self.hidden = hidden
        self.heads = heads
        self.kvHeads = kvHeads
        self.intermediate = intermediate
        self.vocab = vocab
        self.gatedMLP = gatedMLP
    }

    public var headDim: Int { architecture.headDim ?? hidden / heads }

    /// K and V of one token in one layer on one of `tp` GPUs, in bytes (16-bit cache); a latent
    /// (MLA) cache is one compressed vector per token, held whole on every GPU.
    public func kvBytesPerTokenPerLayer(tp: Int) -> Double {
        if let latent = architecture.latentAttention { return latent.kvBytesPerToken }
        return 2 * Double(kvHeads * headDim) * 2 / Double(tp)
    }

    /// All weights (norms ignored): attention, MLP or every expert, embedding and LM head.
    public var parameters: Double { totalParameters }

    public var profileShape: CalibratedProfile.ModelShape {
        .init(name: name, layers: layers, hidden: hidden, heads: heads, kvHeads: kvHeads, intermediate: intermediate, dtype: "bf16",
              parameters: parameters)
    }

    /// Layer counts of the models in the published tables, by folder name (`config.json`'s
    /// `num_hidden_layers`).
    public static let layerCounts: [String: Int] = [
        "llama-2-7b-hf": 32, "llama-2-70b-hf": 80, "codellama-34b-instruct-hf": 48, "internlm-20b": 60, "qwen-72b": 80,
        "phi-2": 32, "meta-llama-3-8b": 32, "meta-llama-3-70b": 80, "llama-3.1-8b": 32, "llama-3.1-70b": 80,
        "mixtral-8x7b-v0.1": 32,
    ]

    /// LLMServingSim's tables carry no shape: the shapes of its models (`config.json`).
    public static let llmServingSimShapes: [String: MeasuredModel] = [
        "llama-3.1-8b": .init(name: "Llama-3.1-8B", layers: 32, hidden: 4096, heads: 32, kvHeads: 8, intermediate: 14336, vocab: 128_256,
                              gatedMLP: true),
        "llama-3.1-70b": .init(name: "Llama-3.1-70B", layers: 80, hidden: 8192, heads: 64, kvHeads: 8, intermediate: 28672,
                               vocab: 128_256, gatedMLP: true),
        "mixtral-8x7b-v0.1": .mixtral8x7B,
    ]
}
