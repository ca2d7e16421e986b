import Foundation

/// A deterministic stand-in for Dynamo's `arima` predictor. **It approximates pmdarima's
/// `auto_arima`; it does not reproduce it** (auto_arima's stepwise search over (p,d,q) with KPSS
/// differencing tests and maximum-likelihood fits cannot be matched exactly in Swift).
///
/// What carries over from `ARIMAPredictor` (ai-dynamo/dynamo@260b6ae
/// `components/src/dynamo/planner/core/load/predictors.py`): fewer than 5 readings → the last;
/// all readings identical → that value; the order is chosen once, at the first fit, and kept
/// (upstream then only `update`s the model); if the chosen order is (0,d,0) in raw mode, refit on
/// `log1p(history)` and stay in log space; forecast `max(0, ·)` (`expm1` first in log space).
///
/// The stand-in's search: d = 1; candidates ARIMA(0,1,0), (1,1,0), (0,1,1) on the first
/// differences `dₜ`, compared by `AIC = m·ln(SSE/m) + 2k` over the same `m` residuals (t ≥ 2),
/// ties to the simpler. (1,1,0): `φ = Σ dₜdₜ₋₁ / Σ dₜ₋₁²` by least squares; (0,1,1): `θ` on the grid
/// −0.95, −0.90, …, 0.95 minimising the conditional sum of squares (`e₁ = d₁`). Coefficients are
/// re-estimated on the whole history every tick (upstream's `update` also refits them).
public struct DynamoARIMAStandIn: Sendable, Equatable {
    public enum Order: String, Sendable, Equatable { case randomWalk = "(0,1,0)", ar1 = "(1,1,0)", ma1 = "(0,1,1)" }
    /// The order chosen at the first fit; nil before it.
    public private(set) var order: Order?
    /// Whether the model lives in `log1p` space (requested, or the (0,d,0) fallback).
    public private(set) var logSpace = false

    public init() {}

    mutating func forecast(_ raw: [Double], log1p requested: Bool) -> Double {
        guard raw.count >= 5 else { return raw.last ?? 0 }
        if raw.allSatisfy({ $0 == raw[0] }) { return raw[0] }
        // Upstream keeps max(0, reading) in its raw buffer.
        let clean = raw.map { max(0, $0) }
        if order == nil {
            logSpace = requested
            var chosen = Self.choose(logSpace ? clean.map(Foundation.log1p) : clean)
            if chosen == .randomWalk && !requested {
                logSpace = true
                chosen = Self.choose(clean.map(Foundation.log1p))
            }
            order = chosen
        }
        let series = logSpace ? clean.map(Foundation.log1p) : clean
        let next = Self.fit(order ?? .randomWalk, series).forecast
        return logSpace ? max(0, expm1(next)) : max(0, next)
    }

    /// The candidate with the lowest AIC (ties: the first, simplest).
    static func choose(_ series: [Double]) -> Order {
        var best = Order.randomWalk, bestAIC = Double.infinity
        for order in [Order.randomWalk, .ar1, .ma1] {
            let aic = fit(order, series).aic
            if aic < bestAIC { best = order; bestAIC = aic }
        }
        return best
    }

    /// Least-squares fit of one order: its AIC and its one-step forecast.
    static func fit(_ order: Order, _ y: [Double]) -> (aic: Double, forecast: Double) {
        let d = zip(y.dropFirst(), y).map { $0 - $1 }
        let m = Double(d.count - 1)
        func aic(_ sse: Double, _ k: Double) -> Double {
            sse <= 1e-300 ? -Double.greatestFiniteMagnitude : m * Foundation.log(sse / m) + 2 * k
        }
        let lastY = y[y.count - 1]
        switch order {
        case .randomWalk:
            let sse = d.dropFirst().reduce(0) { $0 + $1 * $1 }
            return (aic(sse, 0), lastY)
        case .ar1:
            var num = 0.0, den = 0.0
            for t in 1..<d.count { num += d[t] * d[t - 1]; den += d[t - 1] * d[t - 1] }
            let phi = den > 0 ? num / den : 0
            var sse = 0.0
            for t in 1..<d.count { let e = d[t] - phi * d[t - 1]; sse += e * e }
            return (aic(sse, 1), lastY + phi * d[d.count - 1])
        case .ma1:
            var bestTheta = 0.0, bestSSE = Double.infinity, bestLast = 0.0
            for step in -19...19 {
                let theta = Double(step) * 0.05
                var e = d[0], sse = 0.0
                for t in 1..<d.count { e = d[t] - theta * e; sse += e * e }
                if sse < bestSSE { bestSSE = sse; bestTheta = theta; bestLast = e }
            }
            return (aic(bestSSE, 1), lastY + bestTheta * bestLast)
        }
    }
}
