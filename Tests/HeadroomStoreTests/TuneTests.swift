import Foundation
import GRDB
import Headroom
import Testing
@testable import HeadroomStore

/// `headroom tune`'s search: parameters, constraints and objectives read as documented; the
/// search finds a hand-computed optimum with fewer runs than the grid, never spends past its
/// budget, and does not depend on the number of workers.
@Suite("Tune")
struct TuneTests {
    /// A fixed fleet whose answer is hand-computable. Arrivals are nearly regular (gamma, cv 0.01)
    /// at λ = 10/s; a replica serves one request at a time (max_num_seqs 1) in 25 steps of 10 ms
    /// (16-token prompt, 25 output tokens, no per-token cost), S ≈ 0.25 s. Offered load λ·S = 2.5
    /// replicas: 3 replicas keep up with no queue (TTFT ≈ one step), 2 fall behind by 2 req/s and
    /// the queue grows for the whole run (TTFT past the 1 s target within seconds). One GPU per node,
    /// so cost grows with replicas: the least cost meeting `slo_both >= 0.99` is 3 replicas.
    static let fleet = """
        name: tune-fleet
        duration: 2m
        seed: 1
        workload:
          arrivals: {process: gamma, rate: 10/s, cv: 0.01}
          prompt_tokens: 16
          output_tokens: 25
        model: {name: m, weights: 16GB, kv_bytes_per_token: 128KiB}
        profile: {base: 10ms, per_seq: 0ns, per_prefill_token: 0ns, per_context_token: 0ns}
        node_pools: [{name: p, gpu: H100, gpus_per_node: 1, price_per_hour: 10, max_nodes: 20}]
        replica:
          engine: {max_num_seqs: 1}
        slo: {ttft: 1s, itl: 100ms}
        policy: {kind: fixed, replicas: 1, warm: true}
        """

    static func settings(budget: Int = 30, seed: UInt64 = 1) throws -> TuneSettings {
        TuneSettings(parameters: [try TuneParameter.parse("policy.replicas=1..12")],
                     constraints: [try TuneConstraint.parse("slo.both >= 0.99"), try TuneConstraint.parse("dropped == 0")],
                     objective: try TuneObjective.parse("cost_dollars"), budget: budget, seeds: 3, searchSeed: seed)
    }

    /// Runs a tune of the fleet into an in-memory store.
    static func tune(_ settings: TuneSettings, workers: Int, grid: Bool = false) throws -> TuneSearch {
        let store = try RunStore(writer: DatabaseQueue())
        let sweepID = try store.sweep(named: "t", file: "fleet.yaml")
        var runner = TuneRunner(store: store, sweepID: sweepID, base: ScenarioDocument(yaml: fleet, file: "fleet.yaml"),
                                settings: settings, workers: workers)
        let check = runner
        var search = TuneSearch(settings: settings, validate: { check.refusal($0) })
        if grid { try search.runGrid(evaluate: { try runner.evaluate($0) }) } else { try search.run(evaluate: { try runner.evaluate($0) }) }
        #expect(try store.runs(limit: 10_000).count == search.runs, "every run the search counts is stored once")
        return search
    }

    @Test("tune finds the hand-computed optimum (3 replicas) in fewer runs than the grid, within its budget")
    func knownOptimum() throws {
        let search = try Self.tune(try Self.settings(), workers: 2)
        let best = try #require(search.incumbent.map { search.candidates[$0] })
        #expect(best.label == "replicas=3")
        #expect(best.seeds == 3 && best.mean("slo_both") >= 0.99)
        #expect(search.runs <= 30)
        let grid = try Self.tune(try Self.settings(), workers: 2, grid: true)
        #expect(grid.incumbent.map { grid.candidates[$0].label } == "replicas=3")
        #expect(grid.runs == 36 && search.runs < grid.runs)
        // Racing: 1 and 2 replicas are plainly short on seed 1 and get no second seed.
        for c in search.candidates where c.levels[0] < 2 { #expect(c.seeds == 1 && c.status == .infeasible, "\(c.label)") }
    }

    @Test("the answer's YAML is the touched sections of the tuned scenario, with the real field names")
    func excerpt() throws {
        var document = ScenarioDocument(yaml: Self.fleet, file: "fleet.yaml")
        try document.set("policy.replicas", to: "3")
        let yaml = try document.excerpt(covering: ["policy.replicas"])
        #expect(yaml == "policy:\n  kind: fixed\n  replicas: 3\n  warm: true\n")
        let settings = TuneSettings(parameters: [try TuneParameter.parse(#"policy.annotations."autoscaling.knative.dev/target"=1..4"#)],
                                    constraints: [], objective: TuneObjective(metric: "cost_dollars", maximize: false), budget: 1,
                                    seeds: 1, searchSeed: 1)
        #expect(settings.overrides([1]).first?.value == "\"2\"", "annotations are strings, as in a manifest")
        #expect(settings.label([1]) == "target=2")
    }

    @Test("the same --seed gives the same search with 1 or 3 workers")
    func deterministicAcrossWorkers() throws {
        let settings = try Self.settings(budget: 20, seed: 7)
        let one = try Self.tune(settings, workers: 1), three = try Self.tune(settings, workers: 3)
        #expect(one.candidates == three.candidates)
        #expect(one.incumbent == three.incumbent && one.runs == three.runs)
    }

    @Test("never more runs than the budget, even with a budget too small to finish one configuration")
    func budget() throws {
        for budget in [1, 2, 5] {
            let search = try Self.tune(try Self.settings(budget: budget), workers: 2)
            #expect(search.runs <= budget)
        }
    }

    @Test("parameters: integer, log, stepped, continuous, duration and categorical ranges")
    func parameters() throws {
        let target = try TuneParameter.parse(#"policy.annotations."autoscaling.knative.dev/target"=2..64:log"#)
        #expect(target.path == #"policy.annotations["autoscaling.knative.dev/target"]"#)
        #expect(target.kind == .integer && target.logarithmic && target.levels.count == 63 && target.levels.first == "2")
        #expect(target.shortName == "target")
        #expect(try TuneParameter.parse("node_pools[0].spare_nodes=0..2").shortName == "spare_nodes")
        let delay = try TuneParameter.parse(#"policy.annotations["autoscaling.knative.dev/scale-down-delay"]=0s..15m/1m"#)
        #expect(delay.kind == .duration && delay.levels.count == 16 && delay.levels[0] == "0s" && delay.levels[15] == "15m")
        #expect(try TuneParameter.parse("x=0s..15m").levels.count == 901)
        let rate = try TuneParameter.parse("x=0.1..10:log")
        #expect(rate.kind == .continuous && rate.levels.first == "0.1" && rate.levels.last == "10" && rate.levels.count == 101)
        #expect(try TuneParameter.parse("x=2..64/2").levels.count == 32)
        #expect(try TuneParameter.parse("policy.kind=kpa|hpa").levels == ["kpa", "hpa"])
        let coordinates = target.coordinates
        #expect(coordinates.first == 0 && coordinates.last == 1 && coordinates[1] > 1.0 / 62, "log spacing puts 3 well above 1/62")
    }

    @Test("bad --param, --constraint and --objective strings name the allowed forms and metrics")
    func badInput() {
        for bad in ["policy.replicas", "policy.replicas=12..1", "x=a..b", "x=1..10/0", "x=0..10:log", "x=a|", "x=1..2..3"] {
            #expect { try TuneParameter.parse(bad) } throws: { "\($0)".contains("LOW..HIGH") && "\($0)".contains("a|b|c") }
        }
        for bad in ["slo_both 0.99", "slo.bth >= 0.99", "ttft.p99 <= fast"] {
            #expect { try TuneConstraint.parse(bad) } throws: { "\($0)".contains("METRIC OP VALUE") }
        }
        #expect { try TuneConstraint.parse("slo.bth >= 0.99") } throws: { "\($0)".contains("slo_both") && "\($0)".contains("ttft_p99_seconds") }
        #expect { try TuneObjective.parse("cheapness") } throws: { "\($0)".contains("max:METRIC") && "\($0)".contains("cost_dollars") }
    }

    @Test("constraints read units and percentages; the probability of meeting one follows its margin")
    func constraints() throws {
        let ttft = try TuneConstraint.parse("ttft.p99 <= 2s")
        #expect(ttft.metric == "ttft_p99_seconds" && ttft.relation == .atMost && ttft.threshold == 2)
        #expect(try TuneConstraint.parse("ttft.p99 < 500ms").threshold == 0.5)
        #expect(try TuneConstraint.parse("slo_both >= 99%").threshold == 0.99)
        let dropped = try TuneConstraint.parse("dropped == 0")
        #expect(dropped.probability(values: [0, 0, 3, 0], standardError: 1) == 0.75)
        // A mean one standard error inside the threshold: Φ(1) ≈ 0.841.
        #expect(abs(ttft.probability(values: [1.5], standardError: 0.5) - 0.8413) < 1e-3)
        #expect(try TuneObjective.parse("max:slo.both") == TuneObjective(metric: "slo_both", maximize: true))
    }
}
