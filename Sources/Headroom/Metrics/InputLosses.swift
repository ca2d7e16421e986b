/// Input a run could not use — trace rows skipped as unreadable (a truncated last line among
/// them), or a trace that stopped reading — so a result built on less than the whole input says so
/// wherever its numbers are shown.
public struct InputLosses: Codable, Sendable, Equatable {
    /// Rows skipped in the part of the trace the run read (counted once however often it loops).
    public var traceRowsSkipped = 0
    /// The first few skipped rows as `file:line: reason`.
    public var examples: [String] = []
    /// The trace could not be read on (an I/O error, or the file changed since the scenario was
    /// loaded): the requests after this point are missing.
    public var readError: String?

    public init(traceRowsSkipped: Int = 0, examples: [String] = [], readError: String? = nil) {
        self.traceRowsSkipped = traceRowsSkipped
        self.examples = examples
        self.readError = readError
    }

    /// Two deployments' losses together.
    func merged(_ other: InputLosses) -> InputLosses {
        InputLosses(traceRowsSkipped: traceRowsSkipped + other.traceRowsSkipped,
                    examples: Array((examples + other.examples).prefix(max(examples.count, other.examples.count))),
                    readError: readError ?? other.readError)
    }

    /// Nothing was lost.
    public var isEmpty: Bool { traceRowsSkipped == 0 && readError == nil }

    /// One line for a summary: `3 trace rows skipped (first: f.csv:7: …)`, or the read error.
    public var headline: String? {
        var parts: [String] = []
        if traceRowsSkipped > 0 {
            parts.append("\(traceRowsSkipped) unreadable trace row\(traceRowsSkipped == 1 ? "" : "s") skipped"
                         + (examples.isEmpty ? "" : " (first: \(examples[0]))"))
        }
        if let readError { parts.append("the trace stopped reading: \(readError)") }
        return parts.isEmpty ? nil : parts.joined(separator: "; ")
    }
}
