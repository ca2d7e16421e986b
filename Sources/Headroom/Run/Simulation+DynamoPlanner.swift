import HeadroomEngine

/// NVIDIA Dynamo's planner beside the deployments it sizes: every throughput interval it reads
/// the frontend's window (requests, mean TTFT, ITL, ISL, OSL, duration), every load interval
/// (2026) each engine's forward-pass metrics, and sets the prefill and decode replicas itself.
struct DynamoPlannerState: Sendable {
    var planner: DynamoPlanner
    /// The deployments it sizes (`prefill` nil in agg mode) and the one owning their traffic.
    let prefill: Int?
    let decode: Int
    let traffic: Int
    /// Requests that had arrived at the window's start, and the prefix-cache tokens looked up
    /// and found by then (every engine: a gone replica's counts stay).
    var windowStartSerial: Int64 = 0
    var queriedTokens: Int64 = 0, hitTokens: Int64 = 0
}

/// What the frontend saw finish in the current window: sums for Dynamo's means
/// (`increase(X_sum[I]) / increase(X_count[I])`).
struct FrontendWindow: Sendable {
    var finished = 0
    var ttft = 0.0, itl = 0.0, isl = 0.0, osl = 0.0, duration = 0.0
    /// Requests with more than one token, over which ITL is averaged.
    var itlCount = 0

    mutating func finished(_ request: RequestSlot, at now: SimTime) {
        finished += 1
        let first = (request.firstTokenAt - request.arrival).seconds, total = (now - request.arrival).seconds
        ttft += first
        duration += total
        isl += Double(request.promptTokens)
        osl += Double(request.outputTokens)
        if request.outputTokens > 1 {
            itl += (total - first) / Double(request.outputTokens - 1)
            itlCount += 1
        }
    }
}

extension Simulation {
    /// Builds the planner from its deployments' profiles and engine limits (on their first pools).
    static func dynamoPlanner(_ binding: DynamoPlannerBinding, scenario: Scenario) -> DynamoPlannerState {
        func index(_ name: String) -> Int { scenario.deployments.firstIndex { $0.name == name }! }
        let decode = index(binding.decode), prefill = binding.prefill.map(index)
        func capabilities(_ d: Int) -> (HardwareProfile, DynamoEngineCapabilities) {
            let spec = scenario.deployments[d], pool = scenario.nodePools[spec.poolIndices(in: scenario.nodePools)[0]]
            let kv = spec.kvCapacityTokens(on: pool).map { Int(min($0, Int64(Int32.max))) } ?? Int(Int32.max)
            return (spec.profile(on: pool), DynamoEngineCapabilities(
                maxNumBatchedTokens: spec.replica.engine.maxNumBatchedTokens, maxKVTokens: kv,
                maxNumSeqs: spec.replica.engine.maxNumSeqs, gpus: spec.replica.gpus))
        }
        let (decodeProfile, decodeCaps) = capabilities(decode)
        let (prefillProfile, prefillCaps) = prefill.map(capabilities) ?? (decodeProfile, decodeCaps)
        let planner = DynamoPlanner(
            spec: binding.spec, prefillProfile: prefillProfile, prefill: prefillCaps, decodeProfile: decodeProfile, decode: decodeCaps,
            maxContextLength: min(decodeCaps.maxKVTokens, EngineMetric.defaultMaxModelLen))
        let traffic = scenario.deployments[decode].sharesTrafficWith.map(index) ?? decode
        return DynamoPlannerState(planner: planner, prefill: prefill, decode: decode, traffic: traffic)
    }

    /// The planner's ticks: `target` 0 is the throughput loop, 1 the load loop.
    mutating func plannerTick(_ loop: Int32, at now: SimTime, queue: inout EventQueue<SimulationEvent>) {
        guard var state = dynamo else { return }
        let workers = plannerWorkers(state)
        let decision: DynamoDecision
        if loop == 0 {
            decision = state.planner.throughputTick(frontendWindow(&state, at: now), workers: workers)
            schedule(event(.plannerTick, 0), at: now + .seconds(state.planner.throughputInterval), queue: &queue)
        } else {
            let prefill = state.prefill.map(forwardPasses) ?? []
            decision = state.planner.loadTick(prefill: prefill, decode: forwardPasses(state.decode), workers: workers)
            if let interval = state.planner.loadInterval {
                schedule(event(.plannerTick, 1), at: now + .seconds(interval), queue: &queue)
            }
        }
        dynamo = state
        if let prefill = state.prefill, let count = decision.prefill { follow(prefill, count, decision.reason, at: now, queue: &queue) }
        if let count = decision.decode { follow(state.decode, count, decision.reason, at: now, queue: &queue) }
    }

    /// Sets deployment `d` to `count` replicas as the planner's connector patches the DGD.
    private mutating func follow(_ d: Int, _ count: Int, _ reason: String, at now: SimTime, queue: inout EventQueue<SimulationEvent>) {
        let counts = replicaCounts(d)
        deployments[d].controller.follow(count, reason: "dynamo planner: " + reason, replicas: counts,
                                         activatorQueue: deployments[deployments[d].traffic].activator.count, at: now)
        apply(d, desired: count, current: counts.active, warm: false, at: now, queue: &queue)
    }

    /// Ready and expected (spec) workers of each component.
    private func plannerWorkers(_ state: DynamoPlannerState) -> DynamoWorkerCounts {
        let decode = replicaCounts(state.decode), prefill = state.prefill.map(replicaCounts) ?? ReplicaCounts()
        return DynamoWorkerCounts(
            readyPrefill: prefill.ready, expectedPrefill: state.prefill.map { deployments[$0].controller.desiredReplicas } ?? 0,
            readyDecode: decode.ready, expectedDecode: deployments[state.decode].controller.desiredReplicas)
    }

    /// Each ready replica's latest forward pass.
    private func forwardPasses(_ d: Int) -> [DynamoEngineLoad] {
        deployments[d].readyReplicas.map { replica in
            engines[replicaSlot(replica)].forwardPass(worker: Int(replica), requests: requests)
        }
    }

    /// The frontend's window since the last throughput tick (NaN means: no request finished).
    private mutating func frontendWindow(_ state: inout DynamoPlannerState, at now: SimTime) -> DynamoTrafficWindow {
        let t = state.traffic, w = deployments[t].frontend
        let arrived = deployments[t].serial - state.windowStartSerial
        state.windowStartSerial = deployments[t].serial
        deployments[t].frontend = FrontendWindow()
        let n = Double(w.finished)
        // The KV hit rate over the window (vLLM's prefix-cache counters), when any engine caches.
        let (queried, hit) = prefixLookups()
        let hitRate = queried > state.queriedTokens ? Double(hit - state.hitTokens) / Double(queried - state.queriedTokens) : nil
        state.queriedTokens = queried
        state.hitTokens = hit
        return DynamoTrafficWindow(
            requestCount: Double(arrived), ttft: w.finished > 0 ? w.ttft / n : .nan,
            itl: w.itlCount > 0 ? w.itl / Double(w.itlCount) : .nan, isl: w.finished > 0 ? w.isl / n : .nan,
            osl: w.finished > 0 ? w.osl / n : .nan, requestDuration: w.finished > 0 ? w.duration / n : .nan,
            seconds: state.planner.throughputInterval, kvHitRate: hitRate)
    }
}
