import Testing

@testable import Headroom

/// The FPM regressions' sample store and fit rules (`_BaseRegressionModel`, `_MovingAverage` in
/// ai-dynamo/dynamo@439d645 `core/perf_model/base.py`).
struct DynamoRegressionTests {
    @Test("not ready below load_min_observations; idle heartbeats (wall 0) are dropped")
    func minObservations() {
        var r = DynamoRegression(dimensions: 1, minObservations: 5)
        for x in 1...4 { r.add(Double(x), wall: 0.01 * Double(x)) }
        r.add(9, wall: 0)
        #expect(!r.hasSufficientData && r.predict(1) == nil)
        r.add(5, wall: 0.05)
        #expect(r.hasSufficientData && abs((r.predict(10) ?? 0) - 0.1) < 1e-12)
    }

    @Test("a negative coefficient rejects the fit (prefill); decode clips its request coefficient to 0")
    func negativeCoefficients() {
        var prefill = DynamoRegression(dimensions: 1, minObservations: 2)
        prefill.add(100, wall: 0.02)
        prefill.add(200, wall: 0.01)
        #expect(prefill.hasSufficientData && prefill.coefficients == nil)
        // wall = 10 ms − 1 ms/request + 2 µs/KV token: the request term comes out negative.
        var decode = DynamoRegression(dimensions: 2, minObservations: 3, clippable: 0)
        for (r, kv) in [(1, 1000), (2, 1000), (1, 3000), (3, 5000)] {
            decode.add(Double(r), Double(kv), wall: 0.01 - 0.001 * Double(r) + 2e-6 * Double(kv))
        }
        let c = decode.coefficients
        #expect(c?.c0 == 0 && abs((c?.c1 ?? 0) - 2e-6) < 1e-12)
        // Upstream clips `coef_` and keeps the fitted `intercept_` (10 ms here).
        #expect(abs((c?.intercept ?? 0) - 0.01) < 1e-12)
        var agg = DynamoRegression(dimensions: 2, minObservations: 3)
        for (p, kv) in [(1, 1000), (2, 1000), (1, 3000), (3, 5000)] {
            agg.add(Double(p), Double(kv), wall: 0.01 - 0.001 * Double(p) + 2e-6 * Double(kv))
        }
        #expect(agg.coefficients == nil)
    }

    @Test("past max_num_fpm_samples the fullest bucket loses its oldest sample")
    func retirement() {
        var r = DynamoRegression(dimensions: 1, maxSamples: 4, minObservations: 1, bucketCount: 4)
        // Range 0…100 in 4 buckets: 10, 11, 12 share bucket 0; 100 sits in bucket 3.
        for x in [10.0, 100, 11, 12, 0] { r.add(x, wall: 1 + x) }
        // After 0 arrives the range is 0…100: bucket 0 holds 10, 11, 12, 0 → the oldest, 10, goes.
        #expect(r.samples.map(\.0) == [100, 11, 12, 0])
    }

    @Test("collinear inputs give the minimum-norm fit, as numpy's lstsq does")
    func collinear() {
        var r = DynamoRegression(dimensions: 2, minObservations: 3, clippable: 0)
        // kv = 1,000·requests: wall = 5 ms + 3 µs/kv token alone; the minimum-norm split of
        // 3 ms/request-equivalent over (1, 1000) puts c0 = 3e-3/(1 + 10⁶), c1 = 1000·c0.
        for b in 1...4 { r.add(Double(b), Double(b) * 1000, wall: 0.005 + 3e-6 * Double(b) * 1000) }
        let c = r.coefficients
        #expect(abs((c?.c0 ?? 0) - 3e-3 / 1_000_001) < 1e-15)
        #expect(abs((c?.c1 ?? 0) - 3e-3 * 1000 / 1_000_001) < 1e-15)
        #expect(abs((r.predict(2, 2000) ?? 0) - 0.011) < 1e-12)
    }

    @Test("moving average: the last `window` values, leading zeros skipped")
    func movingAverage() {
        var m = DynamoMovingAverage(window: 3)
        m.add(0)
        #expect(m.value == 0)
        for v in [3.0, 6, 9, 0] { m.add(v) }
        #expect(m.value == 5)  // (6 + 9 + 0) / 3
    }
}
