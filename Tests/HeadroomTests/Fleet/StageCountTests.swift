import Foundation
import HeadroomEngine
import Testing
@testable import Headroom

/// The per-deployment stage counts that the policy's tick, the series sample and the scale-down
/// choice read instead of scanning every live replica must equal that scan at every instant:
/// through scale-ups and scale-downs (cancelled cold starts, draining), crash loops and pod
/// failures, spot interruptions, shared pools, P/D workers under a planner and scale to zero.
@Suite("Replica stage counts")
struct StageCountTests {
    static let scenarios = [
        "faults/hpa-crashloop.yaml", "fleets/spot-fallback.yaml", "fleets/shared-h100-pool.yaml",
        "scale-to-zero/scale-to-zero.yaml", "disaggregation/azure-code-dynamo-planner.yaml", "fleets/kpa-h100.yaml",
    ]

    static func load(_ name: String) throws -> Scenario {
        let file = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
            .appendingPathComponent("../../../scenarios/\(name)").standardized.path
        return try Scenario.load(file: file)
    }

    @Test("the kept counts equal a scan over the live replicas after every simulated 5 s", arguments: scenarios)
    func countsMatchScan(name: String) throws {
        var scenario = try Self.load(name)
        scenario.duration = min(scenario.duration, .minutes(30))
        var world = Simulation(scenario, options: RunOptions())
        var queue = EventQueue<SimulationEvent>(reservingCapacity: 256)
        world.start(queue: &queue)
        var now = SimTime.zero, changes = 0
        var last = world.deployments.indices.map { world.scannedReplicaCounts($0) }
        while now < scenario.duration {
            now = now + .seconds(5)
            _ = EventLoop.run(&world, queue: &queue, until: now)
            for d in world.deployments.indices {
                let scanned = world.scannedReplicaCounts(d)
                #expect(world.deployments[d].stageCounts == scanned, "\(name), deployment \(d) at \(now.seconds) s")
                if scanned != last[d] { changes += 1 }
                last[d] = scanned
            }
        }
        // The scenario moved replicas between stages (else the comparison proves nothing).
        #expect(changes > 3, "\(name): only \(changes) changes of stage counts")
    }

    @Test("a scale-down removes pending, then starting, then ready replicas, newest first")
    func scaleDownOrder() throws {
        var scenario = try Self.load("quickstart.yaml")
        scenario.duration = .minutes(10)
        var world = Simulation(scenario, options: RunOptions())
        var queue = EventQueue<SimulationEvent>(reservingCapacity: 256)
        world.start(queue: &queue)
        _ = EventLoop.run(&world, queue: &queue, until: .minutes(5))
        let before = world.deployments[0].liveReplicas
        let stages = before.map { world.replicas[world.replicaSlot($0)].stage }
        let counts = world.replicaCounts(0)
        // Add a few cold replicas, then ask for one fewer than the ready ones plus one.
        for _ in 0..<3 { world.createReplica(0, warm: false, at: .minutes(5), queue: &queue) }
        let added = world.deployments[0].liveReplicas.filter { !before.contains($0) }
        #expect(added.count == 3)
        let current = world.replicaCounts(0).active
        world.apply(0, desired: current - 4, current: current, warm: false, at: .minutes(5), queue: &queue)
        // The three new (not ready) ones went first, then the newest ready one.
        for replica in added { #expect(world.replicas[world.replicaSlot(replica)].stage == .gone) }
        let newestReady = before.indices.last { stages[$0] == .ready }.map { before[$0] }
        if let newestReady { #expect(world.replicas[world.replicaSlot(newestReady)].stage != .ready) }
        #expect(world.replicaCounts(0).ready == counts.ready - 1)
        #expect(world.replicaCounts(0) == world.scannedReplicaCounts(0))
    }
}
