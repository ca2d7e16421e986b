import HeadroomEngine
import Testing
@testable import Headroom

/// A fleet large enough that the run prefetches replica state (Simulation+Prefetch.swift):
/// prefetches are hints, so the only thing to check is that the path runs (raw loads of the
/// engines' buffer references) and the run still adds up.
@Suite("Prefetching in large fleets")
struct PrefetchTests {
    static let fleet = """
        name: prefetch-fleet
        duration: 1s
        seed: 3
        workload:
          arrivals: {process: poisson, rate: 3000/s}
          prompt_tokens: {dist: lognormal, median: 300, sigma: 0.5, max: 2000}
          output_tokens: {dist: lognormal, median: 40, sigma: 0.5, max: 400}
        model: {name: m, weights: 16GB, kv_bytes_per_token: 128KiB}
        profile: {name: p, base: 5ms, per_seq: 100us, per_prefill_token: 50us, per_context_token: 1ns}
        node_pools:
          - {name: gpus, gpu: H100-80GB, gpus_per_node: 8, price_per_hour: 98.32, max_nodes: 70}
        replica:
          engine: {max_num_seqs: 16, max_num_batched_tokens: 4096, kv_cache_tokens: 20000}
        policy: {kind: fixed, replicas: 520, warm: true}
        """

    @Test("a run of 520 replicas takes the prefetching path and every request is accounted for")
    func largeFleetAddsUp() throws {
        let scenario = try Scenario.parse(yaml: Self.fleet, file: "prefetch-fleet.yaml")
        var world = Simulation(scenario, options: RunOptions())
        var queue = EventQueue<SimulationEvent>(
            reservingCapacity: 256, timerSlots: scenario.deployments.count + 16, leadTimer: true)
        world.start(queue: &queue)
        let events = EventLoop.run(&world, queue: &queue, until: scenario.duration)
        #expect(world.engines.count >= Simulation.prefetchingSlots)
        let requests = world.finish(at: scenario.duration, events: events).summary.requests
        #expect(requests.arrived > 2_500 && requests.finished > 1_000)
        #expect(requests.finished + requests.dropped + requests.inFlight == requests.arrived)
    }
}
