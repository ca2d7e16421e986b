import HeadroomEngine

/// What the world reports: series points while it runs, the result at the end.
extension Simulation {
    /// Appends a point to the time series.
    mutating func sampleSeries(at now: SimTime) {
        var running = 0, busy = 0
        for replica in liveReplicas where replicas[Int(replica)].stage == .ready || replicas[Int(replica)].stage == .draining {
            let r = Int(replica)
            running += engines[r].batchSize
            if engines[r].isBusy { busy += 1 }
        }
        var provisioning = 0, ready = 0
        for node in nodes {
            if node.state == .provisioning { provisioning += 1 } else if node.state == .ready { ready += 1 }
        }
        let ttft = metrics.intervalTTFT.medianAndTail
        let point = SeriesPoint(
            time: now.seconds, arrivals: metrics.intervalArrivals, finished: metrics.intervalFinished,
            dropped: metrics.intervalDropped, inFlight: requests.live, activatorQueue: activator.count, running: running,
            replicas: replicaCounts, busyReplicas: busy, desiredReplicas: controller.desiredReplicas,
            nodesProvisioning: provisioning, nodesReady: ready, ttftP50: ttft?.0, ttftP99: ttft?.1)
        metrics.record(point)
    }
}

extension RunMetrics {
    func result(world: Simulation, horizon: SimTime, events: Int) -> RunResult {
        let scenario = world.scenario
        var counts = self.counts
        counts.inFlight = world.requests.live
        let bills = PoolBill.cluster(world.nodes, pools: scenario.nodePools, horizon: horizon)
        let dollars = bills.pools.reduce(0.0) { $0 + $1.dollars }, nodeSeconds = bills.pools.reduce(0.0) { $0 + $1.billedSeconds }
        var nodeRecords: [NodeRecord] = []
        for (index, node) in world.nodes.enumerated() {
            let billed = bills.nodeSeconds[index]
            nodeRecords.append(NodeRecord(
                pool: scenario.nodePools[node.pool].name, gpus: node.gpus, requested: node.requestedAt.seconds,
                ready: node.readyAt <= horizon ? node.readyAt.seconds : nil,
                terminated: node.terminatedAt <= horizon ? node.terminatedAt.seconds : nil, billedSeconds: billed))
        }
        let peakReplicas = series.map { $0.replicas.active + $0.replicas.draining }.max() ?? 0
        let peakNodes = series.map { $0.nodesProvisioning + $0.nodesReady }.max() ?? 0
        let summary = RunSummary(
            scenario: scenario.name, seed: scenario.seed, durationSeconds: horizon.seconds, events: events,
            requests: counts, ttft: ttft.stats, itl: itl.stats, e2e: e2e.stats, queueWait: queueWait.stats,
            slo: attainment(),
            tokens: TokenCounts(prompt: promptTokens, output: outputTokens, outputPerSecond: Double(outputTokens) / horizon.seconds),
            coldStarts: coldStartSummary, gpuSeconds: gpuTime.summary,
            cost: CostSummary(
                dollars: dollars, perMillionOutputTokens: outputTokens > 0 ? dollars / Double(outputTokens) * 1e6 : 0,
                nodeSeconds: nodeSeconds, byPool: zip(bills.pools, scenario.nodePools).flatMap { $0.costs(pool: $1) }),
            preemptions: world.engines.reduce(0) { $0 + $1.preemptions },
            peakReplicas: max(peakReplicas, world.replicaCounts.active), peakNodes: peakNodes,
            stockouts: stockouts, replicaFailures: replicaFailures, inputLosses: world.source.inputLosses,
            profile: ProfileUsed(scenario.profile))
        let quantiles = LatencyQuantiles(ttft: ttft.quantiles, itl: itl.quantiles, e2e: e2e.quantiles, queueWait: queueWait.quantiles)
        return RunResult(summary: summary, quantiles: quantiles, series: series, coldStarts: coldStarts, decisions: world.controller.decisions, nodes: nodeRecords, requests: sample)
    }
}
