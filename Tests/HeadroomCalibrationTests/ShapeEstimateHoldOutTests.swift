import Foundation
import Testing

@testable import HeadroomCalibration

/// The check the shape estimate rests on: fit a GPU's rates without one measured model, predict
/// that model's composed iteration times from its shape alone, compare over the calibration grid.
///
/// Runs on the tables in `measurements/`; with `HEADROOM_MEASUREMENTS` set to the full sets
/// (Vidur's and LLMServingSim's, same layout) it also checks every TP and the A100 (the numbers
/// quoted in docs/estimated-profiles.md).
@Suite("Shape estimate: hold-out check against measured models")
struct ShapeEstimateHoldOutTests {
    static let full = ProcessInfo.processInfo.environment["HEADROOM_MEASUREMENTS"]
    static var vidur: String { full.map { "\($0)/vidur" } ?? Shipped.vidur }
    static var llmServingSim: String { full.map { "\($0)/llmservingsim" } ?? Shipped.llmServingSim }

    static func report(_ what: String, _ result: ShapeEstimate.HoldOut) {
        let at = result.worstPoint
        print(
            String(
                format: "hold-out %@: %d points, iteration median %.1f %%, worst %.1f %% (batch %d, prefill %d, context %d); "
                    + "linear operators median %.1f %%, worst %.1f %%", what, result.points, result.median * 100,
                result.worst * 100,
                at.batch, at.prefillTokens, at.contextTokens, result.linearMedian * 100, result.linearWorst * 100))
    }

    @Test("dense: Llama-2-7B on H100 predicted from its shape at rates fitted to Vidur's other H100 models")
    func llama2H100() throws {
        let rates = try GPURates.fit(vidur: Self.vidur, gpu: .h100, excluding: ["llama-2-7b-hf"])
        #expect(
            !rates.basis.contains("Llama-2-7b-hf") && rates.basis.contains("Llama-2-70b-hf") && rates.basis.contains("skipped"))
        for tp in [1, 2, 4, 8] {
            let measured = try MeasuredCalibration.composition(
                project: .vidur, input: Self.vidur, model: "Llama-2-7b-hf", gpu: .h100, tp: tp)
            let result = try ShapeEstimate.holdOut(measured: measured, rates: rates)
            Self.report("Llama-2-7B H100 TP \(tp)", result)
            // Measured: median 4–6 %, worst 9–23 % (TP 1's worst is the GEMM tile step at 256 tokens, which no roofline has).
            #expect(result.median < 0.10 && result.worst < 0.35, "TP \(tp)")
        }
    }

    @Test("mixture of experts: Mixtral-8x7B on H100 predicted at rates fitted to LLMServingSim's Llama-3.1 tables")
    func mixtralH100() throws {
        let rates = try GPURates.fit(llmServingSim: Self.llmServingSim, excluding: ["mixtral-8x7b-v0.1"])
        #expect(rates.style == .perModule && !rates.basis.contains("Mixtral"))
        for tp in Self.full == nil ? [1, 4] : [1, 2, 4] {
            let measured = try MeasuredCalibration.composition(
                project: .llmservingsim, input: Self.llmServingSim, model: "Mixtral-8x7B-v0.1",
                gpu: .h100, tp: tp, network: Shipped.allReduce)
            let result = try ShapeEstimate.holdOut(measured: measured, rates: rates)
            Self.report("Mixtral-8x7B H100 TP \(tp)", result)
            // Measured: median 1–6 %, worst 5–8 %.
            #expect(result.median < 0.12 && result.worst < 0.20, "TP \(tp)")
        }
    }

    @Test(
        "dense on A100: Meta-Llama-3-8B from Vidur's other A100 models (full tables only)",
        .enabled(if: full != nil, "set HEADROOM_MEASUREMENTS to the full measurement folders"))
    func llama3A100() throws {
        let rates = try GPURates.fit(vidur: Self.vidur, gpu: .a100, excluding: ["meta-llama-3-8b"])
        for tp in [1, 2, 4, 8] {
            let measured = try MeasuredCalibration.composition(
                project: .vidur, input: Self.vidur, model: "Meta-Llama-3-8B", gpu: .a100, tp: tp)
            let result = try ShapeEstimate.holdOut(measured: measured, rates: rates)
            Self.report("Meta-Llama-3-8B A100 TP \(tp)", result)
            // Measured: median 3–5 %, worst 10–12 %.
            #expect(result.median < 0.10 && result.worst < 0.25, "TP \(tp)")
        }
    }

    @Test("the shipped rates are the fit to every Vidur table of their GPU")
    func shippedRates() throws {
        for gpu in Self.full == nil ? [MeasuredGPU.h100] : MeasuredGPU.allCases {
            let refit = try GPURates.fit(vidur: Self.vidur, gpu: gpu)
            let shipped = GPURates.fitted(gpu)
            // The literals `GPURates+Fitted.swift` holds, printed for when the tables change.
            for (kind, rate) in refit.rates.sorted(by: { $0.key < $1.key }) {
                print(
                    String(
                        format:
                            "        .%@: Rate(bandwidth: %.4ge12, flops: %@, overhead: %.4ge-6, calls: %d, medianError: %.4f, worstError: %.4f),",
                        kind.rawValue, rate.bandwidth / 1e12, rate.flops.map { String(format: "%.4ge12", $0 / 1e12) } ?? "nil",
                        rate.overhead * 1e6, rate.calls, rate.medianError, rate.worstError))
            }
            print("basis \(gpu.rawValue): \(refit.basis)")
            #expect(Set(refit.rates.keys) == Set(shipped.rates.keys))
            for (kind, rate) in refit.rates {
                let ship = try #require(shipped.rates[kind])
                #expect(abs(ship.bandwidth / rate.bandwidth - 1) < 0.005, "\(gpu) \(kind) bandwidth")
                #expect(abs((ship.flops ?? 0) - (rate.flops ?? 0)) <= 0.005 * (rate.flops ?? 0), "\(gpu) \(kind) FLOP rate")
                #expect(abs(ship.overhead - rate.overhead) < 0.01e-6 + 0.005 * rate.overhead, "\(gpu) \(kind) overhead")
            }
            #expect(shipped.basis == refit.basis)
        }
    }
}
