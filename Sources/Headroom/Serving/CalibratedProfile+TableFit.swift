import HeadroomEngine

extension CalibratedProfile {
    /// The table form's coefficients (seconds; see `HardwareProfile.Form.table`) and how well they
    /// fit the samples: the linear operators and all-reduces at each knot, the decode and context
    /// terms fitted beside them, and the prefill attention terms the table was fitted around (from
    /// the attention model, not fitted; the profile's `source` says where they come from).
    public struct TableFit: Codable, Sendable, Equatable {
        /// Knots: token counts of an iteration, strictly increasing.
        public var tokens: [Int]
        /// The linear operators (every per-iteration overhead included) at each knot.
        public var linear: [Double]
        /// The tensor-parallel all-reduces at each knot (zeros at TP 1).
        public var communication: [Double]
        public var perDecodeSequence: Double
        public var perContextToken: Double
        /// Prefill attention per key of a sequence's longest walk (`cached + chunk`).
        public var perAttentionKey: Double
        /// Prefill attention per unit of `chunk × (cached + chunk / 2)`.
        public var perAttentionUnit: Double
        public var rSquared: Double
        public var maxRelativeError: Double
        public var medianRelativeError: Double

        public init(tokens: [Int], linear: [Double], communication: [Double], perDecodeSequence: Double, perContextToken: Double,
                    perAttentionKey: Double, perAttentionUnit: Double, rSquared: Double, maxRelativeError: Double,
                    medianRelativeError: Double) {
            self.tokens = tokens
            self.linear = linear
            self.communication = communication
            self.perDecodeSequence = perDecodeSequence
            self.perContextToken = perContextToken
            self.perAttentionKey = perAttentionKey
            self.perAttentionUnit = perAttentionUnit
            self.rSquared = rSquared
            self.maxRelativeError = maxRelativeError
            self.medianRelativeError = medianRelativeError
        }

        /// The simulator's table, or why these numbers cannot be one.
        public func costTable() throws(ProfileError) -> TokenCostTable {
            let terms = [perDecodeSequence, perContextToken, perAttentionKey, perAttentionUnit] + linear + communication
            guard terms.allSatisfy({ $0.isFinite && $0 >= 0 && $0 < 3600 }) else {
                throw ProfileError("`table_fit` has a negative, infinite or absurd coefficient (each must be 0 to 3,600 seconds)")
            }
            do {
                return try TokenCostTable(tokens: tokens.map(Int64.init), linear: linear.map { .seconds($0) },
                                          communication: communication.map { .seconds($0) })
            } catch {
                throw ProfileError("`table_fit`: \(error)")
            }
        }

        /// The profile the simulator runs.
        func hardwareProfile(name: String, source: String) throws(ProfileError) -> HardwareProfile {
            .table(name: name, source: source, table: try costTable(), perDecodeSequence: .seconds(perDecodeSequence),
                   perContextToken: .seconds(perContextToken), perAttentionUnitPicoseconds: HardwareProfile.picoseconds(perAttentionUnit),
                   perAttentionKeyPicoseconds: HardwareProfile.picoseconds(perAttentionKey))
        }
    }
}
