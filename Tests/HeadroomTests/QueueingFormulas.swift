import Foundation

/// Closed forms for the mean wait in queue (arrival to start of service) of a FCFS queue with
/// `c` identical servers and Poisson arrivals, which the simulator's fleets are checked against.
enum QueueingFormulas {
    /// Erlang C: the probability that an arrival waits in M/M/c with offered load `a` = λ/μ < c.
    static func erlangC(servers c: Int, load a: Double) -> Double {
        var term = 1.0, sum = 1.0
        for k in 1..<c {
            term *= a / Double(k)
            sum += term
        }
        let last = term * a / Double(c) * Double(c) / (Double(c) - a)
        return last / (sum + last)
    }

    /// M/M/c mean wait in queue: Wq = C(c, a) / (cμ − λ), with a = λ·`meanService` (seconds).
    static func mmcWait(servers c: Int, utilization rho: Double, meanService: Double) -> Double {
        let a = rho * Double(c)
        return erlangC(servers: c, load: a) * meanService / (Double(c) - a)
    }

    /// M/D/c mean wait in queue with service time `service`, exact: Crommelin's series (C. D.
    /// Crommelin, "Delay probability formulae when the holding times are constant", P.O. Elec.
    /// Engrs. J. 25, 1932; in this form G. J. Franx, "A simple solution for the M/D/c waiting time
    /// distribution", Oper. Res. Lett. 29(5), 2001, eq. for E[W]):
    ///
    ///     Wq = D · Σ_{k≥1} [ P(N_k ≥ kc) − P(N_k ≥ kc+1) / ρ ],   N_k ~ Poisson(k·c·ρ)
    ///
    /// Summed until the terms fall below 1e-15 of the total (their size decays like
    /// e^{−kc(ρ − 1 − ln ρ)}: about 5,600 terms for c = 4 at ρ = 0.95). Checked against M/D/1's
    /// ρD / (2(1−ρ)) in the tests; agrees with Cosmetatos' approximation within 0.6 % at the
    /// points tested.
    static func mdcWait(servers c: Int, utilization rho: Double, service d: Double) -> Double {
        precondition(rho > 0 && rho < 1, "M/D/c needs 0 < ρ < 1")
        var total = 0.0
        var k = 1
        while true {
            let n = k * c, mean = Double(k) * Double(c) * rho
            // P(N = n) in logs (n and the mean reach tens of thousands), then the upper tail by the
            // pmf's recursion until its terms no longer change the sum.
            let atN = exp(Double(n) * log(mean) - mean - lgamma(Double(n) + 1))
            var tail = 0.0, p = atN, j = n
            repeat {
                j += 1
                p *= mean / Double(j)
                tail += p
            } while p > 1e-18 * max(tail, 1e-300)
            let term = atN + tail * (1 - 1 / rho)
            total += term
            if k > 8 && abs(term) < 1e-15 * abs(total) { break }
            k += 1
        }
        return d * total
    }

    /// Cosmetatos' approximation of the M/D/c wait from M/M/c's (G. P. Cosmetatos, "Some
    /// approximate equilibrium results for the multi-server queue (M/G/r)", Oper. Res. Q. 27, 1976):
    /// a cross-check of `mdcWait`, a few tenths of a percent off at the loads tested.
    static func cosmetatosWait(servers c: Int, utilization rho: Double, service d: Double) -> Double {
        let n = Double(c)
        let correction = 1 + (1 - rho) * (n - 1) * ((4 + 5 * n).squareRoot() - 2) / (16 * rho * n)
        return 0.5 * correction * mmcWait(servers: c, utilization: rho, meanService: d)
    }

    /// Mean of the simulator's token count for an exponential draw of mean `m`: the draw rounded
    /// half up and at least 1 (`SyntheticWorkload.count`), so P(count ≥ j) = e^{−(j−½)/m} for
    /// j ≥ 2 and the mean is 1 + e^{−1.5/m} / (1 − e^{−1/m}).
    static func exponentialTokenMean(_ m: Double) -> Double {
        1 + exp(-1.5 / m) / (1 - exp(-1 / m))
    }
}
