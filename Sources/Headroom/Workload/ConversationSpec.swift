import HeadroomEngine

/// Multi-turn conversations: each arrival of the workload's `arrivals` process opens a session
/// whose turns follow one another; a turn's prompt is the whole history (earlier prompts and
/// outputs) plus `prompt_tokens` new tokens, so its prefix repeats what the previous turn
/// computed and a prefix cache can skip it.
///
/// Open loop: the next turn arrives `think_time` after the previous turn's arrival, whether or
/// not its response is done (the generator runs ahead of the simulation). A session ends after
/// its turns, or earlier when the history would pass the longest request (`SyntheticWorkload.maxTokens`).
public struct ConversationSpec: Sendable, Equatable {
    /// Turns per session (rounded, at least 1).
    public var turns: Distribution
    /// Seconds from one turn's arrival to the next's; >= 0.
    public var thinkTime: Distribution

    public init(turns: Distribution, thinkTime: Distribution) {
        self.turns = turns
        self.thinkTime = thinkTime
    }

    /// Tokens per prefix hash block of a conversation (its token stream only grows, so any block
    /// size names prefixes exactly; Mooncake's is used so that caches read both alike).
    public static let hashBlockTokens = 512
}

/// One session's next turn, waiting for its arrival.
struct PendingTurn: Comparable {
    var time: Double
    var session: Int64
    var turnsLeft: Int
    /// Tokens of the history the turn's prompt repeats.
    var history: Int
    static func < (a: PendingTurn, b: PendingTurn) -> Bool { (a.time, a.session) < (b.time, b.session) }
}

/// The open sessions of a conversation workload, and the next session's start.
struct ConversationState: Sendable {
    let spec: ConversationSpec
    var random: RandomStream
    var pending = MinHeap<PendingTurn>()
    var sessions: Int64 = 0
    /// The next session's first arrival (seconds), drawn ahead.
    var nextStart: Double?

    init(_ spec: ConversationSpec, random: RandomStream) {
        self.spec = spec
        self.random = random
    }
}

extension MinHeap: @unchecked Sendable where Element == PendingTurn {}

extension SyntheticWorkload {
    /// The next turn of any session, in arrival order; appends its prefix hashes to `hashes`.
    mutating func nextTurn(hashes: inout [UInt64]) -> IncomingRequest? {
        // Taken out, not copied: a copy would share the pending turns' heap with `conversations`,
        // and the first insert or removal would then copy all of it (every turn, O(sessions)).
        guard var state = conversations.take() else { return nil }
        defer { conversations = state }
        while true {
            if state.nextStart == nil {
                let seconds = arrivals.next()
                state.nextStart = seconds < 9e9 ? seconds : .infinity
            }
            let start = state.nextStart!
            var turn: PendingTurn
            if let waiting = state.pending.min, waiting.time < start {
                turn = state.pending.removeMin()
            } else {
                guard start.isFinite else { return nil }
                state.nextStart = nil
                let turns = max(1, Self.count(state.spec.turns.sample(&state.random)))
                turn = PendingTurn(time: start, session: state.sessions, turnsLeft: turns, history: 0)
                state.sessions += 1
            }
            let fresh = Self.count(spec.promptTokens.sample(&tokens))
            let output = Self.count(spec.outputTokens.sample(&tokens))
            let prompt = turn.history + fresh
            // A history past the longest request ends the session.
            guard prompt + output <= Self.maxTokens else { continue }
            let block = ConversationSpec.hashBlockTokens
            let blocks = (prompt + output + block - 1) / block
            let first = hashes.count
            // Block i of session s: one id per (session, block), as the session's tokens only grow.
            for index in 0..<blocks { hashes.append(UInt64(turn.session) << 12 | UInt64(index)) }
            turn.turnsLeft -= 1
            if turn.turnsLeft > 0 {
                let think = max(0, state.spec.thinkTime.sample(&state.random))
                state.pending.insert(PendingTurn(time: turn.time + think, session: turn.session, turnsLeft: turn.turnsLeft,
                                                 history: prompt + output))
            }
            var request = IncomingRequest(
                arrival: .seconds(turn.time), promptTokens: prompt, outputTokens: output, session: turn.session,
                prefix: PrefixSpan(start: first, count: blocks, blockTokens: block, tokens: prompt + output))
            request.endsSession = turn.turnsLeft == 0
            return request
        }
    }
}
