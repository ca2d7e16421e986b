import Foundation

/// A mean wait estimated from independent replications, with its standard error from their
/// spread, and the check that a closed form agrees with it.
///
/// Control variates (Lavenberg & Welch, "A perspective on the use of control variables to increase
/// the efficiency of Monte Carlo simulations", Management Science 27(3), 1981): each replication
/// also reports the mean of inputs whose expectation is known — the interarrival time 1/λ and, for
/// random service, the service time E[S]. A replication that drew faster arrivals or longer
/// services than nominal waits longer, so regressing the replications' mean waits on those input
/// means (least squares with an intercept, the inputs centred on their known means) and reading
/// the intercept removes that part of the spread without bias: about half the variance at the
/// loads tested. The standard error is the intercept's, with R − q − 1 degrees of freedom.
struct WaitEstimate {
    /// One replication: its mean wait and the means of the controls over the same customers.
    struct Replication {
        var meanWait: Double
        /// Each control's sample mean minus its known expectation.
        var controls: [Double]
    }

    /// The estimated mean wait (seconds).
    let mean: Double
    let standardError: Double
    let degreesOfFreedom: Int

    init(_ replications: [Replication]) {
        let r = replications.count, q = replications.first?.controls.count ?? 0
        precondition(r > q + 2, "too few replications for \(q) controls")
        let n = Double(r)
        let yBar = replications.reduce(0) { $0 + $1.meanWait } / n
        let xBar = (0..<q).map { i in replications.reduce(0) { $0 + $1.controls[i] } / n }
        // Centred cross products: Sxx (q×q) and Sxy (q).
        var sxx = [[Double]](repeating: [Double](repeating: 0, count: q), count: q)
        var sxy = [Double](repeating: 0, count: q)
        for rep in replications {
            let dy = rep.meanWait - yBar
            for i in 0..<q {
                let di = rep.controls[i] - xBar[i]
                sxy[i] += di * dy
                for j in 0..<q { sxx[i][j] += di * (rep.controls[j] - xBar[j]) }
            }
        }
        let beta = Self.solve(sxx, sxy)
        mean = yBar - zip(beta, xBar).reduce(0) { $0 + $1.0 * $1.1 }
        let residuals = replications.reduce(0.0) { sum, rep in
            let fitted = yBar + (0..<q).reduce(0) { $0 + beta[$1] * (rep.controls[$1] - xBar[$1]) }
            return sum + (rep.meanWait - fitted) * (rep.meanWait - fitted)
        }
        degreesOfFreedom = r - q - 1
        let s2 = residuals / Double(degreesOfFreedom)
        // Var(intercept) = s² (1/R + x̄ᵀ Sxx⁻¹ x̄): the controls' own sample means are off their
        // known values by x̄, and the slope that corrects for it is itself estimated.
        let leverage = zip(xBar, Self.solve(sxx, xBar)).reduce(0) { $0 + $1.0 * $1.1 }
        standardError = (s2 * (1 / n + leverage)).squareRoot()
    }

    /// Two-sided Student-t critical value at level `alpha` for this estimate's degrees of freedom.
    func critical(alpha: Double) -> Double { Self.studentT(quantile: 1 - alpha / 2, degreesOfFreedom: degreesOfFreedom) }

    /// Whether `expected` is within `critical` standard errors of the estimate, widened by the
    /// closed form's own relative error `modelError`.
    func agrees(with expected: Double, critical: Double, modelError: Double) -> Bool {
        abs(mean - expected) <= critical * standardError + modelError * expected
    }

    /// The smallest relative bias b such that both expected·(1 + b) and expected·(1 − b) fail
    /// `agrees`: the check's resolution on these runs.
    func resolution(expected: Double, critical: Double, modelError: Double) -> Double {
        // mean − e(1−b) > k + m·e(1−b)  and  e(1+b) − mean > k + m·e(1+b), with k = critical·SE.
        let k = critical * standardError
        let low = (k + (1 + modelError) * expected - mean) / ((1 + modelError) * expected)
        let high = (k + mean - (1 - modelError) * expected) / ((1 - modelError) * expected)
        return max(low, high)
    }

    /// Solves the small symmetric system `a·x = b` (Gaussian elimination; q ≤ 2 here).
    static func solve(_ a: [[Double]], _ b: [Double]) -> [Double] {
        var m = a, v = b
        let q = v.count
        for col in 0..<q {
            for row in (col + 1)..<q {
                let f = m[row][col] / m[col][col]
                for k in col..<q { m[row][k] -= f * m[col][k] }
                v[row] -= f * v[col]
            }
        }
        var x = [Double](repeating: 0, count: q)
        for row in stride(from: q - 1, through: 0, by: -1) {
            let known = ((row + 1)..<q).reduce(0) { $0 + m[row][$1] * x[$1] }
            x[row] = (v[row] - known) / m[row][row]
        }
        return x
    }

    /// Student-t quantile by the Cornish–Fisher expansion around the normal quantile
    /// (Abramowitz & Stegun 26.7.5; within 0.1 % for 10 or more degrees of freedom).
    static func studentT(quantile p: Double, degreesOfFreedom v: Int) -> Double {
        let z = normalQuantile(p), n = Double(v)
        let z3 = z * z * z, z5 = z3 * z * z, z7 = z5 * z * z, z9 = z7 * z * z
        return z + (z3 + z) / (4 * n) + (5 * z5 + 16 * z3 + 3 * z) / (96 * n * n)
            + (3 * z7 + 19 * z5 + 17 * z3 - 15 * z) / (384 * n * n * n)
            + (79 * z9 + 776 * z7 + 1482 * z5 - 1920 * z3 - 945 * z) / (92160 * n * n * n * n)
    }

    /// Standard normal quantile (Acklam's rational approximation, relative error < 1.2e-9).
    static func normalQuantile(_ p: Double) -> Double {
        let a = [-3.969683028665376e+01, 2.209460984245205e+02, -2.759285104469687e+02, 1.383577518672690e+02,
                 -3.066479806614716e+01, 2.506628277459239e+00]
        let b = [-5.447609879822406e+01, 1.615858368580409e+02, -1.556989798598866e+02, 6.680131188771972e+01,
                 -1.328068155288572e+01]
        let c = [-7.784894002430293e-03, -3.223964580411365e-01, -2.400758277161838e+00, -2.549732539343734e+00,
                 4.374664141464968e+00, 2.938163982698783e+00]
        let d = [7.784695709041462e-03, 3.224671290700398e-01, 2.445134137142996e+00, 3.754408661907416e+00]
        func tail(_ q: Double) -> Double {
            (((((c[0] * q + c[1]) * q + c[2]) * q + c[3]) * q + c[4]) * q + c[5])
                / ((((d[0] * q + d[1]) * q + d[2]) * q + d[3]) * q + 1)
        }
        if p < 0.02425 { return tail((-2 * log(p)).squareRoot()) }
        if p > 1 - 0.02425 { return -tail((-2 * log(1 - p)).squareRoot()) }
        let q = p - 0.5, r = q * q
        return (((((a[0] * r + a[1]) * r + a[2]) * r + a[3]) * r + a[4]) * r + a[5]) * q
            / (((((b[0] * r + b[1]) * r + b[2]) * r + b[3]) * r + b[4]) * r + 1)
    }
}
