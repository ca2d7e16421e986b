import HeadroomEngine

/// One request as the workload produces it.
public struct IncomingRequest: Sendable, Equatable {
    public var arrival: SimTime
    public var promptTokens: Int
    public var outputTokens: Int

    public init(arrival: SimTime, promptTokens: Int, outputTokens: Int) {
        self.arrival = arrival
        self.promptTokens = promptTokens
        self.outputTokens = outputTokens
    }
}

/// Where a run's requests come from. Trace replay joins as a second case. Requests are pulled in
/// small batches, so memory does not grow with the length of the workload and the source's state
/// is not copied per request.
public enum RequestSource: Sendable {
    case synthetic(SyntheticWorkload)
    case trace(TraceReplay)
    /// No requests: a trace that could not be opened at run time (scenarios check it when
    /// loading, so only a file changed since then gets here), with the reason.
    case unreadable(TraceError)
    /// No requests of its own: a deployment that shares another's traffic.
    case none

    /// Appends up to `count` requests, in arrival order, to `buffer`; fewer (or none) when the
    /// source is exhausted.
    public mutating func next(_ count: Int, into buffer: inout [IncomingRequest]) {
        switch self {
        case var .synthetic(workload):
            for _ in 0..<count {
                guard let request = workload.next() else { break }
                buffer.append(request)
            }
            self = .synthetic(workload)
        case var .trace(replay):
            for _ in 0..<count {
                guard let request = replay.next() else { break }
                buffer.append(request)
            }
            self = .trace(replay)
        case .unreadable, .none:
            break
        }
    }

    /// What the source could not use so far: trace rows skipped, or the trace itself.
    public var inputLosses: InputLosses {
        switch self {
        case .synthetic, .none: InputLosses()
        case let .trace(replay): replay.losses
        case let .unreadable(error): InputLosses(readError: error.description)
        }
    }
}

/// Hands out a `RequestSource`'s requests one at a time, refilling from it in batches.
struct RequestFeed {
    static let batch = 256
    private var source: RequestSource
    private var buffer: [IncomingRequest] = []
    private var position = 0

    init(_ source: RequestSource) {
        self.source = source
        buffer.reserveCapacity(Self.batch)
    }

    var inputLosses: InputLosses { source.inputLosses }

    mutating func next() -> IncomingRequest? {
        if position == buffer.count {
            buffer.removeAll(keepingCapacity: true)
            position = 0
            source.next(Self.batch, into: &buffer)
            if buffer.isEmpty { return nil }
        }
        position += 1
        return buffer[position - 1]
    }
}

/// Requests drawn from a `WorkloadSpec`: arrivals from the `workload.arrivals` stream, token
/// counts from `workload.tokens`, so changing the length distributions leaves arrival times alone.
public struct SyntheticWorkload: Sendable {
    /// Token counts are clipped to this (a generous max-model-len), keeping iteration arithmetic
    /// far from overflow.
    public static let maxTokens = 1 << 20

    private var arrivals: ArrivalGenerator
    private var tokens: RandomStream
    private let spec: WorkloadSpec

    public init(_ spec: WorkloadSpec, seed: UInt64) {
        self.spec = spec
        arrivals = ArrivalGenerator(spec.arrivals, random: RandomStream(seed: seed, name: "workload.arrivals"))
        tokens = RandomStream(seed: seed, name: "workload.tokens")
    }

    public mutating func next() -> IncomingRequest? {
        let seconds = arrivals.next()
        guard seconds < 9e9 else { return nil }
        return IncomingRequest(
            arrival: .seconds(seconds),
            promptTokens: Self.count(spec.promptTokens.sample(&tokens)),
            outputTokens: Self.count(spec.outputTokens.sample(&tokens))
        )
    }

    /// A sampled token count: rounded half away from zero, within 1...`maxTokens`. Truncation and
    /// one comparison instead of libm's `round` (this runs twice per request); the subtraction is
    /// exact below 2⁵², so the result is the same.
    static func count(_ value: Double) -> Int {
        guard value < Double(maxTokens) else { return maxTokens }
        guard value >= 1 else { return 1 }
        let whole = Int(value)
        return value - Double(whole) >= 0.5 ? whole + 1 : whole
    }
}
