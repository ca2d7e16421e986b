import HeadroomEngine

/// Samples the signals a policy asked for, each through its own pipeline, and holds the readings
/// until the policy can see them.
///
/// Every pipeline takes a snapshot of all ready replicas' cumulative counters at each scrape
/// instant `tₖ` and at `tₖ − window` (when that is not itself a scrape instant); a reading is the
/// difference between the two divided by the window. A replica missing from either snapshot (not
/// ready for the whole window) reports nothing, as a starting pod has no metrics yet.
struct SignalSampler {
    struct Snapshot {
        var time: SimTime
        var replicas: [Int32]
        var counters: [ReplicaCounters]
        var activator: ReplicaCounters
    }

    let requests: [SignalRequest]
    let cpu: CPUModel
    /// Injected outages: a scrape inside one yields nothing, and a query inside one fails.
    let faults: FaultSpec
    private var snapshots: [[Snapshot]]
    /// Readings taken but not yet handed to the policy, with the time they become visible.
    private var pending: [[(visibleAt: SimTime, reading: SignalReading)]]

    init(requests: [SignalRequest], cpu: CPUModel, faults: FaultSpec = FaultSpec()) {
        self.requests = requests
        self.cpu = cpu
        self.faults = faults
        snapshots = Array(repeating: [], count: requests.count)
        pending = Array(repeating: [], count: requests.count)
    }

    /// The instants after `now` at which pipeline `index` needs a snapshot, the next scrape last.
    func nextInstants(_ index: Int, after now: SimTime) -> (windowStart: SimTime?, scrape: SimTime) {
        let pipeline = requests[index].pipeline
        let interval = pipeline.scrapeInterval.nanoseconds
        let scrape = SimTime(nanoseconds: (now.nanoseconds / interval + 1) * interval)
        let start = scrape - pipeline.window
        let aligned = start.nanoseconds % interval == 0
        return (start > now && !aligned ? start : nil, scrape)
    }

    /// Records a snapshot for pipeline `index`; at a scrape instant also computes the reading.
    mutating func record(_ index: Int, scrape: Bool, at now: SimTime, replicas: [Int32], counters: [ReplicaCounters],
                         activator: ReplicaCounters) {
        let snapshot = Snapshot(time: now, replicas: replicas, counters: counters, activator: activator)
        let window = requests[index].pipeline.window
        snapshots[index].removeAll { $0.time < now - window }
        defer { snapshots[index].append(snapshot) }
        guard scrape, let start = snapshots[index].first(where: { $0.time == now - window }) else { return }
        if faults.isDown(requests[index].signal, at: now) { return }
        let reading = self.reading(requests[index].signal, from: start, to: snapshot)
        pending[index].append((now + requests[index].pipeline.lag, reading))
    }

    private func reading(_ signal: Signal, from start: Snapshot, to end: Snapshot) -> SignalReading {
        let seconds = (end.time - start.time).seconds
        var values: [Double] = []
        values.reserveCapacity(end.replicas.count)
        var cursor = 0
        for (position, replica) in end.replicas.enumerated() {
            while cursor < start.replicas.count && start.replicas[cursor] < replica { cursor += 1 }
            guard cursor < start.replicas.count && start.replicas[cursor] == replica else { continue }
            values.append(value(signal, end.counters[position] - start.counters[cursor], seconds))
        }
        let activator = end.activator - start.activator
        let activatorValue: Double = switch signal {
        case .concurrency: activator.concurrencySeconds / seconds
        case .requestsPerSecond: Double(activator.arrivals) / seconds
        default: 0
        }
        return SignalReading(signal: signal, sampledAt: end.time, values: values, activator: activatorValue)
    }

    private func value(_ signal: Signal, _ delta: ReplicaCounters, _ seconds: Double) -> Double {
        switch signal {
        case .concurrency: return delta.concurrencySeconds / seconds
        case .requestsPerSecond: return Double(delta.arrivals) / seconds
        case .completionsPerSecond: return Double(delta.completions) / seconds
        case .gpuUtilization: return (100 * delta.busySeconds / seconds + 1e-9).rounded(.down)
        case .cpu: return cpu.cores(delta, over: seconds)
        }
    }

    /// Per requested signal, whether its pipeline fails a query at `now` (an injected outage).
    func unavailable(at now: SimTime) -> [Bool] {
        guard !faults.metricOutages.isEmpty else { return [] }
        return requests.map { faults.isDown($0.signal, at: now) }
    }

    /// Hands over, per requested signal, the readings visible at `now` that the policy has not seen.
    mutating func deliver(at now: SimTime) -> [[SignalReading]] {
        pending.indices.map { index in
            let visible = pending[index].prefix { $0.visibleAt <= now }.map(\.reading)
            pending[index].removeFirst(visible.count)
            return visible
        }
    }
}
