import DequeModule
import HeadroomEngine

/// One deployment while it runs: its traffic, router, activator, autoscaler, signal pipelines,
/// Prometheus, the replicas it owns and what it measured. Replicas, engines and nodes live in the
/// `Simulation` (integer ids shared by every deployment); a replica knows its deployment.
struct DeploymentState {
    /// Its pools, most preferred first.
    let pools: [Int]
    /// GPUs per replica.
    let gpus: Int
    /// Index into `Simulation.stepTimes` of its profile on each pool (by pool index; -1 where it
    /// may not run), and its KV capacity there.
    let stepTimeIndex: [Int]
    let kvCapacity: [Int64?]
    /// The least KV cache a replica has on any of its pools (`nil`: unlimited): a request larger
    /// is refused, as the router cannot steer it to a replica on a larger GPU.
    var smallestKVCapacity: Int64?
    let priority: Int
    /// Per-request settings read on the hot path, copied out of the spec (reading them through
    /// `scenario.deployments[d]` copies the whole deployment spec on every request).
    let engineLimits: EngineSpec
    let router: RouterSpec

    /// The deployment whose traffic it serves: itself, or the one it `sharesTrafficWith`. Requests,
    /// the router, the activator and request metrics live on that one.
    let traffic: Int
    let role: ServingRole
    /// Whether its replicas' engine steps take `Simulation.afterEngineStep`'s common path: neither
    /// a decode worker (its load is kept apart) nor serving a prefill traffic (whose finished
    /// requests are handed off). Read once per step with its other settings.
    let plainSteps: Bool
    /// Its model's KV bytes per token (what a disaggregated request's transfer moves per prompt token).
    let kvBytesPerToken: Double
    /// With `traffic == self`: every deployment serving its traffic, itself first.
    var trafficMembers: [Int]
    var source: RequestFeed
    var nextRequest: IncomingRequest?
    /// Requests that arrived so far (the serial of the latest).
    var serial: Int64 = 0
    /// Its replicas not gone, in creation (id) order: what scans over its fleet visit.
    var liveReplicas: [Int32] = []
    /// Its live replicas by stage, kept as stages change (`Simulation.setStage`): read on each
    /// policy tick, series sample and scale-down instead of a scan over `liveReplicas`.
    var stageCounts = ReplicaCounts()
    /// Its ready replicas, ascending ids (what its signals and policy see).
    var readyReplicas: [Int32] = []
    /// With `traffic == self`: the router's candidates, the ready replicas of every deployment
    /// serving its traffic, ascending ids (its `readyReplicas` when none shares it).
    var routable: [Int32] = []
    /// With `traffic == self` and disaggregation: the decode workers' ready replicas, by load
    /// (requests queued and running, and KV caches on their way: least first), and prefilled
    /// requests waiting for one (request, the node holding its KV).
    var decodeRoutable: [Int32] = []
    var decodeLoad = LeastOutstandingIndex()
    var handoffs = Deque<(request: Int32, node: Int32)>()
    /// With `traffic == self` under Dynamo's planner: what its frontend saw finish this window.
    var feedsPlanner = false
    var frontend = FrontendWindow()
    /// Prompt and output tokens of requests its own replicas finished (what its cost per token is over).
    var servedPromptTokens = 0, servedOutputTokens = 0
    var activator = Deque<Int32>()
    var activatorCounters = CounterState()
    var routing: Router
    var controller: ScalingController
    var sampler: SignalSampler
    /// Whether the policy reads any signal (the counters cost a little on every event).
    let tracksSignals: Bool
    /// The simulated Prometheus, when the policy queries one (scraping this deployment's pods).
    var prometheus: PrometheusState?
    /// `prometheus != nil`, read per engine step without touching the optional's payload.
    let queriesPrometheus: Bool
    /// `drainActivator` is under way (it is not re-entered).
    var drainingActivator = false
    /// A first-request evaluation is already scheduled.
    var pokePending = false
    /// Whether the policy's first evaluation has placed the starting fleet (warm when the policy says so).
    var initialFleetPlaced = false
    var metrics: RunMetrics
    /// GPU-seconds its replicas held (starting, serving, idle), one ledger per pool.
    var held: [GPUTimeLedger]
    /// Most replicas it had at a series sample (active + draining).
    var peakReplicas = 0

    /// `extraQueries`: what another controller (llm-d's variant autoscaler) reads from this
    /// deployment's Prometheus, which must keep those series too.
    init(_ index: Int, of scenario: Scenario, options: RunOptions, stepTimeIndex: [Int], extraQueries: [PromQLQuery] = []) {
        let spec = scenario.deployments[index]
        let seed = scenario.seed(of: index)
        let pools = spec.poolIndices(in: scenario.nodePools)
        let capacities = scenario.nodePools.map { spec.kvCapacityTokens(on: $0) }
        self.pools = pools
        gpus = spec.replica.gpus
        self.stepTimeIndex = stepTimeIndex
        kvCapacity = capacities
        smallestKVCapacity = pools.compactMap { capacities[$0] }.min()
        priority = spec.priority
        traffic = spec.sharesTrafficWith.flatMap { name in scenario.deployments.firstIndex { $0.name == name } } ?? index
        trafficMembers = traffic == index ? scenario.deployments.indices.filter { d in
            d == index || scenario.deployments[d].sharesTrafficWith == spec.name
        } : []
        source = RequestFeed(traffic == index ? spec.workload.makeSource(seed: seed) : .none,
                             keepsPrefixHashes: scenario.deployments.contains(where: \.readsPrefixHashes))
        engineLimits = spec.replica.engine
        router = spec.router
        routing = Router(spec.router, random: RandomStream(seed: seed, name: "router"))
        role = spec.role
        plainSteps = spec.role != .decode && scenario.deployments[traffic].role != .prefill
        kvBytesPerToken = spec.model.kvBytesPerToken

        let policy = index == 0 ? options.policy : nil
        controller = ScalingController(policy: policy ?? spec.policy.makePolicy(for: scenario.alone(index)), keeps: options.decisions)
        sampler = SignalSampler(requests: controller.policy.signals, cpu: spec.replica.cpu, faults: scenario.faults)
        tracksSignals = !sampler.requests.isEmpty
        let capacity = capacities[pools[0]]
        var config = controller.policy.prometheus
        if let base = config, !extraQueries.isEmpty {
            config = PromQLQuery.scrapeConfig(for: controller.policy.queries + extraQueries, base: base)
        }
        prometheus = config.map {
            PrometheusState(config: $0, modelName: spec.model.name,
                            maxModelLen: Int(min(Int64(EngineMetric.defaultMaxModelLen), capacity ?? .max)))
        }
        queriesPrometheus = prometheus != nil
        metrics = RunMetrics(slo: spec.slo, requestSample: options.requestSample)
        held = Array(repeating: GPUTimeLedger(), count: scenario.nodePools.count)
    }
}

/// The per-request work on a deployment's own state, done in one access each: every access to an
/// element of `Simulation.deployments` is a bounds check and an address computation (a
/// copy-on-write check too while it was an array), and an arrival or an engine step used to make
/// three or four.
extension DeploymentState {
    /// Takes the next request of its traffic (it owns a source): numbers it, counts it as
    /// arrived and draws the one after it. Returns the request, its serial and the next arrival
    /// (nil: the source is spent); nil when no request is pending.
    @inline(__always)
    mutating func takeArrival() -> (request: IncomingRequest, serial: Int64, next: SimTime?)? {
        guard let incoming = nextRequest else { return nil }
        nextRequest = source.next()
        serial += 1
        metrics.arrived(incoming, serial: serial)
        return (incoming, serial, nextRequest?.arrival)
    }

    /// Counts a request of its traffic that finished (whole or decoded): its metrics and, under
    /// Dynamo's planner (`feedsPlanner`, read once per step), the frontend's window. Returns the
    /// tokens its replica served (`RequestSlot.servedTokens`); the caller frees the request.
    @inline(__always)
    mutating func finished(_ request: RequestSlot, feedsPlanner: Bool, at now: SimTime) -> (prompt: Int, output: Int) {
        metrics.finished(request, at: now)
        if feedsPlanner { frontend.finished(request, at: now) }
        return request.servedTokens
    }

    /// Records an engine step of `replica` on its traffic's state (this one): the requests that
    /// finished whole or decoded (none to hand off; `requests` frees them), and the replica's
    /// new load for the router. Returns the prompt and output tokens they were served (credited
    /// here too when `creditsServed`: the replica is this deployment's) and whether a request
    /// that left may let the activator send one (a per-replica cap and a request waiting).
    @inline(__always)
    mutating func recordStep(
        finished ids: StateTable<Int32>, of replica: Int32, outstanding: Int, creditsServed: Bool,
        requests: inout RequestTable, at now: SimTime
    ) -> (prompt: Int, output: Int, mayDrain: Bool) {
        var prompt = 0, output = 0
        if !ids.isEmpty {
            let feedsPlanner = self.feedsPlanner
            for id in ids {
                let served = finished(requests[id], feedsPlanner: feedsPlanner, at: now)
                prompt += served.prompt
                output += served.output
                requests.remove(id)
            }
            if creditsServed && (prompt != 0 || output != 0) {
                servedPromptTokens += prompt
                servedOutputTokens += output
            }
        }
        routing.loadChanged(replica, outstanding: outstanding)
        return (prompt, output, router.maxOutstandingPerReplica != nil && !activator.isEmpty)
    }
}
