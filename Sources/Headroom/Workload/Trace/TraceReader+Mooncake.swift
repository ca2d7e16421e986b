import Foundation

/// Mooncake's JSON lines. The usual line — one flat object whose `timestamp`, `input_length`,
/// `output_length` and `hash_ids` are plain integers — is read from its bytes by a small strict
/// parser; any line it does not fully accept (escapes in keys, fractions, exponents, large or
/// negative numbers, repeated keys, deep nesting, anything malformed) is read by Foundation's JSON
/// parser as before, which accepts it or names what is wrong. So every line reads exactly as it did.
extension TraceReader {
    func mooncakeRow(_ line: TraceLines.Line, hashes: inout [UInt64]) throws(TraceError) -> Row {
        let mark = hashes.count
        var scanner = JSONLineScanner(bytes: line.bytes)
        if let row = scanner.mooncake(hashes: &hashes) { return row }
        hashes.removeSubrange(mark...)
        return try mooncakeFoundation(line.text, hashes: &hashes)
    }

    /// Foundation's reading of a line, for the lines the byte parser leaves.
    func mooncakeFoundation(_ text: String, hashes: inout [UInt64]) throws(TraceError) -> Row {
        guard let data = text.data(using: .utf8),
              let object = try? JSONSerialization.jsonObject(with: data) as? [String: Any] else { throw fail("not a JSON object") }
        guard let t = (object["timestamp"] as? NSNumber)?.doubleValue, let i = (object["input_length"] as? NSNumber)?.doubleValue,
              let o = (object["output_length"] as? NSNumber)?.doubleValue else {
            throw fail("missing or non-numeric `timestamp`, `input_length` or `output_length`")
        }
        if let ids = object["hash_ids"] {
            guard let list = ids as? [NSNumber] else { throw fail("`hash_ids` must be a list of non-negative integers") }
            hashes.reserveCapacity(hashes.count + list.count)
            for id in list {
                guard let value = UInt64(exactly: id.doubleValue) else { throw fail("`hash_ids` must be a list of non-negative integers (found \(id))") }
                hashes.append(value)
            }
        }
        return Row(time: t / 1000, prompt: i, output: o)
    }
}

/// A strict reader of one flat JSON object's bytes; `nil` from `mooncake` means "not sure":
/// Foundation decides.
struct JSONLineScanner {
    let bytes: UnsafeBufferPointer<UInt8>
    var index = 0

    init(bytes: UnsafeBufferPointer<UInt8>) { self.bytes = bytes }

    /// The row, when the line is an object with the three integer keys (and optionally a list
    /// of integer `hash_ids`) and otherwise well-formed JSON this scanner knows.
    mutating func mooncake(hashes: inout [UInt64]) -> TraceReader.Row? {
        var time: Int64?, prompt: Int64?, output: Int64?
        var sawHashes = false
        skipSpace()
        guard take(UInt8(ascii: "{")) else { return nil }
        skipSpace()
        if !take(UInt8(ascii: "}")) {
            while true {
                guard let key = keyRange() else { return nil }
                skipSpace()
                guard take(UInt8(ascii: ":")) else { return nil }
                skipSpace()
                switch Key(bytes, key) {
                case .timestamp:
                    guard time == nil, let value = integer() else { return nil }
                    time = value
                case .input:
                    guard prompt == nil, let value = integer() else { return nil }
                    prompt = value
                case .output:
                    guard output == nil, let value = integer() else { return nil }
                    output = value
                case .hashes:
                    guard !sawHashes, hashList(into: &hashes) else { return nil }
                    sawHashes = true
                case .other:
                    guard skipValue(depth: 0) else { return nil }
                }
                skipSpace()
                if take(UInt8(ascii: "}")) { break }
                guard take(UInt8(ascii: ",")) else { return nil }
                skipSpace()
            }
        }
        skipSpace()
        guard index == bytes.count, let time, let prompt, let output else { return nil }
        return TraceReader.Row(time: Double(time) / 1000, prompt: Double(prompt), output: Double(output))
    }

    enum Key {
        case timestamp, input, output, hashes, other

        /// The length picks the one name a key can be; one `memcmp` confirms it (comparing byte by
        /// byte against every name cost more than the rest of the line's parsing).
        init(_ bytes: UnsafeBufferPointer<UInt8>, _ range: Range<Int>) {
            guard let base = bytes.baseAddress else {
                self = .other
                return
            }
            func equals(_ name: StaticString) -> Bool { memcmp(base + range.lowerBound, name.utf8Start, range.count) == 0 }
            switch range.count {
            case 9: self = equals("timestamp") ? .timestamp : .other
            case 12: self = equals("input_length") ? .input : .other
            case 13: self = equals("output_length") ? .output : .other
            case 8: self = equals("hash_ids") ? .hashes : .other
            default: self = .other
            }
        }
    }

    mutating func skipSpace() {
        while index < bytes.count, bytes[index] == 0x20 || bytes[index] == 0x09 || bytes[index] == 0x0D { index += 1 }
    }

    mutating func take(_ byte: UInt8) -> Bool {
        guard index < bytes.count, bytes[index] == byte else { return false }
        index += 1
        return true
    }

    /// A key without escapes: its bytes between the quotes.
    mutating func keyRange() -> Range<Int>? {
        guard take(UInt8(ascii: "\"")) else { return nil }
        let start = index
        while index < bytes.count, bytes[index] != UInt8(ascii: "\"") {
            guard bytes[index] >= 0x20, bytes[index] != UInt8(ascii: "\\") else { return nil }
            index += 1
        }
        guard index < bytes.count else { return nil }
        index += 1
        return start..<index - 1
    }

    /// A JSON integer of at most 15 digits (exact as a double), not followed by a fraction or an
    /// exponent.
    mutating func integer() -> Int64? {
        let negative = take(UInt8(ascii: "-"))
        let start = index
        var value: Int64 = 0
        while index < bytes.count, bytes[index] &- 48 < 10 {
            value = value &* 10 &+ Int64(bytes[index] &- 48)
            index += 1
        }
        let digits = index - start
        guard digits > 0, digits <= 15, digits == 1 || bytes[start] != 48 else { return nil }
        if index < bytes.count, bytes[index] == UInt8(ascii: ".") || bytes[index] | 0x20 == UInt8(ascii: "e") { return nil }
        // `-0` is a float zero to Foundation: leave it.
        if negative && value == 0 { return nil }
        return negative ? -value : value
    }

    /// `[n, n, ...]` of non-negative integers.
    mutating func hashList(into hashes: inout [UInt64]) -> Bool {
        guard take(UInt8(ascii: "[")) else { return false }
        skipSpace()
        if take(UInt8(ascii: "]")) { return true }
        while true {
            guard index < bytes.count, bytes[index] != UInt8(ascii: "-"), let value = integer() else { return false }
            hashes.append(UInt64(value))
            skipSpace()
            if take(UInt8(ascii: "]")) { return true }
            guard take(UInt8(ascii: ",")) else { return false }
            skipSpace()
        }
    }

    /// Skips one value of another key: strings, short numbers, literals, lists and objects
    /// (nested at most 16 deep); `false` for anything else.
    mutating func skipValue(depth: Int) -> Bool {
        guard depth < 16, index < bytes.count else { return false }
        switch bytes[index] {
        case UInt8(ascii: "\""):
            return skipString()
        case UInt8(ascii: "-"), 48...57:
            return skipNumber()
        case UInt8(ascii: "t"): return literal("true")
        case UInt8(ascii: "f"): return literal("false")
        case UInt8(ascii: "n"): return literal("null")
        case UInt8(ascii: "["):
            index += 1
            skipSpace()
            if take(UInt8(ascii: "]")) { return true }
            while true {
                guard skipValue(depth: depth + 1) else { return false }
                skipSpace()
                if take(UInt8(ascii: "]")) { return true }
                guard take(UInt8(ascii: ",")) else { return false }
                skipSpace()
            }
        case UInt8(ascii: "{"):
            index += 1
            skipSpace()
            if take(UInt8(ascii: "}")) { return true }
            while true {
                guard keyRange() != nil else { return false }
                skipSpace()
                guard take(UInt8(ascii: ":")) else { return false }
                skipSpace()
                guard skipValue(depth: depth + 1) else { return false }
                skipSpace()
                if take(UInt8(ascii: "}")) { return true }
                guard take(UInt8(ascii: ",")) else { return false }
                skipSpace()
            }
        default:
            return false
        }
    }

    /// A string whose escapes are the simple ones (no `\u`).
    mutating func skipString() -> Bool {
        index += 1
        while index < bytes.count {
            let byte = bytes[index]
            index += 1
            if byte == UInt8(ascii: "\"") { return true }
            if byte < 0x20 { return false }
            if byte == UInt8(ascii: "\\") {
                guard index < bytes.count, "\"\\/bfnrt".utf8.contains(bytes[index]) else { return false }
                index += 1
            }
        }
        return false
    }

    /// `-?(0|[1-9][0-9]*)(\.[0-9]+)?` with at most 15 digits each side, no exponent.
    mutating func skipNumber() -> Bool {
        _ = take(UInt8(ascii: "-"))
        let start = index
        while index < bytes.count, bytes[index] &- 48 < 10 { index += 1 }
        guard index > start, index - start <= 15, index - start == 1 || bytes[start] != 48 else { return false }
        if take(UInt8(ascii: ".")) {
            let fraction = index
            while index < bytes.count, bytes[index] &- 48 < 10 { index += 1 }
            guard index > fraction, index - fraction <= 15 else { return false }
        }
        return index == bytes.count || bytes[index] | 0x20 != UInt8(ascii: "e")
    }

    mutating func literal(_ word: StaticString) -> Bool {
        let count = word.utf8CodeUnitCount
        guard index + count <= bytes.count else { return false }
        for offset in 0..<count where bytes[index + offset] != word.utf8Start[offset] { return false }
        index += count
        return true
    }
}
