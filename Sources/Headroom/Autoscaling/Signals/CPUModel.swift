import HeadroomEngine

/// The CPU a Python model server burns, for the CPU-utilization signal.
///
/// The interpreter does at most one core of work at a time (the GIL): per request (HTTP, tokenizing,
/// detokenizing), per engine iteration (the scheduler loop) and per output token. Native threads and
/// a busy-wait on CUDA synchronization may add more. Utilization is reported against the pod's CPU
/// request, so a server with an N-core request saturates near 100/N %.
public struct CPUModel: Sendable, Equatable {
    /// Cores requested by the pod (the HPA's denominator). Default 8; > 0.
    public var requestCores: Double
    /// Interpreter time per request. Default 5ms.
    public var pythonPerRequest: SimTime
    /// Interpreter time per engine iteration. Default 2ms.
    public var pythonPerIteration: SimTime
    /// Interpreter time per output token. Default 50us.
    public var pythonPerToken: SimTime
    /// Native (GIL-free) CPU time per output token. Default 0s.
    public var nativePerToken: SimTime
    /// Cores spent spinning on CUDA synchronization while an iteration runs. Default 0; 0...64.
    public var busyWaitCores: Double

    public init(
        requestCores: Double = 8, pythonPerRequest: SimTime = .milliseconds(5), pythonPerIteration: SimTime = .milliseconds(2),
        pythonPerToken: SimTime = .microseconds(50), nativePerToken: SimTime = .zero, busyWaitCores: Double = 0
    ) {
        self.requestCores = requestCores
        self.pythonPerRequest = pythonPerRequest
        self.pythonPerIteration = pythonPerIteration
        self.pythonPerToken = pythonPerToken
        self.nativePerToken = nativePerToken
        self.busyWaitCores = busyWaitCores
    }

    /// Cores used over a window of `seconds` in which the counters grew by `delta`. The GIL caps
    /// the interpreter's share at one core (applied to the window's average).
    func cores(_ delta: ReplicaCounters, over seconds: Double) -> Double {
        let tokens = Double(delta.outputTokens)
        let python = (pythonPerRequest.seconds * Double(delta.arrivals) + pythonPerIteration.seconds * Double(delta.iterations)
            + pythonPerToken.seconds * tokens) / seconds
        return min(1, python) + nativePerToken.seconds * tokens / seconds + busyWaitCores * delta.busySeconds / seconds
    }
}
