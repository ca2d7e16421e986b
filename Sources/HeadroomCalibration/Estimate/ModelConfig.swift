import Foundation

/// Why a `config.json` cannot give a model's shape: the file and the key, so a user can fix it.
public struct ModelConfigError: Error, CustomStringConvertible, Equatable {
    public var file: String
    public var key: String?
    public var message: String
    public init(file: String, key: String? = nil, message: String) {
        self.file = file
        self.key = key
        self.message = message
    }
    public var description: String { "\(file)\(key.map { ", key `\($0)`" } ?? ""): \(message)" }
}

/// A model's shape from its Hugging Face `config.json` (Llama, Mistral, Qwen2, Mixtral,
/// Qwen-MoE, DeepSeek-V2/V3 keys). A multimodal config's `text_config` is read when the top level
/// has no `num_hidden_layers`. Weights and cache are taken as 16-bit and the MLP as gated (SwiGLU:
/// every family these keys come from).
public enum ModelConfig {
    /// Reads `file`; `name` overrides the model's name (default: `_name_or_path`'s last part, or
    /// the folder holding the file).
    public static func read(file: String, name: String? = nil) throws(ModelConfigError) -> MeasuredModel {
        guard let data = FileManager.default.contents(atPath: file) else {
            throw ModelConfigError(file: file, message: "cannot read the file")
        }
        guard case .object(let object)? = try? JSONDecoder().decode(JSONValue.self, from: data) else {
            throw ModelConfigError(file: file, message: "is not a JSON object (a Hugging Face config.json is one)")
        }
        var keys = Keys(file: file, object: object)
        if object["num_hidden_layers"] == nil, case .object(let text)? = object["text_config"] {
            keys = Keys(file: file, object: text, prefix: "text_config.")
        }
        var pathName: String?
        if case .string(let path)? = object["_name_or_path"] { pathName = path.split(separator: "/").last.map(String.init) }
        let modelName = name ?? pathName ?? URL(fileURLWithPath: file).deletingLastPathComponent().lastPathComponent
        return try shape(keys, name: modelName.isEmpty ? "model" : modelName)
    }

    static func shape(_ keys: Keys, name: String) throws(ModelConfigError) -> MeasuredModel {
        let heads = try keys.count("num_attention_heads")
        // Absent: multi-head attention (Hugging Face's default).
        let kvHeads = try keys.optionalCount("num_key_value_heads") ?? heads
        guard heads % kvHeads == 0 else {
            throw keys.error(
                "num_key_value_heads",
                "\(kvHeads) does not divide num_attention_heads (\(heads)): each KV head serves whole query groups")
        }
        let hidden = try keys.count("hidden_size")
        let headDim = try keys.optionalCount("head_dim")
        guard headDim != nil || hidden % heads == 0 else {
            throw keys.error("num_attention_heads", "\(heads) does not divide hidden_size (\(hidden)); give head_dim")
        }
        var model = MeasuredModel(
            name: name, layers: try keys.count("num_hidden_layers"), hidden: hidden, heads: heads, kvHeads: kvHeads,
            intermediate: try keys.count("intermediate_size"), vocab: try keys.count("vocab_size"), gatedMLP: true)
        model.architecture = MeasuredModel.Architecture(
            headDim: headDim, tiedEmbeddings: try keys.flag("tie_word_embeddings") ?? false,
            experts: try experts(keys, model: model), latentAttention: try latentAttention(keys))
        return model
    }

    /// `num_local_experts` (Mixtral), `n_routed_experts` (DeepSeek) or `num_experts` (Qwen-MoE).
    static func experts(_ keys: Keys, model: MeasuredModel) throws(ModelConfigError) -> MeasuredModel.MixtureOfExperts? {
        var found: (key: String, count: Int)?
        for key in ["num_local_experts", "n_routed_experts", "num_experts"] {
            if let count = try keys.optionalCount(key, minimum: 0) { found = (key, count); break }
        }
        guard let found, found.count > 1 else { return nil }
        let perToken = try keys.count("num_experts_per_tok")
        guard perToken <= found.count else {
            throw keys.error("num_experts_per_tok", "\(perToken) is more than the \(found.count) experts (\(found.key))")
        }
        let width = try keys.optionalCount("moe_intermediate_size") ?? model.intermediate
        let sharedCount = try keys.optionalCount("n_shared_experts", minimum: 0) ?? 0
        let shared = try keys.optionalCount("shared_expert_intermediate_size", minimum: 0) ?? sharedCount * width
        let dense = try keys.optionalCount("first_k_dense_replace", minimum: 0) ?? 0
        guard dense <= model.layers else {
            throw keys.error("first_k_dense_replace", "\(dense) dense layers is more than num_hidden_layers (\(model.layers))")
        }
        return .init(count: found.count, perToken: perToken, intermediate: width, sharedIntermediate: shared, denseLayers: dense)
    }

    /// MLA when `kv_lora_rank` is given: the latent cache of `kv_lora_rank + qk_rope_head_dim`.
    static func latentAttention(_ keys: Keys) throws(ModelConfigError) -> MeasuredModel.LatentAttention? {
        guard let rank = try keys.optionalCount("kv_lora_rank") else { return nil }
        return .init(
            kvLoraRank: rank, ropeHeadDim: try keys.count("qk_rope_head_dim"), nopeHeadDim: try keys.count("qk_nope_head_dim"),
            valueHeadDim: try keys.count("v_head_dim"), qLoraRank: try keys.optionalCount("q_lora_rank"))
    }

    /// Typed access to a config's keys, with errors naming the file and key.
    struct Keys {
        let file: String
        let object: [String: JSONValue]
        var prefix = ""

        func error(_ key: String, _ message: String) -> ModelConfigError {
            ModelConfigError(file: file, key: prefix + key, message: message)
        }

        /// A whole number at least `minimum`, or nil when the key is absent or null.
        func optionalCount(_ key: String, minimum: Int = 1) throws(ModelConfigError) -> Int? {
            switch object[key] {
            case nil, .null?: return nil
            case .number(let value)? where value == value.rounded() && value >= Double(minimum) && value < 1e12: return Int(value)
            case let value?: throw error(key, "\(value) is not a whole number ≥ \(minimum)")
            }
        }

        func count(_ key: String) throws(ModelConfigError) -> Int {
            guard let value = try optionalCount(key) else {
                throw error(
                    key, "missing; a Hugging Face config.json of a Llama, Mistral, Qwen2, Mixtral or DeepSeek model has it")
            }
            return value
        }

        func flag(_ key: String) throws(ModelConfigError) -> Bool? {
            switch object[key] {
            case nil, .null?: return nil
            case .bool(let value)?: return value
            case let value?: throw error(key, "\(value) is not true or false")
            }
        }
    }
}

/// A JSON value as `config.json` holds it: strict about types (a number is not a flag).
enum JSONValue: Decodable, CustomStringConvertible {
    case null, bool(Bool), number(Double), string(String), array, object([String: JSONValue])

    init(from decoder: any Decoder) throws {
        let container = try decoder.singleValueContainer()
        if container.decodeNil() {
            self = .null
        } else if let value = try? container.decode(Bool.self) {
            self = .bool(value)
        } else if let value = try? container.decode(Double.self) {
            self = .number(value)
        } else if let value = try? container.decode(String.self) {
            self = .string(value)
        } else if let value = try? container.decode([String: JSONValue].self) {
            self = .object(value)
        } else {
            self = .array
        }
    }

    var description: String {
        switch self {
        case .null: "null"
        case .bool(let value): "\(value)"
        case .number(let value): value == value.rounded() && abs(value) < 1e15 ? "\(Int(value))" : "\(value)"
        case .string(let value): "\"\(value)\""
        case .array: "a list"
        case .object: "an object"
        }
    }
}
