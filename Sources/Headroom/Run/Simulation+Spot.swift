import Foundation
import HeadroomEngine

/// Spot pools (`spot:`): a node gets an interruption notice, is cordoned and drained for the
/// notice, then vanishes. Its replicas leave their routers at the notice (starting ones are
/// cancelled); each deployment's policy sees fewer replicas and scales as it would, and new
/// replicas find capacity only through normal placement (provisioning, stockouts, fallback to the
/// next pool). Nothing here runs without a spot pool.
extension Simulation {
    mutating func scheduleScriptedInterruptions(queue: inout EventQueue<SimulationEvent>) {
        for (pool, spec) in scenario.nodePools.enumerated() {
            for (index, time) in (spec.spot?.interruptions ?? []).enumerated() where time <= scenario.duration {
                schedule(event(.scriptedSpotNotice, Int32(pool), UInt32(index)), at: time, queue: &queue)
            }
        }
    }

    /// The node in slot `node` became ready: on a spot pool with a rate, draws when its notice
    /// comes (exponential, from the pool's own stream).
    mutating func armSpotInterruption(_ node: Int32, at now: SimTime, queue: inout EventQueue<SimulationEvent>) {
        let pool = nodes[Int(node)].pool
        guard let rate = scenario.nodePools[pool].spot?.interruptionsPerHour, rate > 0 else { return }
        let delay = -log(1 - capacity.spotRandom[pool].nextUnit()) / rate * 3600
        guard delay.isFinite, delay < (scenario.duration - now).seconds else { return }
        schedule(event(.spotNotice, nodes[Int(node)].id), at: now + .seconds(delay), queue: &queue)
    }

    /// A drawn notice for node `id`: it gets it unless it is gone already.
    mutating func spotNoticeFired(node id: Int32, at now: SimTime, queue: inout EventQueue<SimulationEvent>) {
        guard let n = nodes.slot(of: id), nodes[n].state == .ready, nodes[n].reclaimAt == .never else { return }
        interrupt(Int32(n), at: now, queue: &queue)
    }

    /// A scripted notice strikes the pool's oldest ready node not already under notice, if any.
    mutating func scriptedSpotNoticeFired(pool: Int32, at now: SimTime, queue: inout EventQueue<SimulationEvent>) {
        let candidates = nodes.liveSlots.filter { nodes[$0].pool == Int(pool) && nodes[$0].state == .ready && nodes[$0].reclaimAt == .never }
        guard let node = candidates.min(by: { nodes[$0].id < nodes[$1].id }) else { return }
        interrupt(Int32(node), at: now, queue: &queue)
    }

    /// The replicas bound to the node in slot `node`, in id order.
    private func replicas(on node: Int32) -> [Int32] { nodes[Int(node)].bound }

    /// The notice: the node is cordoned (takes no replica) and drained — ready replicas leave their
    /// routers and finish what they hold, starting ones are cancelled — and, as a ReplicaSet does
    /// for evicted pods, each gets a replacement at once, placed like any new replica. The
    /// policy sees fewer ready replicas and scales as it would. The node stays billed until it ends.
    mutating func interrupt(_ node: Int32, at now: SimTime, queue: inout EventQueue<SimulationEvent>) {
        let n = Int(node), pool = nodes[n].pool
        let notice = scenario.nodePools[pool].spot?.notice ?? .zero
        nodes.cordon(n, until: now + notice)
        capacity.interruptions[pool] += 1
        let doomed = replicas(on: node).filter { replicas[replicaSlot($0)].stage != .draining }
        capacity.replicasInterrupted += doomed.count
        for replica in doomed {
            let d = owner(replica)
            remove(replica, at: now, queue: &queue)
            createReplica(d, warm: deployments[d].controller.policy.startsInstantly, at: now, queue: &queue)
        }
        schedule(event(.spotReclaim, nodes[n].id), at: now + notice, queue: &queue)
        topUpSpareNodes(at: now, queue: &queue)
    }

    /// The notice for node `id` is over: the node vanishes with whatever its replicas still hold,
    /// which is retried through their deployments' activators.
    mutating func reclaim(_ id: Int32, at now: SimTime, queue: inout EventQueue<SimulationEvent>) {
        // Released earlier: it emptied and its scale-down delay ran out during the notice.
        guard let n = nodes.slot(of: id), nodes[n].state == .ready else { return }
        let node = Int32(n)
        // Gone first, so placements its replicas' departures trigger do not count it alive.
        nodes.markTerminated(n)
        var retries: [[Int32]] = Array(repeating: [], count: deployments.count)
        for replica in replicas(on: node) {
            let r = replicaSlot(replica), d = owner(replica), t = deployments[d].traffic
            if replicas[r].stage != .draining { remove(replica, at: now, queue: &queue) }
            guard replicas[r].stage == .draining else { continue }
            retries[t] += engines[r].abandonAll()
            loadChanged(replica)
            if deployments[d].tracksSignals { counters[r].update(outstanding: 0, busy: false, at: now) }
            retire(replica, at: now, queue: &queue)
        }
        terminate(node, at: now, queue: &queue)
        for d in retries.indices where !retries[d].isEmpty { retry(retries[d], of: d, at: now, queue: &queue) }
        topUpSpareNodes(at: now, queue: &queue)
        placeUnplaced(at: now, queue: &queue)
    }

    /// Sends the requests a reclaimed node held back to their traffic's activator (`d` owns it), oldest
    /// first, as a real router retries a request whose upstream connection was reset (Knative's
    /// activator and queue-proxy, Envoy's `retry_on: reset`). The retry starts over — prompt and
    /// output are computed again — and its latency counts from its first arrival. One that finds
    /// the activator full or is already past `activator_timeout` is dropped (`spot_interrupted`).
    private mutating func retry(_ ids: [Int32], of d: Int, at now: SimTime, queue: inout EventQueue<SimulationEvent>) {
        let router = deployments[d].router
        for id in ids.sorted(by: { requests[$0].serial < requests[$1].serial }) {
            guard now - requests[id].arrival <= router.activatorTimeout, deployments[d].activator.count < router.activatorCapacity else {
                drop(id, of: d, .spotInterrupted, at: now)
                continue
            }
            requests[id].restart()
            deployments[d].activator.append(id)
            capacity.requestsRetried += 1
        }
        deployments[d].activatorCounters.update(outstanding: deployments[d].activator.count, busy: false, at: now)
        drainActivator(d, at: now, queue: &queue)
        if !deployments[d].activator.isEmpty { pokeIfScaledToZero(d, at: now, queue: &queue) }
    }

    /// Stockouts by pool, time waiting for capacity and spot figures, into the run's summary.
    func recordCapacity(into summary: inout RunSummary, horizon: SimTime) {
        let pools = scenario.nodePools
        if capacity.stockouts.contains(where: { $0 > 0 }) {
            summary.stockoutsByPool = Dictionary(pools.indices.map { (pools[$0].name, capacity.stockouts[$0]) }, uniquingKeysWith: +)
        }
        let waited = capacity.waitingSeconds + Double(unplaced.count) * (horizon - capacity.waitingSince).seconds
        if waited > 0 { summary.capacityWaitSeconds = waited }
        if pools.contains(where: { $0.spot != nil }) {
            summary.spot = SpotSummary(
                interruptionsByPool: Dictionary(pools.indices.filter { pools[$0].spot != nil }
                    .map { (pools[$0].name, capacity.interruptions[$0]) }, uniquingKeysWith: +),
                replicasInterrupted: capacity.replicasInterrupted, requestsRetried: capacity.requestsRetried)
        }
    }
}

extension RequestSlot {
    /// Back to how it arrived: nothing prefilled, admitted or produced.
    mutating func restart() {
        generated = 0
        prefillRemaining = promptTokens
        admittedAt = .never
        firstTokenAt = .never
        preempted = false
        transferred = 0
        // A handed-off request starts over on a prefill worker.
        if stage == .decode {
            stage = .prefill
            outputTokens = 1
        }
    }
}
