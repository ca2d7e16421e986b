import Headroom

/// Fits the knee form (`HardwareProfile.Form.knee`) to samples: `overhead + max(weight_read,
/// tokens × per_token_compute) + per_token × tokens + per_decode_seq × decodes + per_context_token
/// × context + per_attention_unit × chunk × (cached + chunk / 2)`.
///
/// The form is linear in its coefficients once the knee is placed, so the fit is exact and global
/// without a search over reals: between two neighbouring measured token counts `t_i < t_{i+1}`
/// the samples at or below `t_i` see `weight_read` and those above see `per_token_compute ×
/// tokens`, a linear least-squares problem whose knee (`weight_read / per_token_compute`) is valid
/// when it falls in `[t_i, t_{i+1}]`; a knee at a measured count itself (or none: 0) is a fit with
/// the column `max(knee, tokens)`. The best valid candidate wins. Least squares on relative error
/// (the times span three decades); a negative coefficient is fixed at zero and the rest refitted.
public enum KneeModelFit {
    /// One sample in the form's terms.
    struct Point {
        /// `context`: the decoding sequences' cached tokens; `cached`: those before a prefill chunk.
        var tokens: Double, decodes: Double, context: Double, cached: Double, attentionUnits: Double, seconds: Double
    }

    /// Samples are pure decode (no prefill tokens: `batch` sequences holding `context_tokens`) or
    /// one prefill chunk alone (batch 1, `context_tokens` cached before it): the composed grid's.
    static func points(_ samples: [CalibratedProfile.Sample]) throws(CalibrationError) -> [Point] {
        var points: [Point] = []
        for (index, sample) in samples.enumerated() {
            guard sample.seconds > 0, sample.seconds.isFinite else { throw CalibrationError("sample \(index): the time must be positive") }
            if sample.prefillTokens == 0 {
                points.append(Point(tokens: Double(sample.batch), decodes: Double(sample.batch), context: Double(sample.contextTokens),
                                    cached: 0, attentionUnits: 0, seconds: sample.seconds))
            } else {
                guard sample.batch == 1 else {
                    throw CalibrationError("sample \(index): the knee fit reads pure decode steps or one prefill alone (batch 1), "
                                           + "not \(sample.batch) sequences with \(sample.prefillTokens) prefill tokens")
                }
                let chunk = Double(sample.prefillTokens), cached = Double(sample.contextTokens)
                // The cached prefix is priced in the chunk's attention, not per context token.
                points.append(Point(tokens: chunk, decodes: 0, context: 0, cached: cached, attentionUnits: chunk * (cached + chunk / 2),
                                    seconds: sample.seconds))
            }
        }
        return points
    }

    /// The coefficients in a fixed order, for the solver.
    struct Coefficients {
        var overhead = 0.0, weightRead = 0.0, perTokenCompute = 0.0, perToken = 0.0, perDecode = 0.0, perContext = 0.0, perAttention = 0.0
        func predict(_ point: Point) -> Double {
            overhead + max(weightRead, perTokenCompute * point.tokens) + perToken * point.tokens + perDecode * point.decodes
                + perContext * point.context + perAttention * point.attentionUnits
        }
    }

    public static func fit(_ samples: [CalibratedProfile.Sample]) throws(CalibrationError) -> CalibratedProfile.KneeFit {
        let points = try points(samples)
        let counts = Array(Set(points.map(\.tokens))).sorted()
        guard counts.count >= 3 else { throw CalibrationError("the knee fit needs at least 3 distinct token counts (found \(counts.count))") }
        var best: (coefficients: Coefficients, loss: Double)?
        func consider(_ candidate: Coefficients?) {
            guard let candidate else { return }
            let loss = points.reduce(0.0) { $0 + pow2((candidate.predict($1) - $1.seconds) / $1.seconds) }
            if loss.isFinite, best.map({ loss < $0.loss }) ?? true { best = (candidate, loss) }
        }
        // A knee between two measured counts, placed by the fit.
        // Each side needs two counts, else its line is one point and a column repeats the others.
        for split in 1..<(counts.count - 2) {
            let low = counts[split], high = counts[split + 1]
            guard let solved = solve(points, knee: .between(low)), solved.perTokenCompute > 0 else { continue }
            let knee = solved.weightRead / solved.perTokenCompute
            if knee >= low && knee <= high { consider(solved) }
        }
        // A knee at a measured count, or none.
        for knee in [0] + counts.dropLast() { consider(solve(points, knee: .at(knee))) }
        guard let best else { throw CalibrationError("no knee fits the samples; they are degenerate") }
        let c = best.coefficients
        let predicted = points.map { c.predict($0) }
        let mean = points.reduce(0) { $0 + $1.seconds } / Double(points.count)
        let total = points.reduce(0) { $0 + pow2($1.seconds - mean) }
        let residual = zip(predicted, points).reduce(0) { $0 + pow2($1.0 - $1.1.seconds) }
        let relative = zip(predicted, points).map { abs($0 - $1.seconds) / $1.seconds }.sorted()
        return CalibratedProfile.KneeFit(
            overhead: c.overhead, weightRead: c.weightRead, perTokenCompute: c.perTokenCompute, perToken: c.perToken,
            perDecodeSequence: c.perDecode, perContextToken: c.perContext, perAttentionUnit: c.perAttention,
            rSquared: total > 0 ? 1 - residual / total : 1, maxRelativeError: relative.last ?? 0,
            medianRelativeError: relative[relative.count / 2])
    }

    enum Knee {
        /// Samples at or below this count see the weight read; those above, the compute line.
        case between(Double)
        /// The column `max(knee, tokens)` priced at `per_token_compute`.
        case at(Double)
    }

    /// Least squares on relative error for one knee placement; terms that come out negative are
    /// fixed at zero one at a time (the most negative first). Nil when the placement is degenerate.
    static func solve(_ points: [Point], knee: Knee) -> Coefficients? {
        // Columns: 0 overhead, 1 weight read, 2 compute, 3 per token, 4 per decode, 5 context, 6 attention.
        func value(_ column: Int, _ point: Point) -> Double {
            switch (column, knee) {
            case (0, _): return 1
            case (1, .between(let low)): return point.tokens <= low ? 1 : 0
            case (1, .at): return 0
            case (2, .between(let low)): return point.tokens <= low ? 0 : point.tokens
            case (2, .at(let k)): return max(k, point.tokens)
            case (3, _): return point.tokens
            case (4, _): return point.decodes
            case (5, _): return point.context
            default: return point.attentionUnits
            }
        }
        var columns = (0..<7).filter { column in points.contains { value(column, $0) != 0 } }
        // With the knee below every sample the compute column is `tokens` itself.
        if case .at(let k) = knee, points.allSatisfy({ $0.tokens >= k }) { columns.removeAll { $0 == 3 } }
        while true {
            let design = points.map { point in columns.map { value($0, point) / point.seconds } }
            guard let solution = try? LeastSquares.solve(design: design, targets: points.map { _ in 1 }, names: columns.map { "term \($0)" })
            else { return nil }
            let negative = zip(columns, solution.coefficients).filter { $0.1 < 0 }.min { $0.1 < $1.1 }
            if let (column, _) = negative {
                // The knee's own terms cannot be dropped: that placement fails instead.
                if column == 1 || column == 2 { return nil }
                columns.removeAll { $0 == column }
                continue
            }
            var result = Coefficients()
            for (column, coefficient) in zip(columns, solution.coefficients) {
                switch column {
                case 0: result.overhead = coefficient
                case 1: result.weightRead = coefficient
                case 2: result.perTokenCompute = coefficient
                case 3: result.perToken = coefficient
                case 4: result.perDecode = coefficient
                case 5: result.perContext = coefficient
                default: result.perAttention = coefficient
                }
            }
            if case .at(let k) = knee { result.weightRead = result.perTokenCompute * k }
            return result
        }
    }

    private static func pow2(_ x: Double) -> Double { x * x }
}
