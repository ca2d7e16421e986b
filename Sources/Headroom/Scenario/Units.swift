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
}
