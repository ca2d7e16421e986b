import Foundation
import Testing

@testable import HeadroomCalibration

@Suite("Shape estimate: fitted GPU rates and the estimated operators")
struct ShapeEstimateTests {
    static let mixtralTP1 = "\(Shipped.llmServingSim)/H100/mistralai/Mixtral-8x7B-v0.1/tp1/layers.csv"

    @Test("the rate fit recovers a synthetic roofline and a synthetic norm exactly")
    func syntheticRecovery() throws {
        let truth = GPURates.Rate(bandwidth: 3.0e12, flops: 700e12, overhead: 5e-6)
        let norm = GPURates.Rate(bandwidth: 1.5e12, flops: nil, overhead: 3e-6)
        let model = MeasuredModel(
            name: "m", layers: 1, hidden: 4096, heads: 32, kvHeads: 8, intermediate: 14336, vocab: 32000, gatedMLP: true)
        var samples: [GPURates.Sample] = []
        for tokens in [1.0, 8, 64, 128, 256, 512, 1024, 2048, 4096] {
            for (k, n) in [(4096, 6144), (4096, 28672), (14336, 4096), (8192, 1024)] {
                let work = OperatorWork.gemm(tokens: tokens, k: k, n: n)
                samples.append(.init(work: work, seconds: truth.seconds(work)))
            }
            samples.append(.init(work: model.norm(tokens: tokens), seconds: norm.seconds(model.norm(tokens: tokens))))
        }
        let fitted = try GPURates.fit(samples, gpu: .h100, style: .fused, basis: "synthetic")
        let gemm = try #require(fitted.rates[.gemm]), fittedNorm = try #require(fitted.rates[.norm])
        #expect(abs(gemm.bandwidth / truth.bandwidth - 1) < 0.003 && abs(gemm.flops! / truth.flops! - 1) < 0.003)
        #expect(abs(gemm.overhead / truth.overhead - 1) < 0.01 && gemm.worstError < 0.003)
        #expect(abs(fittedNorm.bandwidth / norm.bandwidth - 1) < 1e-9 && abs(fittedNorm.overhead / norm.overhead - 1) < 1e-9)
        #expect(fitted.rates[.add] == nil && fitted.seconds(model.add(tokens: 8)) == 0, "a kind the tables lack is not charged")
        #expect(fitted.summary.contains("gemm at 3.00 TB/s and 700 TFLOP/s + 5.0 µs per call"))
    }

    @Test("Mixtral-8x7B composes from LLMServingSim's tables: one token runs two experts, by hand")
    func mixtralByHand() throws {
        let table = try LLMServingSimLayerTable(file: Self.mixtralTP1)
        #expect(table.isMixtureOfExperts && table.rowCount == 30720)
        let operators = LLMServingSimOperators(table: table, model: .mixtral8x7B)
        // layers.csv lines 3–14 (input 1), ns: input_layernorm 17,499 + q 16,086 + k 8,079 + v 8,108 + rope 26,268 + o 15,931
        //   + post_layernorm 17,208 + gate 42,858 = 152,037; one expert w1 41,762 + w3 39,906 + act 4,321 + w2 42,978 = 128,967,
        //   × 2 experts hit (8 × (1 − (1 − 2/8)^1)), each with 2 × 1 / 2 = 1 token: 257,934. Layer: 409,971 ns.
        #expect(abs(try operators.layer(tokens: 1) - 409_971e-9) < 1e-12)
        // Once: embedding 2,867 + final_layernorm 18,085 + lm_head 90,466 = 111,418 ns.
        #expect(abs(try operators.once(tokens: 1, sequences: 1) - 111_418e-9) < 1e-12)
        // A large batch hits all 8 experts, each at a quarter of the tokens.
        let expert = try operators.experts(tokens: 2048)
        var one = 0.0
        for name in LLMServingSimLayerTable.expertOperators { one += try #require(table.operators[name]?.value(at: 512)) }
        #expect(abs(expert / (8 * one) - 1) < 1e-6)
        #expect(operators.description.contains("experts whole, 8 of 8 per GPU"))
    }

    @Test("a dense table read as Mixtral, or Mixtral's table as a dense shape, is an error naming the file")
    func mismatchedShape() throws {
        let dense = LLMServingSimOperators(
            table: try LLMServingSimLayerTable(file: Self.mixtralTP1),
            model: MeasuredModel.llmServingSimShapes["llama-3.1-8b"]!)
        #expect(throws: TableError.self) { try dense.layer(tokens: 8) }
    }

    @Test("the estimate prices a dense layer call by call, and a MoE layer's weights by the experts hit")
    func estimatedOperators() throws {
        let rates = GPURates(
            gpu: .h100, style: .fused,
            rates: [
                .gemm: .init(bandwidth: 3e12, flops: 600e12, overhead: 0), .norm: .init(bandwidth: 1e12, flops: nil, overhead: 0),
            ], basis: "round rates")
        let llama = MeasuredModel.llmServingSimShapes["llama-3.1-8b"]!
        let operators = EstimatedOperators(model: llama, tp: 1, rates: rates, file: "config.json")
        // One token: weights dominate. QKV 4,096 × 6,144, O 4,096², gate-up 4,096 × 28,672, down 14,336 × 4,096 (2 B each),
        // plus the token's activations; two norms of 4 × 4,096 B.
        let weights: Double = 2 * (4096 * 6144 + 4096 * 4096 + 4096 * 28672 + 14336 * 4096)
        let activations: Double = 2 * (4096 + 6144 + 4096 + 4096 + 4096 + 28672 + 14336 + 4096)
        let norms: Double = 2 * 4 * 4096 / 1e12
        let expected: Double = (weights + activations) / 3e12 + norms
        #expect(abs(try operators.layer(tokens: 1) - expected) < 1e-12)
        // Mixtral at 1 token reads 2 experts' weights; at 4,096 tokens all 8, and its FLOPs are 2 experts' per token.
        let moe = EstimatedOperators(model: .mixtral8x7B, tp: 1, rates: rates, file: "config.json")
        let experts = try #require(MeasuredModel.mixtral8x7B.architecture.experts)
        let expertWeights: Double = 3 * 2 * 4096 * 14336
        let router: Double = 2 * (4096 * 8 + 4096 + 8) / 3e12
        let routedActivations: Double = 2 * 2 * (4096 + 28672 + 14336 + 4096)
        let one = moe.experts(tokens: 1, moe: experts)
        #expect(abs(one - router - (2 * expertWeights + routedActivations) / 3e12) < 1e-12)
        let many = moe.experts(tokens: 4096, moe: experts)
        let flops: Double = 2 * 4096 * 2 * (4096 * 28672 + 14336 * 4096)
        let compute: Double = flops / 600e12
        #expect(many > compute && many < compute * 1.2, "compute-bound on the active parameters")
    }
}
