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

    public init(
        collapsesDecodeRuns: Bool = true, requestSample: Int = 0, progress: (@Sendable (SimTime) -> Void)? = nil,
        policy: (any ScalingPolicy)? = nil
    ) {
        self.collapsesDecodeRuns = collapsesDecodeRuns
        self.requestSample = requestSample
        self.progress = progress
        self.policy = policy
    }
}

/// One event: a kind, the entity it concerns and, for timers that can be superseded, the
/// generation it was scheduled under. Twelve bytes, no references.
public struct SimulationEvent: Sendable {
    public enum Kind: UInt8, Sendable {
        case arrival, replicaStep, replicaStage, nodeReady, nodeScaleDown, nodeRetry, policyTick, sample
        /// A signal pipeline's snapshot: `target` is the pipeline, `generation` 1 at a scrape, 0 at a window start.
        case signalSnapshot
        /// A cold-start transfer's leg ends: `target` is the transfer, `generation` its rate's.
        case transferDone
        /// A drawn replica failure: `target` is the replica, `generation` its fault epoch × 16 + the fault.
        case replicaFault
        /// A scripted replica failure: `target` is the fault, `generation` the index of its time.
        case scriptedFault
        /// A Prometheus scrape: `target` 0 scrapes the pods, 1 the router.
        case prometheusScrape
    }
    public var kind: Kind
    public var target: Int32
    public var generation: UInt32

    /// Same-instant order: arrivals join before an iteration boundary admits; lifecycle changes
    /// follow serving; signals are sampled, then the policy sees them; series samples come last.
    var phase: UInt8 {
        switch kind {
        case .arrival: return 0
        case .replicaStep: return 1
        case .replicaStage, .nodeReady, .nodeScaleDown, .nodeRetry, .transferDone, .replicaFault, .scriptedFault: return 2
        case .signalSnapshot, .prometheusScrape: return 3
        case .policyTick: return 4
        case .sample: return 5
        }
    }
}

/// The world of one run — workload, cluster, replicas, router, autoscaler, metrics — and its
/// reaction to each event. Build one with `Simulation.run(_:options:)`.
public struct Simulation: EventHandler {
    public typealias Payload = SimulationEvent

    let scenario: Scenario
    let options: RunOptions
    let stepTime: StepTimeModel
    let kvCapacity: Int64?
    let pool: Int

    var source: RequestFeed
    var nextRequest: IncomingRequest?
    var serial: Int64 = 0
    var requests = RequestTable()
    var replicas: [Replica] = []
    var engines: [ReplicaEngine] = []
    var nodes: [Node] = []
    /// Image pulls and weight loads in flight on shared links.
    var transfers: TransferTable
    /// Replicas not gone, in creation (id) order: what scans over the fleet visit.
    var liveReplicas: [Int32] = []
    /// Ready replicas, ascending ids (the router's candidates).
    var readyReplicas: [Int32] = []
    /// Pending replicas with no node to wait for, oldest first.
    var unplaced = Deque<Int32>()
    var activator = Deque<Int32>()
    var stockoutRetryPending = false
    var router: Router
    var controller: ScalingController
    var clusterRandom: RandomStream
    var outcome = IterationOutcome()
    var metrics: RunMetrics
    /// Cumulative signal counters, one per replica (parallel to `replicas`), and the activator's.
    var counters: [CounterState] = []
    var activatorCounters = CounterState()
    var sampler: SignalSampler
    /// Whether the policy reads any signal (the counters cost a little on every event).
    let tracksSignals: Bool
    /// The simulated Prometheus, when the policy queries one.
    var prometheus: PrometheusState?
    /// A first-request evaluation is already scheduled.
    var pokePending = false
    /// Whether the policy's first evaluation has placed the starting fleet (warm when the policy says so).
    var initialFleetPlaced = false
    /// Draws the times of injected replica failures (its own stream: other draws do not move).
    var faultRandom: RandomStream

    init(_ scenario: Scenario, options: RunOptions) {
        self.scenario = scenario
        self.options = options
        stepTime = StepTimeModel(scenario.profile)
        kvCapacity = scenario.kvCapacityTokens
        pool = scenario.replicaPoolIndex
        source = RequestFeed(scenario.workload.makeSource(seed: scenario.seed))
        router = Router(scenario.router, random: RandomStream(seed: scenario.seed, name: "router"))
        controller = ScalingController(policy: options.policy ?? scenario.policy.makePolicy(for: scenario))
        sampler = SignalSampler(requests: controller.policy.signals, cpu: scenario.replica.cpu, faults: scenario.faults)
        tracksSignals = !sampler.requests.isEmpty
        prometheus = controller.policy.prometheus.map {
            PrometheusState(config: $0, modelName: scenario.model.name,
                            maxModelLen: Int(min(Int64(EngineMetric.defaultMaxModelLen), scenario.kvCapacityTokens ?? .max)))
        }
        clusterRandom = RandomStream(seed: scenario.seed, name: "cluster")
        faultRandom = RandomStream(seed: scenario.seed, name: "faults")
        transfers = TransferTable(registryEgress: scenario.registry.egress, objectStoreEgress: scenario.objectStore.egress)
        metrics = RunMetrics(scenario: scenario, requestSample: options.requestSample)
    }

    /// Simulates `scenario` from time zero to its duration.
    public static func run(_ scenario: Scenario, options: RunOptions = RunOptions()) -> RunResult {
        var world = Simulation(scenario, options: options)
        var queue = EventQueue<SimulationEvent>(reservingCapacity: 256)
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
        nextRequest = source.next()
        if let request = nextRequest { queue.schedule(event(.arrival), at: request.arrival, phase: 0) }
        schedule(event(.policyTick), at: .zero, queue: &queue)
        schedule(event(.sample), at: scenario.seriesInterval, queue: &queue)
        scheduleScriptedFaults(queue: &queue)
        for pipeline in sampler.requests.indices {
            // The first snapshot follows the policy's first evaluation, so a warm fleet is in it.
            queue.schedule(event(.signalSnapshot, Int32(pipeline), 0), at: .zero, phase: 5)
            scheduleSnapshots(pipeline, after: .zero, queue: &queue)
        }
        if prometheus != nil {
            // Like the signal snapshots, the first scrapes follow the policy's first evaluation.
            queue.schedule(event(.prometheusScrape, 0), at: .zero, phase: 5)
            queue.schedule(event(.prometheusScrape, 1), at: .zero, phase: 5)
        }
    }

    public mutating func handle(_ payload: SimulationEvent, at now: SimTime, queue: inout EventQueue<SimulationEvent>) {
        switch payload.kind {
        case .arrival: arrive(at: now, queue: &queue)
        case .replicaStep: endIteration(replica: payload.target, generation: payload.generation, at: now, queue: &queue)
        case .replicaStage: endStage(replica: payload.target, generation: payload.generation, at: now, queue: &queue)
        case .nodeReady: makeReady(node: payload.target, at: now, queue: &queue)
        case .nodeScaleDown: scaleDown(node: payload.target, generation: payload.generation, at: now, queue: &queue)
        case .transferDone: transferLegEnded(payload.target, generation: payload.generation, at: now, queue: &queue)
        case .nodeRetry:
            stockoutRetryPending = false
            placeUnplaced(at: now, queue: &queue)
        case .replicaFault: drawnFaultFired(replica: payload.target, generation: payload.generation, at: now, queue: &queue)
        case .scriptedFault: scriptedFaultFired(payload.target, at: now, queue: &queue)
        case .policyTick: evaluatePolicy(at: now, periodic: payload.generation == 0, queue: &queue)
        case .prometheusScrape: scrapePrometheus(job: payload.target, at: now, queue: &queue)
        case .signalSnapshot: snapshotSignals(payload.target, scrape: payload.generation == 1, at: now, queue: &queue)
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
}
