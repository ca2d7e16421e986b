import HeadroomEngine

/// Cold-start transfers in flight and the links they share, as processor sharing: every transfer
/// on a link gets an equal share of it, and a transfer moves at the smallest of its own cap and its
/// shares on the links it crosses (the bottleneck). Rates change only when a transfer starts, ends
/// or moves to its next leg; then every transfer's progress is brought up to date and those whose
/// rate changed get a new completion time under a new generation, so the event already queued for
/// them is ignored (as decode runs do). Work is per transfer change, never per request.
struct TransferTable {
    /// Who waits for a transfer's end.
    enum Owner: UInt8 {
        /// A replica's own load (from disk, or a streamed load of a local copy).
        case replicaLoad
        /// A replica's streamed load from the object store; the node keeps the copy at its end.
        case replicaStream
        /// A node's image pull, shared by every replica placed on the node meanwhile.
        case nodeImage
        /// A node's weight download to disk, shared likewise.
        case nodeWeights
    }

    struct Transfer {
        var legs: [TransferLeg]
        var leg = 0
        /// Bytes of the current leg still to move, as of `since`.
        var remaining: Double
        var rate = 0.0
        var since: SimTime
        var generation: UInt32
        var owner: Owner
        /// The replica or node that `owner` names.
        var target: Int32
        var node: Int32
        var live = true

        var links: LinkSet { legs[leg].links }
        var completion: SimTime { since + .seconds(remaining / rate) }
    }

    private(set) var transfers: [Transfer] = []
    private var freeSlots: [Int32] = []
    private var live: [Int32] = []
    /// Per link: capacity in bytes/s (`.infinity`: unlimited) and transfers crossing it. Links 0 and
    /// 1 are the registry and the object store; node n has its NIC at 2 + 2n and disk at 3 + 2n.
    private var capacity: [Double]
    private var crossing: [Int32]
    /// Transfers whose completion moved since the caller last took them.
    private(set) var moved: [Int32] = []

    init(registryEgress: Double?, objectStoreEgress: Double?) {
        capacity = [registryEgress ?? .infinity, objectStoreEgress ?? .infinity]
        crossing = [0, 0]
    }

    /// Registers the links of the next node (nodes are numbered in the order they are added).
    mutating func addNode(nic: Double?, disk: Double?) {
        capacity += [nic ?? .infinity, disk ?? .infinity]
        crossing += [0, 0]
    }

    /// Gives node slot `slot` (a new one, or one whose node was released: nothing crosses its
    /// links any more) the links of the node now in it.
    mutating func setNode(_ slot: Int, nic: Double?, disk: Double?) {
        guard 2 + 2 * slot < capacity.count else {
            precondition(2 + 2 * slot == capacity.count, "node slots are added in order")
            return addNode(nic: nic, disk: disk)
        }
        precondition(crossing[2 + 2 * slot] == 0 && crossing[3 + 2 * slot] == 0, "a released node's links are idle")
        capacity[2 + 2 * slot] = nic ?? .infinity
        capacity[3 + 2 * slot] = disk ?? .infinity
    }

    /// Whether any leg crosses a capped link, so its time depends on the other transfers.
    func isShared(_ legs: [TransferLeg], node: Int32) -> Bool {
        legs.contains { leg in linkIndices(leg.links, node: node).contains { capacity[$0].isFinite } }
    }

    subscript(id: Int32) -> Transfer { transfers[Int(id)] }

    mutating func takeMoved() -> [Int32] {
        defer { moved.removeAll(keepingCapacity: true) }
        return moved
    }

    mutating func start(_ legs: [TransferLeg], owner: Owner, target: Int32, node: Int32, at now: SimTime) -> Int32 {
        precondition(!legs.isEmpty)
        advance(to: now)
        let id: Int32
        if let slot = freeSlots.popLast() {
            id = slot
            let generation = transfers[Int(id)].generation &+ 1
            transfers[Int(id)] = Transfer(legs: legs, remaining: legs[0].bytes, since: now, generation: generation,
                                          owner: owner, target: target, node: node)
        } else {
            id = Int32(transfers.count)
            transfers.append(Transfer(legs: legs, remaining: legs[0].bytes, since: now, generation: 0,
                                      owner: owner, target: target, node: node))
        }
        live.append(id)
        join(id)
        rebalance(forcing: id)
        return id
    }

    /// The completion event of `id` under `generation` fired: moves it to its next leg and returns
    /// nil, or ends it and returns it. A stale event returns nil and changes nothing.
    mutating func legEnded(_ id: Int32, generation: UInt32, at now: SimTime) -> Transfer? {
        let i = Int(id)
        guard transfers[i].live, transfers[i].generation == generation else { return nil }
        advance(to: now)
        leave(id)
        if transfers[i].leg + 1 < transfers[i].legs.count {
            transfers[i].leg += 1
            transfers[i].remaining = transfers[i].legs[transfers[i].leg].bytes
            join(id)
            rebalance(forcing: id)
            return nil
        }
        let ended = transfers[i]
        retire(id)
        rebalance(forcing: nil)
        return ended
    }

    /// Stops a transfer (its replica was scaled away, its node released) and frees its shares.
    mutating func cancel(_ id: Int32, at now: SimTime) {
        guard transfers[Int(id)].live else { return }
        advance(to: now)
        leave(id)
        retire(id)
        rebalance(forcing: nil)
    }

    // MARK: Sharing

    private func linkIndices(_ links: LinkSet, node: Int32) -> [Int] {
        var indices: [Int] = []
        if links.contains(.registry) { indices.append(0) }
        if links.contains(.objectStore) { indices.append(1) }
        if links.contains(.nic) { indices.append(2 + 2 * Int(node)) }
        if links.contains(.disk) { indices.append(3 + 2 * Int(node)) }
        return indices
    }

    private mutating func join(_ id: Int32) {
        for link in linkIndices(self[id].links, node: self[id].node) { crossing[link] += 1 }
    }

    private mutating func leave(_ id: Int32) {
        for link in linkIndices(self[id].links, node: self[id].node) { crossing[link] -= 1 }
    }

    private mutating func retire(_ id: Int32) {
        transfers[Int(id)].live = false
        transfers[Int(id)].generation &+= 1
        transfers[Int(id)].legs = []
        if let index = live.firstIndex(of: id) { live.remove(at: index) }
        freeSlots.append(id)
    }

    /// Brings every live transfer's remaining bytes up to `now` at its current rate.
    private mutating func advance(to now: SimTime) {
        for id in live {
            let i = Int(id)
            let elapsed = (now - transfers[i].since).seconds
            if elapsed > 0 {
                transfers[i].remaining = max(0, transfers[i].remaining - transfers[i].rate * elapsed)
                transfers[i].since = now
            }
        }
    }

    /// New rates for every live transfer; those that changed (and `forced`, whose leg is new) get
    /// a new generation and are listed in `moved`.
    private mutating func rebalance(forcing forced: Int32?) {
        for id in live {
            let i = Int(id)
            var rate = transfers[i].legs[transfers[i].leg].cap
            for link in linkIndices(transfers[i].links, node: transfers[i].node) {
                rate = min(rate, capacity[link] / Double(crossing[link]))
            }
            guard rate != transfers[i].rate || id == forced else { continue }
            transfers[i].rate = rate
            transfers[i].generation &+= 1
            moved.append(id)
        }
    }
}
