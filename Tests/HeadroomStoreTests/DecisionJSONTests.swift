import Foundation
@testable import Headroom
import Testing
@testable import HeadroomStore

/// The hand-written decision JSON is byte for byte what `JSONEncoder` (sorted keys, snake case)
/// wrote before, so old and new stores read back alike.
@Suite("Decision JSON")
struct DecisionJSONTests {
    static func encoded<T: Encodable>(_ value: T) throws -> String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = .sortedKeys
        encoder.keyEncodingStrategy = .convertToSnakeCase
        return String(decoding: try encoder.encode(value), as: UTF8.self)
    }

    /// Doubles whose printed forms differ in kind: integral, negative zero, exponents both ways,
    /// subnormal, the extremes, and ones needing all 17 digits.
    static let doubles: [Double] = [
        0, -0.0, 1, -1, 0.1, 0.25, 1.0 / 3, 2.0 / 3, 100, 1e15, 1e16, 1.5e16, 1e-4, 1e-5, 1.2345e-7, 123456789.125,
        .leastNonzeroMagnitude, .leastNormalMagnitude, .greatestFiniteMagnitude, -.greatestFiniteMagnitude, .ulpOfOne,
        0.1 + 0.2, 9.007199254740994e15, 4.35, 1e300, 5e-324,
    ]

    /// Every ASCII character (controls included), slashes, quotes, and multi-byte UTF-8.
    static let strings: [String] = [
        "", "plain", "sum(rate(x[1m])) / 2", "a\"b\\c/d", "é ü 漢字 🚀", "tab\there\nnew\rret", "\u{7F}del",
        String((0..<128).map { Character(Unicode.Scalar(UInt8($0))) }),
    ]

    @Test("signals: the same bytes as JSONEncoder for every kind of double and each signal")
    func signals() throws {
        var random = SystemRandomNumberGenerator()
        let randomDoubles = (0..<500).map { _ in Double(bitPattern: random.next() >> 2) } + (0..<500).map { _ in Double.random(in: -1e6...1e6) }
        let values = (Self.doubles + randomDoubles).filter(\.isFinite)
        for (index, value) in values.enumerated() {
            let signal = Signal.allCases[index % Signal.allCases.count]
            let inputs = [SignalInput(signal: signal, sampledAt: value, reporting: index, perReplica: -value, total: value / 3),
                          SignalInput(signal: .cpu, sampledAt: 1, reporting: 0, perReplica: 0, total: value)]
            #expect(DecisionJSON.signals(inputs) == (try Self.encoded(inputs)), "value \(value)")
        }
        #expect(DecisionJSON.signals([]) == (try Self.encoded([SignalInput]())))
    }

    @Test("query values: the same bytes as JSONEncoder, with escapes, errors and non-finite values")
    func queryValues() throws {
        for text in Self.strings {
            let results = [QueryValues(query: text, values: Self.doubles + [.nan, .infinity, -.infinity]),
                           QueryValues(query: "q", values: [], error: text),
                           QueryValues(query: text, values: [1], error: nil)]
            #expect(DecisionJSON.queryValues(results) == (try Self.encoded(results)), "text \(text.debugDescription)")
        }
        #expect(DecisionJSON.queryValues([]) == (try Self.encoded([QueryValues]())))
    }

    @Test("the text parses back to the same records")
    func roundTrip() throws {
        let inputs = Self.doubles.map { SignalInput(signal: .concurrency, sampledAt: $0, reporting: 2, perReplica: $0, total: $0) }
        let decoder = JSONDecoder()
        decoder.keyDecodingStrategy = .convertFromSnakeCase
        #expect(try decoder.decode([SignalInput].self, from: Data(DecisionJSON.signals(inputs).utf8)) == inputs)
        let results = Self.strings.map { QueryValues(query: $0, values: [.nan, 1e-5, -0.0], error: $0.isEmpty ? nil : $0) }
        #expect(try decoder.decode([QueryValues].self, from: Data(DecisionJSON.queryValues(results).utf8)) == results)
    }
}
