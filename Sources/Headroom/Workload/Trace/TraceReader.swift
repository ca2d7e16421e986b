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
///
/// `@unchecked Sendable`: the file handle is owned by one reader (one replay) and never shared
/// between threads; copies of a reader must not be read from independently.
public struct TraceReader: @unchecked Sendable {
    public let file: String
    public let format: TraceSpec.Format
    private let columns: TraceSpec.Columns?
    private let badRows: TraceSpec.BadRows
    private var lines: LineReader
    private var lineNumber = 1
    private var origin: Double?
    private var lastTime = -Double.infinity
    private var indices: (time: Int, prompt: Int, output: Int, count: Int) = (0, 1, 2, 3)
    /// The generic CSV's optional session and hash columns.
    private var sessionIndex: Int?
    private var hashIndex: Int?
    private var sessionNumbers: [Substring: Int64] = [:]
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
        guard let handle = FileHandle(forReadingAtPath: file) else {
            throw TraceError(file: file, line: nil, message: "cannot read the file")
        }
        lines = LineReader(handle, file: file)
        // The header (CSV formats) or the first line (JSONL) decides the format.
        guard let first = try lines.next() else { throw TraceError(file: file, line: 1, message: "the trace is empty") }
        let detected = format ?? Self.detect(first.text)
        guard let detected else {
            throw TraceError(file: file, line: 1, message: "cannot tell the trace format from the header `\(first.text.prefix(80))`; "
                             + "set `format:` (azure, mooncake, burstgpt, csv)")
        }
        self.format = detected
        // `trace synth`'s own CSV needs no `columns:`: what one command writes, the others read.
        let columns = columns ?? (detected == .csv && Self.isSynthHeader(first.text) ? Self.synthColumns : nil)
        self.columns = columns
        switch detected {
        case .mooncake:
            lines.pushBack(first)
            lineNumber = 0
        case .azure:
            indices = try Self.locate(["TIMESTAMP", "ContextTokens", "GeneratedTokens"], in: first.text, file: file)
        case .burstgpt:
            indices = try Self.locate(["Timestamp", "Request tokens", "Response tokens"], in: first.text, file: file)
        case .csv:
            guard let columns else { throw TraceError(file: file, line: 1, message: "a generic CSV needs `columns: {time, prompt, output}`") }
            indices = try Self.locate([columns.time, columns.prompt, columns.output], in: first.text, file: file)
            sessionIndex = try columns.session.map { (name) throws(TraceError) in try Self.locate(name, in: first.text, file: file) }
            hashIndex = try columns.hashIDs.map { (name) throws(TraceError) in try Self.locate(name, in: first.text, file: file) }
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
        while let line = try lines.next() {
            lineNumber += 1
            if line.text.utf8.allSatisfy({ $0 == 0x20 || $0 == 0x09 }) { continue }
            do {
                return try parse(line.text)
            } catch {
                let reason = line.complete ? error.message : "truncated last line (\(error.message))"
                let problem = TraceError(file: file, line: lineNumber, message: reason)
                if badRows == .fail { throw problem }
                skipped += 1
                if skippedExamples.count < 5 { skippedExamples.append(problem) }
            }
        }
        return nil
    }

    private mutating func parse(_ text: String) throws(TraceError) -> TraceRecord {
        func fail(_ message: String) -> TraceError { TraceError(file: file, line: lineNumber, message: message) }
        var time: Double, prompt: Double, output: Double
        var session: Int64 = -1
        var hashes: [UInt64] = []
        switch format {
        case .mooncake:
            guard let data = text.data(using: .utf8),
                  let object = try? JSONSerialization.jsonObject(with: data) as? [String: Any] else { throw fail("not a JSON object") }
            guard let t = (object["timestamp"] as? NSNumber)?.doubleValue, let i = (object["input_length"] as? NSNumber)?.doubleValue,
                  let o = (object["output_length"] as? NSNumber)?.doubleValue else {
                throw fail("missing or non-numeric `timestamp`, `input_length` or `output_length`")
            }
            (time, prompt, output) = (t / 1000, i, o)
            if let ids = object["hash_ids"] {
                guard let list = ids as? [NSNumber] else { throw fail("`hash_ids` must be a list of non-negative integers") }
                hashes.reserveCapacity(list.count)
                for id in list {
                    guard let value = UInt64(exactly: id.doubleValue) else { throw fail("`hash_ids` must be a list of non-negative integers (found \(id))") }
                    hashes.append(value)
                }
            }
        case .azure, .burstgpt, .csv:
            let fields = Self.fields(text)
            guard fields.count >= indices.count else { throw fail("expected \(indices.count) fields, found \(fields.count)") }
            let timeText = fields[indices.time]
            if format == .azure {
                guard let seconds = Self.azureTimestamp(String(timeText)) else { throw fail("timestamp `\(timeText)` is not YYYY-MM-DD HH:MM:SS.fffffff") }
                time = seconds
            } else {
                guard let value = Double(timeText), value.isFinite else { throw fail("timestamp `\(timeText)` is not a number") }
                time = value * (format == .csv ? (columns?.timeUnitSeconds ?? 1) : 1)
            }
            guard let p = Double(fields[indices.prompt]), let o = Double(fields[indices.output]) else { throw fail("token counts must be numbers") }
            (prompt, output) = (p, o)
            if let sessionIndex, fields.count > sessionIndex, !fields[sessionIndex].isEmpty {
                let name = fields[sessionIndex]
                if let known = sessionNumbers[name] {
                    session = known
                } else {
                    session = Int64(sessionNumbers.count)
                    sessionNumbers[name] = session
                }
            }
            if let hashIndex, fields.count > hashIndex {
                for item in fields[hashIndex].split(whereSeparator: { $0 == ";" || $0 == " " }) {
                    guard let value = UInt64(item) else { throw fail("hash id `\(item)` is not a non-negative integer") }
                    hashes.append(value)
                }
            }
        }
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
        return TraceRecord(time: time - start, promptTokens: Int(prompt), outputTokens: Int(output), session: session, hashIDs: hashes)
    }

    /// Larger token counts are corrupt rows, not requests (and would not fit the simulator's counters).
    static let maxTokens = 1e9
    /// A trace spans at most this long (about 31 years): the simulator's clock is Int64 nanoseconds.
    static let maxSpanSeconds = 1e9

    /// The comma-separated fields of a line, with surrounding spaces removed (no quoting: the
    /// trace formats have none).
    static func fields(_ line: String) -> [Substring] {
        line.split(separator: ",", omittingEmptySubsequences: false).map { field in
            var field = field
            while field.first == " " { field = field.dropFirst() }
            while field.last == " " { field = field.dropLast() }
            return field
        }
    }

    /// `2023-11-16 18:17:03.9799600` as seconds since 1970 (no time zone: read as UTC).
    static func azureTimestamp(_ text: String) -> Double? {
        let parts = text.split(separator: " ")
        guard parts.count == 2 else { return nil }
        let date = parts[0].split(separator: "-").compactMap { Int($0) }
        let clock = parts[1].split(separator: ":")
        guard date.count == 3, clock.count == 3, let hours = Int(clock[0]), let minutes = Int(clock[1]), let seconds = Double(clock[2]),
              (1...9999).contains(date[0]), (1...12).contains(date[1]), (1...31).contains(date[2]), (0..<24).contains(hours),
              (0..<60).contains(minutes), seconds >= 0, seconds < 61 else { return nil }
        // Days from civil (Howard Hinnant's algorithm).
        let y = date[1] <= 2 ? date[0] - 1 : date[0]
        let era = (y >= 0 ? y : y - 399) / 400
        let yoe = y - era * 400
        let doy = (153 * (date[1] + (date[1] > 2 ? -3 : 9)) + 2) / 5 + date[2] - 1
        let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy
        let days = era * 146_097 + doe - 719_468
        return Double(days) * 86_400 + Double(hours * 3600 + minutes * 60) + seconds
    }
}

/// Lines of a file read in 64 KiB chunks; the last line may lack its newline (`complete` false).
struct LineReader {
    struct Line { var text: String; var complete: Bool }
    private let handle: FileHandle
    private let file: String
    private var buffer: [UInt8] = []
    private var position = 0
    private var finished = false
    private var pushed: Line?
    /// The most bytes ever buffered: memory stays flat however long the file is.
    private(set) var peakBufferBytes = 0

    init(_ handle: FileHandle, file: String) {
        self.handle = handle
        self.file = file
    }

    mutating func pushBack(_ line: Line) { pushed = line }

    /// Throws when the file cannot be read (an I/O error); Foundation's `readData(ofLength:)`
    /// would trap instead.
    mutating func next() throws(TraceError) -> Line? {
        if let line = pushed {
            pushed = nil
            return line
        }
        while true {
            let found: Line? = buffer.withUnsafeBufferPointer { bytes in
                var index = position
                while index < bytes.count && bytes[index] != UInt8(ascii: "\n") { index += 1 }
                guard index < bytes.count else { return nil }
                var end = index
                if end > position && bytes[end - 1] == UInt8(ascii: "\r") { end -= 1 }
                let text = String(decoding: UnsafeBufferPointer(rebasing: bytes[position..<end]), as: UTF8.self)
                position = index + 1
                return Line(text: text, complete: true)
            }
            if let found { return found }
            if finished {
                guard position < buffer.count else { return nil }
                let text = buffer.withUnsafeBufferPointer { String(decoding: UnsafeBufferPointer(rebasing: $0[position...]), as: UTF8.self) }
                position = buffer.count
                return Line(text: text, complete: false)
            }
            // Keep the unread tail, then read the next chunk after it.
            buffer.removeFirst(position)
            position = 0
            let chunk: Data?
            do { chunk = try handle.read(upToCount: 1 << 16) } catch {
                throw TraceError(file: file, line: nil, message: "cannot read the file (\(InputFile.readReason(error)))")
            }
            if let chunk, !chunk.isEmpty { buffer.append(contentsOf: chunk) } else { finished = true }
            peakBufferBytes = max(peakBufferBytes, buffer.count)
        }
    }
}
