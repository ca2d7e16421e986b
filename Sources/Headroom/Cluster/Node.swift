import HeadroomEngine

/// One live GPU node: requested → provisioning → ready (possibly empty, waiting) → terminated.
/// It sits in a `NodeTable` slot until it is released; its times live in the table's ledger.
@usableFromInline
struct Node {
    enum State: UInt8 { case provisioning, ready, terminated }

    /// Its id: creation order, never reused (what results, bills and KV links name it by).
    let id: Int32
    let pool: Int
    let gpus: Int
    /// Changed only through `NodeTable`, which indexes it (as are `freeGPUs`, `bound`, `reclaimAt`).
    var state: State = .provisioning
    /// GPUs not bound to a replica (replicas bound while it provisions count as bound).
    var freeGPUs: Int
    /// Replicas bound to this node and not gone, ascending ids (at most its GPUs).
    var bound: [Int32] = []
    /// Per container image (the simulation's image ids: deployments with the same image share
    /// one): when it is (or will be) on this node's disk; `.never` if not pulled.
    var imageReadyAt: [SimTime]
    /// Per weight file (model): when it is (or will be) on this node's disk; `.never` if not there.
    var weightsOnDiskAt: [SimTime]
    /// Per image: the shared pull in flight to this node (its end is not known in advance), or -1.
    var imageTransfer: [Int32]
    /// Per weight file: the shared download in flight to this node's disk, or -1.
    var weightsTransfer: [Int32]
    /// Bumped whenever the node stops being empty, so a stale scale-down check is ignored.
    var emptyGeneration: UInt32 = 0
    /// A spot node under interruption notice: when the provider takes it back; `.never` otherwise.
    /// Such a node takes no new replica.
    var reclaimAt: SimTime = .never

    /// Replicas bound to this node and not gone.
    var replicas: Int { bound.count }

    init(id: Int32, pool: Int, gpus: Int, images: Int, weightFiles: Int) {
        self.id = id
        self.pool = pool
        self.gpus = gpus
        self.freeGPUs = gpus
        imageReadyAt = Array(repeating: .never, count: images)
        weightsOnDiskAt = Array(repeating: .never, count: weightFiles)
        imageTransfer = Array(repeating: -1, count: images)
        weightsTransfer = Array(repeating: -1, count: weightFiles)
    }
}

/// A replica's place in its lifecycle: pending (no node with free GPUs, or its node still
/// provisioning) → pulling image → loading weights → warming up → ready → draining → gone.
public enum ReplicaStage: UInt8, Sendable, CaseIterable {
    case pending, pullingImage, loadingWeights, warmingUp, ready, draining, gone
}

/// The lifecycle record of one replica (its serving engine lives beside it).
@usableFromInline
struct Replica {
    /// Its id: creation order, never reused (its slot in `Simulation.replicas` is; ReplicaSlots.swift).
    let id: Int32
    /// The deployment that owns it.
    let deployment: Int32
    /// Index of its step-time model (its deployment's profile on its node's pool), set when it is bound.
    var stepTime: Int32 = 0
    var stage: ReplicaStage = .pending
    /// Whether its GPUs currently count as serving (batch not empty) rather than idle. (Beside
    /// `deployment` and `stage`: every engine step reads the three, and one cache line holds them.)
    var serving = false
    /// The node it is bound to, or -1.
    var node: Int32 = -1
    /// Bumped at each stage change, so a stale stage-timer event is ignored.
    var stageGeneration: UInt32 = 0
    var coldStart: ColdStart
    /// When the current stage began.
    var stageStartedAt = SimTime.zero
    /// Waiting for its node's shared pull or download to end (no timer of its own meanwhile).
    var awaitingNode = false
    /// Its own shared transfer in flight (a load on a capped disk or link), or -1.
    var transfer: Int32 = -1
    /// Injected faults: bumped when it enters or leaves a phase that can fail, so a stale fault
    /// timer is ignored.
    var faultEpoch: UInt32 = 0
    /// Its container crashed and waits out the kubelet's back-off (shown as loading weights).
    var backingOff = false
    /// The last crash and the back-off it started (CrashLoopBackOff state).
    var lastCrash: SimTime?
    /// Pending, it has already evicted lower-priority replicas to make room (`preempt_lower_priority`).
    var claimedVictims = false
    /// KV caches on their way to it (a decode worker): the decode router counts them as load.
    var inboundKV: Int32 = 0
    var backOff = SimTime.zero

    init(id: Int32, deployment: Int32, requestedAt: SimTime) {
        self.id = id
        self.deployment = deployment
        coldStart = ColdStart(requestedAt: requestedAt)
    }
}
