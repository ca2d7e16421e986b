import Foundation

extension MeasuredModel {
    /// What a model's `config.json` may say beyond a dense Llama layer. The defaults are that layer:
    /// `head_dim = hidden / heads`, untied embeddings, one MLP per layer, K and V per KV head.
    public struct Architecture: Sendable, Equatable {
        /// `head_dim` where it is not `hidden_size / num_attention_heads` (Qwen3, Gemma).
        public var headDim: Int?
        /// `tie_word_embeddings`: the LM head reuses the embedding's weights.
        public var tiedEmbeddings = false
        public var experts: MixtureOfExperts?
        public var latentAttention: LatentAttention?

        public init(
            headDim: Int? = nil, tiedEmbeddings: Bool = false, experts: MixtureOfExperts? = nil,
            latentAttention: LatentAttention? = nil
        ) {
            self.headDim = headDim
            self.tiedEmbeddings = tiedEmbeddings
            self.experts = experts
            self.latentAttention = latentAttention
        }
    }

    /// Routed experts in place of the MLP (Mixtral, Qwen-MoE, DeepSeek): each token runs `perToken`
    /// of `count` gated experts (`num_experts_per_tok` of `num_local_experts` / `n_routed_experts`),
    /// plus the shared experts every token runs; the first `denseLayers` layers
    /// (`first_k_dense_replace`) keep a dense MLP of `intermediate_size`.
    public struct MixtureOfExperts: Sendable, Equatable {
        public var count: Int
        public var perToken: Int
        /// One expert's MLP width (`moe_intermediate_size`, or Mixtral's `intermediate_size`).
        public var intermediate: Int
        /// The shared experts' total MLP width (`n_shared_experts × moe_intermediate_size` or
        /// `shared_expert_intermediate_size`); 0 for none.
        public var sharedIntermediate: Int
        public var denseLayers: Int

        public init(count: Int, perToken: Int, intermediate: Int, sharedIntermediate: Int = 0, denseLayers: Int = 0) {
            self.count = count
            self.perToken = perToken
            self.intermediate = intermediate
            self.sharedIntermediate = sharedIntermediate
            self.denseLayers = denseLayers
        }

        /// The chance that a given expert serves at least one of `tokens` tokens when each token
        /// picks `perToken` distinct experts uniformly: `1 − (1 − k/E)^T`. Real routers are not
        /// uniform (skew leaves more experts idle), so this is the most weights a batch reads.
        public func hitProbability(tokens: Double) -> Double {
            1 - pow(1 - Double(perToken) / Double(count), tokens)
        }

        /// Expected distinct experts a batch of `tokens` reads: `E × (1 − (1 − k/E)^T)`, at most E,
        /// at least k (one token).
        public func expectedExpertsHit(tokens: Double) -> Double { Double(count) * hitProbability(tokens: tokens) }
    }

    /// Multi-head latent attention (DeepSeek-V2/V3): K and V are cached as one compressed vector
    /// of `kv_lora_rank` plus the shared rotary key of `qk_rope_head_dim` per token and layer.
    public struct LatentAttention: Sendable, Equatable {
        public var kvLoraRank: Int
        public var ropeHeadDim: Int
        /// `qk_nope_head_dim`, `v_head_dim`, and `q_lora_rank` (nil: queries projected directly).
        public var nopeHeadDim: Int
        public var valueHeadDim: Int
        public var qLoraRank: Int?

        public init(kvLoraRank: Int, ropeHeadDim: Int, nopeHeadDim: Int, valueHeadDim: Int, qLoraRank: Int?) {
            self.kvLoraRank = kvLoraRank
            self.ropeHeadDim = ropeHeadDim
            self.nopeHeadDim = nopeHeadDim
            self.valueHeadDim = valueHeadDim
            self.qLoraRank = qLoraRank
        }

        /// `(kv_lora_rank + qk_rope_head_dim) × 2 B`: one 16-bit latent per token and layer.
        public var kvBytesPerToken: Double { Double(kvLoraRank + ropeHeadDim) * 2 }
    }

    /// Attention weights of one layer: Q, K, V (or MLA's down- and up-projections) and output.
    public var attentionParameters: Double {
        let h = Double(hidden), heads = Double(self.heads)
        if let mla = architecture.latentAttention {
            let qHead = Double(mla.nopeHeadDim + mla.ropeHeadDim)
            let query = mla.qLoraRank.map { h * Double($0) + Double($0) * heads * qHead } ?? h * heads * qHead
            let kv =
                h * Double(mla.kvLoraRank + mla.ropeHeadDim) + Double(mla.kvLoraRank) * heads
                * Double(mla.nopeHeadDim + mla.valueHeadDim)
            return query + kv + heads * Double(mla.valueHeadDim) * h
        }
        let d = Double(headDim)
        return h * heads * d + 2 * h * Double(kvHeads) * d + heads * d * h
    }

    /// One MLP of width `width` (gated: gate, up and down; else up and down).
    func mlpParameters(width: Int) -> Double { Double(gatedMLP ? 3 : 2) * Double(hidden) * Double(width) }

    /// Embedding and LM head (one matrix when tied).
    var embeddingParameters: Double { Double(architecture.tiedEmbeddings ? 1 : 2) * Double(vocab) * Double(hidden) }

    /// Every weight: what memory holds and what a small batch reads when every expert is hit.
    public var totalParameters: Double { parameters(expertsPerToken: architecture.experts?.count ?? 0) }

    /// The weights one token runs through: its `perToken` experts and the shared ones, not all:
    /// what sets the compute.
    public var activeParameters: Double { parameters(expertsPerToken: architecture.experts?.perToken ?? 0) }

    private func parameters(expertsPerToken: Int) -> Double {
        let attention = attentionParameters
        guard let moe = architecture.experts else {
            return Double(layers) * (attention + mlpParameters(width: intermediate)) + embeddingParameters
        }
        let dense = Double(min(moe.denseLayers, layers)), sparse = Double(layers) - dense
        let moeLayer =
            Double(hidden * moe.count) + Double(expertsPerToken) * mlpParameters(width: moe.intermediate)
            + mlpParameters(width: moe.sharedIntermediate)
        return Double(layers) * attention + dense * mlpParameters(width: intermediate) + sparse * moeLayer + embeddingParameters
    }

    /// The shape with another architecture (for the shape tables' literals).
    public func with(_ architecture: Architecture) -> MeasuredModel {
        var model = self
        model.architecture = architecture
        return model
    }

    /// Mixtral-8x7B-v0.1 (`mistralai/Mixtral-8x7B-v0.1` `config.json`): 32 layers, 8 experts of
    /// 14,336, 2 per token, GQA with 8 KV heads; 46.7 B parameters, 12.9 B active.
    public static let mixtral8x7B = MeasuredModel(
        name: "Mixtral-8x7B-v0.1", layers: 32, hidden: 4096, heads: 32, kvHeads: 8,
        intermediate: 14336, vocab: 32000, gatedMLP: true
    )
    .with(Architecture(experts: MixtureOfExperts(count: 8, perToken: 2, intermediate: 14336)))
}
