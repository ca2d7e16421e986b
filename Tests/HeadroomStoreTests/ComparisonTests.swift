import Foundation
import Testing
@testable import HeadroomStore

/// Intervals that stay inside each quantity's range, the Pareto front among variants that meet the
/// SLO, paired differences, baseline names and a table that fits the terminal.
@Suite("Comparison statistics")
struct ComparisonTests {
    @Test("a metric no run recorded (runs stored before it existed) is left out, not a NaN that JSON cannot hold")
    func missingMetric() throws {
        let old: [String: Double] = ["cost_dollars": 2, "slo_both": 0.9, "finished": 10, "dropped": 0, "ttft_p99_seconds": 1]
        let comparison = Comparison(runs: ["a": [(seed: 1, values: old), (seed: 2, values: old)], "b": [(seed: 1, values: old)]],
                                    baseline: "a")
        #expect(comparison.rows.allSatisfy { $0.metrics["cost_on_demand_dollars"] == nil && $0.metrics["cost_dollars"] != nil })
        #expect(comparison.rows.allSatisfy { $0.pairedDifferences?["cost_on_demand_dollars"] == nil })
        _ = try JSONEncoder().encode(comparison.rows)
    }

    @Test("Wilson's interval matches Newcombe (1998) Table I and stays in [0, 1]")
    func wilson() {
        // Newcombe, "Two-sided confidence intervals for the single proportion", Stat Med 17:857, method 3.
        for (x, n, low, high) in [(81.0, 263.0, 0.2553, 0.3662), (15, 148, 0.0624, 0.1605), (0, 10, 0, 0.2775), (1, 29, 0.0061, 0.1718)] {
            let (l, h) = ConfidenceInterval.wilson(successes: x, trials: n)
            #expect(abs(l - low) < 5e-5 && abs(h - high) < 5e-5, "\(x)/\(n): \(l)–\(h)")
        }
        for x in stride(from: 0.0, through: 20, by: 1) {
            for z in [1.0, 1.96, 4.303, 12.706] {
                let (l, h) = ConfidenceInterval.wilson(successes: x, trials: 20, z: z)
                #expect(0 <= l && l <= x / 20 && x / 20 <= h && h <= 1)
            }
        }
    }

    @Test("SLO attainment over seeds: widened by the seeds' spread, never past 0–100 % (was 94.3 % ± 24.6 %)")
    func shareOverSeeds() {
        // Student t over these gives 94.3 % ± 24.6 %: an upper bound of 119 %.
        let shares = [0.997, 0.837, 0.995]
        let e = ConfidenceInterval.share(shares, trials: 150_000)
        #expect(abs(e.mean - 0.943) < 1e-3)
        #expect(e.low >= 0 && e.high <= 1 && e.low < e.mean && e.mean < e.high)
        #expect(e.high - e.low > 0.2, "the seeds disagree: the interval must stay wide")
        #expect(e.method == .wilson && !e.reliable)
        // All seeds at 100 %: the requests judged bound it below 100 %, not a zero-width interval.
        let perfect = ConfidenceInterval.share([1, 1, 1], trials: 3000)
        #expect(perfect.high == 1 && perfect.low < 1 && perfect.low > 0.99)
        #expect(ConfidenceInterval.share([0.9]) == Comparison.Estimate(mean: 0.9, low: 0.9, high: 0.9, count: 1, method: .none))
    }

    @Test("bootstrap: latencies and costs stay positive, inside the observed range, the same every time")
    func bootstrap() {
        let p99 = [0.56, 12.26, 61.0]  // Student t: 24.6 ± 79, down to -55 s
        let e = ConfidenceInterval.bootstrap(p99)
        #expect(e.low > 0 && e.low >= 0.56 && e.high <= 61 && e.low < e.mean && e.mean < e.high)
        #expect(e == ConfidenceInterval.bootstrap(p99), "a fixed seed: reproducible")
        #expect(e.method == .bootstrap)
        for seed in 0..<20 as Range<UInt64> {
            let values = (0..<Int(2 + seed % 9)).map { Double($0 * 7 % 5) * 0.3 + 0.01 }
            let b = ConfidenceInterval.bootstrap(values, seed: seed)
            #expect(b.low >= values.min()! && b.high <= values.max()! && b.low <= b.mean && b.mean <= b.high)
        }
        // Many seeds from one distribution: close to the normal-theory interval.
        let many = (0..<200).map { Double($0 % 10) }
        let wide = ConfidenceInterval.bootstrap(many)
        let half = 1.96 * (8.25 * 200 / 199).squareRoot() / 200.0.squareRoot()
        #expect(abs((wide.high - wide.low) / 2 - half) < 0.05 && wide.reliable)
    }

    @Test("paired differences: Student t, clipped so the variant cannot go below zero")
    func paired() {
        let runs: [String: [(seed: Int64, values: [String: Double])]] = [
            "base": [(1, ["cost_dollars": 10, "ttft_p99_seconds": 1, "slo_both": 0.99]), (2, ["cost_dollars": 20, "ttft_p99_seconds": 2, "slo_both": 0.98])],
            "new": [(1, ["cost_dollars": 11, "ttft_p99_seconds": 0.5, "slo_both": 0.999]), (2, ["cost_dollars": 21, "ttft_p99_seconds": 1.9, "slo_both": 0.5])],
        ]
        let comparison = Comparison(runs: runs, baseline: "base", attainmentTarget: 0.9)
        let new = comparison.rows.first { $0.variant == "new" }!
        // +1 dollar on both seeds, zero spread; the unpaired interval is wide.
        #expect(new.pairedDifferences?["cost_dollars"] == Comparison.Estimate(mean: 1, low: 1, high: 1, count: 2, method: .studentT))
        #expect(new.metrics["cost_dollars"]!.high - new.metrics["cost_dollars"]!.low > 5)
        // Student t with 1 degree of freedom is huge: clipped at −(baseline mean) and at 1 − baseline for a share.
        let ttft = new.pairedDifferences!["ttft_p99_seconds"]!
        #expect(ttft.low == -1.5)
        let slo = new.pairedDifferences!["slo_both"]!
        #expect(slo.low == -0.985 && abs(slo.high - 0.015) < 1e-12)
    }

    @Test("the Pareto front is drawn among the variants that meet the SLO only")
    func paretoAmongFeasible() {
        #expect(Comparison.paretoFront([(1, 5), (2, 2), (3, 3), (1, 6), (5, 1)]) == [true, true, false, false, true])
        #expect(Comparison.paretoFront([(1, 5), (2, 2), (3, 3), (1, 6), (5, 1)], feasible: [false, true, true, true, false])
                == [false, true, false, true, false])
        // The cheapest and fastest variant misses the SLO: it is not on the front and dominates nothing.
        let runs: [String: [(seed: Int64, values: [String: Double])]] = [
            "cheap-miss": [(1, ["cost_dollars": 5, "ttft_p99_seconds": 0.5, "slo_both": 0.90])],
            "ok": [(1, ["cost_dollars": 10, "ttft_p99_seconds": 1, "slo_both": 0.995])],
            "dominated": [(1, ["cost_dollars": 12, "ttft_p99_seconds": 2, "slo_both": 0.999])],
        ]
        let rows = Dictionary(uniqueKeysWithValues: Comparison(runs: runs, baseline: nil).rows.map { ($0.variant, $0) })
        #expect(rows["cheap-miss"]?.meetsSLO == false && rows["cheap-miss"]?.paretoOptimal == false)
        #expect(rows["ok"]?.paretoOptimal == true && rows["dominated"]?.paretoOptimal == false && rows["dominated"]?.meetsSLO == true)
        let strict = Comparison(runs: runs, baseline: nil, attainmentTarget: 0.999)
        #expect(strict.rows.filter(\.paretoOptimal).map(\.variant) == ["dominated"])
    }

    @Test("--baseline takes a variant's name or the short name before its grid point; ambiguity names the matches")
    func baselineNames() throws {
        let variants = ["kpa, duration=10m", "hpa, duration=10m", "hpa, duration=20m", "hpa"]
        #expect(try Comparison.resolveVariant("kpa", among: variants) == "kpa, duration=10m")
        #expect(try Comparison.resolveVariant("hpa", among: variants) == "hpa", "an exact name wins")
        #expect(try Comparison.resolveVariant("hpa, duration=20m", among: variants) == "hpa, duration=20m")
        #expect(throws: ComparisonError.ambiguousVariant("hpa", matches: ["hpa, duration=10m", "hpa, duration=20m"])) {
            try Comparison.resolveVariant("hpa", among: Array(variants.dropLast()))
        }
        #expect(throws: ComparisonError.unknownVariant("oracle", variants: variants.sorted())) {
            try Comparison.resolveVariant("oracle", among: variants)
        }
        let message = "\(ComparisonError.ambiguousVariant("hpa", matches: ["hpa, duration=10m", "hpa, duration=20m"]))"
        #expect(message.contains("hpa, duration=10m; hpa, duration=20m"))
    }

    /// Three seeds of four grid variants with long key paths, like a real sweep.
    static func sweep() -> Comparison {
        var runs: [String: [(seed: Int64, values: [String: Double])]] = [:]
        for (i, name) in ["hpa-cpu", "hpa-gpu", "hpa-qps", "kpa-concurrency"].enumerated() {
            for median in ["30s", "2m"] {
                let variant = "\(name), node_pools[0].provisioning.median=\(median), policy.annotations[\"autoscaling.knative.dev/target\"]=16"
                runs[variant] = (1...3).map { seed in
                    let s = Double(seed), k = Double(i + 1)
                    return (Int64(seed), ["ttft_p99_seconds": 0.3 * k * s * s, "slo_both": 1 - 0.02 * k * s, "dropped": 1000 * k * s,
                                          "cost_dollars": 250 * k + 40 * s, "ttft_p50_seconds": 0.05 * s, "itl_p99_seconds": 0.04,
                                          "e2e_p99_seconds": 20 * s, "cold_starts_started": 100 * s, "gpu_hours_serving": 10 * s,
                                          "gpu_hours_idle": s, "gpu_hours_starting": 0.5 * s, "cost_per_million_output_tokens": 3 * s,
                                          "finished": 50_000, "dropped_": 0])
                }
            }
        }
        return Comparison(runs: runs, baseline: "kpa-concurrency, node_pools[0].provisioning.median=30s, policy.annotations[\"autoscaling.knative.dev/target\"]=16",
                          attainmentTarget: 0.95)
    }

    @Test("the table fits 100 columns by default, any narrower width asked for, and --wide shows every column")
    func tableWidth() {
        let comparison = Self.sweep()
        let table = ComparisonTable().render(comparison)
        #expect(table.split(separator: "\n").allSatisfy { $0.count <= 100 }, "\(table)")
        for title in ["TTFT p99", "SLO met", "cost"] { #expect(table.contains(title), "\(table)") }
        #expect(table.contains("n = 3 seeds: intervals are rough"))
        #expect(!table.contains("±"))
        for width in [60, 80, 120] {
            let text = ComparisonTable(width: width).render(comparison)
            #expect(text.split(separator: "\n").allSatisfy { $0.count <= width }, "width \(width):\n\(text)")
        }
        let wide = ComparisonTable.wide.render(comparison)
        for column in ComparisonColumn.all { #expect(wide.contains(column.title)) }
        #expect(wide.split(separator: "\n").contains { $0.count > 100 })
        let chosen = ComparisonTable(columns: ["gpu_hours_idle", "cost_per_million_output_tokens"].compactMap(ComparisonColumn.named)).render(comparison)
        #expect(chosen.contains("GPU-h idle") && chosen.contains("$/Mtok") && !chosen.contains("TTFT p99"))
    }

    @Test("cells: asymmetric intervals in the mean's unit, no interval for one seed")
    func cells() {
        let seconds = ComparisonColumn.named("ttft_p99_seconds")!
        #expect(seconds.cell(Comparison.Estimate(mean: 12.26, low: 0.56, high: 61, count: 3)) == "12.3s (0.560–61.0)")
        #expect(seconds.cell(Comparison.Estimate(mean: 0.25, low: 0.2, high: 0.3, count: 3)) == "250ms (200–300)")
        #expect(seconds.cell(Comparison.Estimate(mean: 0.25, low: 0.25, high: 0.25, count: 1)) == "250ms")
        let slo = ComparisonColumn.named("slo_both")!
        #expect(slo.cell(Comparison.Estimate(mean: 0.9995, low: 0.99, high: 0.99999, count: 3)) == "99.95% (99.00–99.99)")
        #expect(slo.cell(nil) == "—")
        let cost = ComparisonColumn.named("cost_dollars")!
        #expect(cost.signedCell(Comparison.Estimate(mean: -16.1, low: -32.5, high: 188, count: 2)) == "-$16.1 (-32.5–+188)")
    }
}
