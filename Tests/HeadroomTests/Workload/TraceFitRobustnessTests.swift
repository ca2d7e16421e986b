import Foundation
import HeadroomEngine
import HeadroomTestSupport
import Testing
@testable import Headroom

/// A fit never fails silently: busy bins do not underflow, the bin comes from the data, a
/// degenerate fit is refitted or refused, and the goodness of fit is reported.
@Suite("Trace fitting: bursty traces and degenerate fits")
struct TraceFitRobustnessTests {
    /// The requests of `arrivals` over `seconds`, as `trace synth` writes them.
    static func synthTrace(_ arrivals: ArrivalProcess, seconds: Double, seed: UInt64 = 3) throws -> String {
        var generator = SyntheticWorkload(WorkloadSpec(arrivals: arrivals, promptTokens: .constant(100), outputTokens: .constant(10)), seed: seed)
        var text = TraceReader.synthHeader + "\n"
        while let request = generator.next(), request.arrival.seconds < seconds {
            text += "\(request.arrival.seconds),\(request.promptTokens),\(request.outputTokens)\n"
        }
        return try TraceTests.write(text)
    }

    static let bursty = ArrivalProcess.mmpp(states: [MMPPState(rate: 5, meanDwell: .seconds(60)), MMPPState(rate: 50, meanDwell: .seconds(60))])

    @Test("5 ↔ 50 req/s: the default fit recovers both rates (it used to give 1e-07/s and dwell never)")
    func burstyDefaultBin() throws {
        let path = try Self.synthTrace(Self.bursty, seconds: 2 * 3600)
        let fit = try TraceFit(file: path)
        guard case let .mmpp(states) = fit.arrivals else { Issue.record("not an MMPP: \(fit.arrivals)"); return }
        #expect(abs(states[0].rate / 5 - 1) < 0.1, "low rate \(states[0].rate)")
        #expect(abs(states[1].rate / 50 - 1) < 0.05, "high rate \(states[1].rate)")
        for state in states { #expect(abs(state.meanDwell.seconds / 60 - 1) < 0.3, "dwell \(state.meanDwell)") }
        // The bin came from the data (about ten arrivals a bin), and the goodness is reported.
        let bin = try #require(fit.goodness.bin)
        #expect(bin.seconds <= 1)
        let perBin = try #require(fit.goodness.logLikelihoodPerBin), poisson = try #require(fit.goodness.poissonLogLikelihoodPerBin)
        #expect(perBin > poisson)
        // The fitted chain's long-run rate is the trace's (the generated sample over 2 h is noisier).
        let stationary = states.reduce(0) { $0 + $1.rate * $1.meanDwell.seconds } / states.reduce(0) { $0 + $1.meanDwell.seconds }
        #expect(abs(stationary / fit.trace.meanRate - 1) < 0.1, "stationary \(stationary) vs \(fit.trace.meanRate)")
        #expect(abs(fit.fitted.meanRate / fit.trace.meanRate - 1) < 0.3)
    }

    @Test("5 ↔ 50 req/s on 10 s bins (500 arrivals a bin): no underflow, the same rates")
    func burstyWideBins() throws {
        let path = try Self.synthTrace(Self.bursty, seconds: 2 * 3600)
        let fit = try TraceFit(file: path, bin: .seconds(10))
        guard case let .mmpp(states) = fit.arrivals else { Issue.record("not an MMPP: \(fit.arrivals)"); return }
        #expect(states.allSatisfy { $0.rate > 1 }, "\(states)")
        #expect(abs(states[1].rate / 50 - 1) < 0.1, "high rate \(states[1].rate)")
    }

    @Test("a Poisson trace has no distinct states: a Poisson process, said so")
    func poissonCollapses() throws {
        let path = try Self.synthTrace(.poisson(rate: 20), seconds: 1800)
        let fit = try TraceFit(file: path)
        guard case let .poisson(rate) = fit.arrivals else { Issue.record("not Poisson: \(fit.arrivals)"); return }
        #expect(abs(rate / 20 - 1) < 0.05)
        #expect(fit.goodness.notes.contains { $0.contains("no distinct states") })
    }

    @Test("degenerate estimates are named: rates near zero, a state that never leaves")
    func degeneracy() {
        let zero = MMPPEstimate(counts: [1e-6, 1e-6], stay: [0.9, 0.9], logLikelihood: -10, bins: 100)
        #expect(TraceFit.degeneracy(zero, states: zero.states(width: 10), traceMeanRate: 27)?.contains("far from the trace") == true)
        let stuck = MMPPEstimate(counts: [50, 500], stay: [1, 0.9], logLikelihood: -10, bins: 100)
        #expect(TraceFit.degeneracy(stuck, states: stuck.states(width: 10), traceMeanRate: 5)?.contains("never leaves") == true)
        let infinite = MMPPEstimate(counts: [50, 500], stay: [0.9, 0.9], logLikelihood: -.infinity, bins: 100)
        #expect(TraceFit.degeneracy(infinite, states: infinite.states(width: 10), traceMeanRate: 27) != nil)
    }

    @Test("the bin is chosen from the data: about ten arrivals a bin, a round width")
    func binChoice() {
        #expect(TraceFit.binWidth(requests: 100_000, span: 3600) == 0.2)
        #expect(TraceFit.binWidth(requests: 3600, span: 3600) == 10)
        #expect(TraceFit.binWidth(requests: 100, span: 86_400) == 200)
    }
}
