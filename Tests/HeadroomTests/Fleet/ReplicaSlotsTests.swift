import Foundation
import HeadroomEngine
import Testing
@testable import Headroom

/// Replica state in reusable slots: ids are creation order and never reused; a slot is reused
/// only after the instant its replica left, its previous occupant's id then names nothing, and
/// what results need from it is in the ledger. A churning run gives the same result, byte for
/// byte, as one that never reuses a slot (the layout before), with faults, spot notices,
/// disaggregation and prefix caches in play.
@Suite("Replica slots")
struct ReplicaSlotsTests {
    @Test("a released slot is reused only after the instant; the old id then has no slot")
    func quarantine() {
        var slots = ReplicaSlots()
        let a = slots.add(at: .zero), b = slots.add(at: .zero)
        #expect(a == (0, 0, false) && b == (1, 1, false))
        slots.release(a.id, at: .seconds(5))
        let c = slots.add(at: .seconds(5))  // the same instant: a fresh slot
        #expect(c == (2, 2, false) && slots.slotIfPresent(a.id) == 0)
        let d = slots.add(at: .seconds(6))
        #expect(d == (3, 0, true), "a later instant takes the released slot")
        slots.evict(a.id)
        #expect(slots.slotIfPresent(a.id) == nil && slots.slot(of: d.id) == 0 && slots.count == 3 && slots.created == 4)
        var never = ReplicaSlots()
        never.reuses = false
        _ = never.add(at: .zero)
        never.release(0, at: .zero)
        #expect(never.add(at: .seconds(1)) == (1, 1, false))
    }

    @Test("the ledger sums a gone replica's engine counts and keeps its prefix-cache row")
    func ledger() {
        var ledger = ReplicaLedger(deployments: 2, keepsKVCapacity: true)
        var engine = ReplicaEngine(
            limits: EngineSpec(prefixCaching: true), model: StepTimeModel(HardwareProfile.builtIn[0]), kvCapacity: 1_000,
            collapsesDecodeRuns: true, queueTimeout: nil)
        engine.preemptions = 3
        (engine.handoffWaits, engine.handoffWaitNanoseconds) = (2, 500)
        (engine.prefixQueriedTokens, engine.prefixHitTokens) = (100, 40)
        ledger.fold(7, of: 1, engine: engine)
        engine.prefixQueriedTokens = 0
        ledger.fold(9, of: 1, engine: engine)  // queried nothing: no row
        #expect(ledger.preemptions == [0, 6] && ledger.handoffWaits == 4 && ledger.handoffWaitNanoseconds == 1_000)
        #expect(ledger.prefixQueriedTokens == 100 && ledger.prefixHitTokens == 80)
        #expect(ledger.prefixCaches.map(\.replica) == [7] && ledger.prefixCaches[0].hitTokens == 40)
        #expect(ledger.kvCapacity == [7: 1_000, 9: 1_000])
    }

    @Test("a reused slot's timers go on from its previous occupant's generations")
    func generationsGoOn() throws {
        let scenario = try Scenario.parse(yaml: Self.churn, file: "churn.yaml")
        var world = Simulation(scenario, options: RunOptions())
        var queue = EventQueue<SimulationEvent>(reservingCapacity: 256)
        world.start(queue: &queue)
        let first = world.newReplica(of: 0, at: .seconds(1))
        let slot = world.replicaSlot(first)
        world.remove(first, at: .seconds(1), queue: &queue)
        let (stage, epoch, step) = (world.replicas[slot].stageGeneration, world.replicas[slot].faultEpoch, world.engines[slot].generation)
        let second = world.newReplica(of: 0, at: .seconds(2))
        #expect(world.replicaSlot(second) == slot && world.replicaSlots.slotIfPresent(first) == nil)
        #expect(world.replicas[slot].stageGeneration > stage && world.replicas[slot].faultEpoch > epoch
            && world.engines[slot].generation > step)
        // Events for the first replica find no slot and are ignored.
        world.endStage(replica: first, generation: stage, at: .seconds(3), queue: &queue)
        world.endIteration(replica: first, generation: step, at: .seconds(3), queue: &queue)
        #expect(world.replicas[slot].stage == .pending && world.replicas[slot].id == second)
    }

    /// Runs `scenario` keeping its replicas' slots or never reusing them.
    static func run(_ scenario: Scenario, reuses: Bool) throws -> (json: Data, slots: Int, created: Int) {
        var world = Simulation(scenario, options: RunOptions(requestSample: 2_000))
        world.replicaSlots.reuses = reuses
        var queue = EventQueue<SimulationEvent>(reservingCapacity: 256)
        world.start(queue: &queue)
        let events = EventLoop.run(&world, queue: &queue, until: scenario.duration)
        let result = world.finish(at: scenario.duration, events: events)
        #expect(result.brokenInvariantIncludingNodes == nil, "\(result.brokenInvariantIncludingNodes ?? "")")
        return (try result.jsonData(), world.replicas.count, world.replicaSlots.created)
    }

    @Test("a churning run gives the same result with slots reused as without", arguments: [churn, disaggregated])
    func sameResult(yaml: String) throws {
        let scenario = try Scenario.parse(yaml: yaml, file: "churn.yaml")
        let reused = try Self.run(scenario, reuses: true), kept = try Self.run(scenario, reuses: false)
        #expect(reused.json == kept.json)
        #expect(kept.slots == kept.created && reused.created == kept.created)
        #expect(reused.slots * 2 < reused.created, "\(reused.slots) slots for \(reused.created) replicas")
    }

    @Test("the shipped fault, spot and variant-autoscaler scenarios give the same result", arguments: [
        "faults/hpa-crashloop", "fleets/spot-fallback", "fleets/wva-h100-a100", "disaggregation/azure-code-dynamo-planner",
    ])
    func shippedSameResult(name: String) throws {
        let file = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
            .appendingPathComponent("../../../scenarios/\(name).yaml").standardized.path
        var scenario = try Scenario.load(file: file)
        scenario.duration = min(scenario.duration, .minutes(40))
        #expect(try Self.run(scenario, reuses: true).json == Self.run(scenario, reuses: false).json)
    }

    /// Bursts to zero and back, with crashes while starting and serving, pod failures, spot
    /// notices, prefix caching behind llm-d's cache-aware scorers.
    static let churn = """
        name: churn-slots
        duration: 3h
        seed: 5
        workload:
          arrivals: {process: spikes, baseline: 0/s, burst_rate: 30/s, burst_length: 6m, period: 15m}
          prompt_tokens: {dist: lognormal, median: 300, sigma: 0.5, max: 4000}
          output_tokens: {dist: lognormal, median: 60, sigma: 0.5, max: 1000}
        model: {name: m, weights: 16GB, kv_bytes_per_token: 128KiB}
        profile: {name: p, base: 5ms, per_seq: 100us, per_prefill_token: 50us, per_context_token: 0ns}
        node_pools:
          - {name: spot, gpu: H100, gpus_per_node: 2, price_per_hour: 8, provisioning: 30s, max_nodes: 6, scale_down_delay: 1m,
             image_cached: true, spot: {interruption_rate: 1/h, notice: 30s}}
          - {name: od, gpu: H100, gpus_per_node: 2, price_per_hour: 20, provisioning: 40s, max_nodes: 6, scale_down_delay: 1m}
        replica: {gpus: 1, warmup: 5s, image: {size: 2GB}, weights: {remote_bandwidth: 4GB/s}, node_pools: [spot, od],
                  engine: {prefix_caching: true, block_size: 16}}
        router: {strategy: cache_aware, queue_timeout: 1m}
        faults:
          - {kind: replica_crash, phase: warming, rate: 3/h}
          - {kind: replica_crash, phase: serving, rate: 2/h}
          - {kind: pod_failure, phase: serving, rate: 1/h}
        policy:
          kind: kpa
          annotations: {autoscaling.knative.dev/target: "2", autoscaling.knative.dev/max-scale: "12"}
        """

    /// Prefill and decode workers both scaling to zero between bursts: KV caches in flight to
    /// decode workers that leave.
    static let disaggregated = """
        name: churn-disaggregated
        duration: 2h
        seed: 2
        node_pools:
          - {name: h100, gpu: H100, gpus_per_node: 2, price_per_hour: 20, provisioning: 30s, max_nodes: 8, scale_down_delay: 1m,
             image_cached: true, weights_cached: true}
        deployments:
          - name: prefill
            role: prefill
            workload:
              arrivals: {process: spikes, baseline: 0/s, burst_rate: 20/s, burst_length: 5m, period: 15m}
              prompt_tokens: {dist: lognormal, median: 800, sigma: 0.5, max: 4000}
              output_tokens: {dist: lognormal, median: 80, sigma: 0.5, max: 1000}
            model: {name: m, weights: 16GB, kv_bytes_per_token: 128KiB}
            profile: {name: p, base: 5ms, per_seq: 100us, per_prefill_token: 50us, per_context_token: 0ns}
            replica: {warmup: 5s}
            router: {queue_timeout: 1m}
            policy:
              kind: kpa
              annotations: {autoscaling.knative.dev/target: "3", autoscaling.knative.dev/max-scale: "6"}
          - name: decode
            shares_traffic_with: prefill
            role: decode
            profile: {name: p, base: 5ms, per_seq: 100us, per_prefill_token: 50us, per_context_token: 0ns}
            replica: {warmup: 5s}
            policy:
              kind: kpa
              annotations: {autoscaling.knative.dev/target: "3", autoscaling.knative.dev/max-scale: "6"}
        """
}
