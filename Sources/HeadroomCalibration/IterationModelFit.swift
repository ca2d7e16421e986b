import Headroom

/// Fits `iteration = base + per_seq × batch + per_prefill_token × prefill + per_context_token ×
/// context` to measured samples by least squares (LAPACK `dgels`).
public enum IterationModelFit {
    /// A term whose column is zero in every sample (say, no prefill measured) is left out with a
    /// zero coefficient; a term that never varies otherwise (one batch size only) is an error,
    /// since its coefficient cannot be told from the base.
    public static func fit(_ samples: [CalibratedProfile.Sample]) throws(CalibrationError) -> CalibratedProfile.Fit {
        guard !samples.isEmpty else { throw CalibrationError("no samples to fit") }
        let terms: [(name: String, value: (CalibratedProfile.Sample) -> Double)] = [
            ("batch size", { Double($0.batch) }), ("prefill tokens", { Double($0.prefillTokens) }),
            ("context tokens", { Double($0.contextTokens) }),
        ]
        let used = terms.indices.filter { index in samples.contains { terms[index].value($0) != 0 } }
        let design = samples.map { sample in [1.0] + used.map { terms[$0].value(sample) } }
        let solution = try LeastSquares.solve(design: design, targets: samples.map(\.seconds), names: ["base"] + used.map { terms[$0].name })
        var coefficients = [0.0, 0.0, 0.0]
        for (position, index) in used.enumerated() { coefficients[index] = solution.coefficients[position + 1] }
        return CalibratedProfile.Fit(
            base: solution.coefficients[0], perSequence: coefficients[0], perPrefillToken: coefficients[1], perContextToken: coefficients[2],
            rSquared: solution.rSquared, maxRelativeError: solution.maxRelativeError)
    }
}
