import Foundation
import Headroom
import HeadroomEngine
import Testing
@testable import HeadroomCalibration

/// The table form's fit (`TableModelFit`).
@Suite("Table-form fitting")
struct TableFittingTests {
    /// A convex linear-operator curve no knee follows, the known attention and all-reduces around it.
    static let attention = TableModelFit.Attention(perKey: 2.1e-6, perUnit: 0.25e-9)
    static func linear(_ tokens: Int) -> Double { 6e-3 + 1e-9 * Double(tokens * tokens) / 4 + (tokens > 128 ? 20e-6 * Double(tokens - 128) : 0) }
    static func communication(_ tokens: Int) -> Double { 50e-6 + 0.4e-6 * Double(tokens) }
    static let perDecode = 9e-6, perContext = 23e-9

    static func samples() -> [CalibratedProfile.Sample] {
        var samples: [CalibratedProfile.Sample] = []
        for tokens in [32, 64, 128, 256, 384, 512, 768, 1024, 2048] {
            samples.append(.init(batch: 1, prefillTokens: tokens, contextTokens: 0,
                                 seconds: linear(tokens) + communication(tokens) + attention.prefill(chunk: Double(tokens), cached: 0)))
        }
        for chunk in [256, 1024] {
            for cached in [1024, 16384] {
                let seconds = linear(chunk) + communication(chunk) + attention.prefill(chunk: Double(chunk), cached: Double(cached))
                samples.append(.init(batch: 1, prefillTokens: chunk, contextTokens: cached, seconds: seconds))
            }
        }
        for batch in [1, 2, 4, 32, 64, 128, 256] {
            for context in [256, 4096] {
                let seconds = linear(batch) + communication(batch) + perDecode * Double(batch) + perContext * Double(batch * context)
                samples.append(.init(batch: batch, prefillTokens: 0, contextTokens: batch * context, seconds: seconds))
            }
        }
        return samples
    }

    static var communicationByTokens: [Int: Double] {
        Dictionary(uniqueKeysWithValues: Set(samples().map { $0.prefillTokens > 0 ? $0.prefillTokens : $0.batch }).map { ($0, communication($0)) })
    }

    @Test("the fit recovers a synthetic table, decode and context terms exactly")
    func recovers() throws {
        let fit = try TableModelFit.fit(Self.samples(), attention: Self.attention, communication: Self.communicationByTokens)
        func close(_ a: Double, _ b: Double) -> Bool { abs(a - b) <= 1e-6 * abs(b) + 1e-12 }
        #expect(fit.tokens == [1, 2, 4, 32, 64, 128, 256, 384, 512, 768, 1024, 2048])
        for (tokens, value) in zip(fit.tokens, fit.linear) { #expect(close(value, Self.linear(tokens)), "\(tokens) tokens: \(value)") }
        #expect(zip(fit.tokens, fit.communication).allSatisfy { close($1, Self.communication($0)) })
        #expect(close(fit.perDecodeSequence, Self.perDecode) && close(fit.perContextToken, Self.perContext), "\(fit)")
        #expect(fit.perAttentionKey == Self.attention.perKey && fit.perAttentionUnit == Self.attention.perUnit)
        #expect(fit.maxRelativeError < 1e-9)
    }

    @Test("the simulator's table profile reproduces every sample it was fitted on within a nanosecond's rounding")
    func simulatorAgrees() throws {
        var profile = CalibratedProfile(
            name: "t", backend: "vidur", device: .init(name: "H100 × 1", memoryBytes: 80e9, driver: "", runtime: "", hostProcessor: ""),
            model: .init(name: "m", layers: 32, hidden: 4096, heads: 32, kvHeads: 8, intermediate: 14336, dtype: "bf16", parameters: 8e9),
            samples: Self.samples(), fit: try IterationModelFit.fit(Self.samples()), loadPath: nil)
        profile.form = "table"
        profile.tableFit = try TableModelFit.fit(Self.samples(), attention: Self.attention, communication: Self.communicationByTokens)
        let model = profile.hardwareProfile
        #expect(model.form == .table)
        for sample in Self.samples() {
            let predicted = model.iterationTime(batch: sample.batch, prefillTokens: sample.prefillTokens, contextTokens: Int64(sample.contextTokens))
            #expect(abs(predicted.seconds - sample.seconds) < 10e-9, "\(sample)")
        }
        // Refitting on a subset keeps the attention terms and reads the all-reduces off the table.
        let subset = Array(Self.samples().enumerated().filter { $0.offset % 3 != 0 }.map(\.element))
        let refit = try TableModelFit.refit(profile.tableFit!, on: subset)
        #expect(refit.perAttentionKey == Self.attention.perKey && refit.maxRelativeError < 1e-9)
    }

    @Test("a table fit is refused on fewer than two token counts, or samples it cannot read")
    func refused() {
        let one = [CalibratedProfile.Sample(batch: 4, prefillTokens: 0, contextTokens: 100, seconds: 1e-3),
                   CalibratedProfile.Sample(batch: 4, prefillTokens: 0, contextTokens: 200, seconds: 2e-3)]
        #expect { try TableModelFit.fit(one, attention: Self.attention, communication: [:]) } throws: {
            "\($0)".contains("at least 2 distinct token counts")
        }
        let mixed = [CalibratedProfile.Sample(batch: 3, prefillTokens: 100, contextTokens: 0, seconds: 1e-3)]
        #expect { try TableModelFit.fit(mixed, attention: Self.attention, communication: [:]) } throws: { "\($0)".contains("batch 1") }
        #expect { try TableModelFit.fit(Self.samples(), attention: Self.attention, communication: [1: 0]) } throws: {
            "\($0)".contains("no all-reduce time")
        }
    }
}
