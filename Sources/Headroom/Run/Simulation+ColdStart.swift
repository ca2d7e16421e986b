import HeadroomEngine

/// The stages of a cold start: pull → load → warm-up → ready. A stage whose transfers cross no
/// capped link takes a time known at its start (one timer, the closed forms of `ImagePull` and
/// `WeightLoad`); one that crosses a capped NIC, disk or egress runs as a transfer in the
/// `TransferTable` and ends when that transfer does.
extension Simulation {
    mutating func startPull(_ replica: Int32, at now: SimTime, queue: inout EventQueue<SimulationEvent>) {
        let r = replicaSlot(replica), n = Int(replicas[r].node), d = owner(replica), image = imageOf[d]
        replicas[r].coldStart.pendingSeconds = (now - replicas[r].coldStart.requestedAt).seconds
        moveGPUs(of: replica, from: .unallocated, to: .starting, at: now)
        enter(.pullingImage, replica, at: now)
        if nodes[n].imageReadyAt[image] != .never {
            replicas[r].coldStart.imageCached = true
            endStage(of: replica, after: max(.zero, nodes[n].imageReadyAt[image] - now), at: now, queue: &queue)
        } else if nodes[n].imageTransfer[image] >= 0 {
            replicas[r].coldStart.imageCached = true
            replicas[r].awaitingNode = true
        } else {
            let spec = scenario.deployments[d].replica.image
            let legs = ImagePull.legs(spec)
            if transfers.isShared(legs, node: Int32(n)) {
                nodes[n].imageTransfer[image] = startTransfer(legs, .nodeImage, target: Int32(image), node: Int32(n), at: now, queue: &queue)
                replicas[r].awaitingNode = true
            } else {
                let duration = ImagePull.duration(spec)
                nodes[n].imageReadyAt[image] = now + duration
                endStage(of: replica, after: duration, at: now, queue: &queue)
            }
        }
    }

    /// The image is on the node: load the weights. A sequential load waits for a download already
    /// under way to this node, then reads the local copy; a streamed one only uses a complete copy.
    private mutating func startLoad(_ replica: Int32, at now: SimTime, queue: inout EventQueue<SimulationEvent>) {
        let r = replicaSlot(replica), n = Int(replicas[r].node), node = Int32(n), d = owner(replica), file = weightsOf[d]
        enter(.loadingWeights, replica, at: now)
        armFaults(replica, .warming, at: now, queue: &queue)
        let bytes = scenario.deployments[d].model.weightsBytes
        let spec = scenario.deployments[d].replica.weights
        let onDisk = nodes[n].weightsOnDiskAt[file]
        switch spec.mode {
        case .sequential:
            if onDisk != .never {
                replicas[r].coldStart.weightsCached = true
                loadFromDisk(replica, after: max(.zero, onDisk - now), at: now, queue: &queue)
            } else if nodes[n].weightsTransfer[file] >= 0 {
                replicas[r].coldStart.weightsCached = true
                replicas[r].awaitingNode = true
            } else if transfers.isShared([WeightLoad.downloadLeg(bytes: bytes, spec)], node: node) {
                nodes[n].weightsTransfer[file] = startTransfer(
                    [WeightLoad.downloadLeg(bytes: bytes, spec)], .nodeWeights, target: Int32(file), node: node, at: now, queue: &queue)
                replicas[r].awaitingNode = true
            } else {
                // The file is on disk after the first hop.
                let copied = SimTime.seconds(bytes / spec.remoteBandwidth)
                nodes[n].weightsOnDiskAt[file] = now + copied
                if transfers.isShared(WeightLoad.localLegs(bytes: bytes, spec), node: node) {
                    loadFromDisk(replica, after: copied, at: now, queue: &queue)
                } else {
                    endStage(of: replica, after: WeightLoad.duration(bytes: bytes, spec, onLocalDisk: false), at: now, queue: &queue)
                }
            }
        case .streamed:
            let local = onDisk <= now
            replicas[r].coldStart.weightsCached = local
            let legs = WeightLoad.streamLegs(bytes: bytes, spec, onLocalDisk: local)
            if transfers.isShared(legs, node: node) {
                // The node keeps a streamed copy once the stream has ended.
                replicas[r].transfer = startTransfer(
                    legs, local ? .replicaLoad : .replicaStream, target: replica, node: node, at: now, queue: &queue)
            } else {
                let duration = WeightLoad.duration(bytes: bytes, spec, onLocalDisk: local)
                if !local { nodes[n].weightsOnDiskAt[file] = min(onDisk, now + duration) }
                endStage(of: replica, after: duration, at: now, queue: &queue)
            }
        }
    }

    /// Reads the node's copy of the weights (disk → host → GPU), after `wait` for the copy to land.
    private mutating func loadFromDisk(_ replica: Int32, after wait: SimTime, at now: SimTime, queue: inout EventQueue<SimulationEvent>) {
        let deployment = scenario.deployments[owner(replica)]
        let bytes = deployment.model.weightsBytes, spec = deployment.replica.weights
        let legs = WeightLoad.localLegs(bytes: bytes, spec)
        if transfers.isShared(legs, node: replicas[replicaSlot(replica)].node) {
            replicas[replicaSlot(replica)].transfer = startTransfer(
                (wait > .zero ? [.pause(wait)] : []) + legs, .replicaLoad, target: replica,
                node: replicas[replicaSlot(replica)].node, at: now, queue: &queue)
        } else {
            endStage(of: replica, after: wait + WeightLoad.duration(bytes: bytes, spec, onLocalDisk: true), at: now, queue: &queue)
        }
    }

    mutating func enter(_ stage: ReplicaStage, _ replica: Int32, at now: SimTime) {
        setStage(replica, stage)
        replicas[replicaSlot(replica)].stageGeneration &+= 1
        replicas[replicaSlot(replica)].stageStartedAt = now
    }

    /// Ends the current stage after `duration` (a timer, superseded by any later stage change).
    mutating func endStage(of replica: Int32, after duration: SimTime, at now: SimTime, queue: inout EventQueue<SimulationEvent>) {
        schedule(event(.replicaStage, replica, replicas[replicaSlot(replica)].stageGeneration), at: now + duration, queue: &queue)
    }

    /// A stage timer fired.
    mutating func endStage(replica: Int32, generation: UInt32, at now: SimTime, queue: inout EventQueue<SimulationEvent>) {
        guard let r = replicaSlots.slotIfPresent(replica), replicas[r].stageGeneration == generation else { return }
        finishStage(replica, at: now, queue: &queue)
    }

    /// A cold-start stage has ended: pull → load → warm-up → ready.
    private mutating func finishStage(_ replica: Int32, at now: SimTime, queue: inout EventQueue<SimulationEvent>) {
        let r = replicaSlot(replica)
        let spent = (now - replicas[r].stageStartedAt).seconds
        replicas[r].awaitingNode = false
        switch replicas[r].stage {
        case .pullingImage:
            replicas[r].coldStart.pullSeconds = spent
            startLoad(replica, at: now, queue: &queue)
        case .loadingWeights where replicas[r].backingOff:
            // CrashLoopBackOff is over: the kubelet starts the container again.
            replicas[r].backingOff = false
            startLoad(replica, at: now, queue: &queue)
        case .loadingWeights:
            // After a crash while starting, the lost attempt and the back-off count as loading.
            replicas[r].coldStart.loadSeconds = replicas[r].lastCrash == nil ? spent
                : (now - replicas[r].coldStart.requestedAt).seconds - replicas[r].coldStart.pendingSeconds - replicas[r].coldStart.pullSeconds
            let duration = SimTime.seconds(scenario.deployments[owner(replica)].replica.warmup.sample(&clusterRandom))
            replicas[r].coldStart.warmupSeconds = duration.seconds
            enter(.warmingUp, replica, at: now)
            endStage(of: replica, after: duration, at: now, queue: &queue)
        case .warmingUp:
            // After a crash the replica is back, not a new start.
            becomeReady(replica, coldStart: replicas[r].coldStart.readyAt == nil, at: now, queue: &queue)
        case .pending, .ready, .draining, .gone:
            break
        }
    }

    // MARK: Transfers

    private mutating func startTransfer(
        _ legs: [TransferLeg], _ owner: TransferTable.Owner, target: Int32, node: Int32, at now: SimTime,
        queue: inout EventQueue<SimulationEvent>
    ) -> Int32 {
        let id = transfers.start(legs, owner: owner, target: target, node: node, at: now)
        scheduleMovedTransfers(queue: &queue)
        return id
    }

    mutating func cancelTransfer(_ id: Int32, at now: SimTime, queue: inout EventQueue<SimulationEvent>) {
        transfers.cancel(id, at: now)
        scheduleMovedTransfers(queue: &queue)
    }

    /// New completion events for the transfers whose rate changed; their old events are stale.
    private mutating func scheduleMovedTransfers(queue: inout EventQueue<SimulationEvent>) {
        for id in transfers.takeMoved() {
            let transfer = transfers[id]
            schedule(event(.transferDone, id, transfer.generation), at: transfer.completion, queue: &queue)
        }
    }

    /// A transfer's leg ended: it moves on, or it is done and its owner goes on.
    mutating func transferLegEnded(_ id: Int32, generation: UInt32, at now: SimTime, queue: inout EventQueue<SimulationEvent>) {
        let ended = transfers.legEnded(id, generation: generation, at: now)
        scheduleMovedTransfers(queue: &queue)
        guard let ended else { return }
        switch ended.owner {
        case .replicaLoad, .replicaStream:
            let replica = ended.target
            guard let r = replicaSlots.slotIfPresent(replica) else { return }  // (cancelled when it left)
            replicas[r].transfer = -1
            if ended.owner == .replicaStream {
                let file = weightsOf[owner(replica)]
                nodes[Int(ended.node)].weightsOnDiskAt[file] = min(nodes[Int(ended.node)].weightsOnDiskAt[file], now)
            }
            finishStage(replica, at: now, queue: &queue)
        case .nodeImage:
            let image = Int(ended.target)
            nodes[Int(ended.node)].imageTransfer[image] = -1
            nodes[Int(ended.node)].imageReadyAt[image] = now
            for replica in awaiting(on: ended.node, in: .pullingImage) where imageOf[owner(replica)] == image {
                finishStage(replica, at: now, queue: &queue)
            }
        case .nodeWeights:
            let file = Int(ended.target)
            nodes[Int(ended.node)].weightsTransfer[file] = -1
            nodes[Int(ended.node)].weightsOnDiskAt[file] = now
            for replica in awaiting(on: ended.node, in: .loadingWeights) where weightsOf[owner(replica)] == file {
                replicas[replicaSlot(replica)].awaitingNode = false
                loadFromDisk(replica, after: .zero, at: now, queue: &queue)
            }
        }
    }

    /// Replicas on `node` waiting in `stage` for the node's shared transfer, oldest first.
    private func awaiting(on node: Int32, in stage: ReplicaStage) -> [Int32] {
        nodes[Int(node)].bound.filter { replicas[replicaSlot($0)].stage == stage && replicas[replicaSlot($0)].awaitingNode }
    }
}
