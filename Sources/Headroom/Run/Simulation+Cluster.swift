import HeadroomEngine

/// Nodes and replica lifecycles: placement, node requests, cold-start stages, draining.
extension Simulation {
    /// GPUs a replica holds.
    @inline(__always)
    func gpus(of replica: Int32) -> Int { deployments[owner(replica)].gpus }

    /// Moves a replica's GPUs between states, in the cluster's ledger and in its deployment's
    /// (which counts only what its replicas hold: starting, serving, idle).
    mutating func moveGPUs(of replica: Int32, from old: GPUState?, to new: GPUState?, at now: SimTime) {
        let d = owner(replica), count = deployments[d].gpus
        gpuTime.move(count, from: old, to: new, at: now)
        // Alone on the cluster, a deployment's held GPU-seconds are the cluster's: not kept twice.
        guard deployments.count > 1 else { return }
        let pool = nodes[Int(replicas[replicaSlot(replica)].node)].pool
        deployments[d].held[pool].move(count, from: old.flatMap(Self.held), to: new.flatMap(Self.held), at: now)
    }

    private static func held(_ state: GPUState) -> GPUState? {
        switch state {
        case .starting, .serving, .idle: return state
        case .provisioning, .unallocated: return nil
        }
    }

    /// Requests a node of pool `index`; returns its id (events name a node by its id, which
    /// outlives it; its slot in `nodes` is reused once it is released).
    mutating func addNode(pool index: Int, at now: SimTime) -> Int32 {
        let spec = scenario.nodePools[index]
        let slot = nodes.add(pool: index, at: now, images: imageCount, weightFiles: weightFileCount)
        // A node image with the serving image baked in, and a disk pre-loaded with every model.
        if spec.imageCached { nodes[slot].imageReadyAt = nodes[slot].imageReadyAt.map { _ in .zero } }
        if spec.weightsCached { nodes[slot].weightsOnDiskAt = nodes[slot].weightsOnDiskAt.map { _ in .zero } }
        transfers.setNode(slot, nic: spec.nicBandwidth, disk: spec.diskBandwidth)
        gpuTime.move(spec.gpusPerNode, from: nil, to: .provisioning, at: now)
        return nodes[slot].id
    }

    /// The live slot of node `id` (one just added, or named by an event that checked it is live).
    @inline(__always)
    func slot(_ id: Int32) -> Int32 { Int32(nodes.slot(of: id)!) }

    /// Nodes of a pool that are provisioning or ready.
    func aliveNodes(pool index: Int) -> Int { nodes.alive[index] }

    /// Node `id` finished provisioning (it is live: a node is released only once ready).
    mutating func makeReady(node id: Int32, at now: SimTime, queue: inout EventQueue<SimulationEvent>) {
        let n = Int(slot(id)), node = Int32(n)
        nodes.markReady(n, at: now)
        gpuTime.move(nodes[n].gpus, from: .provisioning, to: .unallocated, at: now)
        armSpotInterruption(node, at: now, queue: &queue)  // spot: its interruption clock starts
        // Replicas bound while it provisioned start pulling, in creation order.
        if nodes[n].replicas > 0 {
            let waiting = nodes[n].bound.filter { replicas[replicaSlot($0)].stage == .pending }
            for replica in waiting { startPull(replica, at: now, queue: &queue) }
        }
        if nodes[n].replicas == 0 { markEmpty(node, at: now, queue: &queue) }
        placeUnplaced(at: now, queue: &queue)
    }

    /// Creates a replica of deployment `d`; a warm one starts ready on a node that is ready at time zero.
    mutating func createReplica(_ d: Int, warm: Bool, at now: SimTime, queue: inout EventQueue<SimulationEvent>) {
        let id = newReplica(of: d, at: now)
        countNewReplica(id)
        if warm {
            var node: Int32
            if let found = readyNodeWithRoom(for: id) {
                node = found
            } else {
                let fresh = addNode(pool: deployments[d].pools[0], at: now)  // (not nested: `slot` would read self first)
                node = slot(fresh)
                nodes.markReady(Int(node), at: now)
                gpuTime.move(nodes[Int(node)].gpus, from: .provisioning, to: .unallocated, at: now)
                armSpotInterruption(node, at: now, queue: &queue)  // spot: its interruption clock starts
            }
            bind(id, to: node)
            topUpSpareNodes(at: now, queue: &queue)
            nodes[Int(node)].imageReadyAt[imageOf[d]] = min(nodes[Int(node)].imageReadyAt[imageOf[d]], now)
            nodes[Int(node)].weightsOnDiskAt[weightsOf[d]] = min(nodes[Int(node)].weightsOnDiskAt[weightsOf[d]], now)
            moveGPUs(of: id, from: .unallocated, to: .starting, at: now)
            becomeReady(id, coldStart: false, at: now, queue: &queue)
        } else {
            deployments[d].metrics.coldStartBegan()
            place(id, at: now, queue: &queue)
        }
    }

    /// A ready node with room for `replica` on one of its deployment's pools, most preferred pool
    /// first, the oldest there (a node under a spot notice is cordoned); its slot.
    mutating func readyNodeWithRoom(for replica: Int32) -> Int32? {
        let d = owner(replica), need = deployments[d].gpus
        for pool in deployments[d].pools {
            if let n = nodes.firstWithRoom(pool: pool, ready: true, need: need) { return Int32(n) }
        }
        return nil
    }

    /// Binds a replica to a node: its GPUs are taken, and it will iterate at its deployment's
    /// profile for the node's GPU, with the KV cache that GPU's memory leaves.
    mutating func bind(_ replica: Int32, to node: Int32) {
        let r = replicaSlot(replica), d = owner(replica), pool = nodes[Int(node)].pool
        replicas[r].node = node
        replicas[r].stepTime = Int32(deployments[d].stepTimeIndex[pool])
        if deployments[d].pools.count > 1 {
            engines[r].kvCapacity = deployments[d].kvCapacity[pool] ?? ReplicaEngine.unlimitedKV
            engines[r].model = stepTimes[Int(replicas[r].stepTime)]
        }
        nodes.bind(replica, gpus: deployments[d].gpus, to: Int(node))
    }

    /// Empty nodes of a pool that are ready or on their way (not under a spot notice).
    func spareNodes(pool index: Int) -> Int { nodes.spare[index] }

    /// Keeps the pool's warm pool of empty nodes topped up (within max_nodes).
    mutating func topUpSpareNodes(at now: SimTime, queue: inout EventQueue<SimulationEvent>) {
        for (index, spec) in scenario.nodePools.enumerated() where spec.spareNodes > 0 {
            var missing = spec.spareNodes - spareNodes(pool: index)
            while missing > 0 && aliveNodes(pool: index) < spec.nodeLimit(at: now) {  // availability too
                let node = addNode(pool: index, at: now)
                let delay = SimTime.seconds(spec.provisioning.sample(&clusterRandom))
                schedule(event(.nodeReady, node), at: now + delay, queue: &queue)
                missing -= 1
            }
        }
    }

    /// First fit onto a ready node of any of its pools; else wait for a provisioning node with
    /// room; else ask its pools, most preferred first, for a node (within max_nodes, subject to
    /// stockouts: a refused pool falls through to the next); else wait for capacity.
    mutating func place(_ replica: Int32, at now: SimTime, queue: inout EventQueue<SimulationEvent>) {
        if let node = readyNodeWithRoom(for: replica) {
            bind(replica, to: node)
            startPull(replica, at: now, queue: &queue)
            topUpSpareNodes(at: now, queue: &queue)
            return
        }
        replicas[replicaSlot(replica)].coldStart.waitedForNode = true
        let d = owner(replica), need = deployments[d].gpus
        for pool in deployments[d].pools {
            if let node = nodes.firstWithRoom(pool: pool, ready: false, need: need) {
                bind(replica, to: Int32(node))
                topUpSpareNodes(at: now, queue: &queue)
                return
            }
        }
        for pool in deployments[d].pools {
            let spec = scenario.nodePools[pool]
            guard aliveNodes(pool: pool) < spec.maxNodes && !stockoutRetryPending[pool] else { continue }
            // Above the pool's availability now, the request is a stockout (no draw: other draws stay put).
            if aliveNodes(pool: pool) < spec.nodeLimit(at: now) && clusterRandom.nextUnit() >= spec.stockoutProbability {
                let node = addNode(pool: pool, at: now)
                let delay = SimTime.seconds(spec.provisioning.sample(&clusterRandom))
                schedule(event(.nodeReady, node), at: now + delay, queue: &queue)
                bind(replica, to: slot(node))
                topUpSpareNodes(at: now, queue: &queue)
                return
            }
            stockouts += 1
            capacity.stockouts[pool] += 1
            stockoutRetryPending[pool] = true
            schedule(event(.nodeRetry, Int32(pool)), at: now + spec.stockoutRetry, queue: &queue)
        }
        capacity.accrueWaiting(unplaced.count, to: now)  // time waiting for capacity
        unplaced.append(replica)
        preemptLowerPriority(for: replica, at: now, queue: &queue)
    }

    /// Tries again to place replicas that found no room: higher priority first, oldest first
    /// within a priority.
    mutating func placeUnplaced(at now: SimTime, queue: inout EventQueue<SimulationEvent>) {
        guard !unplaced.isEmpty else { return }
        capacity.accrueWaiting(unplaced.count, to: now)  // time waiting for capacity
        if deployments.count > 1 {
            let ordered = unplaced.enumerated().sorted {
                (-deployments[owner($0.element)].priority, $0.offset) < (-deployments[owner($1.element)].priority, $1.offset)
            }
            unplaced = .init(ordered.map(\.element))
        }
        var waiting = unplaced.count
        while waiting > 0, let replica = unplaced.popFirst() {
            waiting -= 1
            place(replica, at: now, queue: &queue)
        }
    }

    mutating func becomeReady(_ replica: Int32, coldStart: Bool, at now: SimTime, queue: inout EventQueue<SimulationEvent>) {
        let r = replicaSlot(replica), d = owner(replica), t = deployments[d].traffic
        setStage(replica, .ready)
        replicas[r].stageGeneration &+= 1
        if replicas[r].coldStart.readyAt == nil { replicas[r].coldStart.readyAt = now }
        moveGPUs(of: replica, from: .starting, to: .idle, at: now)
        deployments[d].readyReplicas.insertSorted(replica)
        if deployments[d].role == .decode {
            deployments[t].decodeRoutable.insertSorted(replica)
            deployments[t].decodeLoad.insert(replica, outstanding: engines[r].outstanding + Int(replicas[r].inboundKV))
        } else {
            deployments[t].routable.insertSorted(replica)
            deployments[t].routing.replicaReady(replica, outstanding: engines[r].outstanding)
        }
        if coldStart { deployments[d].metrics.coldStartCompleted(replicas[r].coldStart) }
        armFaults(replica, .serving, at: now, queue: &queue)
        if deployments[d].role == .decode {
            drainHandoffs(t, at: now, queue: &queue)
        } else {
            drainActivator(t, at: now, queue: &queue)
        }
    }

    /// A ready replica stops taking requests: out of its deployment's ready set and its traffic's router.
    mutating func leaveRouting(_ replica: Int32) {
        let d = owner(replica), t = deployments[d].traffic
        deployments[d].readyReplicas.removeSorted(replica)
        if deployments[d].role == .decode {
            deployments[t].decodeRoutable.removeSorted(replica)
            deployments[t].decodeLoad.remove(replica)
        } else {
            deployments[t].routable.removeSorted(replica)
            deployments[t].routing.replicaLeft(replica)
        }
    }

    /// Takes a replica out of service: a not-yet-ready one is cancelled, a ready one drains.
    mutating func remove(_ replica: Int32, at now: SimTime, queue: inout EventQueue<SimulationEvent>) {
        let r = replicaSlot(replica), d = owner(replica)
        switch replicas[r].stage {
        case .pending:
            stopColdStart(replica, .cancelled, at: now)
            if let index = unplaced.firstIndex(of: replica) {
                capacity.accrueWaiting(unplaced.count, to: now)  // time waiting for capacity
                unplaced.remove(at: index)
            }
            if replicas[r].node >= 0 {
                let n = Int(replicas[r].node)
                nodes.unbind(replica, gpus: deployments[d].gpus, from: n)
                if nodes[n].replicas == 0 && nodes[n].state == .ready { markEmpty(Int32(n), at: now, queue: &queue) }
            }
            setStage(replica, .gone)
            replicas[r].stageGeneration &+= 1
            forget(replica)
            releaseSlotIfIdle(replica, at: now)
        case .pullingImage, .loadingWeights, .warmingUp:
            stopColdStart(replica, .cancelled, at: now)
            // Its own load stops and frees its share; a node's pull or download runs on.
            if replicas[r].transfer >= 0 {
                cancelTransfer(replicas[r].transfer, at: now, queue: &queue)
                replicas[r].transfer = -1
            }
            retire(replica, at: now, queue: &queue)
        case .ready:
            leaveRouting(replica)
            setStage(replica, .draining)
            if engines[r].outstanding == 0 { retire(replica, at: now, queue: &queue) }
        case .draining, .gone:
            break
        }
    }

    /// Records a cold start that ends without the replica becoming ready (cancelled, or still
    /// starting at the run's end): the stage it stopped in keeps only the time spent in it.
    mutating func stopColdStart(_ replica: Int32, _ outcome: ColdStart.Outcome, at now: SimTime) {
        // A replica restarting after a crash finished its cold start already.
        guard replicas[replicaSlot(replica)].coldStart.readyAt == nil else { return }
        var record = replicas[replicaSlot(replica)].coldStart
        let elapsed = (now - record.requestedAt).seconds
        let stage: ColdStart.Stage
        switch replicas[replicaSlot(replica)].stage {
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
        deployments[owner(replica)].metrics.coldStartStopped(record)
    }

    /// A replica leaves for good and frees its GPUs.
    mutating func retire(_ replica: Int32, at now: SimTime, queue: inout EventQueue<SimulationEvent>) {
        let r = replicaSlot(replica), n = Int(replicas[r].node)
        let held: GPUState = switch replicas[r].stage {
        case .pullingImage, .loadingWeights, .warmingUp: .starting
        default: replicas[r].serving ? .serving : .idle
        }
        setStage(replica, .gone)
        replicas[r].stageGeneration &+= 1
        forget(replica)
        moveGPUs(of: replica, from: held, to: .unallocated, at: now)
        replicas[r].serving = false
        nodes.unbind(replica, gpus: gpus(of: replica), from: n)
        releaseSlotIfIdle(replica, at: now)
        if nodes[n].replicas == 0 { markEmpty(Int32(n), at: now, queue: &queue) }
        placeUnplaced(at: now, queue: &queue)
    }

    /// Drops a gone replica from its deployment's live list and frees its engine's buffers: a day
    /// of scaling creates thousands of replicas, and neither memory nor the scans over replicas
    /// may grow with them.
    private mutating func forget(_ replica: Int32) {
        let d = owner(replica)
        deployments[d].liveReplicas.removeSorted(replica)  // in creation order: ascending ids
        engines[replicaSlot(replica)].releaseStorage()
    }

    private mutating func markEmpty(_ node: Int32, at now: SimTime, queue: inout EventQueue<SimulationEvent>) {
        nodes[Int(node)].emptyGeneration &+= 1
        let spec = scenario.nodePools[nodes[Int(node)].pool]
        schedule(event(.nodeScaleDown, nodes[Int(node)].id, nodes[Int(node)].emptyGeneration), at: now + spec.scaleDownDelay, queue: &queue)
    }

    /// Releases node `id` if it stayed empty for its pool's scale-down delay, keeping min_nodes. A
    /// node is empty only when no deployment has a replica on it.
    mutating func scaleDown(node id: Int32, generation: UInt32, at now: SimTime, queue: inout EventQueue<SimulationEvent>) {
        guard let n = nodes.slot(of: id) else { return }  // released already
        guard nodes[n].emptyGeneration == generation, nodes[n].state == .ready, nodes[n].replicas == 0 else { return }
        let spec = scenario.nodePools[nodes[n].pool]
        guard nodes.ready[nodes[n].pool] > spec.minNodes, spareNodes(pool: nodes[n].pool) > spec.spareNodes else { return }
        terminate(Int32(n), at: now, queue: &queue)
    }

    /// The node in slot `node` is gone (released, or reclaimed at a spot notice's end): its
    /// transfers stop and its GPUs, all unallocated by now, leave the ledger; its slot is free.
    /// Billing ends here.
    mutating func terminate(_ node: Int32, at now: SimTime, queue: inout EventQueue<SimulationEvent>) {
        let n = Int(node)
        for transfer in nodes[n].imageTransfer + nodes[n].weightsTransfer where transfer >= 0 {
            cancelTransfer(transfer, at: now, queue: &queue)
        }
        nodes[n].imageTransfer = nodes[n].imageTransfer.map { _ in -1 }
        nodes[n].weightsTransfer = nodes[n].weightsTransfer.map { _ in -1 }
        gpuTime.move(nodes[n].gpus, from: .unallocated, to: nil, at: now)
        nodes.release(n, at: now)
    }
}

extension Array where Element == Int32 {
    /// Inserts `id` keeping ascending order (after any equal one). A binary search: a replica
    /// that becomes ready is usually the newest, and a fleet of thousands must not be walked.
    mutating func insertSorted(_ id: Int32) {
        insert(id, at: firstIndex(after: id))
    }

    /// Removes `id` from an ascending array holding it at most once (nothing if absent).
    mutating func removeSorted(_ id: Int32) {
        let index = firstIndex(after: id - 1)
        if index < count && self[index] == id { remove(at: index) }
    }

    /// The first index whose element is greater than `id` (`count` if none), in an ascending array.
    func firstIndex(after id: Int32) -> Int {
        var low = 0, high = count
        while low < high {
            let middle = (low + high) >> 1
            if self[middle] > id { high = middle } else { low = middle + 1 }
        }
        return low
    }
}
