import Foundation
import Headroom
import Testing
@testable import HeadroomCalibration

@Suite("Measured tables: composition and the attention fit")
struct IterationCompositionTests {
    /// Round rates, so the arithmetic below can be followed by hand.
    static let attention = AttentionModel(prefillOverhead: 4e-6, secondsPerKey: 27e-9, decodeOverhead: 6e-6, decodeBandwidth: 3.2e12,
                                          gpu: .h100, provenance: "test rates")

    @Test("a decode step of Llama-2-7B at TP 2 composed by hand from the shipped tables")
    func decodeByHand() throws {
        let table = try VidurComputeTable(file: Shipped.llama2, name: "Llama-2-7b-hf")
        let composition = try IterationComposition(operators: try VidurOperators(table: table, tp: 2), attention: Self.attention,
                                                   network: try VidurNetworkTable(file: Shipped.allReduce))
        // 8 sequences decoding, 1,024 cached tokens each: 8 tokens. mlp.csv line 520 (num_tokens 8, TP 2), medians in ms:
        //   per layer: input_layernorm 0.004 + attn_pre_proj 0.021 + attn_rope 0.003 + attn_post_proj 0.009
        //     + post_attention_layernorm 0.004 + mlp_up_proj 0.033 + mlp_act 0.003 + mlp_down_proj 0.021 + 2 × add 0.001
        //     = 0.100 ms; × 32 layers = 3.200 ms
        //   once: emb 0.007 + LM head over 8 sampled positions = up_proj(8) 0.033 × 32,768 / (2 × 11,008) = 0.0491163 ms
        //   linear = 3.2561163 ms
        // all-reduce of 8 × 4,096 × 2 B = 65,536 B over 2 GPUs: between 59,392 B (line 1003, 0.041 ms) and 67,584 B
        //   (line 1004, 0.041 ms) = 0.041 ms; 2 per layer × 32 = 2.624 ms
        // attention: K/V per token per layer per GPU = 2 × 32 heads × 128 × 2 B / 2 = 8,192 B; 8,192 tokens → 67,108,864 B
        //   at 3.2 TB/s = 20.97152 µs + 6 µs = 26.97152 µs per layer; × 32 = 0.86308864 ms
        // total = 3.2561163 + 2.624 + 0.86308864 = 6.74320494 ms
        let step = try composition.iteration(prefills: [], decodes: 8, decodeContext: 8 * 1024)
        #expect(abs(step.linear - 3.2561163e-3) < 1e-9)
        #expect(abs(step.communication - 2.624e-3) < 1e-12)
        #expect(abs(step.attention - 0.86308864e-3) < 1e-12)
        #expect(abs(step.total - 6.74320494e-3) < 1e-9)
    }

    @Test("prefill attention grows with chunk × context once the blocks outnumber the SMs")
    func prefillAttention() throws {
        let model = MeasuredModel(name: "llama", layers: 32, hidden: 4096, heads: 32, kvHeads: 8, intermediate: 14336, vocab: 128_256,
                                  gatedMLP: true)
        // 2,048 tokens, no cache: 16 query blocks × 32 heads = 512 blocks on 132 SMs; keys = max(2,048, 1,024 × 512 / 132)
        //   = 3,971.88; 4 µs + 27 ns × 3,971.88 = 111.24 µs per layer.
        #expect(abs(Self.attention.prefill([(2048, 0)], model: model, tp: 1) - (4e-6 + 27e-9 * 1024 * 512 / 132)) < 1e-15)
        // 64 tokens: 1 block × 32 heads fit at once; the longest walk (64 keys) sets the time.
        #expect(abs(Self.attention.prefill([(64, 0)], model: model, tp: 1) - (4e-6 + 27e-9 * 64)) < 1e-15)
        // Quadratic: doubling a long prompt roughly quadruples its attention.
        let ratio = Self.attention.prefill([(16384, 0)], model: model, tp: 1) / Self.attention.prefill([(8192, 0)], model: model, tp: 1)
        #expect(ratio > 3.9 && ratio < 4.01)
    }

    @Test("the attention fit on LLMServingSim's measured 70B TP 4 table: error reported, the shipped rates reproduced")
    func attentionFit() throws {
        let fitted = try AttentionModel.fit(table: Shipped.attention, gpu: .h100)
        #expect(fitted.prefill.rows == 232 && fitted.decode.rows == 21371)
        // Prefill fits the block-walk model closely; the decode rows are not bandwidth-shaped (see DECISIONS.md).
        #expect(fitted.prefill.median < 0.03 && fitted.prefill.worst < 0.15)
        #expect(fitted.fittedDecodeBandwidth > HardwareProfile.h100.memoryBandwidth, "the decode rows imply more than HBM peak")
        #expect(fitted.model.decodeBandwidth == HardwareProfile.h100.memoryBandwidth)
        #expect(fitted.model.provenance.contains("median error") && fitted.model.provenance.contains("capped"))
        let shipped = AttentionModel.fitted
        #expect(abs(fitted.model.secondsPerKey / shipped.secondsPerKey - 1) < 1e-3)
        #expect(abs(fitted.model.prefillOverhead / shipped.prefillOverhead - 1) < 1e-3)
        #expect(abs(fitted.model.decodeOverhead / shipped.decodeOverhead - 1) < 1e-3)
        #expect(fitted.model.provenance == shipped.provenance)
        print("attention fit:", fitted.model.prefillOverhead, fitted.model.secondsPerKey, fitted.model.decodeOverhead, fitted.model.provenance)
    }

    @Test("calibrating from the shipped tables fits the table form, the knee and linear ones beside it, and names its source")
    func profile() throws {
        let composition = try MeasuredCalibration.composition(project: .vidur, input: Shipped.vidur, model: "Llama-2-7b-hf", gpu: .h100, tp: 2)
        let profile = try MeasuredCalibration.profile(project: .vidur, composition: composition, gpu: .h100)
        // Prefills 32…4,096, powers of two and from 256 on the midpoints (13); 10 batches × 3 contexts, less those the KV
        // cache cannot hold: 2 × 80 GB × 0.9 − 2 B × 6.74 B parameters = 130.5 GB at 512 KiB per token (32 layers × 32 KV
        // heads × 128 × 2 × 2 B) = 248,900 tokens, which leaves out 64 × 4,096, 128 × 4,096, 256 × 1,024, 256 × 4,096,
        // 512 × 1,024 and 512 × 4,096.
        #expect(abs(MeasuredCalibration.kvCapacityTokens(model: composition.model, tp: 2, gpu: .h100) - 248_900) < 100)
        // And chunks of 256 and 1,024 tokens after 1,024, 4,096 and 16,384 cached ones (6).
        #expect(profile.samples.count == 13 + 6 + 30 - 6)
        #expect(profile.samples.allSatisfy { Double($0.contextTokens) <= 248_900 })
        #expect(profile.fit.rSquared > 0.9 && profile.fit.perPrefillToken > 0)
        let knee = try #require(profile.kneeFit), table = try #require(profile.tableFit)
        #expect(profile.form == "table" && knee.perTokenCompute > 0)
        #expect(knee.maxRelativeError < profile.fit.maxRelativeError && knee.rSquared > profile.fit.rSquared)
        #expect(table.maxRelativeError < knee.maxRelativeError && table.maxRelativeError < 0.05)
        // The attention terms are the attention model's, summed over 32 layers: 26.88 ns per key per layer, and the work
        // spread over 132 SMs in 128-query blocks of 16 heads per GPU (TP 2).
        #expect(abs(table.perAttentionKey - 32 * 26.8848e-9) < 1e-15)
        #expect(abs(table.perAttentionUnit - 32 * 26.8848e-9 * 16 / (128 * 132)) < 1e-18)
        // At TP 2 the all-reduces are measured: positive at every knot, and growing with the tokens.
        #expect(table.communication.allSatisfy { $0 > 0 } && table.communication.last! > table.communication.first!)
        let source = try #require(profile.source)
        for part in ["Vidur", "7d47513", "MIT", "Llama-2-7b-hf", "H100", "TP 2", "all-reduce", "attention modelled"] {
            #expect(source.contains(part), "source lacks \(part): \(source)")
        }
        let decoded = try CalibratedProfile.decode(try profile.encoded(), file: "test")
        #expect(decoded == profile)
        #expect(decoded.hardwareProfile.source.hasPrefix("measured: Vidur"))
        // Served deeper, the note says the composed embedding and LM head were scaled too (not "not measured").
        let deeper = try profile.hardwareProfile(serving: ModelSpec(name: "Llama-2-7b-hf", weightsBytes: 27e9, kvBytesPerToken: 1e6, layers: 64))
        #expect(deeper.source.contains("scaled ×2 from 32 to 64 layers (every term, the once-per-iteration embedding"))
        #expect(!deeper.source.contains("not measured)"))
    }
}
