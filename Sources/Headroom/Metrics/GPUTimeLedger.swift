import HeadroomEngine

/// What a paid-for GPU is doing.
public enum GPUState: Int, CaseIterable, Sendable {
    /// Its node is still provisioning.
    case provisioning
    /// Held by a replica that is pulling, loading or warming up.
    case starting
    /// Held by a ready replica whose batch is not empty.
    case serving
    /// Held by a ready (or draining) replica with nothing to do.
    case idle
    /// On a ready node but held by no replica.
    case unallocated
}

/// GPU-seconds by state: the count of GPUs in each state, integrated over time as it changes.
/// Their sum is every billed GPU's lifetime.
struct GPUTimeLedger {
    private(set) var gpus = [Int](repeating: 0, count: GPUState.allCases.count)
    private(set) var seconds = [Double](repeating: 0, count: GPUState.allCases.count)
    private var lastChange = SimTime.zero

    /// Integrates up to `now`.
    mutating func advance(to now: SimTime) {
        let elapsed = (now - lastChange).seconds
        if elapsed > 0 {
            for state in 0..<gpus.count where gpus[state] != 0 { seconds[state] += Double(gpus[state]) * elapsed }
        }
        lastChange = now
    }

    /// Moves `count` GPUs from one state to another (`nil`: entering or leaving the bill).
    mutating func move(_ count: Int, from old: GPUState?, to new: GPUState?, at now: SimTime) {
        advance(to: now)
        if let old { gpus[old.rawValue] -= count }
        if let new { gpus[new.rawValue] += count }
        #if HEADROOM_INVARIANTS
        precondition(gpus.allSatisfy { $0 >= 0 }, "negative GPU count in the ledger")
        #endif
    }

    var summary: GPUSeconds {
        GPUSeconds(
            provisioning: seconds[GPUState.provisioning.rawValue], starting: seconds[GPUState.starting.rawValue],
            serving: seconds[GPUState.serving.rawValue], idle: seconds[GPUState.idle.rawValue],
            unallocated: seconds[GPUState.unallocated.rawValue])
    }
}

/// GPU-seconds by state.
public struct GPUSeconds: Codable, Sendable, Equatable {
    public var provisioning = 0.0
    public var starting = 0.0
    public var serving = 0.0
    public var idle = 0.0
    public var unallocated = 0.0
    public var total: Double { provisioning + starting + serving + idle + unallocated }
}
