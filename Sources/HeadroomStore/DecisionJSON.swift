import Headroom

/// The JSON text of a decision's `signals` and `query_values` columns, written by hand: Foundation's
/// `JSONEncoder` took ~70 % of a stored run's write time (a boxing encoder and a dictionary per
/// record). The bytes are exactly what `JSONEncoder` with `.sortedKeys` and `.convertToSnakeCase`
/// wrote before (`DecisionJSONTests` compares the two on awkward strings and doubles), so stores
/// written before and after read back the same, and readers that parse the column are unaffected.
///
/// The encoder's rules, which this keeps: keys sorted; a finite `Double` as its shortest
/// round-trip `description` less a trailing `.0` (`1`, `0.25`, `1e-05`, `-0`); a string with `"`,
/// `\` and `/` escaped, `\b \f \n \r \t` for those controls, `\u00xx` for the other controls
/// below U+0020, everything else as UTF-8. Non-finite query values are the strings `NaN`, `+Inf`,
/// `-Inf` (`QueryValues.encode`); an absent error is left out.
enum DecisionJSON {
    /// `[{"per_replica":…,"reporting":…,"sampled_at":…,"signal":"…","total":…}, …]`.
    static func signals(_ inputs: [SignalInput]) -> String {
        var out = JSONText(capacity: 16 + 96 * inputs.count)
        out.byte(UInt8(ascii: "["))
        for (index, input) in inputs.enumerated() {
            if index > 0 { out.byte(UInt8(ascii: ",")) }
            out.ascii("{\"per_replica\":")
            out.number(input.perReplica)
            out.ascii(",\"reporting\":")
            out.ascii(String(input.reporting))
            out.ascii(",\"sampled_at\":")
            out.number(input.sampledAt)
            out.ascii(",\"signal\":")
            out.string(input.signal.rawValue)
            out.ascii(",\"total\":")
            out.number(input.total)
            out.byte(UInt8(ascii: "}"))
        }
        out.byte(UInt8(ascii: "]"))
        return out.text
    }

    /// `[{"error":"…","query":"…","values":[…]}, …]`, `"error"` only when the evaluation failed.
    static func queryValues(_ results: [QueryValues]) -> String {
        var out = JSONText(capacity: 16 + 64 * results.count)
        out.byte(UInt8(ascii: "["))
        for (index, result) in results.enumerated() {
            if index > 0 { out.byte(UInt8(ascii: ",")) }
            out.byte(UInt8(ascii: "{"))
            if let error = result.error {
                out.ascii("\"error\":")
                out.string(error)
                out.byte(UInt8(ascii: ","))
            }
            out.ascii("\"query\":")
            out.string(result.query)
            out.ascii(",\"values\":[")
            for (position, value) in result.values.enumerated() {
                if position > 0 { out.byte(UInt8(ascii: ",")) }
                if value.isFinite {
                    out.number(value)
                } else {
                    out.string(value.isNaN ? "NaN" : value > 0 ? "+Inf" : "-Inf")
                }
            }
            out.ascii("]}")
        }
        out.byte(UInt8(ascii: "]"))
        return out.text
    }
}

/// A growing UTF-8 buffer with JSON's string escaping and number format.
struct JSONText {
    private var bytes: [UInt8] = []

    init(capacity: Int) { bytes.reserveCapacity(capacity) }

    var text: String { String(decoding: bytes, as: UTF8.self) }

    mutating func byte(_ value: UInt8) { bytes.append(value) }

    /// Text that needs no escaping (keys, punctuation, digits).
    mutating func ascii(_ text: String) { bytes.append(contentsOf: text.utf8) }

    /// A finite double as `JSONEncoder` prints it: its shortest round-trip form, `.0` dropped.
    /// A non-finite one, which the encoder refused (failing the whole store), is `null`.
    mutating func number(_ value: Double) {
        guard value.isFinite else { return ascii("null") }
        var text = value.description
        if text.hasSuffix(".0") { text.removeLast(2) }
        ascii(text)
    }

    /// A quoted string, escaped as `JSONEncoder` escapes it.
    mutating func string(_ text: String) {
        bytes.append(UInt8(ascii: "\""))
        for unit in text.utf8 {
            switch unit {
            case UInt8(ascii: "\""), UInt8(ascii: "\\"), UInt8(ascii: "/"):
                bytes.append(UInt8(ascii: "\\"))
                bytes.append(unit)
            case 0x08: escape(UInt8(ascii: "b"))
            case 0x0C: escape(UInt8(ascii: "f"))
            case 0x0A: escape(UInt8(ascii: "n"))
            case 0x0D: escape(UInt8(ascii: "r"))
            case 0x09: escape(UInt8(ascii: "t"))
            case 0..<0x20:
                let hex = Array("0123456789abcdef".utf8)
                bytes.append(contentsOf: [UInt8(ascii: "\\"), UInt8(ascii: "u"), UInt8(ascii: "0"), UInt8(ascii: "0"),
                                          hex[Int(unit >> 4)], hex[Int(unit & 0xF)]])
            default:
                bytes.append(unit)
            }
        }
        bytes.append(UInt8(ascii: "\""))
    }

    private mutating func escape(_ letter: UInt8) {
        bytes.append(UInt8(ascii: "\\"))
        bytes.append(letter)
    }
}
