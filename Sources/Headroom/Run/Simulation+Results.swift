import HeadroomEngine

/// What the world reports: series points while it runs, the result at the end.
extension Simulation {
    /// Appends a point to the time series: the cluster, every deployment summed.
    mutating func sampleSeries(at now: SimTime) {
        var running = 0, busy = 0, activatorQueue = 0, desired = 0
        var arrivals = 0, finished = 0, dropped = 0
        var counts = ReplicaCounts()
        var ttft = deployments[0].metrics.intervalTTFT
        for d in deployments.indices {
            for replica in deployments[d].liveReplicas where replicas[replicaSlot(replica)].stage == .ready || replicas[replicaSlot(replica)].stage == .draining {
                let r = replicaSlot(replica)
                running += engines[r].batchSize
                if engines[r].isBusy { busy += 1 }
            }
            let own = replicaCounts(d)
            deployments[d].peakReplicas = max(deployments[d].peakReplicas, own.active + own.draining)
            counts.pending += own.pending
            counts.starting += own.starting
            counts.loading += own.loading
            counts.ready += own.ready
            counts.draining += own.draining
            activatorQueue += deployments[d].activator.count
            desired += deployments[d].controller.desiredReplicas
            arrivals += deployments[d].metrics.intervalArrivals
            finished += deployments[d].metrics.intervalFinished
            dropped += deployments[d].metrics.intervalDropped
            if d > 0 { ttft.merge(deployments[d].metrics.intervalTTFT) }
            deployments[d].metrics.startInterval()
        }
        let provisioning = nodes.provisioningCount, ready = nodes.readyCount
        let tail = ttft.medianAndTail
        series.append(SeriesPoint(
            time: now.seconds, arrivals: arrivals, finished: finished, dropped: dropped, inFlight: requests.live,
            activatorQueue: activatorQueue, running: running, replicas: counts, busyReplicas: busy, desiredReplicas: desired,
            nodesProvisioning: provisioning, nodesReady: ready, ttftP50: tail?.0, ttftP99: tail?.1))
    }

    /// The run's result: the cluster's summary (every deployment merged), and with several
    /// deployments each one's own, with the cost its replicas' GPU-seconds account for.
    func result(horizon: SimTime, events: Int) -> RunResult {
        let bills = PoolBill.cluster(nodes.records, pools: scenario.nodePools, horizon: horizon)
        let dollars = bills.pools.reduce(0.0) { $0 + $1.dollars }, nodeSeconds = bills.pools.reduce(0.0) { $0 + $1.billedSeconds }
        // What each pool charges per GPU-second paid for: a deployment pays it on the GPU-seconds it held.
        let poolDollars = bills.pools.map(\.dollars)
        let poolGPUSeconds = zip(bills.pools, scenario.nodePools).map { $0.billedSeconds * Double($1.gpusPerNode) }
        var nodeRecords: [NodeRecord] = []
        for (index, node) in nodes.records.enumerated() {
            let billed = bills.nodeSeconds[index]
            let spec = scenario.nodePools[Int(node.pool)]
            nodeRecords.append(NodeRecord(
                pool: spec.name, gpus: spec.gpusPerNode, requested: node.requestedAt.seconds,
                ready: node.readyAt <= horizon ? node.readyAt.seconds : nil,
                terminated: node.terminatedAt <= horizon ? node.terminatedAt.seconds : nil, billedSeconds: billed))
        }
        let preemptions = preemptionsByDeployment()
        var merged = deployments[0].metrics
        for d in deployments.indices.dropFirst() { merged.merge(deployments[d].metrics) }
        merged.counts.inFlight = requests.live
        let peakReplicas = series.map { $0.replicas.active + $0.replicas.draining }.max() ?? 0
        let peakNodes = series.map { $0.nodesProvisioning + $0.nodesReady }.max() ?? 0
        var liveActive = 0
        for d in deployments.indices { liveActive += replicaCounts(d).active }
        var summary = Self.summary(
            of: merged, scenario: scenario.name, seed: scenario.seed, horizon: horizon, events: events, gpuSeconds: gpuTime.summary,
            cost: CostSummary(
                dollars: dollars, perMillionOutputTokens: merged.outputTokens > 0 ? dollars / Double(merged.outputTokens) * 1e6 : 0,
                nodeSeconds: nodeSeconds, byPool: zip(bills.pools, scenario.nodePools).flatMap { $0.costs(pool: $1) }),
            preemptions: preemptions.reduce(0, +), peakReplicas: max(peakReplicas, liveActive), profile: scenario.profile)
        summary.peakNodes = peakNodes
        summary.stockouts = stockouts
        summary.prefixCache = prefixCacheSummary()
        recordCapacity(into: &summary, horizon: horizon)
        if deployments.contains(where: { $0.role == .prefill }) {
            let d = disaggregation
            summary.disaggregation = DisaggregationSummary(
                transfers: d.transfers, gigabytes: d.bytes / 1e9, transferSeconds: d.transferTimes.stats,
                shareOfTTFT: d.ttftSecondsOfHandoffs > 0 ? d.transferSecondsOfHandoffs / d.ttftSecondsOfHandoffs : 0,
                waitedForDecodeWorker: d.waitedForDecodeWorker)
            let (waits, waited) = handoffWaits()
            summary.disaggregation?.meanDecodeQueueSeconds = waits > 0 ? Double(waited) / Double(waits) / 1e9 : 0
        }
        summary.inputLosses = deployments.dropFirst().reduce(deployments[0].source.inputLosses) { $0.merged($1.source.inputLosses) }
        var decisions = deployments[0].controller.decisions
        var sample = deployments[0].metrics.sample
        if deployments.count > 1 {
            summary.deployments = deployments.indices.map { d in
                deploymentSummary(d, horizon: horizon, preemptions: preemptions[d], poolDollars: poolDollars, poolGPUSeconds: poolGPUSeconds)
            }
            summary.cost.unattributedDollars = dollars - summary.deployments!.reduce(0) { $0 + $1.cost.dollars }
            decisions = []
            sample = []
            for d in deployments.indices {
                let name = scenario.deployments[d].name
                decisions += deployments[d].controller.decisions.map { var record = $0; record.deployment = name; return record }
                sample += deployments[d].metrics.sample.map { var record = $0; record.deployment = name; return record }
            }
            // Stable: at the same instant, deployments in the order written.
            decisions = decisions.enumerated().sorted { ($0.element.time, $0.offset) < ($1.element.time, $1.offset) }.map(\.element)
        }
        let quantiles = LatencyQuantiles(ttft: merged.ttft.quantiles, itl: merged.itl.quantiles, e2e: merged.e2e.quantiles,
                                         queueWait: merged.queueWait.quantiles)
        return RunResult(summary: summary, quantiles: quantiles, series: series, coldStarts: merged.coldStarts,
                         decisions: decisions, nodes: nodeRecords, requests: sample)
    }

    /// Deployment `d`'s own figures; its cost is each pool's bill shared by the GPU-seconds held there.
    private func deploymentSummary(
        _ d: Int, horizon: SimTime, preemptions: Int, poolDollars: [Double], poolGPUSeconds: [Double]
    ) -> DeploymentSummary {
        let spec = scenario.deployments[d], state = deployments[d]
        var metrics = state.metrics
        metrics.counts.inFlight = metrics.counts.arrived - metrics.counts.finished - metrics.counts.dropped
        var held = GPUSeconds(), byPool: [String: Double] = [:], dollars = 0.0
        for (pool, ledger) in state.held.enumerated() {
            let seconds = ledger.summary
            guard seconds.total > 0 else { continue }
            held.starting += seconds.starting
            held.serving += seconds.serving
            held.idle += seconds.idle
            byPool[scenario.nodePools[pool].name] = seconds.total
            if poolGPUSeconds[pool] > 0 { dollars += seconds.total * poolDollars[pool] / poolGPUSeconds[pool] }
        }
        func perMillion(_ tokens: Int) -> Double { tokens > 0 ? dollars / Double(tokens) * 1e6 : 0 }
        let served = TokenCounts(prompt: state.servedPromptTokens, output: state.servedOutputTokens,
                                 outputPerSecond: Double(state.servedOutputTokens) / horizon.seconds)
        var summary = DeploymentSummary(
            name: spec.name, model: spec.model.name, policy: spec.policy.kind.rawValue, priority: spec.priority,
            requests: metrics.counts, ttft: metrics.ttft.stats, itl: metrics.itl.stats, e2e: metrics.e2e.stats,
            queueWait: metrics.queueWait.stats, slo: metrics.attainment(),
            tokens: TokenCounts(prompt: metrics.promptTokens, output: metrics.outputTokens,
                                outputPerSecond: Double(metrics.outputTokens) / horizon.seconds),
            coldStarts: metrics.coldStartSummary, gpuSeconds: held, gpuSecondsByPool: byPool,
            cost: DeploymentCost(dollars: dollars, perMillionInputTokens: perMillion(served.prompt),
                                 perMillionOutputTokens: perMillion(served.output)),
            peakReplicas: state.peakReplicas, preemptions: preemptions, replicaFailures: metrics.replicaFailures,
            profile: ProfileUsed(spec.profile))
        if metrics.preempted > 0 { summary.evicted = metrics.preempted }
        summary.sharesTrafficWith = spec.sharesTrafficWith
        if deployments[state.traffic].trafficMembers.count > 1 { summary.servedTokens = served }
        return summary
    }

    private static func summary(
        of metrics: RunMetrics, scenario: String, seed: UInt64, horizon: SimTime, events: Int, gpuSeconds: GPUSeconds,
        cost: CostSummary, preemptions: Int, peakReplicas: Int, profile: HardwareProfile
    ) -> RunSummary {
        RunSummary(
            scenario: scenario, seed: seed, durationSeconds: horizon.seconds, events: events,
            requests: metrics.counts, ttft: metrics.ttft.stats, itl: metrics.itl.stats, e2e: metrics.e2e.stats,
            queueWait: metrics.queueWait.stats, slo: metrics.attainment(),
            tokens: TokenCounts(prompt: metrics.promptTokens, output: metrics.outputTokens,
                                outputPerSecond: Double(metrics.outputTokens) / horizon.seconds),
            coldStarts: metrics.coldStartSummary, gpuSeconds: gpuSeconds, cost: cost, preemptions: preemptions,
            peakReplicas: peakReplicas, peakNodes: 0, stockouts: 0, replicaFailures: metrics.replicaFailures,
            inputLosses: InputLosses(), profile: ProfileUsed(profile))
    }
}
