import Foundation
import HeadroomEngine
import Testing

@testable import Headroom

/// The over-scaling cascade of vllm-project/aibrix#2670 and the pending-replica guard of PR #2671:
/// pods still pulling (phase Pending) are skipped, so APA's `N × mean / target` doubles N every
/// resync on the same ready pods' scrapes; the guard holds while replicas are not ready.
@Suite("AIBrix pending-replica cascade")
struct AIBrixCascadeTests {
    /// `ready` pods report `perPod` each; `pulling` are past their node but not yet Running.
    static func observe(ready: Int, pulling: Int = 0, loading: Int = 0, perPod: Double) -> ScalingObservation {
        ScalingObservation(
            replicas: ReplicaCounts(starting: pulling + loading, loading: loading, ready: ready), activatorQueue: 0,
            queryResults: [AIBrixPodAutoscalerTests.scrape(Array(repeating: perPod, count: ready))])
    }

    static func apa(guarded: Bool) throws -> AIBrixPodAutoscaler {
        var policy = try AIBrixPodAutoscalerTests.policy(.apa)
        var spec = policy.spec
        spec.pendingReplicaGuard = guarded
        policy = AIBrixPodAutoscaler(spec: spec)
        return policy
    }

    /// The trace: 2 ready pods at 3× the target, the new ones still pulling their image.
    static func script(_ policy: inout AIBrixPodAutoscaler) -> [Int] {
        _ = policy.decide(observe(ready: 0, perPod: 0), at: .zero)
        var current = 2
        var trace = [current]
        for tick in 1...4 {
            let decision = policy.decide(observe(ready: 2, pulling: current - 2, perPod: 30), at: .seconds(Double(10 * tick)))
            current = decision.desiredReplicas
            trace.append(current)
        }
        return trace
    }

    @Test("unguarded (pinned e3e10f9e): APA doubles every 10 s tick while the new pods pull, 2 → 4 → 8 → 16")
    func cascade() throws {
        var apa = try Self.apa(guarded: false)
        #expect(Self.script(&apa) == [2, 4, 8, 16, 16])
    }

    @Test("guarded (PR #2671): one step to 4, then held while 2 of 4 replicas are not ready")
    func guardHolds() throws {
        var apa = try Self.apa(guarded: true)
        #expect(Self.script(&apa) == [2, 4, 4, 4, 4])
        var again = try Self.apa(guarded: true)
        _ = again.decide(Self.observe(ready: 0, perPod: 0), at: .zero)
        let held = again.decide(Self.observe(ready: 2, pulling: 2, perPod: 30), at: .seconds(10))
        #expect(held.desiredReplicas == 4)
        #expect(held.reason.contains("pending replica guard: 2 of 4 not ready, holding"))
        // Once every replica is ready the guard lets the next step through.
        let next = again.decide(Self.observe(ready: 4, perPod: 30), at: .seconds(20))
        #expect(next.desiredReplicas == 8)
    }

    @Test("loading pods are Running and read 0, so they stop the cascade; pulling pods are skipped")
    func loadingReadsZero() throws {
        var apa = try Self.apa(guarded: false)
        _ = apa.decide(Self.observe(ready: 0, perPod: 0), at: .zero)
        // 2 ready at 30 and 2 loading at 0: mean 15 → ceil(4 × 1.5) = 6, not 8.
        let decision = apa.decide(Self.observe(ready: 2, loading: 2, perPod: 30), at: .seconds(10))
        #expect(decision.desiredReplicas == 6)
        #expect(decision.reason.contains("[2 of 4 pods scraped as 0]"))
    }

    @Test("pendingReplicaGuard parses as a boolean, is refused for HPA and for a non-boolean")
    func yaml() throws {
        let spec =
            "spec: {scalingStrategy: APA, maxReplicas: 4, metricsSources: [{metricSourceType: pod, targetMetric: num_requests_running, targetValue: '8'}]}"
        let on = try AIBrixPodAutoscalerTests.aibrix("kind: aibrix\npendingReplicaGuard: true\n" + spec)
        #expect(on.spec.pendingReplicaGuard)
        let off = try AIBrixPodAutoscalerTests.aibrix("kind: aibrix\n" + spec)
        #expect(!off.spec.pendingReplicaGuard)
        #expect(
            AIBrixPodAutoscalerTests.refusal("kind: aibrix\npendingReplicaGuard: maybe\n" + spec)
                .contains("expected true or false, got `maybe`"))
        #expect(
            AIBrixPodAutoscalerTests.refusal(
                "kind: aibrix\npendingReplicaGuard: true\n" + spec.replacingOccurrences(of: "APA", with: "HPA")
            ).contains("pendingReplicaGuard applies to scalingStrategy KPA and APA only"))
    }

    static func run(guarded: Bool) throws -> RunResult {
        let path = AIBrixPodAutoscalerTests.root.appendingPathComponent("aibrix-cascade.yaml").standardized.path
        var text = try String(contentsOfFile: path, encoding: .utf8)
        if guarded { text = text.replacingOccurrences(of: "pendingReplicaGuard: false", with: "pendingReplicaGuard: true") }
        return Simulation.run(try Scenario.parse(yaml: text, file: path))
    }

    @Test("whole run (aibrix-cascade.yaml): the unguarded APA starts more pods and peaks higher than the guarded one")
    func wholeRun() throws {
        let unguarded = try Self.run(guarded: false), guarded = try Self.run(guarded: true)
        for result in [unguarded, guarded] { #expect(result.brokenInvariant == nil) }
        let u = unguarded.summary, g = guarded.summary
        print(
            "cascade: unguarded peak \(u.peakReplicas) starts \(u.coldStarts.started) $\(u.cost.dollars) ttft-slo \(u.slo.ttft); "
                + "guarded peak \(g.peakReplicas) starts \(g.coldStarts.started) $\(g.cost.dollars) ttft-slo \(g.slo.ttft)")
        #expect(u.peakReplicas > g.peakReplicas)
        #expect(u.coldStarts.started > g.coldStarts.started)
        #expect(u.cost.dollars > g.cost.dollars)
        // The signature: 1 → 2 → 3 → 5 → 9 → 16 on consecutive 10 s ticks, each step ≥ 1.5× (the
        // 180 s window's mean is not yet 2× the target, else each would be 2×), before any of the
        // new pods can be ready (node 90 s + a 200 s pull): the stepwise maximum is reached in 50 s.
        let desired = unguarded.decisions.map(\.desiredReplicas)
        let growing = zip(desired, desired.dropFirst()).map { $1 >= 2 && 2 * $1 >= 3 * $0 && $1 > $0 }
        let longest = growing.reduce(into: (run: 0, best: 0)) { acc, up in
            acc.run = up ? acc.run + 1 : 0
            acc.best = max(acc.best, acc.run)
        }.best
        #expect(longest >= 4)
        #expect(u.peakReplicas == 16 && g.peakReplicas <= 4)
        #expect(guarded.decisions.contains { $0.reason.contains("pending replica guard") })
    }
}
