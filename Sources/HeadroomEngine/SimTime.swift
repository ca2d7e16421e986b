import Foundation

/// A point or span of simulated time, in whole nanoseconds.
///
/// Integer time keeps runs exact and reproducible: adding the same durations in any order gives
/// the same instant, and two runs of one scenario and seed produce bit-identical event orders.
/// `Int64` nanoseconds cover about 292 years, far beyond any scenario.
@frozen
public struct SimTime: Hashable, Comparable, Sendable, Codable, CustomStringConvertible {
    /// Nanoseconds since the start of the run (or the length of a span).
    public var nanoseconds: Int64

    @inlinable
    public init(nanoseconds: Int64) { self.nanoseconds = nanoseconds }

    // Computed and inlinable rather than stored: a stored static of another module is reached
    // through an accessor call on every use, and both are used on every event.
    @inlinable public static var zero: SimTime { SimTime(nanoseconds: 0) }
    /// Later than any instant a run can reach; "never".
    @inlinable public static var never: SimTime { SimTime(nanoseconds: .max) }

    /// Rounds to the nearest nanosecond; values beyond the representable range saturate.
    @inlinable
    public static func seconds(_ value: Double) -> SimTime {
        let ns = (value * 1e9).rounded()
        if ns >= 9.2e18 { return .never }
        if ns <= -9.2e18 { return SimTime(nanoseconds: .min) }
        return SimTime(nanoseconds: Int64(ns))
    }
    @inlinable public static func milliseconds(_ value: Double) -> SimTime { .seconds(value / 1e3) }
    @inlinable public static func microseconds(_ value: Double) -> SimTime { .seconds(value / 1e6) }
    @inlinable public static func minutes(_ value: Double) -> SimTime { .seconds(value * 60) }
    @inlinable public static func hours(_ value: Double) -> SimTime { .seconds(value * 3600) }

    /// The value in seconds, for reporting (never for arithmetic inside a run).
    @inlinable public var seconds: Double { Double(nanoseconds) / 1e9 }

    @inlinable public static func < (a: SimTime, b: SimTime) -> Bool { a.nanoseconds < b.nanoseconds }
    @inlinable public static func + (a: SimTime, b: SimTime) -> SimTime {
        let (sum, overflow) = a.nanoseconds.addingReportingOverflow(b.nanoseconds)
        return overflow ? (b.nanoseconds > 0 ? .never : SimTime(nanoseconds: .min)) : SimTime(nanoseconds: sum)
    }
    @inlinable public static func - (a: SimTime, b: SimTime) -> SimTime {
        SimTime(nanoseconds: a.nanoseconds - b.nanoseconds)
    }
    @inlinable public static func += (a: inout SimTime, b: SimTime) { a = a + b }

    public init(from decoder: any Decoder) throws {
        nanoseconds = try decoder.singleValueContainer().decode(Int64.self)
    }
    public func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        try container.encode(nanoseconds)
    }

    /// A short human form such as `250ms`, `30s`, `5m`, `2h` (exact where possible).
    public var description: String { DurationFormat.format(self) }
}

/// Formats and parses durations such as `250ms`, `1.5s`, `5m`, `2h`, `1d`, `2w`.
public enum DurationFormat {
    /// Unit suffixes with their length in nanoseconds, longest suffix first where one is a
    /// suffix of another (`ms` before `s`).
    public static let units: [(suffix: String, nanoseconds: Double)] = [
        ("ns", 1), ("us", 1e3), ("µs", 1e3), ("ms", 1e6), ("s", 1e9), ("m", 60e9), ("h", 3600e9), ("d", 86400e9), ("w", 604_800e9),
    ]

    /// Parses `<number><unit>`; a bare number is refused because its unit would be a guess.
    public static func parse(_ text: String) -> SimTime? {
        let trimmed = text.trimmingCharacters(in: .whitespaces)
        for (suffix, scale) in units.sorted(by: { $0.suffix.count > $1.suffix.count }) where trimmed.hasSuffix(suffix) {
            let number = trimmed.dropLast(suffix.count).trimmingCharacters(in: .whitespaces)
            guard let value = Double(number), value.isFinite else { return nil }
            let ns = value * scale
            guard abs(ns) < 9.2e18 else { return nil }
            return SimTime(nanoseconds: Int64(ns.rounded()))
        }
        return nil
    }

    public static func format(_ time: SimTime) -> String {
        let ns = time.nanoseconds
        if ns == .max { return "never" }
        if ns == 0 { return "0s" }
        let magnitude = Double(ns.magnitude)
        for (suffix, scale) in [("d", 86400e9), ("h", 3600e9), ("m", 60e9), ("s", 1e9), ("ms", 1e6), ("us", 1e3)]
        where magnitude >= scale {
            return "\(trim(Double(ns) / scale))\(suffix)"
        }
        return "\(ns)ns"
    }

    private static func trim(_ value: Double) -> String {
        var text = FixedDecimal.format(value, places: 3)
        while text.hasSuffix("0") { text.removeLast() }
        if text.hasSuffix(".") { text.removeLast() }
        return text
    }
}
