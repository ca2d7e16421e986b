import HeadroomEngine

/// What one deployment measured during a run, in memory that does not grow with the number of
/// requests (histograms and counters; the request sample is capped). The cluster's figures are
/// these merged (`merge`).
struct RunMetrics {
    let sloTTFT: SimTime
    let sloITL: SimTime
    let requestSample: Int

    /// Arrived, finished, dropped and in flight; drops by reason are counted in `droppedBy`
    /// (read through `counts`): the result's string-keyed dictionary costs a string hash a drop.
    private var tally = RequestCounts()
    private var droppedBy = [Int](repeating: 0, count: DropReason.allCases.count)
    /// The latencies of finished requests, run-long and this series interval's TTFT.
    var latencies = RequestLatencies()
    var ttftMet = 0, itlMet = 0, bothMet = 0
    var promptTokens = 0, outputTokens = 0
    var coldStartsBegun = 0
    /// Every cold start's record: ready, cancelled and (at the end) unfinished ones.
    var coldStarts: [ColdStart] = []
    var coldStartsReady = 0, coldStartsCancelled = 0, coldStartsUnfinished = 0
    var replicaFailures = 0
    /// Its replicas evicted for a higher-priority deployment's.
    var preempted = 0
    var sample: [RequestRecord] = []
    /// Counts since the last series point.
    var intervalArrivals = 0, intervalFinished = 0, intervalDropped = 0
    /// TTFT of the requests that finished since the last series point.
    var intervalTTFT: IntervalLatency { latencies.interval }
    var ttft: LatencyHistogram { latencies.histogram(.ttft) }
    var itl: LatencyHistogram { latencies.histogram(.itl) }
    var e2e: LatencyHistogram { latencies.histogram(.e2e) }
    var queueWait: LatencyHistogram { latencies.histogram(.queueWait) }

    var counts: RequestCounts {
        get {
            var counts = tally
            for reason in DropReason.allCases { counts.droppedByReason[reason.rawValue] = droppedBy[reason.index] }
            return counts
        }
        set {
            tally = newValue
            for reason in DropReason.allCases { droppedBy[reason.index] = newValue.droppedByReason[reason.rawValue] ?? 0 }
        }
    }

    init(slo: SLOSpec, requestSample: Int) {
        sloTTFT = slo.ttft
        sloITL = slo.itl
        self.requestSample = requestSample
        sample.reserveCapacity(min(requestSample, 1 << 16))
    }

    /// (Inlined into the arrival: a call and its argument copy cost more than the counting.)
    @inline(__always)
    mutating func arrived(_ request: IncomingRequest, serial: Int64) {
        tally.arrived += 1
        intervalArrivals += 1
        if serial <= requestSample {
            sample.append(RequestRecord(
                serial: serial, arrival: request.arrival.seconds, promptTokens: request.promptTokens,
                outputTokens: request.outputTokens))
        }
    }

    mutating func finished(_ request: RequestSlot, at now: SimTime) {
        tally.finished &+= 1
        intervalFinished &+= 1
        let (firstToken, interToken) = latencies.record(request, finishedAt: now)
        let ttftOK = firstToken <= sloTTFT, itlOK = interToken <= sloITL
        ttftMet &+= ttftOK ? 1 : 0
        itlMet &+= itlOK ? 1 : 0
        bothMet &+= ttftOK && itlOK ? 1 : 0
        promptTokens &+= Int(request.promptTokens)
        outputTokens &+= Int(request.outputTokens)
        if request.serial <= requestSample {
            let index = Int(request.serial - 1)
            sample[index].admitted = request.admittedAt.seconds
            sample[index].firstToken = request.firstTokenAt.seconds
            sample[index].finished = now.seconds
        }
    }

    mutating func dropped(serial: Int64, reason: DropReason, at now: SimTime) {
        tally.dropped += 1
        droppedBy[reason.index] += 1
        intervalDropped += 1
        if serial <= requestSample { sample[Int(serial - 1)].dropped = reason }
    }

    mutating func coldStartBegan() { coldStartsBegun += 1 }
    mutating func coldStartCompleted(_ record: ColdStart) {
        coldStartsReady += 1
        coldStarts.append(record)
    }
    mutating func coldStartStopped(_ record: ColdStart) {
        if record.outcome == .cancelled { coldStartsCancelled += 1 } else { coldStartsUnfinished += 1 }
        coldStarts.append(record)
    }

    /// Starts a new series interval.
    mutating func startInterval() {
        intervalArrivals = 0
        intervalFinished = 0
        intervalDropped = 0
        latencies.clearInterval()
    }

    /// Adds another deployment's measurements: the cluster's counts and distributions. Targets
    /// met were judged against each deployment's own SLO.
    mutating func merge(_ other: RunMetrics) {
        tally.arrived += other.tally.arrived
        tally.finished += other.tally.finished
        tally.dropped += other.tally.dropped
        tally.inFlight += other.tally.inFlight
        for index in droppedBy.indices { droppedBy[index] += other.droppedBy[index] }
        latencies.merge(other.latencies)
        ttftMet += other.ttftMet
        itlMet += other.itlMet
        bothMet += other.bothMet
        promptTokens += other.promptTokens
        outputTokens += other.outputTokens
        coldStartsBegun += other.coldStartsBegun
        coldStarts += other.coldStarts
        coldStartsReady += other.coldStartsReady
        coldStartsCancelled += other.coldStartsCancelled
        coldStartsUnfinished += other.coldStartsUnfinished
        replicaFailures += other.replicaFailures
        preempted += other.preempted
    }

    var coldStartSummary: ColdStartSummary {
        var summary = ColdStartSummary(
            started: coldStartsBegun, completed: coldStartsReady, cancelled: coldStartsCancelled, unfinished: coldStartsUnfinished)
        let ready = coldStarts.filter { $0.outcome == .ready }
        guard !ready.isEmpty else { return summary }
        let n = Double(ready.count)
        summary.meanPending = ready.reduce(0) { $0 + $1.pendingSeconds } / n
        summary.meanPull = ready.reduce(0) { $0 + $1.pullSeconds } / n
        summary.meanLoad = ready.reduce(0) { $0 + $1.loadSeconds } / n
        summary.meanWarmup = ready.reduce(0) { $0 + $1.warmupSeconds } / n
        summary.meanTotal = ready.reduce(0) { $0 + $1.totalSeconds } / n
        summary.maxTotal = ready.map(\.totalSeconds).max() ?? 0
        return summary
    }

    func attainment() -> SLOAttainment {
        let judged = Double(tally.finished + tally.dropped)
        func share(_ met: Int) -> Double { judged > 0 ? Double(met) / judged : 1 }
        return SLOAttainment(
            ttftTargetSeconds: sloTTFT.seconds, itlTargetSeconds: sloITL.seconds,
            ttft: share(ttftMet), itl: share(itlMet), both: share(bothMet))
    }
}
