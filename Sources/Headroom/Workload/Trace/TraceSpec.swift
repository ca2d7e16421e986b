import HeadroomEngine

/// Replay of a recorded request trace, with the options that reshape it.
public struct TraceSpec: Sendable, Equatable {
    public enum Format: String, Sendable, CaseIterable {
        /// Azure LLM inference trace: `TIMESTAMP,ContextTokens,GeneratedTokens`, absolute timestamps.
        case azure
        /// Mooncake JSONL: `timestamp` (ms from start), `input_length`, `output_length`, `hash_ids`.
        case mooncake
        /// BurstGPT: `Timestamp,Model,Request tokens,Response tokens,Total tokens,Log Type` (s from start).
        case burstgpt
        /// Any CSV with a header; `columns` names the time, prompt and output columns.
        case csv
    }

    /// What to do with a row that cannot be read (missing fields, negative or non-numeric values,
    /// a timestamp going backwards).
    public enum BadRows: String, Sendable, CaseIterable {
        /// Skip it and count it (the first few are reported with their line numbers).
        case skip
        /// Stop with an error naming the line.
        case fail
    }

    /// The generic CSV's column names and time unit.
    public struct Columns: Sendable, Equatable {
        public var time: String
        public var prompt: String
        public var output: String
        /// Seconds per unit of the time column. Default 1 (seconds).
        public var timeUnitSeconds: Double
        /// Optional: the column naming each request's conversation (any text; empty: none).
        public var session: String?
        /// Optional: the column of prefix block hashes, non-negative integers separated by `;` or
        /// spaces, one per `hash_block_tokens` tokens of the prompt (Mooncake's `hash_ids`).
        public var hashIDs: String?
        public init(time: String, prompt: String, output: String, timeUnitSeconds: Double = 1, session: String? = nil,
                    hashIDs: String? = nil) {
            self.time = time
            self.prompt = prompt
            self.output = output
            self.timeUnitSeconds = timeUnitSeconds
            self.session = session
            self.hashIDs = hashIDs
        }
    }

    /// The trace file (a scenario's relative path is resolved against the scenario's folder).
    public var file: String
    /// `nil`: detected from the header.
    public var format: Format?
    public var columns: Columns?
    /// Replay this many times faster (gaps divided by it). Default 1; > 0.
    public var timeScale: Double = 1
    /// Thin (< 1: each request kept with this probability) or replicate (> 1: each request
    /// repeated ⌊m⌋ times, once more with probability m − ⌊m⌋, at the same instant, so bursts keep
    /// their shape). Default 1; > 0.
    public var rateMultiplier: Double = 1
    /// Only the part of the trace from `windowStart` to `windowEnd` (trace time, before scaling).
    public var windowStart: SimTime = .zero
    public var windowEnd: SimTime?
    /// Replay again from the start when the trace (or window) ends, until the scenario's duration.
    public var loop = false
    /// Replace the trace's token counts with draws from these.
    public var promptTokens: Distribution?
    public var outputTokens: Distribution?
    public var badRows: BadRows = .skip
    /// Tokens per prefix hash (`hash_ids`) block. Default 512, Mooncake's; 1 to 1,048,576.
    public var hashBlockTokens = 512

    public init(file: String, format: Format? = nil) {
        self.file = file
        self.format = format
    }
}
