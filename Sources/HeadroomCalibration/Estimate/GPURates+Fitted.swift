extension GPURates {
    /// The shipped rates of `gpu`, fitted to all of Vidur's tables of that GPU (the test
    /// `ShapeEstimateHoldOutTests.shippedRates` refits them and prints these literals).
    public static func fitted(_ gpu: MeasuredGPU) -> GPURates {
        switch gpu {
        case .h100: h100
        case .a100: a100
        }
    }

    static let h100 = GPURates(
        gpu: .h100, style: .fused,
        rates: [
            .gemm: Rate(
                bandwidth: 2.87e12, flops: 668.1e12, overhead: 7.065e-6, calls: 20720, medianError: 0.0842, worstError: 1.1572),
            .norm: Rate(
                bandwidth: 1.447e12, flops: nil, overhead: 2.572e-6, calls: 10360, medianError: 0.1490, worstError: 0.5675),
            .rope: Rate(bandwidth: 1.76e12, flops: nil, overhead: 1.9e-6, calls: 5180, medianError: 0.0694, worstError: 0.7847),
            .activation: Rate(
                bandwidth: 1.941e12, flops: nil, overhead: 1.675e-6, calls: 5180, medianError: 0.0406, worstError: 0.8824),
            .add: Rate(bandwidth: 3.775e12, flops: nil, overhead: 1.029e-6, calls: 5180, medianError: 0.0709, worstError: 0.4790),
            .embedding: Rate(
                bandwidth: 0.6301e12, flops: nil, overhead: 2.463e-6, calls: 5180, medianError: 0.0381, worstError: 0.7601),
        ],
        basis: "Vidur's H100 tables (commit 7d47513, MIT) of Qwen-72B, CodeLlama-34b-Instruct-hf, internlm-20b, Llama-2-70b-hf, "
            + "Llama-2-7b-hf (skipped, another layer layout: phi-2)")

    static let a100 = GPURates(
        gpu: .a100, style: .fused,
        rates: [
            .gemm: Rate(
                bandwidth: 1.542e12, flops: 219.3e12, overhead: 7.873e-6, calls: 35152, medianError: 0.0597, worstError: 0.7697),
            .norm: Rate(
                bandwidth: 0.7957e12, flops: nil, overhead: 2.469e-6, calls: 17576, medianError: 0.1250, worstError: 0.6862),
            .rope: Rate(
                bandwidth: 0.9271e12, flops: nil, overhead: 2.302e-6, calls: 8788, medianError: 0.0728, worstError: 0.8022),
            .activation: Rate(
                bandwidth: 1.013e12, flops: nil, overhead: 2.059e-6, calls: 8788, medianError: 0.0374, worstError: 0.8987),
            .add: Rate(bandwidth: 2.014e12, flops: nil, overhead: 1.187e-6, calls: 8788, medianError: 0.1004, worstError: 0.5084),
            .embedding: Rate(
                bandwidth: 0.3184e12, flops: nil, overhead: 2.841e-6, calls: 8788, medianError: 0.0494, worstError: 0.7382),
        ],
        basis: "Vidur's A100 tables (commit 7d47513, MIT) of Qwen-72B, CodeLlama-34b-Instruct-hf, internlm-20b, Llama-2-70b-hf, "
            + "Llama-2-7b-hf, Meta-Llama-3-70B, Meta-Llama-3-8B (skipped, another layer layout: phi-2)")
}
