import Headroom

extension ProfileFidelity {
    /// The held-out errors of one band of samples: prefills by their tokens, decode steps by their
    /// batch, or all of them. Median and worst are nil for an empty band.
    public struct BandError: Codable, Sendable, Equatable {
        public enum Kind: String, Codable, Sendable { case prefill, decode, overall }
        public var kind: Kind
        /// The band's range, as printed (`33–256`, `> 4,096`, `all`).
        public var band: String
        public var count: Int
        /// The median relative error (the mean of the two middle ones for an even count).
        public var medianRelativeError: Double?
        public var worstRelativeError: Double?

        /// The prefill token bands of issue 17: 1–32, 33–256, 257–1,024, 1,025–4,096, > 4,096.
        public static let prefillBands: [(lower: Int, upper: Int?)] = [(1, 32), (33, 256), (257, 1024), (1025, 4096), (4097, nil)]
        /// The decode batch bands: 1–8, 9–64, 65–256, > 256 sequences.
        public static let decodeBands: [(lower: Int, upper: Int?)] = [(1, 8), (9, 64), (65, 256), (257, nil)]

        /// Samples with prefill tokens fall in a prefill band by their tokens; pure decode steps
        /// in a decode band by their batch; every sample in `overall`.
        public static func bands(_ errors: [(sample: CalibratedProfile.Sample, error: Double)]) -> [BandError] {
            func band(_ kind: Kind, _ range: (lower: Int, upper: Int?), key: (CalibratedProfile.Sample) -> Int) -> BandError {
                let inside = errors.filter { entry in
                    let value = key(entry.sample)
                    return value >= range.lower && range.upper.map { value <= $0 } ?? true
                }
                let name = range.upper.map { "\(grouped(range.lower))–\(grouped($0))" } ?? "> \(grouped(range.lower - 1))"
                return summary(kind, name, inside.map(\.error))
            }
            let prefills = errors.filter { $0.sample.prefillTokens > 0 }, decodes = errors.filter { $0.sample.prefillTokens == 0 }
            let prefillRows = prefills.isEmpty ? [] : prefillBands.map { range in band(.prefill, range) { $0.prefillTokens } }
            let decodeRows = decodes.isEmpty ? [] : decodeBands.map { range in
                band(.decode, range) { $0.prefillTokens == 0 ? $0.batch : 0 }
            }
            return prefillRows + decodeRows
                + [summary(.overall, "all", errors.map(\.error))]
        }

        static func summary(_ kind: Kind, _ band: String, _ errors: [Double]) -> BandError {
            let sorted = errors.sorted(), n = sorted.count
            let median = n == 0 ? nil : n % 2 == 1 ? sorted[n / 2] : (sorted[n / 2 - 1] + sorted[n / 2]) / 2
            return BandError(kind: kind, band: band, count: n, medianRelativeError: median, worstRelativeError: sorted.last)
        }

        /// 4096 as `4,096`.
        static func grouped(_ value: Int) -> String {
            var digits = String(value), result = ""
            while digits.count > 3 {
                result = "," + digits.suffix(3) + result
                digits.removeLast(3)
            }
            return digits + result
        }
    }
}
