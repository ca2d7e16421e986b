import HeadroomEngine

/// Prefill/decode disaggregation: a prefill worker's request leaves after its first token; its
/// KV cache travels to a decode worker (KVTransferTable), which admits it with the prompt's KV
/// already there and makes the rest of its tokens. Its first token reaches the user when the
/// transfer ends, so TTFT includes the transfer.
extension Simulation {
    /// Tells the router of a replica's traffic its load: requests queued and running, and for a
    /// decode worker the KV caches on their way to it.
    @inline(__always)
    mutating func loadChanged(_ replica: Int32) {
        let r = replicaSlot(replica), d = owner(slot: r)
        loadChanged(replica, slot: r, of: d, traffic: deployments[d].traffic, outstanding: engines[r].outstanding)
    }

    /// `loadChanged` where the caller knows the replica's slot, deployment, traffic and load.
    @inline(__always)
    mutating func loadChanged(_ replica: Int32, slot r: Int, of d: Int, traffic t: Int, outstanding: Int) {
        if deployments[d].role == .decode {
            deployments[t].decodeLoad.update(replica, outstanding: outstanding + Int(replicas[r].inboundKV))
        } else {
            deployments[t].routing.loadChanged(replica, outstanding: outstanding)
        }
    }

    /// A request finished its prefill (and first token) on `replica`, a prefill worker: it
    /// becomes a decode request holding its prompt's KV, on its way to a decode worker.
    mutating func handOff(_ id: Int32, from replica: Int32, at now: SimTime, queue: inout EventQueue<SimulationEvent>) {
        let d = owner(replica), t = deployments[d].traffic
        deployments[d].servedPromptTokens += Int(requests[id].promptTokens)
        deployments[d].servedOutputTokens += 1
        requests[id].stage = .decode
        requests[id].outputTokens = requests[id].fullOutputTokens
        requests[id].generated = 1
        // The decode worker computes the first token's KV (and makes the second) over the prompt's.
        requests[id].prefillRemaining = 1
        requests[id].transferred = requests[id].promptTokens
        requests[id].preempted = true  // exempt from the queue timeout: it was admitted already
        sendToDecode(id, from: nodes[Int(replicas[replicaSlot(replica)].node)].id, of: t, at: now, queue: &queue)
    }

    /// Starts the KV transfer of request `id` (its KV on node `node`, an id: the node may be gone
    /// since) to the least loaded decode worker of traffic `t`, or queues it until one is ready.
    mutating func sendToDecode(_ id: Int32, from node: Int32, of t: Int, at now: SimTime, queue: inout EventQueue<SimulationEvent>) {
        guard let target = deployments[t].decodeLoad.least?.replica else {
            deployments[t].handoffs.append((id, node))
            disaggregation.waitedForDecodeWorker += 1
            pokeIfScaledToZero(t, at: now, queue: &queue)
            return
        }
        let destination = Int(replicas[replicaSlot(target)].node)
        let link = kvTransfers.link(
            from: node, sourcePool: Int(nodes.records[Int(node)].pool), to: nodes[destination].id, destinationPool: nodes[destination].pool,
            pools: scenario.nodePools, spec: scenario.kvTransfer)
        replicas[replicaSlot(target)].inboundKV += 1
        loadChanged(target)
        let bytes = Double(requests[id].promptTokens) * deployments[t].kvBytesPerToken
        _ = kvTransfers.start(request: id, destination: target, sourceNode: node, link: link, bytes: bytes, at: now)
        scheduleMovedTransfers(queue: &queue)
    }

    /// A KV transfer's last byte is through: it frees its share of the link and arrives after the
    /// link's latency; then the decode worker takes the request.
    mutating func kvTransferDone(_ id: Int32, generation: UInt32, at now: SimTime, queue: inout EventQueue<SimulationEvent>) {
        guard kvTransfers[id].live, kvTransfers[id].generation == generation else { return }
        if !kvTransfers[id].delivering {
            kvTransfers.release(id, at: now)
            scheduleMovedTransfers(queue: &queue)
            schedule(event(.kvTransferDone, id, kvTransfers[id].generation), at: now + kvTransfers[id].latency, queue: &queue)
            return
        }
        let transfer = kvTransfers.delivered(id)
        let request = transfer.request, target = transfer.destination
        let r = replicaSlot(target)  // (a gone worker keeps its slot until its last KV arrives)
        replicas[r].inboundKV -= 1
        disaggregation.transferred(now - transfer.startedAt, bytes: transfer.bytes)
        if replicas[r].stage == .gone && replicas[r].inboundKV == 0 { releaseSlotIfIdle(target, at: now) }
        if replicas[r].stage == .ready {
            requests[request].firstTokenAt = now  // the first token reaches the user with the KV
            disaggregation.handedOff(transferSeconds: (now - transfer.startedAt).seconds,
                                     ttftSeconds: (now - requests[request].arrival).seconds)
            dispatch(request, to: target, at: now, queue: &queue)
        } else {
            // Its worker left meanwhile: another takes it (the KV moves again).
            sendToDecode(request, from: transfer.sourceNode, of: deployments[owner(target)].traffic, at: now, queue: &queue)
        }
    }

    /// Sends prefilled requests waiting for a decode worker of traffic `t` to those with room,
    /// oldest first; drops those past the activator timeout.
    mutating func drainHandoffs(_ t: Int, at now: SimTime, queue: inout EventQueue<SimulationEvent>) {
        let timeout = deployments[t].router.activatorTimeout
        while let head = deployments[t].handoffs.first {
            if now - requests[head.request].arrival > timeout {
                deployments[t].handoffs.removeFirst()
                drop(head.request, of: t, .activatorTimeout, at: now)
                continue
            }
            guard deployments[t].decodeLoad.least != nil else { return }
            deployments[t].handoffs.removeFirst()
            sendToDecode(head.request, from: head.node, of: t, at: now, queue: &queue)
        }
    }

    private mutating func scheduleMovedTransfers(queue: inout EventQueue<SimulationEvent>) {
        for moved in kvTransfers.takeMoved() {
            schedule(event(.kvTransferDone, moved, kvTransfers[moved].generation), at: kvTransfers[moved].completion, queue: &queue)
        }
    }
}

/// What disaggregation measured: KV transfers, their time and share of TTFT, waits for a decode worker.
struct DisaggregationMetrics {
    var transfers = 0
    var bytes = 0.0
    var transferTimes = LatencyHistogram()
    var transferSecondsOfHandoffs = 0.0
    var ttftSecondsOfHandoffs = 0.0
    var waitedForDecodeWorker = 0

    mutating func transferred(_ time: SimTime, bytes: Double) {
        transfers += 1
        self.bytes += bytes
        transferTimes.record(time)
    }

    mutating func handedOff(transferSeconds: Double, ttftSeconds: Double) {
        transferSecondsOfHandoffs += transferSeconds
        ttftSecondsOfHandoffs += ttftSeconds
    }
}
