import DequeModule
import HeadroomEngine

/// Options that change how a run is carried out or what it keeps, never what the model is.
public struct RunOptions: Sendable {
    /// Jump over runs of decode iterations in one event (true), or step every iteration (the naive
    /// reference, for tests). Both give identical results.
    public var collapsesDecodeRuns = true
    /// Keep the life of the first N requests to arrive.
    public var requestSample = 0
    /// Called every 65,536 events with the simulated time.
    public var progress: (@Sendable (SimTime) -> Void)?
    /// A policy to use instead of the scenario's (a user-written one, or a probe in tests).
    public var policy: (any ScalingPolicy)?
    /// Which autoscaler decisions the result keeps (a week of KPA evaluations every 2 s is
    /// hundreds of MB otherwise).
    public var decisions: DecisionStorage

    public init(
        collapsesDecodeRuns: Bool = true, requestSample: Int = 0, progress: (@Sendable (SimTime) -> Void)? = nil,
        policy: (any ScalingPolicy)? = nil, decisions: DecisionStorage = .all
    ) {
        self.collapsesDecodeRuns = collapsesDecodeRuns
        self.requestSample = requestSample
        self.progress = progress
        self.policy = policy
        self.decisions = decisions
    }
}

/// One event: a kind, the entity it concerns and, for timers that can be superseded, the
/// generation it was scheduled under. Twelve bytes, no references.
public struct SimulationEvent: Sendable {
    /// `arrival` and `policyTick` target a deployment, `nodeRetry` a pool.
    public enum Kind: UInt8, Sendable {
        case arrival, replicaStep, replicaStage, nodeReady, nodeScaleDown, nodeRetry, policyTick, sample
        /// A signal pipeline's snapshot: `target` is the pipeline, `generation` the deployment × 2, + 1 at a
        /// scrape (0 at a window start).
        case signalSnapshot
        /// A cold-start transfer's leg ends: `target` is the transfer, `generation` its rate's.
        case transferDone
        /// A drawn replica failure: `target` is the replica, `generation` its fault epoch × 16 + the fault.
        case replicaFault
        /// A scripted replica failure: `target` is the fault, `generation` the index of its time.
        case scriptedFault
        /// A Prometheus scrape: `target` 0 scrapes the pods, 1 the router; `generation` is the deployment.
        case prometheusScrape
        /// A cycle of llm-d's variant autoscaler: `target` is its model group.
        case variantCycle
        /// Spot (Simulation+Spot.swift): a drawn interruption notice, `target` the node; a
        /// scripted one, `target` the pool and `generation` the index of its time; the notice's
        /// end, `target` the node.
        case spotNotice, scriptedSpotNotice, spotReclaim
        /// A KV transfer to a decode worker ends: `target` is the transfer, `generation` its rate's.
        case kvTransferDone
        /// Dynamo's planner: `target` 0 its throughput loop, 1 its load loop.
        case plannerTick
    }
    public var kind: Kind
    public var target: Int32
    public var generation: UInt32

    /// Same-instant order: arrivals join before an iteration boundary admits; lifecycle changes
    /// follow serving; signals are sampled, then the policy sees them; series samples come last.
    var phase: UInt8 {
        switch kind {
        case .arrival, .kvTransferDone: return 0
        case .replicaStep: return 1
        case .replicaStage, .nodeReady, .nodeScaleDown, .nodeRetry, .transferDone, .replicaFault, .scriptedFault,
             .spotNotice, .scriptedSpotNotice, .spotReclaim: return 2
        case .signalSnapshot, .prometheusScrape: return 3
        case .policyTick, .variantCycle, .plannerTick: return 4
        case .sample: return 5
        }
    }
}

/// The world of one run — the cluster (node pools, nodes, transfers) and the deployments that
/// share it (workload, router, autoscaler, replicas, metrics) — and its reaction to each event.
/// Build one with `Simulation.run(_:options:)`.
public struct Simulation: EventHandler {
    public typealias Payload = SimulationEvent

    let scenario: Scenario
    let options: RunOptions
    /// Every deployment's profile on every pool it may use (a replica keeps the index of its own).
    let stepTimes: [StepTimeModel]
    /// Each deployment's container image and weight file, as ids shared by deployments that use
    /// the same one (a node caches each once).
    let imageOf: [Int], weightsOf: [Int]
    let imageCount: Int, weightFileCount: Int

    var deployments = StateTable<DeploymentState>()
    var requests = RequestTable()
    /// Replica state by slot (`replicaSlots` maps a replica's id to it; slots are reused).
    var replicaSlots = ReplicaSlots()
    var replicaLedger: ReplicaLedger
    var replicas = StateTable<Replica>()
    var engines = StateTable<ReplicaEngine>()
    /// Cumulative signal counters, one per replica (parallel to `replicas`).
    var counters = StateTable<CounterState>()
    /// The slot whose engine `prefetchFollowing` asked for (its buffers come next), or -1.
    var prefetchedAhead = -1
    /// vLLM's counters and histograms, one per replica, when a deployment's policy queries Prometheus.
    var engineMetrics = StateTable<EngineMetricState>()
    /// Live nodes in reusable slots, and the ledger of every node created (Cluster/NodeTable.swift).
    var nodes: NodeTable
    /// Image pulls and weight loads in flight on shared links.
    var transfers: TransferTable
    /// Pending replicas with no node to wait for, oldest first.
    var unplaced = Deque<Int32>()
    /// Per pool: a node request was refused and the retry is scheduled.
    var stockoutRetryPending: [Bool]
    var clusterRandom: RandomStream
    var outcome = IterationOutcome()
    /// GPU-seconds by state over the whole cluster.
    var gpuTime = GPUTimeLedger()
    /// Node requests the pools refused for lack of capacity.
    var stockouts = 0
    var series: [SeriesPoint] = []
    /// llm-d's variant autoscaler, one per model it manages.
    var variantAutoscalers: [VariantAutoscalerState] = []
    /// Draws the times of injected replica failures (its own stream: other draws do not move).
    var faultRandom: RandomStream
    /// Spot interruptions, stockouts by pool, time waiting for capacity (Simulation+Spot.swift).
    var capacity: CapacityState
    /// KV caches travelling from prefill to decode workers, and what they measured.
    var kvTransfers: KVTransferTable
    var disaggregation = DisaggregationMetrics()
    /// NVIDIA Dynamo's planner, when the scenario has one.
    var dynamo: DynamoPlannerState?

    init(_ scenario: Scenario, options: RunOptions) {
        self.scenario = scenario
        self.options = options
        var stepTimes: [StepTimeModel] = []
        var indices: [[Int]] = []
        for deployment in scenario.deployments {
            let usable = deployment.poolIndices(in: scenario.nodePools)
            var byPool = Array(repeating: -1, count: scenario.nodePools.count)
            var known: [(HardwareProfile, Int)] = []
            for pool in usable {
                let profile = deployment.profile(on: scenario.nodePools[pool])
                if let index = known.first(where: { $0.0 == profile })?.1 {
                    byPool[pool] = index
                } else {
                    known.append((profile, stepTimes.count))
                    byPool[pool] = stepTimes.count
                    stepTimes.append(StepTimeModel(profile, tabulatingUpTo: deployment.replica.engine.maxNumBatchedTokens))
                }
            }
            indices.append(byPool)
        }
        self.stepTimes = stepTimes
        var images: [ImageSpec] = [], weightFiles: [ModelSpec] = []
        imageOf = scenario.deployments.map { deployment in
            if let id = images.firstIndex(of: deployment.replica.image) { return id }
            images.append(deployment.replica.image)
            return images.count - 1
        }
        weightsOf = scenario.deployments.map { deployment in
            if let id = weightFiles.firstIndex(where: { $0.name == deployment.model.name && $0.weightsBytes == deployment.model.weightsBytes }) { return id }
            weightFiles.append(deployment.model)
            return weightFiles.count - 1
        }
        imageCount = images.count
        weightFileCount = weightFiles.count
        nodes = NodeTable(pools: scenario.nodePools)
        replicaLedger = ReplicaLedger(deployments: scenario.deployments.count, keepsKVCapacity: scenario.variantAutoscaling != nil)
        stockoutRetryPending = Array(repeating: false, count: scenario.nodePools.count)
        clusterRandom = RandomStream(seed: scenario.seed, name: "cluster")
        faultRandom = RandomStream(seed: scenario.seed, name: "faults")
        capacity = CapacityState(pools: scenario.nodePools, seed: scenario.seed)
        kvTransfers = KVTransferTable(poolCount: scenario.nodePools.count)
        transfers = TransferTable(registryEgress: scenario.registry.egress, objectStoreEgress: scenario.objectStore.egress)
        if let spec = scenario.variantAutoscaling {
            variantAutoscalers = spec.models.map { model in
                VariantAutoscalerState(
                    autoscaler: spec.autoscaler(for: model.modelID), model: model,
                    deployments: model.variants.map { variant in scenario.deployments.firstIndex { $0.name == variant.deployment }! })
            }
        }
        let variants = Set(variantAutoscalers.flatMap(\.deployments))
        deployments = StateTable(scenario.deployments.indices.lazy.map {
            DeploymentState($0, of: scenario, options: options, stepTimeIndex: indices[$0],
                            extraQueries: variants.contains($0) ? VariantAutoscalerQueries.all : [])
        })
        if let binding = scenario.dynamoPlanner {
            let state = Self.dynamoPlanner(binding, scenario: scenario)
            deployments[state.traffic].feedsPlanner = true
            dynamo = state
        }
        // A request too large for any replica serving its traffic is refused on arrival.
        for d in deployments.indices where deployments[d].trafficMembers.count > 1 {
            deployments[d].smallestKVCapacity = deployments[d].trafficMembers.compactMap { deployments[$0].smallestKVCapacity }.min()
        }
    }

    /// Simulates `scenario` from time zero to its duration.
    public static func run(_ scenario: Scenario, options: RunOptions = RunOptions()) -> RunResult {
        var world = Simulation(scenario, options: options)
        // Timer 0, the first deployment's next arrival, is the queue's lead timer (kept apart).
        var queue = EventQueue<SimulationEvent>(
            reservingCapacity: 256, timerSlots: scenario.deployments.count + 16, leadTimer: true)
        world.start(queue: &queue)
        let events = EventLoop.run(&world, queue: &queue, until: scenario.duration, progress: options.progress)
        return world.finish(at: scenario.duration, events: events)
    }

    mutating func start(queue: inout EventQueue<SimulationEvent>) {
        for (index, spec) in scenario.nodePools.enumerated() {
            for _ in 0..<max(spec.initialNodes, spec.minNodes) {
                let node = addNode(pool: index, at: .zero)
                makeReady(node: node, at: .zero, queue: &queue)
            }
        }
        topUpSpareNodes(at: .zero, queue: &queue)
        for d in deployments.indices {
            deployments[d].nextRequest = deployments[d].source.next()
            if let request = deployments[d].nextRequest { queue.setTimer(d, event(.arrival, Int32(d)), at: request.arrival, phase: 0) }
        }
        for d in deployments.indices { schedule(event(.policyTick, Int32(d)), at: .zero, queue: &queue) }
        for g in variantAutoscalers.indices { schedule(event(.variantCycle, Int32(g)), at: .zero, queue: &queue) }
        if let planner = dynamo?.planner {
            schedule(event(.plannerTick, 0), at: .seconds(planner.throughputInterval), queue: &queue)
            if let load = planner.loadInterval { schedule(event(.plannerTick, 1), at: .seconds(load), queue: &queue) }
        }
        schedule(event(.sample), at: scenario.seriesInterval, queue: &queue)
        scheduleScriptedFaults(queue: &queue)
        scheduleScriptedInterruptions(queue: &queue)
        for d in deployments.indices {
            for pipeline in deployments[d].sampler.requests.indices {
                // The first snapshot follows the policy's first evaluation, so a warm fleet is in it.
                queue.schedule(event(.signalSnapshot, Int32(pipeline), UInt32(d) << 1), at: .zero, phase: 5)
                scheduleSnapshots(pipeline, of: d, after: .zero, queue: &queue)
            }
            if deployments[d].prometheus != nil {
                // Like the signal snapshots, the first scrapes follow the policy's first evaluation.
                queue.schedule(event(.prometheusScrape, 0, UInt32(d)), at: .zero, phase: 5)
                queue.schedule(event(.prometheusScrape, 1, UInt32(d)), at: .zero, phase: 5)
            }
        }
    }

    /// (Always inlined into the run loop: a call and its set-up on every event otherwise.)
    @inline(__always)
    public mutating func handle(_ payload: SimulationEvent, at now: SimTime, queue: inout EventQueue<SimulationEvent>) {
        switch payload.kind {
        case .arrival: arrive(Int(payload.target), at: now, queue: &queue)
        case .replicaStep: endIteration(replica: payload.target, generation: payload.generation, at: now, queue: &queue)
        case .replicaStage: endStage(replica: payload.target, generation: payload.generation, at: now, queue: &queue)
        case .nodeReady: makeReady(node: payload.target, at: now, queue: &queue)
        case .nodeScaleDown: scaleDown(node: payload.target, generation: payload.generation, at: now, queue: &queue)
        case .transferDone: transferLegEnded(payload.target, generation: payload.generation, at: now, queue: &queue)
        case .nodeRetry:
            stockoutRetryPending[Int(payload.target)] = false
            placeUnplaced(at: now, queue: &queue)
        case .replicaFault: drawnFaultFired(replica: payload.target, generation: payload.generation, at: now, queue: &queue)
        case .scriptedFault: scriptedFaultFired(payload.target, at: now, queue: &queue)
        case .spotNotice: spotNoticeFired(node: payload.target, at: now, queue: &queue)
        case .scriptedSpotNotice: scriptedSpotNoticeFired(pool: payload.target, at: now, queue: &queue)
        case .spotReclaim: reclaim(payload.target, at: now, queue: &queue)
        case .kvTransferDone: kvTransferDone(payload.target, generation: payload.generation, at: now, queue: &queue)
        case .plannerTick: plannerTick(payload.target, at: now, queue: &queue)
        case .policyTick: evaluatePolicy(Int(payload.target), at: now, periodic: payload.generation == 0, queue: &queue)
        case .variantCycle: runVariantCycle(Int(payload.target), at: now, queue: &queue)
        case .prometheusScrape: scrapePrometheus(job: payload.target, of: Int(payload.generation), at: now, queue: &queue)
        case .signalSnapshot:
            snapshotSignals(payload.target, of: Int(payload.generation >> 1), scrape: payload.generation & 1 == 1, at: now, queue: &queue)
        case .sample:
            sampleSeries(at: now)
            schedule(event(.sample), at: now + scenario.seriesInterval, queue: &queue)
        }
    }

    @inline(__always)
    func event(_ kind: SimulationEvent.Kind, _ target: Int32 = 0, _ generation: UInt32 = 0) -> SimulationEvent {
        SimulationEvent(kind: kind, target: target, generation: generation)
    }

    @inline(__always)
    mutating func schedule(_ event: SimulationEvent, at time: SimTime, queue: inout EventQueue<SimulationEvent>) {
        queue.schedule(event, at: time, phase: event.phase)
    }

    /// The event queue's timer for the next iteration boundary of the replica in storage slot
    /// `slot` (timers below the deployment count hold each deployment's next arrival). Slots are
    /// reused, so the timers stay as few as the replicas alive at once; a reused slot's timer is
    /// superseded by its new occupant's, and an old one that fires names a gone id (ignored).
    @inline(__always)
    func stepTimer(slot: Int) -> Int { deployments.count &+ slot }

    /// The deployment a replica belongs to (alone, without loading the replica's record: in a
    /// fleet of thousands that load misses the cache on every request).
    @inline(__always)
    func owner(_ replica: Int32) -> Int { deployments.count == 1 ? 0 : Int(replicas[replicaSlot(replica)].deployment) }

    /// `owner` of the replica in slot `r`.
    @inline(__always)
    func owner(slot r: Int) -> Int { deployments.count == 1 ? 0 : Int(replicas[r].deployment) }
}
