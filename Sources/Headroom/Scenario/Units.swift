import Foundation
import HeadroomEngine

/// Parses the quantities scenario files are written in: durations (`250ms`, `5m`), sizes
/// (`20GB`, `128KiB`), rates (`40/s`) and bandwidths (`1.5GB/s`, `10Gbit/s`).
public enum Units {
    /// Decimal and binary byte suffixes, longest first so `GiB` wins over `B`.
    static let sizeUnits: [(String, Double)] = [
        ("KiB", 1024), ("MiB", 1_048_576), ("GiB", 1_073_741_824), ("TiB", 1_099_511_627_776),
        ("KB", 1e3), ("MB", 1e6), ("GB", 1e9), ("TB", 1e12), ("B", 1),
    ]
    static let bitUnits: [(String, Double)] = [("Kbit", 1e3 / 8), ("Mbit", 1e6 / 8), ("Gbit", 1e9 / 8), ("Tbit", 1e12 / 8)]
    static let perUnits: [(String, Double)] = [("s", 1), ("m", 60), ("min", 60), ("h", 3600), ("d", 86400)]

    /// Bytes from `20GB`, `1.5GiB`, `512MB`; a bare number is refused.
    public static func bytes(_ text: String) -> Double? {
        let trimmed = text.trimmingCharacters(in: .whitespaces)
        for (suffix, scale) in sizeUnits where trimmed.hasSuffix(suffix) {
            guard let value = Double(trimmed.dropLast(suffix.count).trimmingCharacters(in: .whitespaces)),
                  value.isFinite else { return nil }
            return value * scale
        }
        return nil
    }

    /// Bytes per second from `1.5GB/s`, `800MiB/s`, `10Gbit/s`.
    public static func bandwidth(_ text: String) -> Double? {
        let trimmed = text.trimmingCharacters(in: .whitespaces)
        guard trimmed.hasSuffix("/s") else { return nil }
        let amount = String(trimmed.dropLast(2))
        for (suffix, scale) in bitUnits where amount.hasSuffix(suffix) {
            guard let value = Double(amount.dropLast(suffix.count).trimmingCharacters(in: .whitespaces)) else { return nil }
            return value * scale
        }
        return bytes(amount)
    }

    /// Requests per second from `40/s`, `2400/m`, `1.5/h`.
    public static func rate(_ text: String) -> Double? {
        let parts = text.trimmingCharacters(in: .whitespaces).split(separator: "/", omittingEmptySubsequences: false)
        guard parts.count == 2, let value = Double(parts[0].trimmingCharacters(in: .whitespaces)), value.isFinite,
              let per = perUnits.first(where: { $0.0 == parts[1].trimmingCharacters(in: .whitespaces) }) else { return nil }
        return value / per.1
    }

    /// Durations: see `DurationFormat`.
    public static func duration(_ text: String) -> SimTime? { DurationFormat.parse(text) }

    /// The longest duration the clock holds: 64-bit nanoseconds reach about 292 years, and the
    /// parser stops a little short of that (9.2 × 10^18 ns, about 15,200 weeks).
    public static let longestDuration = "15,200w (about 290 years)"

    /// Why a duration was refused, so a message names the real cause (a unit that is there is
    /// not asked for again).
    public enum DurationProblem: Error, Equatable, CustomStringConvertible {
        case missingUnit, notANumber, tooLarge

        public var description: String {
            switch self {
            case .missingUnit: return "a duration needs a unit (ns, us, ms, s, m, h, d, w), e.g. 30s, 5m or 2h"
            case .notANumber: return "a duration is a number followed by a unit (ns, us, ms, s, m, h, d, w), e.g. 30s, 1.5h"
            case .tooLarge: return "too large: the longest duration is \(Units.longestDuration)"
            }
        }
    }

    /// A duration or the reason it is not one. A negative or zero value is returned: whether it is
    /// allowed is the caller's rule.
    public static func checkedDuration(_ text: String) -> Result<SimTime, DurationProblem> {
        if let value = DurationFormat.parse(text) { return .success(value) }
        let trimmed = text.trimmingCharacters(in: .whitespaces)
        guard let unit = DurationFormat.units.map(\.suffix).sorted(by: { $0.count > $1.count }).first(where: { trimmed.hasSuffix($0) }) else {
            return .failure(Double(trimmed) != nil ? .missingUnit : .notANumber)
        }
        guard let number = Double(trimmed.dropLast(unit.count).trimmingCharacters(in: .whitespaces)) else { return .failure(.notANumber) }
        return .failure(number.isNaN ? .notANumber : .tooLarge)
    }
}
