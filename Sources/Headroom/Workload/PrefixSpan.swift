/// Where a request's prefix block hashes sit in its source's shared hash buffer, and what they
/// cover: one hash per `blockTokens` tokens (Mooncake's 512-token blocks), each naming the whole
/// prefix up to its block's end, for the first `tokens` tokens of the request.
///
/// Kept as offsets into one flat buffer, so that requests carry no array of their own.
public struct PrefixSpan: Sendable, Equatable {
    /// First hash in the buffer, and how many.
    public var start: Int32 = 0
    public var count: Int32 = 0
    /// Tokens per hash block.
    public var blockTokens: Int32 = 0
    /// Tokens the hashes name: at most `count × blockTokens`, and at most the prompt (a trace's
    /// last, partial block names only the prompt's tokens); a conversation turn's also cover its
    /// output, which the next turn's prompt repeats.
    public var tokens: Int32 = 0
    /// Which of the feed's two alternating buffers holds them (set by the feed).
    var buffer: Int32 = 0

    public init() {}

    public init(start: Int, count: Int, blockTokens: Int, tokens: Int) {
        self.start = Int32(start)
        self.count = Int32(count)
        self.blockTokens = Int32(blockTokens)
        self.tokens = Int32(min(tokens, count * blockTokens))
    }

    public var isEmpty: Bool { count == 0 || tokens == 0 }
}
