import HeadroomEngine
import HeadroomTestSupport
import Testing
@testable import Headroom

/// Concurrent pulls and loads share a node's NIC and disk and a store's egress, as processor
/// sharing; the closed forms below are worked by hand.
@Suite("Cold starts share bandwidth")
struct ColdStartSharingTests {
    /// Runs the table alone: starts `legs` at the given times, cancels at the given times, and
    /// returns when each transfer ends (by start index), firing completions as the simulation does.
    static func drive(
        _ table: TransferTable, starts: [(at: SimTime, node: Int32, legs: [TransferLeg])],
        cancels: [(at: SimTime, start: Int)] = []
    ) -> [SimTime?] {
        var table = table
        var ids: [Int32] = []
        var ended = [SimTime?](repeating: nil, count: starts.count)
        var pending: [(time: SimTime, id: Int32, generation: UInt32)] = []
        var actions: [(time: SimTime, start: Int?, cancel: Int?)] =
            starts.indices.map { (starts[$0].at, $0, nil) } + cancels.map { ($0.at, nil, $0.start) }
        actions.sort { $0.time < $1.time }
        func collect(_ table: inout TransferTable) {
            for id in table.takeMoved() { pending.append((table[id].completion, id, table[id].generation)) }
        }
        while true {
            let nextEvent = pending.indices.min { pending[$0].time < pending[$1].time }
            if let action = actions.first, nextEvent == nil || action.time <= pending[nextEvent!].time {
                actions.removeFirst()
                if let s = action.start {
                    ids.append(table.start(starts[s].legs, owner: .replicaLoad, target: Int32(s), node: starts[s].node, at: action.time))
                } else if let c = action.cancel {
                    table.cancel(ids[c], at: action.time)
                }
                collect(&table)
                continue
            }
            guard let index = nextEvent else { break }
            let event = pending.remove(at: index)
            if let done = table.legEnded(event.id, generation: event.generation, at: event.time) {
                ended[Int(done.target)] = event.time
            }
            collect(&table)
        }
        return ended
    }

    static func oneNode(disk: Double? = nil, nic: Double? = nil, registry: Double? = nil) -> TransferTable {
        var table = TransferTable(registryEgress: registry, objectStoreEgress: nil)
        table.addNode(nic: nic, disk: disk)
        table.addNode(nic: nic, disk: disk)
        return table
    }

    static let read16GB = [TransferLeg(bytes: 16e9, cap: 10e9, links: [.disk])]

    @Test("two concurrent loads at a shared cap take exactly twice as long as one")
    func twoLoadsTwiceAsLong() throws {
        let table = Self.oneNode(disk: 2e9)
        let one = try #require(Self.drive(table, starts: [(.zero, 0, Self.read16GB)])[0])
        let two = Self.drive(table, starts: [(.zero, 0, Self.read16GB), (.zero, 0, Self.read16GB)])
        #expect(one == .seconds(8))
        #expect(two == [.seconds(16), .seconds(16)])
        #expect(two[0]!.nanoseconds == 2 * one.nanoseconds)
        // Unlimited links: each at its own cap, whatever the others do.
        let free = Self.drive(Self.oneNode(), starts: [(.zero, 0, Self.read16GB), (.zero, 0, Self.read16GB)])
        #expect(free == [.seconds(1.6), .seconds(1.6)])
    }

    @Test("a transfer that starts mid-way through another: both end at the closed-form times")
    func startsMidWay() {
        // A alone for 4 s moves 8 GB; both at 1 GB/s until A's last 8 GB are done at 12 s; B has
        // 8 GB left and finishes alone at 2 GB/s in 4 s more.
        let ends = Self.drive(Self.oneNode(disk: 2e9), starts: [(.zero, 0, Self.read16GB), (.seconds(4), 0, Self.read16GB)])
        #expect(ends == [.seconds(12), .seconds(16)])
    }

    @Test("the bottleneck sets the rate; a next leg joins its own links")
    func bottleneckAndLegs() {
        // A downloads 10 GB over NIC (4 GB/s, shared with B) and the object store (unlimited) at its
        // own cap 3 GB/s, then reads it from disk. B is a NIC-only 4 GB transfer.
        let a = [TransferLeg(bytes: 10e9, cap: 3e9, links: [.objectStore, .nic]), TransferLeg(bytes: 4e9, cap: 1e9, links: [.disk])]
        let b = [TransferLeg(bytes: 4e9, cap: 10e9, links: [.nic])]
        // Both at 2 GB/s: B ends at 2 s; A has 6 GB left at 3 GB/s → 4 s; then 4 s on the disk.
        let ends = Self.drive(Self.oneNode(nic: 4e9), starts: [(.zero, 0, a), (.zero, 0, b)])
        #expect(ends == [.seconds(8), .seconds(2)])
    }

    @Test("a registry's egress is shared by pulls on different nodes; a node's NIC is not")
    func registryAcrossNodes() {
        let pull = [TransferLeg(bytes: 10e9, cap: 1e9, links: [.registry, .nic])]
        let capped = Self.oneNode(nic: 1e9, registry: 1e9)
        #expect(Self.drive(capped, starts: [(.zero, 0, pull)]) == [.seconds(10)])
        #expect(Self.drive(capped, starts: [(.zero, 0, pull), (.zero, 1, pull)]) == [.seconds(20), .seconds(20)])
        let nicsOnly = Self.oneNode(nic: 1e9)
        #expect(Self.drive(nicsOnly, starts: [(.zero, 0, pull), (.zero, 1, pull)]) == [.seconds(10), .seconds(10)])
        #expect(Self.drive(nicsOnly, starts: [(.zero, 0, pull), (.zero, 0, pull)]) == [.seconds(20), .seconds(20)])
    }

    @Test("cancelling a transfer mid-way frees its share for the others")
    func cancellationFreesShare() {
        // Both at 1 GB/s for 4 s; B is cancelled; A's last 12 GB go at 2 GB/s: 6 s more.
        let ends = Self.drive(Self.oneNode(disk: 2e9), starts: [(.zero, 0, Self.read16GB), (.zero, 0, Self.read16GB)],
                              cancels: [(.seconds(4), 1)])
        #expect(ends == [.seconds(10), nil])
    }

    // MARK: In a run

    /// Replicas on one ready node that holds the image and the weights: each start is a 16 GB
    /// read from the node's disk (2 GB/s per read) and 0.8 s host → GPU.
    static func cachedNode(replicas: Int, disk: Double?) -> Scenario {
        var pool = NodePoolSpec(name: "pool", gpu: "H100", gpusPerNode: 8, pricePerHour: 8, initialNodes: 1,
                                imageCached: true, weightsCached: true)
        pool.diskBandwidth = disk
        let replica = ReplicaSpec(weights: WeightLoadSpec(remoteBandwidth: 1e9, diskBandwidth: 2e9, hostToGPUBandwidth: 20e9),
                                  warmup: .constant(5))
        return TestScenario.make(duration: .seconds(120), replicas: replicas, warm: false, pool: pool, replica: replica)
    }

    @Test("in a run: two replicas reading from one capped disk take twice the disk time of one")
    func runSharesTheDisk() throws {
        let one = Simulation.run(Self.cachedNode(replicas: 1, disk: 2e9)).coldStarts
        let two = Simulation.run(Self.cachedNode(replicas: 2, disk: 2e9)).coldStarts
        try #require(one.count == 1 && two.count == 2)
        #expect(one[0].loadSeconds == 8.8)
        #expect(two.map(\.loadSeconds) == [16.8, 16.8])
        #expect(two.allSatisfy { $0.readyAt == .seconds(21.8) })
        // No cap: as before, each read at its own 2 GB/s.
        #expect(Simulation.run(Self.cachedNode(replicas: 2, disk: nil)).coldStarts.map(\.loadSeconds) == [8.8, 8.8])
    }

    @Test("in a run: a registry cap shared by two fresh nodes doubles their pulls")
    func runSharesTheRegistry() throws {
        var pool = NodePoolSpec(name: "pool", gpu: "H100", gpusPerNode: 1, pricePerHour: 8, provisioning: .constant(60))
        pool.nicBandwidth = 10e9
        var scenario = TestScenario.make(duration: .seconds(300), replicas: 2, warm: false, pool: pool, replica: TestScenario.quickStartReplica)
        // 1 GB image: 4 s download at 250 MB/s, 2 s unpack. Two nodes at a 250 MB/s registry: 8 s + 2 s.
        scenario.registry.egress = 250e6
        let shared = Simulation.run(scenario).coldStarts
        #expect(shared.map(\.pullSeconds) == [10, 10])
        scenario.registry.egress = nil
        #expect(Simulation.run(scenario).coldStarts.map(\.pullSeconds) == [6, 6])
    }

    @Test("in a run: a replica cancelled mid-load frees the disk for the one that stays")
    func runCancellationFreesShare() throws {
        /// Two replicas, then one after 4 s.
        struct TwoThenOne: ScalingPolicy {
            var syncPeriod: SimTime? { .seconds(4) }
            var startsWarm: Bool { false }
            func decide(_ observation: ScalingObservation, at now: SimTime) -> ScalingDecision {
                ScalingDecision(desiredReplicas: now < .seconds(4) ? 2 : 1, reason: "test")
            }
        }
        let result = Simulation.run(Self.cachedNode(replicas: 2, disk: 2e9), options: RunOptions(policy: TwoThenOne()))
        let starts = result.coldStarts
        try #require(starts.count == 2)
        // Both read at 1 GB/s for 4 s; the survivor's last 12 GB go at 2 GB/s (6 s), then 0.8 s to the GPU.
        let kept = try #require(starts.first { $0.outcome == .ready })
        let cancelled = try #require(starts.first { $0.outcome == .cancelled })
        #expect(kept.loadSeconds == 10.8)
        #expect(cancelled.stoppedAt == .loadingWeights && cancelled.loadSeconds == 4)
    }

    @Test("every start is on record when capped transfers are cancelled and nodes released mid-pull")
    func accountingWithCaps() throws {
        for stockouts in [0.0, 0.5] {
            var pool = NodePoolSpec(name: "pool", gpu: "H100", gpusPerNode: 2, pricePerHour: 8, provisioning: .constant(30), maxNodes: 6)
            pool.stockoutProbability = stockouts
            pool.stockoutRetry = .seconds(20)
            pool.scaleDownDelay = .seconds(15)
            pool.nicBandwidth = 300e6
            pool.diskBandwidth = 4e9
            var scenario = TestScenario.make(duration: .seconds(1000), arrivals: .poisson(rate: 2), warm: false, pool: pool,
                                             replica: TestScenario.quickStartReplica)
            scenario.registry.egress = 400e6
            scenario.objectStore.egress = 5e9
            let result = Simulation.run(scenario, options: RunOptions(policy: ColdStartAccountingTests.Flapping(high: 6, period: .seconds(25))))
            let c = result.summary.coldStarts
            #expect(c.started > 0 && c.cancelled > 0, "\(c)")
            #expect(c.started == c.completed + c.cancelled + c.unfinished, "\(c)")
            #expect(result.coldStarts.count == c.started)
            #expect(result.brokenInvariant == nil, "\(result.brokenInvariant ?? "")")
            #expect(Simulation.run(scenario, options: RunOptions(policy: ColdStartAccountingTests.Flapping(high: 6, period: .seconds(25))))
                .summary == result.summary)
        }
    }
}
