import Foundation
import Testing
@testable import HeadroomStore

/// The racing statistic: a partly run candidate's forecast mean over all seeds corrects for the
/// seed effects the complete candidates measured (common random numbers).
@Suite("Tune forecast")
struct TuneForecastTests {
    static func candidate(_ index: Int, _ attainment: [Double]) -> TuneCandidate {
        var c = TuneCandidate(index: index, levels: [index], label: "c\(index)")
        c.results = attainment.map { ["slo_both": $0] }
        return c
    }

    @Test("a one-seed forecast adds the seed effects of the complete candidates; their exact fit leaves no residual")
    func seedEffects() throws {
        // Seed 2 is hard for both complete candidates: effects β = (+1/60, −7/300, +1/150), the same for A and B.
        let a = Self.candidate(0, [1.00, 0.96, 0.99]), b = Self.candidate(1, [0.98, 0.94, 0.97])
        let c = Self.candidate(2, [0.995])
        let forecast = TuneForecast([a, b, c], metrics: ["slo_both"], seeds: 3)
        let beta = try #require(forecast.effects["slo_both"])
        #expect(abs(beta[0] - 1.0 / 60) < 1e-12 && abs(beta[1] + 7.0 / 300) < 1e-12)
        // Seed-adjusted mean 0.995 − 1/60 = 0.97833; forecast (0.995 + 0.97833 − 7/300 + 0.97833 + 1/150) / 3 = 0.97833.
        let (mean, sd) = forecast.forecast("slo_both", of: c)
        #expect(abs(mean - (0.995 - 1.0 / 60)) < 1e-12)
        // A and B fit the seed effects exactly and the effects took their N − 1 = 2 spare degrees of freedom.
        #expect(sd == 0 || forecast.residual["slo_both"] == nil)
        #expect(forecast.probability(try TuneConstraint.parse("slo.both >= 0.99"), of: c) < 0.05, "99.5 % on the easy seed is not enough")
        #expect(forecast.probability(try TuneConstraint.parse("slo.both >= 0.97"), of: c) > 0.95)
        // A complete candidate's forecast is its own mean, exactly.
        #expect(abs(forecast.forecast("slo_both", of: a).mean - 2.95 / 3) < 1e-12 && forecast.forecast("slo_both", of: a).sd == 0)
    }

    @Test("without complete candidates a one-seed forecast is the value itself with the wide prior spread")
    func prior() {
        let forecast = TuneForecast([Self.candidate(0, [200])], metrics: ["slo_both"], seeds: 3)
        let (mean, sd) = forecast.forecast("slo_both", of: Self.candidate(0, [200]))
        // sd² = (2/9 + 4/9) · (0.1 · 200)² → sd = 20 · √(2/3).
        #expect(mean == 200 && abs(sd - 20 * (2.0 / 3).squareRoot()) < 1e-9)
    }
}
