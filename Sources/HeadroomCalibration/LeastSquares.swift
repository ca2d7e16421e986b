/// Ordinary least squares through LAPACK's `dgels` (QR factorization), from OpenBLAS.
public enum LeastSquares {
    public struct Fit: Sendable, Equatable {
        public var coefficients: [Double]
        /// 1 − SS_res / SS_tot.
        public var rSquared: Double
        /// max |predicted − measured| / measured.
        public var maxRelativeError: Double
        public var residuals: [Double]
    }

    /// Solves `design · x ≈ targets` (one row per sample). Every column must vary or be the
    /// intercept, and there must be more samples than columns.
    public static func solve(design: [[Double]], targets: [Double], names: [String]) throws(CalibrationError) -> Fit {
        let m = design.count, n = names.count
        guard m == targets.count, design.allSatisfy({ $0.count == n }) else {
            throw CalibrationError("the design matrix and the targets do not line up")
        }
        guard m > n else { throw CalibrationError("\(m) samples cannot fit \(n) coefficients; measure more configurations") }
        for column in 0..<n {
            let values = Set(design.map { $0[column] })
            if values.count < 2 && values != [1] {
                throw CalibrationError("every sample has the same \(names[column]) (\(values.first ?? 0)); "
                                       + "measure at least two values of it, or leave the term out")
            }
        }
        let blas = try OpenBLAS.shared()
        var a = [Double](repeating: 0, count: m * n)        // column-major
        for row in 0..<m { for column in 0..<n { a[column * m + row] = design[row][column] } }
        var b = targets
        var (mm, nn, nrhs, lda, ldb, info) = (Int32(m), Int32(n), Int32(1), Int32(m), Int32(m), Int32(0))
        var lwork = Int32(-1)
        var query = 0.0
        blas.dgels("N", &mm, &nn, &nrhs, &a, &lda, &b, &ldb, &query, &lwork, &info, 1)
        lwork = Int32(query)
        var work = [Double](repeating: 0, count: max(1, Int(lwork)))
        blas.dgels("N", &mm, &nn, &nrhs, &a, &lda, &b, &ldb, &work, &lwork, &info, 1)
        guard info == 0 else { throw CalibrationError("the least-squares solve failed (LAPACK dgels info \(info)): the samples are degenerate") }
        let coefficients = Array(b[0..<n])
        guard coefficients.allSatisfy(\.isFinite) else { throw CalibrationError("the fit is not finite; the samples are degenerate") }
        let predicted = design.map { row in zip(row, coefficients).reduce(0) { $0 + $1.0 * $1.1 } }
        let residuals = zip(predicted, targets).map { $0 - $1 }
        let mean = targets.reduce(0, +) / Double(m)
        let total = targets.reduce(0) { $0 + ($1 - mean) * ($1 - mean) }
        let residual = residuals.reduce(0) { $0 + $1 * $1 }
        let relative = zip(residuals, targets).map { abs($0) / max(abs($1), 1e-300) }.max() ?? 0
        return Fit(coefficients: coefficients, rSquared: total > 0 ? 1 - residual / total : 1, maxRelativeError: relative, residuals: residuals)
    }
}

/// A calibration that cannot proceed, with what to do about it.
public struct CalibrationError: Error, CustomStringConvertible, Equatable {
    public let description: String
    public init(_ description: String) { self.description = description }
}
