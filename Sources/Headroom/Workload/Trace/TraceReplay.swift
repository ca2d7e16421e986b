import Foundation
import HeadroomEngine

/// Requests replayed from a trace, reshaped by the spec's options, read lazily (memory does not
/// grow with the trace's length).
public struct TraceReplay: Sendable {
    public let spec: TraceSpec
    private var reader: TraceReader
    private var random: RandomStream
    private var tokens: RandomStream
    /// Trace seconds added to each record (grows by one period per loop).
    private var offset = 0.0
    private var period: Double?
    /// The first pass's rows inside the window and their first and last times, for the loop
    /// period when none was given.
    private var firstPass: (rows: Int, first: Double, last: Double) = (0, 0, 0)
    private var passes = 0
    private var pending: (record: TraceRecord, copies: Int)?
    /// The prefix hashes of the record read last (and of its pending copies).
    private var recordHashes: [UInt64] = []
    private var exhausted = false
    /// The most rows a finished pass skipped (a loop re-reads the same rows), and its examples.
    private var passSkipped = 0
    private var passExamples: [TraceError] = []
    /// Why reading stopped early, if it did.
    private var failure: TraceError?
    /// Whether requests carry the trace's prefix hashes (`false` when nothing in the run reads
    /// them: they are still read and checked, so the same rows are skipped either way).
    public var keepsHashes = true

    /// Rows skipped so far (the largest count over the passes), and a read that failed.
    public var losses: InputLosses {
        let (count, examples) = reader.skipped >= passSkipped ? (reader.skipped, reader.skippedExamples) : (passSkipped, passExamples)
        return InputLosses(traceRowsSkipped: count, examples: examples.map(\.description), readError: failure?.description)
    }

    /// `loopPeriod` is the loop period in trace seconds (the window's span plus one mean gap, as
    /// `TraceScan` measures it); `nil` measures it during the first pass, so the file is read once.
    public init(_ spec: TraceSpec, seed: UInt64, loopPeriod: Double?) throws(TraceError) {
        self.spec = spec
        reader = try TraceReader(file: spec.file, format: spec.format, columns: spec.columns, badRows: spec.badRows)
        random = RandomStream(seed: seed, name: "workload.trace")
        tokens = RandomStream(seed: seed, name: "workload.tokens")
        period = loopPeriod
    }

    public mutating func next() -> IncomingRequest? {
        var hashes: [UInt64] = []
        return next(hashes: &hashes)
    }

    /// The next request; appends its prefix hashes (if the trace has them) to `hashes`.
    public mutating func next(hashes: inout [UInt64]) -> IncomingRequest? {
        while true {
            if var (record, copies) = pending, copies > 0 {
                copies -= 1
                pending = copies > 0 ? (record, copies) : nil
                record.time += offset
                return request(from: record, hashes: &hashes)
            }
            guard !exhausted, let record = readWindowed() else { return nil }
            let whole = Int(spec.rateMultiplier.rounded(.down))
            let copies = whole + (random.nextUnit() < spec.rateMultiplier - Double(whole) ? 1 : 0)
            if copies > 0 { pending = (record, copies) }
        }
    }

    /// The next record inside the window, looping if asked.
    private mutating func readWindowed() -> TraceRecord? {
        while true {
            let record: TraceRecord?
            if !recordHashes.isEmpty { recordHashes.removeAll(keepingCapacity: true) }
            do { record = try reader.next(hashes: &recordHashes) } catch {
                // `bad_rows: fail` or an I/O error: the rest of the trace is lost, and reported.
                failure = error
                exhausted = true
                return nil
            }
            if let record, record.time >= spec.windowStart.seconds {
                if let end = spec.windowEnd, record.time >= end.seconds {
                    if !restart() { return nil }
                    continue
                }
                if passes == 0 {
                    firstPass = (firstPass.rows + 1, firstPass.rows == 0 ? record.time : firstPass.first, record.time)
                }
                var shifted = record
                shifted.time -= spec.windowStart.seconds
                return shifted
            }
            if record == nil {
                if !restart() { return nil }
            }
        }
    }

    private mutating func restart() -> Bool {
        if period == nil && passes == 0 && firstPass.rows > 0 {
            period = TraceScan.loopPeriod(rows: firstPass.rows, span: firstPass.last - firstPass.first)
        }
        passes += 1
        guard spec.loop, let period, period > 0, firstPass.rows > 0 else {
            exhausted = true
            return false
        }
        let fresh: TraceReader
        do { fresh = try TraceReader(file: spec.file, format: spec.format, columns: spec.columns, badRows: spec.badRows) } catch {
            failure = error
            exhausted = true
            return false
        }
        if reader.skipped > passSkipped { (passSkipped, passExamples) = (reader.skipped, reader.skippedExamples) }
        reader = fresh
        offset += period
        return true
    }

    /// A looped pass keeps the trace's hashes: it replays the same prompts, so they hit the cache.
    private mutating func request(from record: TraceRecord, hashes: inout [UInt64]) -> IncomingRequest {
        let prompt = min(spec.promptTokens.map { SyntheticWorkload.count($0.sample(&tokens)) } ?? max(1, record.promptTokens),
                         SyntheticWorkload.maxTokens)
        let output = spec.outputTokens.map { SyntheticWorkload.count($0.sample(&tokens)) } ?? max(1, record.outputTokens)
        var prefix = PrefixSpan()
        if keepsHashes && !recordHashes.isEmpty {
            // The hashes name the recorded prompt's tokens only (its last block may be partial).
            prefix = PrefixSpan(start: hashes.count, count: recordHashes.count, blockTokens: spec.hashBlockTokens,
                                tokens: min(prompt, record.promptTokens))
            hashes.append(contentsOf: recordHashes)
        }
        return IncomingRequest(arrival: .seconds(record.time / spec.timeScale), promptTokens: prompt,
                               outputTokens: min(output, SyntheticWorkload.maxTokens), session: record.session, prefix: prefix)
    }
}

/// What a pass over a trace found: rows, span and unreadable rows.
public struct TraceScan: Sendable, Equatable {
    public var format: TraceSpec.Format
    public var rows = 0
    /// Trace seconds from the first to the last row inside the window.
    public var span = 0.0
    public var skipped = 0
    public var skippedExamples: [TraceError] = []

    /// The loop period: the window's span plus one mean gap, so the seam does not double a request.
    public var loopPeriod: Double { Self.loopPeriod(rows: rows, span: span) }

    static func loopPeriod(rows: Int, span: Double) -> Double { rows > 1 ? span + span / Double(rows - 1) : max(span, 1) }

    /// Reads the whole trace once (streaming) within the spec's window.
    public init(_ spec: TraceSpec) throws(TraceError) {
        var reader = try TraceReader(file: spec.file, format: spec.format, columns: spec.columns, badRows: spec.badRows)
        format = reader.format
        var first: Double?
        while let record = try reader.next() {
            guard record.time >= spec.windowStart.seconds else { continue }
            if let end = spec.windowEnd, record.time >= end.seconds { break }
            let start = first ?? record.time
            first = start
            span = record.time - start
            rows += 1
        }
        skipped = reader.skipped
        skippedExamples = reader.skippedExamples
    }
}
