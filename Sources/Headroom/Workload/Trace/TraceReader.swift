import Foundation
import HeadroomEngine

/// One request read from a trace: seconds from the trace's first request, and token counts.
public struct TraceRecord: Sendable, Equatable {
    public var time: Double
    public var promptTokens: Int
    public var outputTokens: Int
    /// The conversation, numbered in order of first appearance (`-1`: none).
    public var session: Int64 = -1
    /// Prefix block hashes (Mooncake's `hash_ids`), one per `hash_block_tokens` tokens.
    public var hashIDs: [UInt64] = []
}

/// Why a trace cannot be read.
public struct TraceError: Error, CustomStringConvertible, Equatable {
    public var file: String
    public var line: Int?
    public var message: String
    public var description: String { "\(file)\(line.map { ":\($0)" } ?? ""): \(message)" }
}

/// Reads a trace one row at a time, holding one 64 KiB chunk in memory whatever the file's length.
/// Rows are parsed from the chunk's bytes (`TraceReader+Rows.swift`): no `String` or array per
/// row or field.
///
/// `@unchecked Sendable`: the file is owned by one reader (one replay) and never shared between
/// threads; copies of a reader must not be read from independently.
public struct TraceReader: @unchecked Sendable {
    public let file: String
    public let format: TraceSpec.Format
    let columns: TraceSpec.Columns?
    private let badRows: TraceSpec.BadRows
    private let lines: TraceLines
    var lineNumber = 1
    private var origin: Double?
    private var lastTime = -Double.infinity
    var indices: (time: Int, prompt: Int, output: Int, count: Int) = (0, 1, 2, 3)
    /// The generic CSV's optional session and hash columns.
    var sessionIndex: Int?
    var hashIndex: Int?
    var sessionNumbers: [String: Int64] = [:]
    /// Seconds per unit of the time column (the generic CSV's `time_unit`; 1 for the others).
    let timeUnit: Double
    /// The most bytes the reader ever held.
    public var peakBufferBytes: Int { lines.peakBufferBytes }
    /// Rows skipped as unreadable, and the first few with their reasons.
    public private(set) var skipped = 0
    public private(set) var skippedExamples: [TraceError] = []

    public init(file: String, format: TraceSpec.Format? = nil, columns: TraceSpec.Columns? = nil,
                badRows: TraceSpec.BadRows = .skip) throws(TraceError) {
        self.file = file
        self.badRows = badRows
        // Refused before opening: a FIFO would block the open, a directory would fail the read.
        if let problem = InputFile.problem(file) { throw TraceError(file: file, line: nil, message: problem) }
        guard let lines = TraceLines(file: file) else {
            throw TraceError(file: file, line: nil, message: "cannot read the file")
        }
        self.lines = lines
        // The header (CSV formats) or the first line (JSONL) decides the format.
        guard let firstLine = try lines.next() else { throw TraceError(file: file, line: 1, message: "the trace is empty") }
        let first = firstLine.text
        let detected = format ?? Self.detect(first)
        guard let detected else {
            throw TraceError(file: file, line: 1, message: "cannot tell the trace format from the header `\(first.prefix(80))`; "
                             + "set `format:` (azure, mooncake, burstgpt, csv)")
        }
        self.format = detected
        // `trace synth`'s own CSV needs no `columns:`: what one command writes, the others read.
        let columns = columns ?? (detected == .csv && Self.isSynthHeader(first) ? Self.synthColumns : nil)
        self.columns = columns
        timeUnit = detected == .csv ? (columns?.timeUnitSeconds ?? 1) : 1
        switch detected {
        case .mooncake:
            lines.pushBack()
            lineNumber = 0
        case .azure:
            indices = try Self.locate(["TIMESTAMP", "ContextTokens", "GeneratedTokens"], in: first, file: file)
        case .burstgpt:
            indices = try Self.locate(["Timestamp", "Request tokens", "Response tokens"], in: first, file: file)
        case .csv:
            guard let columns else { throw TraceError(file: file, line: 1, message: "a generic CSV needs `columns: {time, prompt, output}`") }
            indices = try Self.locate([columns.time, columns.prompt, columns.output], in: first, file: file)
            sessionIndex = try columns.session.map { (name) throws(TraceError) in try Self.locate(name, in: first, file: file) }
            hashIndex = try columns.hashIDs.map { (name) throws(TraceError) in try Self.locate(name, in: first, file: file) }
        }
    }

    static func detect(_ header: String) -> TraceSpec.Format? {
        if header.hasPrefix("{") { return .mooncake }
        if header.hasPrefix("TIMESTAMP,ContextTokens,GeneratedTokens") { return .azure }
        if header.hasPrefix("Timestamp,Model,Request tokens,Response tokens") { return .burstgpt }
        if isSynthHeader(header) { return .csv }
        return nil
    }

    /// The columns `headroom trace synth` writes (time in seconds from the start).
    public static let synthColumns = TraceSpec.Columns(time: "time", prompt: "prompt_tokens", output: "output_tokens")
    public static var synthHeader: String { "\(synthColumns.time),\(synthColumns.prompt),\(synthColumns.output)" }

    static func isSynthHeader(_ header: String) -> Bool {
        fields(header).map(String.init) == [synthColumns.time, synthColumns.prompt, synthColumns.output]
    }

    static func locate(_ names: [String], in header: String, file: String) throws(TraceError) -> (Int, Int, Int, Int) {
        let fields = header.split(separator: ",", omittingEmptySubsequences: false).map { $0.trimmingCharacters(in: .whitespaces) }
        var found: [Int] = []
        for name in names {
            guard let index = fields.firstIndex(of: name) else {
                throw TraceError(file: file, line: 1, message: "no column `\(name)` in the header (columns: \(fields.joined(separator: ", ")))")
            }
            found.append(index)
        }
        return (found[0], found[1], found[2], fields.count)
    }

    /// The index of an optional column.
    static func locate(_ name: String, in header: String, file: String) throws(TraceError) -> Int {
        let fields = Self.fields(header).map(String.init)
        guard let index = fields.firstIndex(of: name) else {
            throw TraceError(file: file, line: 1, message: "no column `\(name)` in the header (columns: \(fields.joined(separator: ", ")))")
        }
        return index
    }

    /// The next readable row, or `nil` at the end of the file.
    public mutating func next() throws(TraceError) -> TraceRecord? {
        var hashes: [UInt64] = []
        guard var record = try next(hashes: &hashes) else { return nil }
        record.hashIDs = hashes
        return record
    }

    /// The next readable row, or `nil` at the end of the file; its prefix hashes are appended to
    /// `hashes` (its `hashIDs` stay empty), so a replay reuses one buffer.
    ///
    /// - Complexity: O(row length); no allocation for a row without hashes (or session names
    ///   longer than 15 bytes).
    public mutating func next(hashes: inout [UInt64]) throws(TraceError) -> TraceRecord? {
        while let line = try lines.next() {
            lineNumber += 1
            if Self.isBlank(line.bytes) { continue }
            let mark = hashes.count
            do {
                let row = try format == .mooncake ? mooncakeRow(line, hashes: &hashes) : csvRow(line.bytes, hashes: &hashes)
                return try record(row)
            } catch {
                hashes.removeSubrange(mark...)
                let reason = line.complete ? error.message : "truncated last line (\(error.message))"
                let problem = TraceError(file: file, line: lineNumber, message: reason)
                if badRows == .fail { throw problem }
                skipped += 1
                if skippedExamples.count < 5 { skippedExamples.append(problem) }
            }
        }
        return nil
    }

    /// One row's values as read, before the checks every format shares.
    struct Row {
        var time: Double
        var prompt: Double
        var output: Double
        var session: Int64 = -1
    }

    func fail(_ message: String) -> TraceError { TraceError(file: file, line: lineNumber, message: message) }

    /// The checks every format shares, then the record (time from the first row).
    private mutating func record(_ row: Row) throws(TraceError) -> TraceRecord {
        let (time, prompt, output) = (row.time, row.prompt, row.output)
        guard prompt >= 0, output >= 0, prompt.isFinite, output.isFinite else { throw fail("token counts must not be negative") }
        guard prompt <= Self.maxTokens, output <= Self.maxTokens else {
            throw fail("a token count above \(Int(Self.maxTokens)) (\(max(prompt, output))) is not a request length")
        }
        guard time >= lastTime else { throw fail("the timestamp goes backwards") }
        guard time - (origin ?? time) <= Self.maxSpanSeconds else {
            throw fail("the timestamp is more than \(Int(Self.maxSpanSeconds / 31_557_600)) years after the first row's")
        }
        lastTime = time
        let start = origin ?? time
        origin = start
        return TraceRecord(time: time - start, promptTokens: Int(prompt), outputTokens: Int(output), session: row.session)
    }

    /// Larger token counts are corrupt rows, not requests (and would not fit the simulator's counters).
    static let maxTokens = 1e9
    /// A trace spans at most this long (about 31 years): the simulator's clock is Int64 nanoseconds.
    static let maxSpanSeconds = 1e9

    /// Spaces and tabs only (or nothing): not a row.
    static func isBlank(_ bytes: UnsafeBufferPointer<UInt8>) -> Bool {
        for byte in bytes where byte != 0x20 && byte != 0x09 { return false }
        return true
    }

    /// The comma-separated fields of a header, with surrounding spaces removed (no quoting: the
    /// trace formats have none).
    static func fields(_ line: String) -> [Substring] {
        line.split(separator: ",", omittingEmptySubsequences: false).map { field in
            var field = field
            while field.first == " " { field = field.dropFirst() }
            while field.last == " " { field = field.dropLast() }
            return field
        }
    }
}
