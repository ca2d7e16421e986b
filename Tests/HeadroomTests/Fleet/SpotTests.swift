import Foundation
import HeadroomEngine
import Testing
@testable import Headroom

/// Spot pools: the notice cordons and drains a node, the node vanishes at the notice's end with
/// its requests retried or dropped for a reason, billing ends there, scripted times strike the
/// oldest nodes, and the same seed gives the same result.
@Suite("Spot interruptions")
struct SpotTests {
    /// Two spot nodes of one GPU each, on-demand behind them; two warm replicas; long requests,
    /// so a node's replicas still hold work when it goes.
    static func yaml(spot: String, seed: Int = 1, top: String = "", initial: Int = 2, output: Int = 3000, rate: String = "1/s") -> String {
        """
        name: spot-test
        duration: 20m
        seed: \(seed)
        workload:
          arrivals: {process: poisson, rate: \(rate)}
          prompt_tokens: 200
          output_tokens: \(output)
        model: {name: m, weights: 16GB, kv_bytes_per_token: 128KiB}
        profile: h100-llama3-8b
        node_pools:
          - {name: spot, gpu: H100, gpus_per_node: 1, price_per_hour: 3, provisioning: 1m, max_nodes: 8, initial_nodes: \(initial), scale_down_delay: 1h, image_cached: true, weights_cached: true, spot: \(spot)}
          - {name: od, gpu: H100, gpus_per_node: 1, price_per_hour: 10, provisioning: 1m, max_nodes: 8, scale_down_delay: 1h, image_cached: true, weights_cached: true}
        replica: {gpus: 1, node_pools: [spot, od], warmup: 10s}
        policy: {kind: fixed, replicas: 2}
        \(top)
        """
    }

    static func scenario(_ text: String) throws -> Scenario { try Scenario.parse(yaml: text, file: "spot.yaml") }

    /// Runs `scenario` up to `until` and hands back the world to look into.
    static func world(_ scenario: Scenario, until: SimTime) -> (Simulation, EventQueue<SimulationEvent>) {
        var world = Simulation(scenario, options: RunOptions())
        var queue = EventQueue<SimulationEvent>(reservingCapacity: 256)
        world.start(queue: &queue)
        _ = EventLoop.run(&world, queue: &queue, until: until)
        return (world, queue)
    }

    @Test("the notice takes the node's replica out of routing at once; the node goes, billed, when the notice ends")
    func noticeTiming() throws {
        let scenario = try Self.scenario(Self.yaml(spot: "{interruptions: [5m], notice: 10s}"))
        var (world, queue) = Self.world(scenario, until: .seconds(300))
        #expect(world.nodes[0].reclaimAt == .seconds(310) && world.nodes[0].state == .ready)
        let doomed = try #require(world.deployments[0].liveReplicas.first { world.replicas[world.replicaSlot($0)].node == 0 })
        #expect(world.replicas[world.replicaSlot(doomed)].stage == .draining && world.engines[world.replicaSlot(doomed)].outstanding > 0)
        #expect(!world.deployments[0].readyReplicas.contains(doomed))
        #expect(world.readyNodeWithRoom(for: doomed) == nil, "a node under notice takes no replica")
        _ = EventLoop.run(&world, queue: &queue, until: .seconds(309))
        #expect(world.nodes[0].state == .ready, "still there, still billed, before the notice ends")
        _ = EventLoop.run(&world, queue: &queue, until: .seconds(310))
        #expect(world.nodes.slot(of: 0) == nil && world.nodes.records[0].terminatedAt == .seconds(310), "released, in the ledger")
        #expect(world.replicas[world.replicaSlot(doomed)].stage == .gone)
        let events = EventLoop.run(&world, queue: &queue, until: scenario.duration)
        let result = world.finish(at: scenario.duration, events: events)
        #expect(result.nodes[0].terminated == 310 && result.nodes[0].billedSeconds == 310)
        #expect(result.nodes[1].terminated == nil && result.nodes[1].billedSeconds == 1200)
        let spot = try #require(result.summary.spot)
        #expect(spot.interruptionsByPool == ["spot": 1] && spot.replicasInterrupted == 1 && spot.requestsRetried > 0)
        #expect(result.summary.requests.droppedByReason[DropReason.spotInterrupted.rawValue] == 0)
        #expect(result.brokenInvariantIncludingNodes == nil, "\(result.brokenInvariantIncludingNodes ?? "")")
        // The ReplicaSet replaced the evicted pod at the notice: on a fresh spot node.
        #expect(result.nodes.count == 3 && result.nodes[2].pool == "spot" && result.nodes[2].requested == 300)
        #expect(result.coldStarts.count == 1 && result.coldStarts[0].requestedAt == .seconds(300))
    }

    @Test("scripted times strike the oldest ready nodes not already under notice")
    func scriptedTimes() throws {
        let scenario = try Self.scenario(Self.yaml(spot: "{interruptions: [3m, 3m, 8m], notice: 1m}", initial: 3))
        let result = Simulation.run(scenario)
        #expect(result.nodes[0].terminated == 240 && result.nodes[1].terminated == 240, "\(result.nodes)")
        #expect(result.nodes[2].terminated == 540)
        #expect(result.summary.spot?.interruptionsByPool == ["spot": 3])
        #expect(result.brokenInvariantIncludingNodes == nil)
    }

    @Test("retries that find the activator full are dropped as spot_interrupted, and counted")
    func droppedWhenActivatorFull() throws {
        let scenario = try Self.scenario(Self.yaml(spot: "{interruptions: [5m], notice: 10s}", top: "router: {activator_capacity: 0}"))
        let result = Simulation.run(scenario)
        let dropped = result.summary.requests.droppedByReason[DropReason.spotInterrupted.rawValue] ?? 0
        #expect(dropped > 0 && result.summary.spot?.requestsRetried == 0)
        #expect(result.brokenInvariantIncludingNodes == nil)
    }

    @Test("no request is lost without a reason, whatever the interruptions (randomized)")
    func conservation() throws {
        var random = RandomStream(seed: 19, name: "spot-conservation")
        var retried = 0, dropped = 0
        for seed in 1...12 {
            let rate = String(format: "%.1f/h", 1 + random.nextUnit() * 20)
            let notice = Int(random.nextUnit() * 180)
            let times = (0..<Int(random.nextUnit() * 4)).map { _ in "\(Int(random.nextUnit() * 1100))s" }.joined(separator: ", ")
            let capacity = [0, 5, 10_000][seed % 3]
            let text = Self.yaml(spot: "{interruption_rate: \(rate), interruptions: [\(times)], notice: \(notice)s}", seed: seed,
                                 top: "router: {activator_capacity: \(capacity), activator_timeout: \(30 + seed * 10)s}",
                                 output: 200 + seed * 150, rate: "\(2 + seed % 4)/s")
            let result = Simulation.run(try Self.scenario(text))
            #expect(result.brokenInvariantIncludingNodes == nil, "seed \(seed): \(result.brokenInvariantIncludingNodes ?? "")")
            retried += result.summary.spot?.requestsRetried ?? 0
            dropped += result.summary.requests.droppedByReason[DropReason.spotInterrupted.rawValue] ?? 0
        }
        #expect(retried > 0 && dropped > 0, "both paths taken: retried \(retried), dropped \(dropped)")
    }

    @Test("the same seed gives the same JSON; drawn interruptions move with the seed")
    func determinism() throws {
        func json(_ seed: Int) throws -> Data {
            try Simulation.run(try Self.scenario(Self.yaml(spot: "{interruption_rate: 6/h, notice: 2m}", seed: seed))).jsonData()
        }
        #expect(try json(3) == json(3))
        let one = Simulation.run(try Self.scenario(Self.yaml(spot: "{interruption_rate: 6/h, notice: 2m}", seed: 3)))
        let other = Simulation.run(try Self.scenario(Self.yaml(spot: "{interruption_rate: 6/h, notice: 2m}", seed: 4)))
        #expect(one.nodes.map(\.terminated) != other.nodes.map(\.terminated))
        #expect((one.summary.spot?.interruptionsByPool["spot"] ?? 0) > 0)
    }

    @Test("a spot pool never interrupted runs exactly as the same pool on demand (its stream draws nothing else)")
    func noOtherDrawMoves() throws {
        let plain = Simulation.run(try Self.scenario(Self.yaml(spot: "{interruption_rate: 0/h}")))
        var text = Self.yaml(spot: "X").replacingOccurrences(of: ", spot: X", with: "")
        text = text.replacingOccurrences(of: "spot: X", with: "")
        let onDemand = Simulation.run(try Self.scenario(text))
        #expect(plain.summary.requests == onDemand.summary.requests && plain.series == onDemand.series)
        #expect(plain.summary.spot == SpotSummary(interruptionsByPool: ["spot": 0]) && onDemand.summary.spot == nil)
    }
}

@Suite("Spot interruptions with several deployments")
struct SpotDeploymentTests {
    @Test("a reclaimed node shared by two deployments retries each one's requests through its own activator")
    func retriesStayWithTheirDeployment() throws {
        func deployment(_ name: String, activator: Int) -> String {
            """
              - name: \(name)
                workload: {arrivals: {process: poisson, rate: 1/s}, prompt_tokens: 200, output_tokens: 3000}
                model: {name: m, weights: 16GB, kv_bytes_per_token: 128KiB}
                profile: h100-llama3-8b
                replica: {gpus: 1, warmup: 10s}
                router: {activator_capacity: \(activator)}
                policy: {kind: fixed, replicas: 1}
            """
        }
        let scenario = try Scenario.parse(yaml: """
            name: shared-spot
            duration: 10m
            node_pools:
              - {name: spot, gpu: H100, gpus_per_node: 2, price_per_hour: 6, provisioning: 1m, max_nodes: 4, initial_nodes: 1, scale_down_delay: 1h, image_cached: true, weights_cached: true, spot: {interruptions: [5m], notice: 10s}}
            deployments:
            \(deployment("keeps", activator: 10_000))
            \(deployment("drops", activator: 0))
            """, file: "shared.yaml")
        let result = Simulation.run(scenario)
        let byName = Dictionary(uniqueKeysWithValues: (result.summary.deployments ?? []).map { ($0.name, $0) })
        let keeps = try #require(byName["keeps"]), drops = try #require(byName["drops"])
        let spotDrops = { (d: DeploymentSummary) in d.requests.droppedByReason[DropReason.spotInterrupted.rawValue] ?? 0 }
        #expect(spotDrops(keeps) == 0 && spotDrops(drops) > 0)
        #expect(result.summary.spot?.replicasInterrupted == 2 && (result.summary.spot?.requestsRetried ?? 0) > 0)
        for d in [keeps, drops] {
            #expect(d.requests.finished + d.requests.dropped + d.requests.inFlight == d.requests.arrived, "\(d.name)")
        }
        #expect(result.brokenInvariantIncludingNodes == nil)
    }
}

@Suite("Shipped spot scenario")
struct SpotScenarioTests {
    static let file = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
        .appendingPathComponent("../../../scenarios/fleets/spot-fallback.yaml").standardized.path

    @Test("spot-fallback: the wave's replacements go on demand at 25m, new replicas to spot after 45m, nothing lost")
    func spotFallback() throws {
        let result = Simulation.run(try Scenario.load(file: Self.file))
        #expect(result.brokenInvariantIncludingNodes == nil, "\(result.brokenInvariantIncludingNodes ?? "")")
        #expect(result.nodes.filter { $0.pool == "spot" && $0.terminated == 1620 }.count >= 4, "the wave's four nodes go at 27m")
        #expect(result.nodes.contains { $0.pool == "od" && $0.requested == 1500 })
        #expect(!result.nodes.contains { $0.pool == "od" && $0.requested < 1500 })
        #expect(result.nodes.contains { $0.pool == "spot" && $0.requested > 2700 })
        #expect((result.summary.spot?.interruptionsByPool["spot"] ?? 0) >= 4 && (result.summary.stockoutsByPool?["spot"] ?? 0) > 0)
    }
}

extension RunResult {
    /// `brokenInvariant`, and GPU-seconds that add up to the nodes' lives.
    var brokenInvariantIncludingNodes: String? {
        if let broken = brokenInvariant { return broken }
        let lives = nodes.reduce(0.0) { $0 + (($1.terminated ?? summary.durationSeconds) - $1.requested) * Double($1.gpus) }
        if abs(lives - summary.gpuSeconds.total) > 1e-6 { return "GPU-seconds \(summary.gpuSeconds.total) != node lives \(lives)" }
        return nil
    }
}
