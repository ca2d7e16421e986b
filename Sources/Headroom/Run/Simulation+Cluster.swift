import HeadroomEngine

/// Nodes and replica lifecycles: placement, node requests, cold-start stages, draining.
extension Simulation {
    var poolSpec: NodePoolSpec { scenario.nodePools[pool] }
    var replicaGPUs: Int { scenario.replica.gpus }

    mutating func addNode(pool index: Int, at now: SimTime) -> Int32 {
        let spec = scenario.nodePools[index]
        var node = Node(pool: index, gpus: spec.gpusPerNode, requestedAt: now)
        if spec.imageCached { node.imageReadyAt = .zero }
        if spec.weightsCached { node.weightsOnDiskAt = .zero }
        nodes.append(node)
        transfers.addNode(nic: spec.nicBandwidth, disk: spec.diskBandwidth)
        metrics.gpuTime.move(spec.gpusPerNode, from: nil, to: .provisioning, at: now)
        return Int32(nodes.count - 1)
    }

    /// Nodes of a pool that are provisioning or ready.
    func aliveNodes(pool index: Int) -> Int {
        nodes.reduce(0) { $0 + ($1.pool == index && $1.state != .terminated ? 1 : 0) }
    }

    mutating func makeReady(node: Int32, at now: SimTime, queue: inout EventQueue<SimulationEvent>) {
        let n = Int(node)
        nodes[n].state = .ready
        nodes[n].readyAt = now
        metrics.gpuTime.move(nodes[n].gpus, from: .provisioning, to: .unallocated, at: now)
        for replica in liveReplicas where replicas[Int(replica)].node == node && replicas[Int(replica)].stage == .pending {
            startPull(replica, at: now, queue: &queue)
        }
        if nodes[n].replicas == 0 { markEmpty(node, at: now, queue: &queue) }
        placeUnplaced(at: now, queue: &queue)
    }

    /// Creates a replica; a warm one starts ready on a node that is ready at time zero.
    mutating func createReplica(warm: Bool, at now: SimTime, queue: inout EventQueue<SimulationEvent>) {
        let id = Int32(replicas.count)
        liveReplicas.append(id)
        replicas.append(Replica(requestedAt: now))
        counters.append(CounterState(at: now))
        if prometheus != nil { prometheus!.engines.append(EngineMetricState(maxModelLen: prometheus!.maxModelLen)) }
        engines.append(ReplicaEngine(
            limits: scenario.replica.engine, kvCapacity: kvCapacity,
            collapsesDecodeRuns: options.collapsesDecodeRuns, queueTimeout: scenario.router.queueTimeout))
        if warm {
            let node = readyNodeWithRoom() ?? {
                let fresh = addNode(pool: pool, at: now)
                nodes[Int(fresh)].state = .ready
                nodes[Int(fresh)].readyAt = now
                metrics.gpuTime.move(nodes[Int(fresh)].gpus, from: .provisioning, to: .unallocated, at: now)
                return fresh
            }()
            bind(id, to: node)
            topUpSpareNodes(at: now, queue: &queue)
            nodes[Int(node)].imageReadyAt = min(nodes[Int(node)].imageReadyAt, now)
            nodes[Int(node)].weightsOnDiskAt = min(nodes[Int(node)].weightsOnDiskAt, now)
            metrics.gpuTime.move(replicaGPUs, from: .unallocated, to: .starting, at: now)
            becomeReady(id, coldStart: false, at: now, queue: &queue)
        } else {
            metrics.coldStartBegan()
            place(id, at: now, queue: &queue)
        }
    }

    func readyNodeWithRoom() -> Int32? {
        nodes.indices.first { nodes[$0].pool == pool && nodes[$0].state == .ready && nodes[$0].freeGPUs >= replicaGPUs }
            .map(Int32.init)
    }

    mutating func bind(_ replica: Int32, to node: Int32) {
        replicas[Int(replica)].node = node
        nodes[Int(node)].freeGPUs -= replicaGPUs
        nodes[Int(node)].replicas += 1
        nodes[Int(node)].emptyGeneration &+= 1
    }

    /// Empty nodes of a pool that are ready or on their way.
    func spareNodes(pool index: Int) -> Int {
        nodes.reduce(0) { $0 + ($1.pool == index && $1.state != .terminated && $1.replicas == 0 ? 1 : 0) }
    }

    /// Keeps the pool's warm pool of empty nodes topped up (within max_nodes).
    mutating func topUpSpareNodes(at now: SimTime, queue: inout EventQueue<SimulationEvent>) {
        for (index, spec) in scenario.nodePools.enumerated() where spec.spareNodes > 0 {
            var missing = spec.spareNodes - spareNodes(pool: index)
            while missing > 0 && aliveNodes(pool: index) < spec.maxNodes {
                let node = addNode(pool: index, at: now)
                let delay = SimTime.seconds(spec.provisioning.sample(&clusterRandom))
                schedule(event(.nodeReady, node), at: now + delay, queue: &queue)
                missing -= 1
            }
        }
    }

    /// First fit onto a ready node; else wait for a provisioning node with room; else ask the pool
    /// for a node (within max_nodes, subject to stockouts); else wait for capacity.
    mutating func place(_ replica: Int32, at now: SimTime, queue: inout EventQueue<SimulationEvent>) {
        if let node = readyNodeWithRoom() {
            bind(replica, to: node)
            startPull(replica, at: now, queue: &queue)
            topUpSpareNodes(at: now, queue: &queue)
            return
        }
        replicas[Int(replica)].coldStart.waitedForNode = true
        if let node = nodes.indices.first(where: {
            nodes[$0].pool == pool && nodes[$0].state == .provisioning && nodes[$0].freeGPUs >= replicaGPUs
        }) {
            bind(replica, to: Int32(node))
            topUpSpareNodes(at: now, queue: &queue)
            return
        }
        if aliveNodes(pool: pool) < poolSpec.maxNodes && !stockoutRetryPending {
            if clusterRandom.nextUnit() >= poolSpec.stockoutProbability {
                let node = addNode(pool: pool, at: now)
                let delay = SimTime.seconds(poolSpec.provisioning.sample(&clusterRandom))
                schedule(event(.nodeReady, node), at: now + delay, queue: &queue)
                bind(replica, to: node)
                topUpSpareNodes(at: now, queue: &queue)
                return
            }
            metrics.stockouts += 1
            stockoutRetryPending = true
            schedule(event(.nodeRetry), at: now + poolSpec.stockoutRetry, queue: &queue)
        }
        unplaced.append(replica)
    }

    /// Tries again to place replicas that found no room, oldest first.
    mutating func placeUnplaced(at now: SimTime, queue: inout EventQueue<SimulationEvent>) {
        var waiting = unplaced.count
        while waiting > 0, let replica = unplaced.popFirst() {
            waiting -= 1
            place(replica, at: now, queue: &queue)
        }
    }

    mutating func becomeReady(_ replica: Int32, coldStart: Bool, at now: SimTime, queue: inout EventQueue<SimulationEvent>) {
        let r = Int(replica)
        replicas[r].stage = .ready
        replicas[r].stageGeneration &+= 1
        if replicas[r].coldStart.readyAt == nil { replicas[r].coldStart.readyAt = now }
        metrics.gpuTime.move(replicaGPUs, from: .starting, to: .idle, at: now)
        let index = readyReplicas.firstIndex { $0 > replica } ?? readyReplicas.count
        readyReplicas.insert(replica, at: index)
        router.replicaReady(replica, outstanding: engines[r].outstanding)
        if coldStart { metrics.coldStartCompleted(replicas[r].coldStart) }
        armFaults(replica, .serving, at: now, queue: &queue)
        drainActivator(at: now, queue: &queue)
    }

    /// Takes a replica out of service: a not-yet-ready one is cancelled, a ready one drains.
    mutating func remove(_ replica: Int32, at now: SimTime, queue: inout EventQueue<SimulationEvent>) {
        let r = Int(replica)
        switch replicas[r].stage {
        case .pending:
            stopColdStart(replica, .cancelled, at: now)
            if let index = unplaced.firstIndex(of: replica) { unplaced.remove(at: index) }
            if replicas[r].node >= 0 {
                let n = Int(replicas[r].node)
                nodes[n].freeGPUs += replicaGPUs
                nodes[n].replicas -= 1
                if nodes[n].replicas == 0 && nodes[n].state == .ready { markEmpty(Int32(n), at: now, queue: &queue) }
            }
            replicas[r].stage = .gone
            replicas[r].stageGeneration &+= 1
            forget(replica)
        case .pullingImage, .loadingWeights, .warmingUp:
            stopColdStart(replica, .cancelled, at: now)
            // Its own load stops and frees its share; a node's pull or download runs on.
            if replicas[r].transfer >= 0 {
                cancelTransfer(replicas[r].transfer, at: now, queue: &queue)
                replicas[r].transfer = -1
            }
            retire(replica, at: now, queue: &queue)
        case .ready:
            readyReplicas.removeAll { $0 == replica }
            router.replicaLeft(replica)
            replicas[r].stage = .draining
            if engines[r].outstanding == 0 { retire(replica, at: now, queue: &queue) }
        case .draining, .gone:
            break
        }
    }

    /// Records a cold start that ends without the replica becoming ready (cancelled, or still
    /// starting at the run's end): the stage it stopped in keeps only the time spent in it.
    mutating func stopColdStart(_ replica: Int32, _ outcome: ColdStart.Outcome, at now: SimTime) {
        // A replica restarting after a crash finished its cold start already.
        guard replicas[Int(replica)].coldStart.readyAt == nil else { return }
        var record = replicas[Int(replica)].coldStart
        let elapsed = (now - record.requestedAt).seconds
        let stage: ColdStart.Stage
        switch replicas[Int(replica)].stage {
        case .pending:
            stage = .pending
            record.pendingSeconds = elapsed
        case .pullingImage:
            stage = .pullingImage
            record.pullSeconds = max(0, elapsed - record.pendingSeconds)
        case .loadingWeights:
            stage = .loadingWeights
            record.loadSeconds = max(0, elapsed - record.pendingSeconds - record.pullSeconds)
        case .warmingUp:
            stage = .warmingUp
            record.warmupSeconds = max(0, elapsed - record.pendingSeconds - record.pullSeconds - record.loadSeconds)
        case .ready, .draining, .gone:
            return
        }
        record.outcome = outcome
        record.stoppedAt = stage
        metrics.coldStartStopped(record)
    }

    /// A replica leaves for good and frees its GPUs.
    mutating func retire(_ replica: Int32, at now: SimTime, queue: inout EventQueue<SimulationEvent>) {
        let r = Int(replica), n = Int(replicas[r].node)
        let held: GPUState = switch replicas[r].stage {
        case .pullingImage, .loadingWeights, .warmingUp: .starting
        default: replicas[r].serving ? .serving : .idle
        }
        replicas[r].stage = .gone
        replicas[r].stageGeneration &+= 1
        forget(replica)
        metrics.gpuTime.move(replicaGPUs, from: held, to: .unallocated, at: now)
        replicas[r].serving = false
        nodes[n].freeGPUs += replicaGPUs
        nodes[n].replicas -= 1
        if nodes[n].replicas == 0 { markEmpty(Int32(n), at: now, queue: &queue) }
        placeUnplaced(at: now, queue: &queue)
    }

    /// Drops a gone replica from the live list and frees its engine's buffers: a day of scaling
    /// creates thousands of replicas, and neither memory nor the scans over replicas may grow
    /// with them.
    private mutating func forget(_ replica: Int32) {
        if let index = liveReplicas.lastIndex(of: replica) { liveReplicas.remove(at: index) }
        engines[Int(replica)].releaseStorage()
    }

    private mutating func markEmpty(_ node: Int32, at now: SimTime, queue: inout EventQueue<SimulationEvent>) {
        nodes[Int(node)].emptyGeneration &+= 1
        let spec = scenario.nodePools[nodes[Int(node)].pool]
        schedule(event(.nodeScaleDown, node, nodes[Int(node)].emptyGeneration), at: now + spec.scaleDownDelay, queue: &queue)
    }

    /// Releases a node that stayed empty for its pool's scale-down delay, keeping min_nodes.
    mutating func scaleDown(node: Int32, generation: UInt32, at now: SimTime, queue: inout EventQueue<SimulationEvent>) {
        let n = Int(node)
        guard nodes[n].emptyGeneration == generation, nodes[n].state == .ready, nodes[n].replicas == 0 else { return }
        let readyInPool = nodes.reduce(0) { $0 + ($1.pool == nodes[n].pool && $1.state == .ready ? 1 : 0) }
        let spec = scenario.nodePools[nodes[n].pool]
        guard readyInPool > spec.minNodes, spareNodes(pool: nodes[n].pool) > spec.spareNodes else { return }
        nodes[n].state = .terminated
        nodes[n].terminatedAt = now
        for transfer in [nodes[n].imageTransfer, nodes[n].weightsTransfer] where transfer >= 0 {
            cancelTransfer(transfer, at: now, queue: &queue)
        }
        nodes[n].imageTransfer = -1
        nodes[n].weightsTransfer = -1
        metrics.gpuTime.move(nodes[n].gpus, from: .unallocated, to: nil, at: now)
    }
}
