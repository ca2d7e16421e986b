import HeadroomEngine
import Testing
@testable import Headroom

/// The node table: slots are reused and ids never are; first fit through the free-GPU index is
/// the oldest node with room, exactly as a scan of every node in creation order finds it; the
/// counts by pool are those a scan counts; and a churning run keeps only its live nodes.
@Suite("Node table")
struct NodeTableTests {
    static let pools = [
        NodePoolSpec(name: "eight", gpu: "H100", gpusPerNode: 8, pricePerHour: 98),
        NodePoolSpec(name: "two", gpu: "H100", gpusPerNode: 2, pricePerHour: 25),
    ]

    @Test("a released node's slot goes to the next node; its id and record stay")
    func slotsReused() {
        var table = NodeTable(pools: Self.pools)
        let a = table.add(pool: 0, at: .seconds(1), images: 1, weightFiles: 1)
        let b = table.add(pool: 1, at: .seconds(2), images: 1, weightFiles: 1)
        table.markReady(a, at: .seconds(5))
        table.release(a, at: .seconds(9))
        #expect(table.slot(of: 0) == nil && table.slot(of: 1) == b)
        let c = table.add(pool: 1, at: .seconds(10), images: 1, weightFiles: 1)
        #expect(c == a && table[c].id == 2 && table.slots.count == 2)
        #expect(table.records.count == 3)
        #expect(table.records[0].requestedAt == .seconds(1) && table.records[0].readyAt == .seconds(5)
            && table.records[0].terminatedAt == .seconds(9))
        #expect(table.records[2].pool == 1 && table.records[2].terminatedAt == .never)
        #expect(table.alive == [0, 2] && table.ready == [0, 0] && table.spare == [0, 2] && table.provisioningCount == 2)
    }

    /// What the table must answer, by a scan of every node ever made in creation order (the rule
    /// the simulation had before the index).
    struct Naive {
        var pool: [Int] = [], state: [Node.State] = [], free: [Int] = [], bound: [[Int32]] = [], cordoned: [Bool] = []

        func firstWithRoom(pool p: Int, ready: Bool, need: Int) -> Int? {
            pool.indices.first {
                pool[$0] == p && state[$0] == (ready ? .ready : .provisioning) && free[$0] >= need && !cordoned[$0]
            }
        }
    }

    @Test("first fit and counts agree with a scan in creation order over random churn", arguments: [1, 2, 3])
    func agreesWithScan(seed: UInt64) {
        var random = RandomStream(seed: seed, name: "node-table")
        var table = NodeTable(pools: Self.pools)
        var naive = Naive()
        var slotOf: [Int: Int] = [:]  // id → slot, live nodes
        var nextReplica: Int32 = 0
        var gpusOf: [Int32: Int] = [:]
        for _ in 0..<4000 {
            let live = slotOf.keys.sorted()
            switch random.nextIndex(below: 6) {
            case 0 where live.count < 60:
                let pool = random.nextIndex(below: 2)
                let slot = table.add(pool: pool, at: .zero, images: 0, weightFiles: 0)
                slotOf[naive.pool.count] = slot
                naive.pool.append(pool)
                naive.state.append(.provisioning)
                naive.free.append(Self.pools[pool].gpusPerNode)
                naive.bound.append([])
                naive.cordoned.append(false)
            case 1 where !live.isEmpty:
                let id = live[random.nextIndex(below: live.count)]
                guard naive.state[id] == .provisioning else { break }
                table.markReady(slotOf[id]!, at: .zero)
                naive.state[id] = .ready
            case 2 where !live.isEmpty:
                let id = live[random.nextIndex(below: live.count)]
                let gpus = 1 + random.nextIndex(below: 2)
                guard naive.free[id] >= gpus else { break }
                table.bind(nextReplica, gpus: gpus, to: slotOf[id]!)
                naive.free[id] -= gpus
                naive.bound[id].append(nextReplica)
                gpusOf[nextReplica] = gpus
                nextReplica += 1
            case 3 where !live.isEmpty:
                let id = live[random.nextIndex(below: live.count)]
                guard let replica = naive.bound[id].last else { break }
                let gpus = gpusOf[replica]!
                table.unbind(replica, gpus: gpus, from: slotOf[id]!)
                naive.free[id] += gpus
                naive.bound[id].removeLast()
            case 4 where !live.isEmpty:
                let id = live[random.nextIndex(below: live.count)]
                guard naive.state[id] == .ready, !naive.cordoned[id] else { break }
                table.cordon(slotOf[id]!, until: .seconds(60))
                naive.cordoned[id] = true
            case 5 where !live.isEmpty:
                let id = live[random.nextIndex(below: live.count)]
                guard naive.state[id] == .ready, naive.bound[id].isEmpty else { break }
                table.release(slotOf[id]!, at: .zero)
                naive.state[id] = .terminated
                slotOf[id] = nil
            default:
                break
            }
            for pool in 0..<2 {
                for ready in [false, true] {
                    for need in 1...Self.pools[pool].gpusPerNode {
                        let found = table.firstWithRoom(pool: pool, ready: ready, need: need)
                        let expected = naive.firstWithRoom(pool: pool, ready: ready, need: need).map { slotOf[$0]! }
                        #expect(found == expected, "pool \(pool) ready \(ready) need \(need)")
                    }
                }
                let alive = naive.pool.indices.filter { naive.pool[$0] == pool && naive.state[$0] != .terminated }
                #expect(table.alive[pool] == alive.count)
                #expect(table.ready[pool] == alive.filter { naive.state[$0] == .ready }.count)
                #expect(table.spare[pool] == alive.filter { naive.bound[$0].isEmpty && !naive.cordoned[$0] }.count)
            }
            for (id, slot) in slotOf { #expect(table[slot].bound == naive.bound[id].sorted() && table[slot].id == Int32(id)) }
        }
        #expect(table.slots.count <= 60, "slots are reused")
    }
}

/// A run that scales to zero between bursts releases its nodes; the table keeps only the live
/// ones while the ledger (the result's node list) keeps them all.
@Suite("Node churn")
struct NodeChurnTests {
    static let yaml = """
        name: churn-test
        duration: 3h
        seed: 3
        workload:
          arrivals: {process: spikes, baseline: 0/s, burst_rate: 20/s, burst_length: 5m, period: 20m}
          prompt_tokens: 200
          output_tokens: 100
        model: {name: m, weights: 16GB, kv_bytes_per_token: 128KiB}
        profile: {name: p, base: 5ms, per_seq: 100us, per_prefill_token: 50us, per_context_token: 0ns}
        node_pools:
          - {name: two, gpu: H100, gpus_per_node: 2, price_per_hour: 20, provisioning: 30s, max_nodes: 4, scale_down_delay: 1m, image_cached: true, weights_cached: true}
        replica: {gpus: 1, warmup: 5s}
        policy:
          kind: kpa
          annotations: {autoscaling.knative.dev/target: "2", autoscaling.knative.dev/max-scale: "8"}
        """

    @Test("nodes released between bursts free their slots; every node stays in the result")
    func slotsStayFew() throws {
        let scenario = try Scenario.parse(yaml: Self.yaml, file: "churn.yaml")
        var world = Simulation(scenario, options: RunOptions())
        var queue = EventQueue<SimulationEvent>(reservingCapacity: 256)
        world.start(queue: &queue)
        let events = EventLoop.run(&world, queue: &queue, until: scenario.duration)
        #expect(world.nodes.slots.count <= 4)
        let result = world.finish(at: scenario.duration, events: events)
        #expect(result.nodes.count >= 4 * 8, "\(result.nodes.count) nodes over 9 bursts")
        #expect(result.nodes.count == world.nodes.records.count)
        #expect(result.nodes.filter { $0.terminated == nil }.count == world.nodes.alive[0])
        #expect(result.brokenInvariantIncludingNodes == nil, "\(result.brokenInvariantIncludingNodes ?? "")")
    }
}
