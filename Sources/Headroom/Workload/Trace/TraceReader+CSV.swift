/// The CSV formats' rows (generic, BurstGPT, Azure), parsed from the line's bytes: fields are
/// found by scanning for commas (no quoting: the trace formats have none), trimmed of spaces, and
/// only the columns used are read. Values and messages are those of the earlier `String` parser.
extension TraceReader {
    mutating func csvRow(_ bytes: UnsafeBufferPointer<UInt8>, hashes: inout [UInt64]) throws(TraceError) -> Row {
        var time = 0..<0, prompt = 0..<0, output = 0..<0, session = 0..<0, hash = 0..<0
        var field = 0, position = 0
        let count = bytes.count
        let (sessionColumn, hashColumn) = (sessionIndex ?? -1, hashIndex ?? -1)
        while true {
            var stop = position
            while stop < count && bytes[stop] != UInt8(ascii: ",") { stop += 1 }
            var low = position, high = stop
            while low < high && bytes[low] == 0x20 { low += 1 }
            while high > low && bytes[high - 1] == 0x20 { high -= 1 }
            if field == indices.time { time = low..<high }
            if field == indices.prompt { prompt = low..<high }
            if field == indices.output { output = low..<high }
            if field == sessionColumn { session = low..<high }
            if field == hashColumn { hash = low..<high }
            field &+= 1
            if stop == count { break }
            position = stop + 1
        }
        guard field >= indices.count else { throw fail("expected \(indices.count) fields, found \(field)") }
        func slice(_ range: Range<Int>) -> UnsafeBufferPointer<UInt8> { UnsafeBufferPointer(rebasing: bytes[range]) }
        func text(_ range: Range<Int>) -> String { String(decoding: slice(range), as: UTF8.self) }
        var row = Row(time: 0, prompt: 0, output: 0)
        if format == .azure {
            guard let seconds = Self.azureTimestamp(slice(time)) else { throw fail("timestamp `\(text(time))` is not YYYY-MM-DD HH:MM:SS.fffffff") }
            row.time = seconds
        } else {
            guard let value = DecimalText.double(slice(time)), value.isFinite else { throw fail("timestamp `\(text(time))` is not a number") }
            row.time = value * timeUnit
        }
        guard let p = DecimalText.double(slice(prompt)), let o = DecimalText.double(slice(output)) else {
            throw fail("token counts must be numbers")
        }
        (row.prompt, row.output) = (p, o)
        if sessionIndex != nil, !session.isEmpty {
            let name = text(session)
            if let known = sessionNumbers[name] {
                row.session = known
            } else {
                row.session = Int64(sessionNumbers.count)
                sessionNumbers[name] = row.session
            }
        }
        if hashIndex != nil {
            try Self.hashIDs(slice(hash), into: &hashes, file: file, line: lineNumber)
        }
        return row
    }

    /// Non-negative integers separated by `;` or spaces (empty items ignored), as `UInt64(_:)`
    /// reads them.
    static func hashIDs(_ bytes: UnsafeBufferPointer<UInt8>, into hashes: inout [UInt64], file: String, line: Int) throws(TraceError) {
        var position = 0
        while position < bytes.count {
            var stop = position
            while stop < bytes.count && bytes[stop] != UInt8(ascii: ";") && bytes[stop] != 0x20 { stop += 1 }
            if stop > position {
                let item = UnsafeBufferPointer(rebasing: bytes[position..<stop])
                guard let value = DecimalText.digits(item) ?? UInt64(String(decoding: item, as: UTF8.self)) else {
                    throw TraceError(file: file, line: line,
                                     message: "hash id `\(String(decoding: item, as: UTF8.self))` is not a non-negative integer")
                }
                hashes.append(value)
            }
            position = stop + 1
        }
    }

    /// `2023-11-16 18:17:03.9799600` as seconds since 1970 (no time zone: read as UTC). The usual
    /// shape is read from the bytes; anything else by the `String` parser, which decides the same.
    static func azureTimestamp(_ bytes: UnsafeBufferPointer<UInt8>) -> Double? {
        func number(_ at: Int, _ width: Int) -> Int? {
            var value = 0
            for index in at..<at + width {
                guard bytes[index] &- 48 < 10 else { return nil }
                value = value * 10 + Int(bytes[index] &- 48)
            }
            return value
        }
        if bytes.count >= 19, bytes[4] == UInt8(ascii: "-"), bytes[7] == UInt8(ascii: "-"), bytes[10] == 0x20,
           bytes[13] == UInt8(ascii: ":"), bytes[16] == UInt8(ascii: ":"),
           let year = number(0, 4), let month = number(5, 2), let day = number(8, 2), let hours = number(11, 2),
           let minutes = number(14, 2), bytes[17] &- 48 < 10, bytes[18] &- 48 < 10,
           let seconds = DecimalText.fast(UnsafeBufferPointer(rebasing: bytes[17...])) {
            return civilSeconds(year: year, month: month, day: day, hours: hours, minutes: minutes, seconds: seconds)
        }
        return azureTimestamp(String(decoding: bytes, as: UTF8.self))
    }

    /// The `String` parser: a date and a clock separated by spaces.
    static func azureTimestamp(_ text: String) -> Double? {
        let parts = text.split(separator: " ")
        guard parts.count == 2 else { return nil }
        let date = parts[0].split(separator: "-").compactMap { Int($0) }
        let clock = parts[1].split(separator: ":")
        guard date.count == 3, clock.count == 3, let hours = Int(clock[0]), let minutes = Int(clock[1]), let seconds = Double(clock[2])
        else { return nil }
        return civilSeconds(year: date[0], month: date[1], day: date[2], hours: hours, minutes: minutes, seconds: seconds)
    }

    /// Seconds since 1970 of a UTC date and time, or `nil` when a part is out of range.
    static func civilSeconds(year: Int, month: Int, day: Int, hours: Int, minutes: Int, seconds: Double) -> Double? {
        guard (1...9999).contains(year), (1...12).contains(month), (1...31).contains(day), (0..<24).contains(hours),
              (0..<60).contains(minutes), seconds >= 0, seconds < 61 else { return nil }
        // Days from civil (Howard Hinnant's algorithm).
        let y = month <= 2 ? year - 1 : year
        let era = (y >= 0 ? y : y - 399) / 400
        let yoe = y - era * 400
        let doy = (153 * (month + (month > 2 ? -3 : 9)) + 2) / 5 + day - 1
        let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy
        let days = era * 146_097 + doe - 719_468
        return Double(days) * 86_400 + Double(hours * 3600 + minutes * 60) + seconds
    }
}
