import HeadroomEngine

/// A replica's stage changes in one place, which keeps its deployment's count of replicas per
/// stage: the policy's tick, the series sample and the scale-down choice read the counts instead
/// of visiting every live replica (10,000 of them in a large fleet, every 2 s under KPA).
extension Simulation {
    /// Deployment `d`'s replicas by stage.
    @inline(__always)
    func replicaCounts(_ d: Int) -> ReplicaCounts {
        checkStageCounts(d)
        return deployments[d].stageCounts
    }

    /// Moves `replica` to `stage`, keeping its deployment's counts.
    @inline(__always)
    mutating func setStage(_ replica: Int32, _ stage: ReplicaStage) {
        let r = replicaSlot(replica), d = Int(replicas[r].deployment)
        deployments[d].stageCounts.move(from: replicas[r].stage, to: stage)
        replicas[r].stage = stage
    }

    /// Counts a replica just created (pending) in its deployment's counts.
    @inline(__always)
    mutating func countNewReplica(_ replica: Int32) {
        let r = replicaSlot(replica), d = Int(replicas[r].deployment)
        deployments[d].stageCounts.move(from: nil, to: replicas[r].stage)
    }

    /// Deployment `d`'s replicas by stage, counted by visiting each live one (what the kept counts
    /// must equal).
    func scannedReplicaCounts(_ d: Int) -> ReplicaCounts {
        var counts = ReplicaCounts()
        for id in deployments[d].liveReplicas { counts.move(from: nil, to: replicas[replicaSlot(id)].stage) }
        return counts
    }

    /// Checks the kept counts against a scan when built with `HEADROOM_INVARIANTS` (debug test
    /// runs); compiles to nothing otherwise.
    @inline(__always)
    func checkStageCounts(_ d: Int) {
        #if HEADROOM_INVARIANTS
        precondition(deployments[d].stageCounts == scannedReplicaCounts(d),
                     "deployment \(d)'s stage counts \(deployments[d].stageCounts) differ from its replicas' \(scannedReplicaCounts(d))")
        #endif
    }
}

extension ReplicaCounts {
    /// One replica leaves stage `old` (`nil`: it is new) for `new`.
    @inline(__always)
    mutating func move(from old: ReplicaStage?, to new: ReplicaStage) {
        if let old { add(old, -1) }
        add(new, 1)
    }

    @inline(__always)
    private mutating func add(_ stage: ReplicaStage, _ delta: Int) {
        switch stage {
        case .pending: pending += delta
        case .pullingImage: starting += delta
        case .loadingWeights, .warmingUp:
            starting += delta
            loading += delta
        case .ready: ready += delta
        case .draining: draining += delta
        case .gone: break
        }
    }
}

/// The order a ReplicaSet removes replicas in when it scales down: the least advanced first.
enum ScaleDownClass: CaseIterable {
    case pending, starting, ready

    func contains(_ stage: ReplicaStage) -> Bool {
        switch self {
        case .pending: stage == .pending
        case .starting: stage == .pullingImage || stage == .loadingWeights || stage == .warmingUp
        case .ready: stage == .ready
        }
    }

    /// Live replicas in the class.
    func count(in counts: ReplicaCounts) -> Int {
        switch self {
        case .pending: counts.pending
        case .starting: counts.starting
        case .ready: counts.ready
        }
    }
}
