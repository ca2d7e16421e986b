import Testing

@testable import Headroom

/// Dynamo's load predictors (ai-dynamo/dynamo@260b6ae `core/load/predictors.py`); cases mirror
/// `tests/planner/unit/test_load_predictors.py`@4774e35 where one exists.
struct DynamoPredictorTests {
    @Test("constant: 0 with no data, then the last reading (TestConstantPredictor.test_returns_last_added_value)")
    func constantLast() {
        var p = DynamoLoadPredictor(kind: .constant)
        #expect(p.predictNext() == 0)
        for v in [10.0, 20, 30] { p.add(v) }
        #expect(p.predictNext() == 30)
    }

    @Test("leading zeros are skipped, later zeros kept (test_skips_leading_zeros, test_does_not_skip_zeros_after_nonzero)")
    func leadingZeros() {
        var p = DynamoLoadPredictor(kind: .constant)
        p.add(0)
        p.add(0)
        #expect(p.history.isEmpty)
        p.add(5)
        p.add(0)
        #expect(p.history == [5, 0])
        #expect(p.predictNext() == 0)
    }

    @Test("a non-finite reading is 0 (test_nan_treated_as_zero; ±inf as in predictors.py@260b6ae)")
    func nonFinite() {
        var p = DynamoLoadPredictor(kind: .constant)
        p.add(10)
        p.add(.nan)
        #expect(p.predictNext() == 0)
        p.add(.infinity)
        #expect(p.history == [10, 0, 0])
        var q = DynamoLoadPredictor(kind: .constant)
        q.add(-.infinity)
        #expect(q.history.isEmpty)  // 0, and leading
    }

    /// Worked by hand: after 100 the state is [100, 0] with P = 1000·I. Predict: P = [[2001, 1000],
    /// [1000, 1000.1]]; update with 110: S = 2011, K = [2001/2011, 1000/2011], level = 100 +
    /// 10·2001/2011 = 109.95027…, trend = 10·1000/2011 = 4.97265…. The rest by the same steps
    /// (checked against numpy with filterpy's Joseph form).
    @Test("kalman: six points by hand, then one predict step")
    func kalmanSixPoints() {
        var p = DynamoLoadPredictor(kind: .kalman)
        p.add(100)
        p.add(110)
        #expect(abs(p.kalmanState.level - (100 + 10.0 * 2001 / 2011)) < 1e-12)
        #expect(abs(p.kalmanState.trend - 10.0 * 1000 / 2011) < 1e-12)
        #expect(abs(p.kalmanState.p00 - (2001 - 2001.0 * 2001 / 2011)) < 1e-9)
        for v in [125.0, 130, 150, 160] { p.add(v) }
        #expect(abs(p.kalmanState.level - 160.02015453310315) < 1e-9)
        #expect(abs(p.kalmanState.trend - 12.488678200501829) < 1e-9)
        #expect(abs(p.predictNext() - 172.50883273360498) < 1e-9)
    }

    @Test("kalman: the last reading until kalman_min_points (5) are kept")
    func kalmanMinPoints() {
        var p = DynamoLoadPredictor(kind: .kalman)
        for v in [10.0, 12, 14, 16] { p.add(v) }
        #expect(p.predictNext() == 16)
        p.add(18)
        #expect(p.predictNext() != 18)
    }

    @Test("kalman: a forecast is cached until the next reading (test_caches_prediction_between_observations)")
    func kalmanCache() {
        var p = DynamoLoadPredictor(kind: .kalman, kalmanMinPoints: 1)
        for v in [10.0, 12, 11] { p.add(v) }
        let first = p.predictNext()
        #expect(p.predictNext() == first)
        // The cached step counts as the predict before the next update (predict-then-update once).
        var q = DynamoLoadPredictor(kind: .kalman, kalmanMinPoints: 1)
        for v in [10.0, 12, 11] { q.add(v) }
        p.add(13)
        q.add(13)
        #expect(p.kalmanState == q.kalmanState)
    }

    @Test("kalman: the first reading sets the level alone (trend 0, P untouched)")
    func kalmanFirst() {
        var p = DynamoLoadPredictor(kind: .kalman, kalmanMinPoints: 1)
        p.add(0)
        p.add(42)
        #expect(p.kalmanState.level == 42 && p.kalmanState.trend == 0 && p.kalmanState.p00 == 1000)
        #expect(p.predictNext() == 42)
    }

    @Test("arima stand-in: fewer than 5 readings → the last; all identical → that value")
    func arimaRules() {
        var p = DynamoLoadPredictor(kind: .arima)
        for v in [3.0, 9, 4, 7] { p.add(v) }
        #expect(p.predictNext() == 7)
        var q = DynamoLoadPredictor(kind: .arima)
        for _ in 0..<8 { q.add(12.5) }
        #expect(q.predictNext() == 12.5)
    }

    @Test("arima stand-in: a straight line picks ARIMA(1,1,0) with φ = 1 and continues it")
    func arimaTrend() {
        var p = DynamoLoadPredictor(kind: .arima)
        for v in [10.0, 20, 30, 40, 50, 60] { p.add(v) }
        #expect(p.predictNext() == 70)
        var s = DynamoARIMAStandIn()
        _ = s.forecast([10, 20, 30, 40, 50, 60], log1p: false)
        #expect(s.order == .ar1 && !s.logSpace)
        // The order is chosen once and kept.
        _ = s.forecast([10, 20, 30, 40, 50, 60, 20, 90], log1p: false)
        #expect(s.order == .ar1)
    }

    @Test("arima stand-in: a falling forecast is clamped at 0 (φ = 390/400, 1 − 0.975·9 < 0)")
    func arimaClamp() {
        var s = DynamoARIMAStandIn()
        #expect(s.forecast([50, 40, 30, 20, 10, 1], log1p: false) == 0)
        #expect(s.order == .ar1)
    }

    @Test("arima stand-in: a raw (0,d,0) fit moves to log1p space for good, forecasting expm1")
    func arimaLogFallback() {
        var s = DynamoARIMAStandIn()
        let next = s.forecast([10, 12, 11, 15, 14, 13], log1p: false)
        #expect(s.order == .randomWalk && s.logSpace)
        #expect(abs(next - 13) < 1e-9)
    }
}
