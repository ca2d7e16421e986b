import Foundation
import HeadroomEngine
import HeadroomTestSupport
import PropertyBased
import Testing
@testable import Headroom

/// Properties that hold for every valid scenario, checked on random ones (PropertyBased shrinks a
/// failing case to a small one and prints the seed that reproduces it). Counts are bounded so the
/// suite stays fast in a debug build.
@Suite("Properties of random valid scenarios")
struct PropertyTests {
    /// A random valid scenario, described by the few knobs that change its shape.
    struct Shape: Sendable, CustomStringConvertible {
        var seed: UInt64
        var policy: Int          // 0 fixed, 1 KPA, 2 HPA on concurrency, 3 KEDA
        var arrivals: Int        // 0 Poisson, 1 MMPP, 2 spikes, 3 gamma
        var rate: Double         // requests per second
        var minReplicas: Int
        var maxReplicas: Int
        var maxNodes: Int
        var gpusPerNode: Int
        var stockout: Double
        var kvTokens: Int        // 0 = unlimited
        var queueTimeout: Int    // seconds, 0 = none
        var seconds: Int         // duration

        var description: String {
            "Shape(seed: \(seed), policy: \(policy), arrivals: \(arrivals), rate: \(rate), replicas: \(minReplicas)...\(maxReplicas), "
                + "maxNodes: \(maxNodes), gpusPerNode: \(gpusPerNode), stockout: \(stockout), kv: \(kvTokens), timeout: \(queueTimeout), links: \(sharedLinks), \(seconds)s)"
        }

        /// Capped links, from the seed so the generator keeps its shape: none, the node's NIC and
        /// disk, or those and the registry's and object store's egress (transfers then share them).
        var sharedLinks: Int { Int(seed % 3) }

        var yaml: String {
            let arrivalsYAML = [
                "{process: poisson, rate: \(rate)/s}",
                "{process: mmpp, states: [{rate: \(rate / 4)/s, dwell: 20s}, {rate: \(rate * 3)/s, dwell: 8s}]}",
                "{process: spikes, baseline: \(rate / 10)/s, burst_rate: \(rate * 4)/s, burst_length: 15s, period: 60s}",
                "{process: gamma, rate: \(rate)/s, cv: 3}",
            ][arrivals]
            let policyYAML = [
                "{kind: fixed, replicas: \(maxReplicas)}",
                """
                {kind: kpa, annotations: {autoscaling.knative.dev/target: "4", autoscaling.knative.dev/min-scale: "\(minReplicas)", \
                autoscaling.knative.dev/max-scale: "\(maxReplicas)", autoscaling.knative.dev/initial-scale: "\(max(minReplicas, 1))"}}
                """,
                """
                {kind: hpa, spec: {minReplicas: \(max(minReplicas, 1)), maxReplicas: \(maxReplicas), metrics: [{type: Pods, pods: \
                {metric: {name: concurrency}, target: {type: AverageValue, averageValue: "4"}}}]}}
                """,
                """
                {kind: keda, spec: {pollingInterval: 5, cooldownPeriod: 30, minReplicaCount: \(minReplicas), maxReplicaCount: \(maxReplicas), \
                triggers: [{type: prometheus, metadata: {query: concurrency, threshold: "4"}}]}}
                """,
            ][policy]
            // Seeds run the linear, knee and table forms in turn (the properties hold for each).
            let profileYAML = [
                "{base: 8ms, per_seq: 1ms, per_prefill_token: 50us}",
                "{form: knee, overhead: 2ms, weight_read: 6ms, per_token_compute: 30us, per_token: 1us, per_decode_seq: 8us, "
                    + "per_context_token: 40ns, per_attention_unit: 1.6ns}",
                "{form: table, tokens: [1, 200, 2048], linear: [8ms, 8.3ms, 75ms], communication: [0ms, 50us, 500us], per_decode_seq: 8us, "
                    + "per_context_token: 40ns, per_attention_unit: 1.6ns, per_attention_key: 400ns}",
            ][Int((seed / 3) % 3)]
            return """
                name: property
                duration: \(seconds)s
                seed: \(seed)
                workload:
                  arrivals: \(arrivalsYAML)
                  prompt_tokens: {dist: lognormal, median: 300, sigma: 0.8, max: 4000}
                  output_tokens: {dist: lognormal, median: 80, sigma: 0.8, max: 1000}
                model: {name: m, weights: 16GB, kv_bytes_per_token: 128KiB}
                profile: \(profileYAML)
                replica:
                  image: {size: 2GB}
                  warmup: 5s
                  engine: {max_num_seqs: 32\(kvTokens > 0 ? ", kv_cache_tokens: \(kvTokens)" : "")}
                router: {activator_capacity: 200\(queueTimeout > 0 ? ", queue_timeout: \(queueTimeout)s" : "")}
                node_pools:
                  - {name: a, gpu: H100-80GB, gpus_per_node: \(gpusPerNode), price_per_hour: 9.5, provisioning: {dist: uniform, low: 10s, high: 40s}, \
                max_nodes: \(maxNodes), stockout_probability: \(stockout), stockout_retry: 20s, scale_down_delay: 30s\(sharedLinks > 0 ? ", nic_bandwidth: 800MB/s, disk_bandwidth: 1500MB/s" : "")}
                  - {name: b, gpu: A100-80GB, gpus_per_node: 1, price_per_hour: 3.25, provisioning: 20s, max_nodes: 2}
                policy: \(policyYAML)
                \(sharedLinks == 2 ? "registry: {egress: 400MB/s}\nobject_store: {egress: 2GB/s}" : "")
                """
        }
    }

    static let shapes = zip(
        zip(Gen.uint64(in: 1...1_000_000), Gen.int(in: 0...3), Gen.int(in: 0...3), Gen.double(in: 0.5...12), Gen.int(in: 0...2),
            Gen.int(in: 1...6)),
        zip(Gen.int(in: 1...6), Gen.int(in: 1...4), Gen.int(in: 0...3).map { [0, 0, 0.3, 0.9][$0] }, Gen.int(in: 0...3).map { [0, 0, 4000, 40_000][$0] },
            Gen.int(in: 0...3).map { [0, 0, 5, 30][$0] }, Gen.int(in: 30...150))
    ).map { (a: (UInt64, Int, Int, Double, Int, Int), b: (Int, Int, Double, Int, Int, Int)) in
        // A warm fixed fleet must fit the first pool (the loader rejects one that does not).
        let maxReplicas = a.1 == 0 ? min(a.5, b.0 * b.1) : a.5
        return Shape(seed: a.0, policy: a.1, arrivals: a.2, rate: (a.3 * 100).rounded() / 100, minReplicas: min(a.4, maxReplicas),
                     maxReplicas: maxReplicas, maxNodes: b.0, gpusPerNode: b.1, stockout: b.2, kvTokens: b.3, queueTimeout: b.4,
                     seconds: b.5)
    }

    static func run(_ shape: Shape) throws -> (Scenario, RunResult) {
        let scenario = try ScenarioDocument(yaml: shape.yaml, file: "property.yaml").scenario()
        return (scenario, Simulation.run(scenario, options: RunOptions(requestSample: 200)))
    }

    /// The body of a property: propertyCheck ignores an error thrown from its closure (it runs it
    /// under `try?`), so a scenario that fails to load must be recorded as an issue here.
    static func checking(_ shape: Shape, _ body: (Scenario, RunResult) throws -> Void) {
        do {
            let (scenario, result) = try run(shape)
            try body(scenario, result)
        } catch {
            Issue.record("\(shape): \(error)")
        }
    }

    @Test("every request is accounted for; clocks and counters are non-negative and monotone")
    func conservationAndMonotonicity() async {
        await propertyCheck(count: 40, input: Self.shapes) { shape in Self.checking(shape) { _, result in
            #expect(result.brokenInvariant == nil, "\(shape): \(result.brokenInvariant ?? "")")
            let r = result.summary.requests
            #expect(r.finished + r.dropped + r.inFlight == r.arrived, "\(shape)")
            #expect(result.series.reduce(0) { $0 + $1.arrivals } <= r.arrived)
            #expect(zip(result.decisions, result.decisions.dropFirst()).allSatisfy { $0.time <= $1.time }, "decision clock")
            for start in result.coldStarts {
                #expect([start.pendingSeconds, start.pullSeconds, start.loadSeconds, start.warmupSeconds].allSatisfy { $0 >= 0 })
                if let ready = start.readyAt { #expect(ready >= start.requestedAt) }
            }
            for node in result.nodes {
                #expect(node.requested >= 0 && node.billedSeconds >= 0)
                if let ready = node.ready { #expect(ready >= node.requested) }
                if let gone = node.terminated { #expect(gone >= (node.ready ?? node.requested)) }
            }
            for request in result.requests {
                let times = [request.arrival, request.admitted, request.firstToken, request.finished].compactMap { $0 }
                #expect(zip(times, times.dropFirst()).allSatisfy { $0 <= $1 }, "request \(request.serial) times go backwards")
            }
            #expect(result.summary.ttft.p50 <= result.summary.ttft.p99 && result.summary.ttft.p99 <= result.summary.ttft.max)
        } }
    }

    @Test("cost is the sum of billed node-seconds times each pool's price")
    func costIsNodeSecondsTimesPrice() async {
        await propertyCheck(count: 30, input: Self.shapes) { shape in Self.checking(shape) { scenario, result in
            let prices = Dictionary(uniqueKeysWithValues: scenario.nodePools.map { ($0.name, $0.pricePerHour) })
            let dollars = result.nodes.reduce(0.0) { $0 + $1.billedSeconds * prices[$1.pool]! / 3600 }
            let seconds = result.nodes.reduce(0.0) { $0 + $1.billedSeconds }
            #expect(abs(result.summary.cost.dollars - dollars) <= 1e-9 * max(1, dollars), "\(shape)")
            #expect(result.summary.cost.nodeSeconds == seconds)
            for node in result.nodes {
                let end = node.terminated ?? scenario.duration.seconds
                #expect(node.billedSeconds == (end - node.requested).rounded(.up), "per-second billing, rounded up")
            }
        } }
    }

    @Test("same scenario and seed give identical results")
    func determinism() async {
        await propertyCheck(count: 15, input: Self.shapes) { shape in Self.checking(shape) { _, first in
            let (_, second) = try Self.run(shape)
            let encoder = JSONEncoder()
            encoder.outputFormatting = .sortedKeys
            #expect(try encoder.encode(first) == encoder.encode(second), "\(shape)")
        } }
    }

    @Test("a fixed fleet never changes size; every policy stays within its bounds")
    func bounds() async {
        await propertyCheck(count: 40, input: Self.shapes) { shape in Self.checking(shape) { _, result in
            let low = shape.policy == 2 ? max(shape.minReplicas, 1) : shape.policy == 0 ? shape.maxReplicas : shape.minReplicas
            for decision in result.decisions {
                #expect((low...shape.maxReplicas).contains(decision.desiredReplicas), "\(shape): desired \(decision.desiredReplicas) at \(decision.time)")
            }
            for point in result.series {
                #expect(point.replicas.active + point.replicas.draining <= shape.maxReplicas + point.replicas.draining)
                #expect(point.replicas.active <= shape.maxReplicas, "\(shape): \(point.replicas.active) replicas at \(point.time)")
                if shape.policy == 0 {
                    #expect(point.replicas.active == shape.maxReplicas && point.replicas.draining == 0, "fixed fleet changed size at \(point.time)")
                    #expect(point.desiredReplicas == shape.maxReplicas)
                }
            }
        } }
    }
}

extension PropertyTests {
    @Test("the generated scenarios reach what the properties are about: cold starts, drops, stockouts, scale-downs")
    func coverage() throws {
        var rng = Xoshiro(seed: (1, 2, 3, 4))
        var coldStarts = 0, drops = 0, stockoutShapes = 0, scaledDown = 0, policies = Set<Int>()
        for _ in 0..<40 {
            let shape = Self.shapes.run(using: &rng)
            let (_, result) = try Self.run(shape)
            policies.insert(shape.policy)
            if result.summary.coldStarts.started > 0 { coldStarts += 1 }
            if result.summary.requests.dropped > 0 { drops += 1 }
            if shape.stockout > 0 { stockoutShapes += 1 }
            if zip(result.decisions, result.decisions.dropFirst()).contains(where: { $1.desiredReplicas < $0.desiredReplicas }) { scaledDown += 1 }
        }
        #expect(policies == [0, 1, 2, 3])
        #expect(coldStarts >= 10 && drops >= 3 && stockoutShapes >= 5 && scaledDown >= 3,
                "cold starts \(coldStarts), drops \(drops), stockouts \(stockoutShapes), scale-downs \(scaledDown)")
    }
}
