import HeadroomEngine

/// One request as the workload produces it.
public struct IncomingRequest: Sendable, Equatable {
    public var arrival: SimTime
    public var promptTokens: Int
    public var outputTokens: Int
    /// The conversation it belongs to (`-1`: none); session-affinity routing keeps a session on one replica.
    public var session: Int64 = -1
    /// Its prefix block hashes, kept in the producing source's shared hash buffer (none by default).
    public var prefix = PrefixSpan()
    /// Whether it is its session's last request (known to a conversation generator, not to a
    /// trace): routing then forgets the session once it is placed, so that the routers' session
    /// maps hold open sessions only, not every session a long run has seen.
    public var endsSession = false

    public init(arrival: SimTime, promptTokens: Int, outputTokens: Int, session: Int64 = -1, prefix: PrefixSpan = PrefixSpan()) {
        self.arrival = arrival
        self.promptTokens = promptTokens
        self.outputTokens = outputTokens
        self.session = session
        self.prefix = prefix
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

    /// Appends up to `count` requests, in arrival order, to `buffer`, and their prefix hashes to
    /// `hashes` (each request's `prefix.start` indexes it); fewer (or none) when the source is exhausted.
    public mutating func next(_ count: Int, into buffer: inout [IncomingRequest], hashes: inout [UInt64]) {
        // `self = .none` first: the payload is then uniquely referenced while it reads, so its
        // buffers are not copied (copy-on-write) once per batch.
        switch self {
        case var .synthetic(workload):
            self = .none
            for _ in 0..<count {
                guard let request = workload.next(hashes: &hashes) else { break }
                buffer.append(request)
            }
            self = .synthetic(workload)
        case var .trace(replay):
            self = .none
            for _ in 0..<count {
                guard let request = replay.next(hashes: &hashes) else { break }
                buffer.append(request)
            }
            self = .trace(replay)
        case .unreadable, .none:
            break
        }
    }

    /// Appends up to `count` requests to `buffer`, dropping their prefix hashes.
    public mutating func next(_ count: Int, into buffer: inout [IncomingRequest]) {
        var hashes: [UInt64] = []
        next(count, into: &buffer, hashes: &hashes)
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
///
/// Prefix hashes stay in two shared buffers that alternate per batch, so a request's hashes
/// (`hashes(of:)`) stay readable after the next request is taken, which may start a new batch.
struct RequestFeed {
    static let batch = 256
    private var source: RequestSource
    private var buffer: [IncomingRequest] = []
    private var position = 0
    private var hashBuffers: ([UInt64], [UInt64]) = ([], [])
    /// Which of `hashBuffers` the current batch fills (0 or 1).
    private var current: Int32 = 0

    /// Whether requests keep their prefix hashes: without a reader of them (`Deployment.readsPrefixHashes`),
    /// storing each request's hashes is most of the cost of replaying a trace that has them.
    private let keepsPrefixHashes: Bool

    init(_ source: RequestSource, keepsPrefixHashes: Bool = true) {
        if case var .trace(replay) = source, !keepsPrefixHashes {
            replay.keepsHashes = false
            self.source = .trace(replay)
        } else {
            self.source = source
        }
        self.keepsPrefixHashes = keepsPrefixHashes
        buffer.reserveCapacity(Self.batch)
    }

    var inputLosses: InputLosses { source.inputLosses }

    mutating func next() -> IncomingRequest? {
        if position == buffer.count {
            buffer.removeAll(keepingCapacity: true)
            position = 0
            current ^= 1
            if current == 0 {
                hashBuffers.0.removeAll(keepingCapacity: true)
                source.next(Self.batch, into: &buffer, hashes: &hashBuffers.0)
            } else {
                hashBuffers.1.removeAll(keepingCapacity: true)
                source.next(Self.batch, into: &buffer, hashes: &hashBuffers.1)
            }
            if buffer.isEmpty { return nil }
        }
        position += 1
        var request = buffer[position - 1]
        request.prefix.buffer = current
        if !keepsPrefixHashes { request.prefix = PrefixSpan() }
        return request
    }

    /// The prefix hashes of `request`, the latest or the one before it that `next` returned.
    func hashes(of request: IncomingRequest) -> ArraySlice<UInt64> {
        let span = request.prefix
        let range = Int(span.start)..<Int(span.start + span.count)
        return span.buffer == 0 ? hashBuffers.0[range] : hashBuffers.1[range]
    }
}

/// Requests drawn from a `WorkloadSpec`: arrivals from the `workload.arrivals` stream, token
/// counts from `workload.tokens`, so changing the length distributions leaves arrival times alone.
public struct SyntheticWorkload: Sendable {
    /// Token counts are clipped to this (a generous max-model-len), keeping iteration arithmetic
    /// far from overflow.
    public static let maxTokens = 1 << 20

    var arrivals: ArrivalGenerator
    var tokens: RandomStream
    let spec: WorkloadSpec
    /// Open conversations, when the workload has them.
    var conversations: ConversationState?
    /// `conversations != nil`, kept apart: testing the optional itself calls out of line (its
    /// payload holds references), once per request.
    private let hasConversations: Bool

    public init(_ spec: WorkloadSpec, seed: UInt64) {
        self.spec = spec
        arrivals = ArrivalGenerator(spec.arrivals, random: RandomStream(seed: seed, name: "workload.arrivals"))
        tokens = RandomStream(seed: seed, name: "workload.tokens")
        if let conversation = spec.conversation {
            conversations = ConversationState(conversation, random: RandomStream(seed: seed, name: "workload.conversations"))
        }
        hasConversations = conversations != nil
    }

    public mutating func next() -> IncomingRequest? {
        var hashes: [UInt64] = []
        return next(hashes: &hashes)
    }

    /// The next request; a conversation turn appends its prefix hashes to `hashes`.
    public mutating func next(hashes: inout [UInt64]) -> IncomingRequest? {
        if hasConversations { return nextTurn(hashes: &hashes) }
        let seconds = arrivals.next()
        guard seconds < 9e9 else { return nil }
        return IncomingRequest(
            arrival: Self.instant(seconds),
            promptTokens: Self.count(spec.promptTokens.sample(&tokens)),
            outputTokens: Self.count(spec.outputTokens.sample(&tokens))
        )
    }

    /// `SimTime.seconds(_:)` of an arrival: rounded half away from zero as there, by truncation
    /// and one comparison instead of libm's `round` (once per request); exact below 2⁵² ns, the
    /// library's conversion beyond.
    @inline(__always)
    static func instant(_ seconds: Double) -> SimTime {
        let ns = seconds * 1e9
        guard ns >= 0 && ns < 0x1p52 else { return .seconds(seconds) }
        let whole = Int64(ns)
        return SimTime(nanoseconds: ns - Double(whole) >= 0.5 ? whole + 1 : whole)
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
