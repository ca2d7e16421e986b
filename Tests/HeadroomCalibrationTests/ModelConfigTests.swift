import Foundation
import Testing

@testable import HeadroomCalibration

/// `config.json` files as Hugging Face publishes them (the keys the reader uses, trimmed).
enum Configs {
    static let llama3 = """
        {"architectures": ["LlamaForCausalLM"], "hidden_size": 4096, "intermediate_size": 14336, "num_attention_heads": 32,
         "num_hidden_layers": 32, "num_key_value_heads": 8, "vocab_size": 128256, "tie_word_embeddings": false,
         "_name_or_path": "meta-llama/Meta-Llama-3-8B"}
        """
    static let mixtral = """
        {"architectures": ["MixtralForCausalLM"], "hidden_size": 4096, "intermediate_size": 14336, "num_attention_heads": 32,
         "num_hidden_layers": 32, "num_key_value_heads": 8, "num_local_experts": 8, "num_experts_per_tok": 2, "vocab_size": 32000,
         "tie_word_embeddings": false}
        """
    static let deepSeekV3 = """
        {"architectures": ["DeepseekV3ForCausalLM"], "hidden_size": 7168, "intermediate_size": 18432, "moe_intermediate_size": 2048,
         "num_attention_heads": 128, "num_key_value_heads": 128, "num_hidden_layers": 61, "n_routed_experts": 256, "n_shared_experts": 1,
         "num_experts_per_tok": 8, "first_k_dense_replace": 3, "q_lora_rank": 1536, "kv_lora_rank": 512, "qk_rope_head_dim": 64,
         "qk_nope_head_dim": 128, "v_head_dim": 128, "vocab_size": 129280, "tie_word_embeddings": false}
        """

    /// Writes `text` as `<folder>/config.json` in a fresh temporary folder.
    static func file(_ text: String, folder: String = "Some-Model") throws -> String {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent(
            "headroom-config-\(UUID().uuidString)/\(folder)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        let path = directory.appendingPathComponent("config.json").path
        try Data(text.utf8).write(to: URL(fileURLWithPath: path))
        return path
    }
}

@Suite("Shape estimate: config.json and the model's parameters")
struct ModelConfigTests {
    @Test("Llama-3-8B: dense GQA, 8.03 B parameters, 128 KiB of K/V per token")
    func dense() throws {
        let model = try ModelConfig.read(file: try Configs.file(Configs.llama3))
        #expect(model.name == "Meta-Llama-3-8B" && model.layers == 32 && model.kvHeads == 8 && model.headDim == 128)
        // 32 × (4,096 × 4,096 × 2 + 2 × 4,096 × 1,024 + 3 × 4,096 × 14,336) + 2 × 128,256 × 4,096 = 8,029,995,008
        // (Meta's 8,030,261,248 also counts the 65 norms' 266,240 weights, which are ignored).
        #expect(model.totalParameters == 8_029_995_008 && model.activeParameters == model.totalParameters)
        #expect(model.kvBytesPerTokenPerLayer(tp: 1) * Double(model.layers) == 131_072)
        #expect(model.architecture == .init())
    }

    @Test("Mixtral-8x7B: 46.7 B parameters in memory, 12.9 B active; the shipped shape agrees")
    func mixtral() throws {
        let model = try ModelConfig.read(file: try Configs.file(Configs.mixtral, folder: "Mixtral-8x7B-v0.1"))
        #expect(model.name == "Mixtral-8x7B-v0.1", "no _name_or_path: the folder names it")
        #expect(model == MeasuredModel.mixtral8x7B)
        // Experts 8 × 3 × 4,096 × 14,336 per layer; the active count has 2 of them.
        #expect(abs(model.totalParameters / 46.70e9 - 1) < 0.001)
        #expect(abs(model.activeParameters / 12.88e9 - 1) < 0.001)
        let moe = try #require(model.architecture.experts)
        #expect(moe.expectedExpertsHit(tokens: 1) == 2, "one token reads its two experts")
        #expect(abs(moe.expectedExpertsHit(tokens: 4) - 8 * (1 - pow(0.75, 4))) < 1e-12)
        #expect(moe.expectedExpertsHit(tokens: 256) > 7.999, "a large batch reads every expert")
    }

    @Test("DeepSeek-V3: MLA cache of (512 + 64) × 2 B per token and layer, 671 B parameters, 37 B active")
    func deepSeek() throws {
        let model = try ModelConfig.read(file: try Configs.file(Configs.deepSeekV3))
        #expect(
            model.kvBytesPerTokenPerLayer(tp: 1) == 1152 && model.kvBytesPerTokenPerLayer(tp: 8) == 1152,
            "the latent is not split by TP")
        let moe = try #require(model.architecture.experts)
        #expect(
            moe.count == 256 && moe.perToken == 8 && moe.intermediate == 2048 && moe.sharedIntermediate == 2048
                && moe.denseLayers == 3)
        // DeepSeek's report: 671 B total (without the 14 B multi-token-prediction module), 37 B activated.
        #expect(abs(model.totalParameters / 671e9 - 1) < 0.005)
        #expect(abs(model.activeParameters / 37.5e9 - 1) < 0.02)
    }

    @Test("a bad config.json names the file and the key")
    func errors() throws {
        func message(_ text: String) throws -> String {
            let file = try Configs.file(text)
            do {
                _ = try ModelConfig.read(file: file)
                return "read"
            } catch {
                #expect(error.file == file)
                return error.description
            }
        }
        #expect(
            try message(Configs.llama3.replacingOccurrences(of: "\"hidden_size\": 4096,", with: ""))
                .hasSuffix(
                    "key `hidden_size`: missing; a Hugging Face config.json of a Llama, Mistral, Qwen2, Mixtral or DeepSeek model has it"
                ))
        #expect(
            try message(
                Configs.llama3.replacingOccurrences(of: "\"num_hidden_layers\": 32", with: "\"num_hidden_layers\": \"32\"")
            )
            .contains("key `num_hidden_layers`: \"32\" is not a whole number ≥ 1"))
        #expect(
            try message(
                Configs.llama3.replacingOccurrences(of: "\"tie_word_embeddings\": false", with: "\"tie_word_embeddings\": 0")
            )
            .contains("key `tie_word_embeddings`: 0 is not true or false"))
        #expect(
            try message(Configs.llama3.replacingOccurrences(of: "\"num_key_value_heads\": 8", with: "\"num_key_value_heads\": 5"))
                .contains("key `num_key_value_heads`: 5 does not divide num_attention_heads (32)"))
        #expect(
            try message(
                Configs.mixtral.replacingOccurrences(of: "\"num_experts_per_tok\": 2", with: "\"num_experts_per_tok\": 9")
            )
            .contains("key `num_experts_per_tok`: 9 is more than the 8 experts (num_local_experts)"))
        #expect(
            try message(Configs.deepSeekV3.replacingOccurrences(of: "\"qk_rope_head_dim\": 64,", with: ""))
                .contains("key `qk_rope_head_dim`: missing"))
        #expect(try message("[1, 2]").hasSuffix("config.json: is not a JSON object (a Hugging Face config.json is one)"))
        #expect(try message("{\"text_config\": {\"hidden_size\": 1}}").contains("key `text_config.num_attention_heads`: missing"))
    }
}
