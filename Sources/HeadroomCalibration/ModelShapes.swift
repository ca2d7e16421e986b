import Headroom

/// Transformer shapes to calibrate on. The CPU backend measures the real layer products of a
/// shape; small shapes keep a run near a minute on a laptop.
public enum ModelShapes {
    public static let all: [CalibratedProfile.ModelShape] = [
        .init(name: "tiny", layers: 2, hidden: 256, heads: 4, kvHeads: 2, intermediate: 1024, dtype: "f32", parameters: 2 * 1.3e6),
        .init(name: "small", layers: 4, hidden: 1024, heads: 16, kvHeads: 4, intermediate: 2816, dtype: "f32", parameters: 4 * 1.2e7),
        // Llama 3.1 8B's layer (4096 hidden, 32 heads, 8 KV heads, 14336 MLP) with 2 of its 32 layers.
        .init(name: "llama3-8b-2layers", layers: 2, hidden: 4096, heads: 32, kvHeads: 8, intermediate: 14336, dtype: "f32",
              parameters: 2 * 2.18e8),
    ]

    public static func named(_ name: String) -> CalibratedProfile.ModelShape? { all.first { $0.name == name } }
}
