import HeadroomEngine

/// Where each replica's state lives. A day that bursts 0 ↔ 1,000 replicas every 20 minutes creates
/// tens of thousands of them; keeping each one's engine, counters and metrics for the whole run
/// made memory grow with every start. So, as `NodeTable` does for nodes, a replica has two numbers.
///
/// Its id is its creation order and is never reused: events, routers, nodes, signal snapshots, pod
/// names and results name it by that, and ties between replicas go to the lowest id. Its slot is
/// where its state is (`Simulation.replicas`, `engines`, `counters`, `engineMetrics`), a small
/// dense integer reused once the replica is gone: what results need from the previous occupant is
/// folded into `ReplicaLedger` first.
///
/// A released slot stays readable (its replica `.gone`, as before) until the instant is over: it
/// is reused only by a replica created at a later time, so a cascade within one event (a removal
/// that places, preempts and creates) never finds an id it holds pointing at a stranger. After
/// reuse the old id maps to no slot, and an event for it is ignored.
struct ReplicaSlots {
    /// By id: its slot, or -1 once another replica has taken the slot.
    private(set) var slotOfID: [Int32] = []
    /// Released slots reusable now, and those released at `quarantineTime` (reusable after it).
    private var free: [Int32] = []
    private var quarantined: [Int32] = []
    private var quarantineTime = SimTime.zero
    /// Slots in use or free: the size of the per-slot arrays.
    private(set) var count = 0
    /// Test-only switch: never reuse a slot (the layout before slots were reused).
    var reuses = true

    /// Replicas created so far (the next id).
    var created: Int { slotOfID.count }

    /// The slot of replica `id`, which must still have one (an id from a live list, or named by
    /// an event that checked `slotIfPresent`).
    @inline(__always)
    func slot(of id: Int32) -> Int { Int(slotOfID[Int(id)]) }

    /// The slot of replica `id`, or nil once its slot went to another replica.
    @inline(__always)
    func slotIfPresent(_ id: Int32) -> Int? {
        let slot = slotOfID[Int(id)]
        return slot >= 0 ? Int(slot) : nil
    }

    /// A new replica's id and slot; `reused` tells whether the slot had an occupant (its id is the
    /// caller's to unmap, through `evict`, once it has folded what the results need).
    mutating func add(at now: SimTime) -> (id: Int32, slot: Int, reused: Bool) {
        let id = Int32(slotOfID.count)
        if now > quarantineTime {
            free += quarantined
            quarantined.removeAll(keepingCapacity: true)
        }
        if let slot = free.popLast() {
            slotOfID.append(slot)
            return (id, Int(slot), true)
        }
        slotOfID.append(Int32(count))
        count += 1
        return (id, count - 1, false)
    }

    /// The previous occupant of a reused slot loses it.
    mutating func evict(_ id: Int32) { slotOfID[Int(id)] = -1 }

    /// Replica `id` is gone and nothing refers to its slot any more: another may take it after `now`.
    mutating func release(_ id: Int32, at now: SimTime) {
        guard reuses else { return }
        if now > quarantineTime {
            free += quarantined
            quarantined.removeAll(keepingCapacity: true)
            quarantineTime = now
        }
        quarantined.append(slotOfID[Int(id)])
    }
}
