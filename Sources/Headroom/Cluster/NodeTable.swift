import HeadroomEngine

/// The cluster's nodes: the live ones in reusable slots, an index of those with free GPUs, counts
/// by pool, and a ledger of every node ever created (what results and bills need once it is gone).
/// A day that creates and releases thousands of nodes keeps only its live ones in `slots`, so
/// placing a replica or counting a pool costs the same in its last hour as in its first.
///
/// A node has two numbers. Its id is its creation order and is never reused: results, bills, KV
/// links, events and first-fit order name it by that. Its slot is where its live state is, reused
/// once it is released: replicas and transfers name it by that, as they never outlive it.
struct NodeTable {
    /// What a node's life leaves for the results.
    struct Record {
        let pool: Int32
        let requestedAt: SimTime
        var readyAt = SimTime.never
        var terminatedAt = SimTime.never
    }

    private(set) var slots: [Node] = []
    private var freeSlots: [Int32] = []
    /// By id: every node ever created (a stored output: `RunResult.nodes`).
    private(set) var records: [Record] = []
    /// By id: its slot while it lives, -1 after.
    private var slotOfID: [Int32] = []
    /// Per pool: nodes provisioning or ready; ready; and spare (alive, empty, not under notice).
    private(set) var alive: [Int]
    private(set) var ready: [Int]
    private(set) var spare: [Int]
    /// Over all pools: nodes provisioning, and ready.
    private(set) var provisioningCount = 0
    private(set) var readyCount = 0
    /// Free GPUs: per pool, provisioning or ready (not under notice), and number of free GPUs
    /// (1...gpus per node), a heap of the ids of the nodes there. Entries go stale as nodes move;
    /// they are dropped when they reach the top, and a heap grown well past its pool's nodes is
    /// rebuilt, so each change costs O(log n) amortised.
    private var room: [MinHeap<Int32>] = []
    private var roomBase: [Int] = []
    private let gpusPerNode: [Int]

    init(pools: [NodePoolSpec]) {
        gpusPerNode = pools.map(\.gpusPerNode)
        alive = Array(repeating: 0, count: pools.count)
        ready = alive
        spare = alive
        for pool in pools {
            roomBase.append(room.count)
            room += Array(repeating: MinHeap(), count: 2 * pool.gpusPerNode)
        }
    }

    /// The live node in `slot`. Change `state`, `freeGPUs`, `bound` and `reclaimAt` only through
    /// the table's methods, which keep the index and counts.
    subscript(slot: Int) -> Node {
        _read { yield slots[slot] }
        _modify { yield &slots[slot] }
    }

    /// The slot of node `id`, or nil once it is released.
    func slot(of id: Int32) -> Int? {
        let slot = slotOfID[Int(id)]
        return slot >= 0 ? Int(slot) : nil
    }

    /// Slots of the live nodes (in no particular order).
    var liveSlots: [Int] { slots.indices.filter { slots[$0].state != .terminated } }

    /// A new node of `pool`, provisioning; returns its slot.
    mutating func add(pool: Int, at now: SimTime, images: Int, weightFiles: Int) -> Int {
        let id = Int32(records.count)
        records.append(Record(pool: Int32(pool), requestedAt: now))
        let node = Node(id: id, pool: pool, gpus: gpusPerNode[pool], images: images, weightFiles: weightFiles)
        let slot: Int
        if let free = freeSlots.popLast() {
            slot = Int(free)
            slots[slot] = node
        } else {
            slot = slots.count
            slots.append(node)
        }
        slotOfID.append(Int32(slot))
        enter(slot)
        return slot
    }

    mutating func markReady(_ slot: Int, at now: SimTime) {
        records[Int(slots[slot].id)].readyAt = now
        update(slot) { $0.state = .ready }
    }

    /// Binds `replica` (holding `gpus`) to the node: it stops being empty.
    mutating func bind(_ replica: Int32, gpus: Int, to slot: Int) {
        update(slot) { node in
            node.freeGPUs -= gpus
            node.bound.insert(replica, at: node.bound.firstIndex { $0 > replica } ?? node.bound.count)
            node.emptyGeneration &+= 1
        }
    }

    mutating func unbind(_ replica: Int32, gpus: Int, from slot: Int) {
        update(slot) { node in
            node.freeGPUs += gpus
            if let index = node.bound.firstIndex(of: replica) { node.bound.remove(at: index) }
        }
    }

    /// A spot notice: the node takes no new replica until `until`, when the provider takes it.
    mutating func cordon(_ slot: Int, until: SimTime) {
        update(slot) { $0.reclaimAt = until }
    }

    /// The node is gone for placement and counts, though it keeps its slot until `release`.
    mutating func markTerminated(_ slot: Int) {
        update(slot) { $0.state = .terminated }
    }

    /// The node is gone: its time goes to the ledger and its slot is free for another.
    mutating func release(_ slot: Int, at now: SimTime) {
        leave(slot)
        slots[slot].state = .terminated
        let id = Int(slots[slot].id)
        records[id].terminatedAt = now
        slotOfID[id] = -1
        freeSlots.append(Int32(slot))
    }

    /// The lowest-id node of `pool` that is ready (and not under notice), or provisioning, with at
    /// least `need` free GPUs: first fit in creation order.
    mutating func firstWithRoom(pool: Int, ready: Bool, need: Int) -> Int? {
        let gpus = gpusPerNode[pool]
        guard need <= gpus else { return nil }
        var best = Int32.max
        for free in max(1, need)...gpus {
            let bucket = roomBase[pool] + (ready ? gpus : 0) + free - 1
            while let top = room[bucket].min, !holds(top, ready: ready, free: free) { room[bucket].removeMin() }
            if let top = room[bucket].min, top < best { best = top }
        }
        return best == .max ? nil : Int(slotOfID[Int(best)])
    }

    // MARK: Counts and index

    private mutating func update(_ slot: Int, _ change: (inout Node) -> Void) {
        leave(slot)
        change(&slots[slot])
        enter(slot)
    }

    /// Takes the node's share out of the counts.
    private mutating func leave(_ slot: Int) {
        let node = slots[slot]
        guard node.state != .terminated else { return }
        alive[node.pool] -= 1
        if node.state == .ready {
            ready[node.pool] -= 1
            readyCount -= 1
        } else {
            provisioningCount -= 1
        }
        if node.bound.isEmpty && node.reclaimAt == .never { spare[node.pool] -= 1 }
    }

    /// Adds the node's share to the counts and files it under its free GPUs.
    private mutating func enter(_ slot: Int) {
        let node = slots[slot]
        guard node.state != .terminated else { return }
        alive[node.pool] += 1
        if node.state == .ready {
            ready[node.pool] += 1
            readyCount += 1
        } else {
            provisioningCount += 1
        }
        guard node.reclaimAt == .never else { return }
        if node.bound.isEmpty { spare[node.pool] += 1 }
        guard node.freeGPUs > 0 else { return }
        let gpus = gpusPerNode[node.pool]
        let bucket = roomBase[node.pool] + (node.state == .ready ? gpus : 0) + node.freeGPUs - 1
        room[bucket].insert(node.id)
        if room[bucket].count > 2 * alive[node.pool] + 16 { rebuild(bucket, ready: node.state == .ready, free: node.freeGPUs) }
    }

    /// Whether node `id` still belongs in the bucket of (`ready`, `free`).
    private func holds(_ id: Int32, ready: Bool, free: Int) -> Bool {
        let slot = slotOfID[Int(id)]
        guard slot >= 0 else { return false }
        let node = slots[Int(slot)]
        return node.state == (ready ? .ready : .provisioning) && node.freeGPUs == free && node.reclaimAt == .never
    }

    /// Drops a bucket's stale and repeated entries (they come out in order, repeats side by side).
    private mutating func rebuild(_ bucket: Int, ready: Bool, free: Int) {
        var kept: [Int32] = []
        while !room[bucket].isEmpty {
            let id = room[bucket].removeMin()
            if id != kept.last, holds(id, ready: ready, free: free) { kept.append(id) }
        }
        for id in kept { room[bucket].insert(id) }
    }
}
