import HeadroomEngine

/// KV-cache transfers from prefill to decode workers in flight, on links shared by processor
/// sharing: the transfers on a link split its bandwidth equally. A link is a node's NVLink (both
/// ends on the node) or its path toward one destination pool. When a transfer starts or ends,
/// only the transfers on its link are brought up to date and given a new completion under a new
/// generation (the event already queued for them is then ignored). No allocation per transfer:
/// slots are reused and each link keeps its list.
struct KVTransferTable {
    struct Transfer {
        var request: Int32
        /// The decode replica it goes to, and the node it left from.
        var destination: Int32
        var sourceNode: Int32
        var link: Int32
        /// Bytes still to move as of `since`.
        var remaining: Double
        var rate: Double
        var since: SimTime
        var latency: SimTime
        var startedAt: SimTime
        var bytes: Double
        var generation: UInt32
        var live: Bool
        /// Its bytes are through and the link released; it arrives after the latency.
        var delivering = false

        /// When its last byte is through at the current rate.
        var completion: SimTime { since + .seconds(remaining / rate) }
    }

    private(set) var transfers: [Transfer] = []
    private var free: [Int32] = []
    /// Per link: bandwidth, latency and the transfers on it. Node n's links are
    /// `n × (pools + 1)`: NVLink, then one per destination pool.
    private var bandwidth: [Double] = []
    private var latency: [SimTime] = []
    private var onLink: [[Int32]] = []
    private let poolCount: Int
    /// Transfers whose completion moved since the caller last took them (the new one included).
    private(set) var moved: [Int32] = []

    init(poolCount: Int) { self.poolCount = poolCount }

    subscript(id: Int32) -> Transfer { transfers[Int(id)] }

    /// The link from node `source` (of pool `sourcePool`) to a node of `destinationPool`, made on first use.
    mutating func link(from source: Int32, sourcePool: Int, to destination: Int32, destinationPool: Int, pools: [NodePoolSpec],
                       spec: KVTransferSpec) -> Int32 {
        let base = Int(source) * (poolCount + 1)
        let index = source == destination ? base : base + 1 + destinationPool
        while bandwidth.count <= base + poolCount {
            bandwidth.append(0)
            latency.append(.zero)
            onLink.append([])
        }
        if bandwidth[index] == 0 {
            let spec = source == destination ? spec.sameNode : spec.across(from: pools[sourcePool].name, to: pools[destinationPool].name)
            bandwidth[index] = spec.bandwidth
            latency[index] = spec.latency
        }
        return Int32(index)
    }

    /// Starts moving `bytes` on `link`; the new transfer and the others on the link are in `moved`.
    mutating func start(request: Int32, destination: Int32, sourceNode: Int32, link: Int32, bytes: Double, at now: SimTime) -> Int32 {
        let id: Int32
        var transfer = Transfer(
            request: request, destination: destination, sourceNode: sourceNode, link: link, remaining: bytes, rate: 1, since: now,
            latency: latency[Int(link)], startedAt: now, bytes: bytes, generation: 0, live: true)
        if let slot = free.popLast() {
            id = slot
            transfer.generation = transfers[Int(id)].generation &+ 1
            transfers[Int(id)] = transfer
        } else {
            id = Int32(transfers.count)
            transfers.append(transfer)
        }
        advance(link: link, to: now)
        onLink[Int(link)].append(id)
        share(link)
        return id
    }

    /// Transfer `id`'s last byte is through: it leaves its link (the others speed up) and is
    /// delivered after the link's latency, under a new generation.
    mutating func release(_ id: Int32, at now: SimTime) {
        let link = transfers[Int(id)].link
        advance(link: link, to: now)
        if let index = onLink[Int(link)].firstIndex(of: id) { onLink[Int(link)].remove(at: index) }
        transfers[Int(id)].delivering = true
        transfers[Int(id)].generation &+= 1
        share(link)
    }

    /// Transfer `id` arrived: its slot is free again.
    mutating func delivered(_ id: Int32) -> Transfer {
        transfers[Int(id)].live = false
        free.append(id)
        return transfers[Int(id)]
    }

    mutating func takeMoved() -> [Int32] {
        defer { moved.removeAll(keepingCapacity: true) }
        return moved
    }

    /// Brings the transfers on `link` up to `now` at their current rates.
    private mutating func advance(link: Int32, to now: SimTime) {
        for id in onLink[Int(link)] {
            let elapsed = (now - transfers[Int(id)].since).seconds
            transfers[Int(id)].remaining = max(0, transfers[Int(id)].remaining - transfers[Int(id)].rate * elapsed)
            transfers[Int(id)].since = now
        }
    }

    /// Gives every transfer on `link` an equal share and a new generation.
    private mutating func share(_ link: Int32) {
        let ids = onLink[Int(link)]
        guard !ids.isEmpty else { return }
        let rate = bandwidth[Int(link)] / Double(ids.count)
        for id in ids {
            transfers[Int(id)].rate = rate
            transfers[Int(id)].generation &+= 1
            moved.append(id)
        }
    }
}
