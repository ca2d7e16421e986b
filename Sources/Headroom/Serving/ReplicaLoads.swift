/// What a router reads of the replicas it picks among, by replica id: their requests queued and
/// running, and those queued alone. The simulation's engines live in reusable slots behind the
/// ids (Run/ReplicaSlots.swift); a plain array of engines indexed by id serves tests.
protocol ReplicaLoads {
    func outstanding(_ replica: Int32) -> Int
    func waiting(_ replica: Int32) -> Int
}

extension Array: ReplicaLoads where Element == ReplicaEngine {
    @inline(__always) func outstanding(_ replica: Int32) -> Int { self[Int(replica)].outstanding }
    @inline(__always) func waiting(_ replica: Int32) -> Int { self[Int(replica)].waiting.count }
}

/// The engines of a run, by replica id through its slot table.
struct SlottedEngines: ReplicaLoads {
    let engines: StateTable<ReplicaEngine>
    /// `ReplicaSlots.slotOfID`.
    let slotOfID: [Int32]

    @inline(__always) func outstanding(_ replica: Int32) -> Int { engines[Int(slotOfID[Int(replica)])].outstanding }
    @inline(__always) func waiting(_ replica: Int32) -> Int { engines[Int(slotOfID[Int(replica)])].waiting.count }
}
