import Headroom

/// Fits the table form (`HardwareProfile.Form.table`) to samples composed from measured tables.
///
/// The prefill attention (`max(per_attention_key × (cached + chunk), per_attention_unit × chunk ×
/// (cached + chunk / 2))`, modelled from the shape, not measured) and the all-reduces (measured,
/// a function of the batch's tokens) are known; what is left of each sample is the linear operators
/// at its token count, plus the decode and context terms. With one knot per distinct token count the
/// interpolation weight of every sample is 1 at its own knot, so the form is linear in its unknowns
/// (the knots' costs, `per_decode_seq`, `per_context_token`): least squares on relative error, a
/// negative term fixed at zero and the rest refitted.
public enum TableModelFit {
    /// The attention terms the table is fitted around, seconds.
    public struct Attention: Sendable, Equatable {
        public var perKey: Double, perUnit: Double
        public init(perKey: Double, perUnit: Double) {
            self.perKey = perKey
            self.perUnit = perUnit
        }

        /// One prefilling sequence's attention (the simulator's rule, in seconds).
        public func prefill(chunk: Double, cached: Double) -> Double {
            max(perKey * (cached + chunk), perUnit * chunk * (cached + chunk / 2))
        }
    }

    /// `communication[T]`: the all-reduces of an iteration of `T` tokens, for every sample's `T`
    /// (empty: none, TP 1).
    public static func fit(_ samples: [CalibratedProfile.Sample], attention: Attention,
                           communication: [Int: Double]) throws(CalibrationError) -> CalibratedProfile.TableFit {
        let points = try KneeModelFit.points(samples)
        let knots = Array(Set(points.map { Int($0.tokens) })).sorted()
        guard knots.count >= 2 else { throw CalibrationError("the table fit needs at least 2 distinct token counts (found \(knots.count))") }
        let index = Dictionary(uniqueKeysWithValues: knots.enumerated().map { ($1, $0) })
        func known(_ point: KneeModelFit.Point) throws(CalibrationError) -> Double {
            let tokens = Int(point.tokens)
            guard communication.isEmpty || communication[tokens] != nil else {
                throw CalibrationError("no all-reduce time for an iteration of \(tokens) tokens")
            }
            let chunk = point.tokens - point.decodes
            return (chunk > 0 ? attention.prefill(chunk: chunk, cached: point.cached) : 0) + (communication[tokens] ?? 0)
        }
        let knowns = try points.map { (point: KneeModelFit.Point) throws(CalibrationError) in try known(point) }

        // Columns: one per knot, then per decoding sequence (-2) and per context token (-1), each
        // only where the samples separate it from the knots: the decode term needs a token count
        // with both a decode step and a prefill, the context term one with decode steps at two
        // contexts (else a fold that holds out those points would be rank-deficient).
        let byTokens = Dictionary(grouping: points) { Int($0.tokens) }
        var extras: [Int] = []
        if byTokens.values.contains(where: { group in group.contains { $0.decodes > 0 } && group.contains { $0.decodes == 0 } }) {
            extras.append(-2)
        }
        if byTokens.values.contains(where: { group in Set(group.filter { $0.decodes > 0 }.map(\.context)).count >= 2 }) {
            extras.append(-1)
        }
        var solution: [Double] = []
        while true {
            let columns = knots.indices.map { $0 } + extras
            let design = points.map { point in
                columns.map { column -> Double in
                    switch column {
                    case -2: return point.decodes / point.seconds
                    case -1: return point.context / point.seconds
                    default: return index[Int(point.tokens)] == column ? 1 / point.seconds : 0
                    }
                }
            }
            let targets = zip(points, knowns).map { ($0.seconds - $1) / $0.seconds }
            let names = knots.map { "the cost at \($0) tokens" } + extras.map { $0 == -2 ? "per decoding sequence" : "per context token" }
            let solved: LeastSquares.Fit
            do {
                solved = try LeastSquares.solve(design: design, targets: targets, names: names)
            } catch {
                // An extra term the samples cannot separate from the knots is left out.
                guard !extras.isEmpty else { throw error }
                extras.removeFirst()
                continue
            }
            let negative = zip(columns, solved.coefficients).filter { $0.0 < 0 && $0.1 < 0 }.min { $0.1 < $1.1 }
            if let (column, _) = negative {
                extras.removeAll { $0 == column }
                continue
            }
            solution = solved.coefficients
            break
        }
        let linear = knots.indices.map { max(0, solution[$0]) }
        var perDecode = 0.0, perContext = 0.0
        for (column, value) in zip(extras, solution.dropFirst(knots.count)) {
            if column == -2 { perDecode = value } else { perContext = value }
        }
        let predicted = zip(points, knowns).map { point, known in
            linear[index[Int(point.tokens)]!] + perDecode * point.decodes + perContext * point.context + known
        }
        let mean = points.reduce(0) { $0 + $1.seconds } / Double(points.count)
        let total = points.reduce(0) { $0 + ($1.seconds - mean) * ($1.seconds - mean) }
        let residual = zip(predicted, points).reduce(0) { $0 + ($1.0 - $1.1.seconds) * ($1.0 - $1.1.seconds) }
        let relative = zip(predicted, points).map { abs($0 - $1.seconds) / $1.seconds }.sorted()
        return CalibratedProfile.TableFit(
            tokens: knots, linear: linear, communication: knots.map { communication[$0] ?? 0 }, perDecodeSequence: perDecode,
            perContextToken: perContext, perAttentionKey: attention.perKey, perAttentionUnit: attention.perUnit,
            rSquared: total > 0 ? 1 - residual / total : 1, maxRelativeError: relative.last ?? 0,
            medianRelativeError: relative[relative.count / 2])
    }

    /// Refits a table profile on `samples` (a subset of its own): the same attention terms, and
    /// the all-reduces read off its table at the samples' token counts.
    public static func refit(_ table: CalibratedProfile.TableFit,
                             on samples: [CalibratedProfile.Sample]) throws(CalibrationError) -> CalibratedProfile.TableFit {
        let communication = Dictionary(zip(table.tokens, table.communication), uniquingKeysWith: { first, _ in first })
        return try fit(samples, attention: Attention(perKey: table.perAttentionKey, perUnit: table.perAttentionUnit),
                       communication: table.communication.allSatisfy { $0 == 0 } ? [:] : communication)
    }
}
