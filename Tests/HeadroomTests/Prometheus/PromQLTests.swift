import Testing
@testable import Headroom

/// Worked examples from prometheus/prometheus `promql/promqltest/testdata/*.test` at
/// d15adb9ad7e5d9fbde3a9a8f30200593a5a14d86, each naming its file.
@Suite("PromQL subset")
struct PromQLTests {
    static let minute: Int64 = 60_000

    func counters() throws -> PromQLFixture {
        // functions.test, "Tests for increase()".
        var f = PromQLFixture()
        try f.load(5 * Self.minute, [
            (#"http_requests_total{path="/foo"}"#, PromQLFixture.expand(0, 10, 10)),
            (#"http_requests_total{path="/bar"}"#, PromQLFixture.expand(0, 18, 5) + PromQLFixture.expand(0, 18, 5)),
            (#"http_requests_total{path="/dings"}"#, PromQLFixture.expand(10, 10, 10)),
            (#"http_requests_total{path="/bumms"}"#, PromQLFixture.expand(1, 10, 10)),
        ])
        return f
    }

    @Test("increase() extrapolates to the window's edges, never below zero (functions.test)")
    func increase() throws {
        let f = try counters()
        #expect(try f.eval("increase(http_requests_total[50m])", at: 50 * Self.minute)
            == [#"{path="/foo"}"#: 100, #"{path="/bar"}"#: 160, #"{path="/dings"}"#: 100, #"{path="/bumms"}"#: 100])
        let wide = try f.eval("increase(http_requests_total[100m])", at: 50 * Self.minute)
        #expect(wide[#"{path="/foo"}"#] == 100)
        #expect(abs(wide[#"{path="/bar"}"#]! - 162) < 1e-9)
        #expect(abs(wide[#"{path="/dings"}"#]! - 105) < 1e-9)
        #expect(abs(wide[#"{path="/bumms"}"#]! - 101) < 1e-9)
    }

    @Test("rate() is increase() over the range in seconds; irate() the last two samples")
    func rate() throws {
        let f = try counters()
        let rate = try f.eval(#"rate(http_requests_total{path="/foo"}[50m])"#, at: 50 * Self.minute)
        #expect(abs(rate[#"{path="/foo"}"#]! - 100.0 / 3000) < 1e-12)
        // irate: (100 − 90) / 300 s; the reset in /bar: the last value over the interval.
        let irate = try f.eval(#"irate(http_requests_total{path=~"/foo|/bar"}[20m])"#, at: 50 * Self.minute)
        #expect(abs(irate[#"{path="/foo"}"#]! - 10.0 / 300) < 1e-12)
        #expect(abs(irate[#"{path="/bar"}"#]! - 18.0 / 300) < 1e-12)
        #expect(try f.eval("rate(http_requests_total[5m])", at: 50 * Self.minute).isEmpty)  // one sample in (45m, 50m]
    }

    @Test("staleness: a marker hides a series at once, the look-back ends 5 minutes after the last sample (staleness.test)")
    func staleness() throws {
        var f = PromQLFixture()
        try f.load(10_000, [("metric", [0, 1, nil, 2])])
        #expect(try f.eval("metric", at: 10_000) == ["metric{}": 1])
        #expect(try f.eval("metric", at: 20_000).isEmpty)
        #expect(try f.eval("metric", at: 30_000) == ["metric{}": 2])
        #expect(try f.eval("metric", at: 329_000) == ["metric{}": 2])
        #expect(try f.eval("metric", at: 330_000).isEmpty)
        #expect(try f.eval("count_over_time(metric[1m])", at: 30_000) == ["{}": 3])
        #expect(try f.eval("count_over_time(metric[20s])", at: 20_000) == ["{}": 1])
        #expect(try f.eval("count_over_time(metric[10s])", at: 20_000).isEmpty)
        #expect(try f.eval("count_over_time(metric[20])", at: 20_000) == ["{}": 1])
    }

    func histograms() throws -> PromQLFixture {
        var f = PromQLFixture()
        // histograms.test: testhistogram, testhistogram2 and request_duration_seconds.
        try f.load(5 * Self.minute, [
            (#"testhistogram_bucket{le="0.1", start="positive"}"#, PromQLFixture.expand(0, 5, 10)),
            (#"testhistogram_bucket{le=".2", start="positive"}"#, PromQLFixture.expand(0, 7, 10)),
            (#"testhistogram_bucket{le="1e0", start="positive"}"#, PromQLFixture.expand(0, 11, 10)),
            (#"testhistogram_bucket{le="+Inf", start="positive"}"#, PromQLFixture.expand(0, 12, 10)),
            (#"testhistogram_bucket{le="-.2", start="negative"}"#, PromQLFixture.expand(0, 1, 10)),
            (#"testhistogram_bucket{le="-0.1", start="negative"}"#, PromQLFixture.expand(0, 2, 10)),
            (#"testhistogram_bucket{le="0.3", start="negative"}"#, PromQLFixture.expand(0, 2, 10)),
            (#"testhistogram_bucket{le="+Inf", start="negative"}"#, PromQLFixture.expand(0, 3, 10)),
            (#"testhistogram2_bucket{le="0"}"#, PromQLFixture.expand(0, 0, 10)),
            (#"testhistogram2_bucket{le="2"}"#, PromQLFixture.expand(0, 1, 10)),
            (#"testhistogram2_bucket{le="4"}"#, PromQLFixture.expand(0, 2, 10)),
            (#"testhistogram2_bucket{le="6"}"#, PromQLFixture.expand(0, 3, 10)),
            (#"testhistogram2_bucket{le="+Inf"}"#, PromQLFixture.expand(0, 3, 10)),
        ])
        for (job, instance, counts) in [("job1", "ins1", [1.0, 3, 4]), ("job1", "ins2", [2, 5, 6]), ("job2", "ins1", [3, 4, 6]),
                                        ("job2", "ins2", [4, 7, 9])] {
            for (le, step) in zip(["0.1", "0.2", "+Inf"], counts) {
                try f.load(5 * Self.minute, [("request_duration_seconds_bucket{job=\"\(job)\", instance=\"\(instance)\", le=\"\(le)\"}",
                                              PromQLFixture.expand(0, step, 10))])
            }
        }
        return f
    }

    @Test("histogram_quantile interpolates inside the bucket (histograms.test)")
    func histogramQuantile() throws {
        let f = try histograms()
        let half = try f.eval("histogram_quantile(0.5, rate(testhistogram_bucket[10m]))", at: 50 * Self.minute)
        #expect(abs(half[#"{start="positive"}"#]! - 0.15) < 1e-12)
        #expect(abs(half[#"{start="negative"}"#]! + 0.15) < 1e-12)
        #expect(try f.eval("histogram_quantile(0.5, testhistogram2_bucket)", at: 7 * Self.minute) == ["{}": 3])
        let p30 = try f.eval("histogram_quantile(0.3, sum(rate(request_duration_seconds_bucket[10m])) by (le))", at: 50 * Self.minute)
        #expect(abs(p30["{}"]! - 0.075) < 1e-12)
        let p50 = try f.eval("histogram_quantile(0.5, sum(rate(request_duration_seconds_bucket[10m])) by (le))", at: 50 * Self.minute)
        #expect(abs(p50["{}"]! - 0.1277777777777778) < 1e-12)
    }

    @Test("aggregations by/without, arithmetic and comparisons with scalars and between vectors")
    func operators() throws {
        let f = try histograms()
        let at = 50 * Self.minute
        // aggregators.test style: sums of the +Inf buckets at 50m are 40, 60, 60, 90.
        let inf = #"request_duration_seconds_bucket{le="+Inf"}"#
        #expect(try f.eval("sum by (job) (\(inf))", at: at) == [#"{job="job1"}"#: 100, #"{job="job2"}"#: 150])
        #expect(try f.eval("sum without (instance, le) (\(inf))", at: at) == [#"{job="job1"}"#: 100, #"{job="job2"}"#: 150])
        #expect(try f.eval("avg(\(inf))", at: at) == ["{}": 62.5])
        #expect(try f.eval("max(\(inf)) - min(\(inf))", at: at) == ["{}": 50])
        #expect(try f.eval("count(\(inf)) * 2 + 1", at: at) == ["{}": 9])
        #expect(try f.eval("sum(\(inf) > 50)", at: at) == ["{}": 210])
        #expect(try f.eval("sum(\(inf) > bool 50)", at: at) == ["{}": 3])
        #expect(try f.eval("2 ^ 3 ^ 2", at: at) == ["scalar": 512])
        #expect(try f.eval("-2 ^ 2", at: at) == ["scalar": -4])
        #expect(try f.eval("1 < bool 2", at: at) == ["scalar": 1])
        // One-to-one between vectors: the +Inf bucket over the 0.1 bucket, per job and instance.
        let ratio = try f.eval(#"sum by (job) (\#(inf)) / sum by (job) (request_duration_seconds_bucket{le="0.1"})"#, at: at)
        #expect(ratio == [#"{job="job1"}"#: 100.0 / 30, #"{job="job2"}"#: 150.0 / 70])
        let filtered = try f.eval(#"request_duration_seconds_bucket{le="+Inf"} > ignoring(le) request_duration_seconds_bucket{le="0.2"} * 1.3"#, at: at)
        // resultMetric: ignoring() drops the ignored labels, a filter keeps the name.
        #expect(filtered.keys.sorted() == [#"request_duration_seconds_bucket{instance="ins1", job="job1"}"#,
                                            #"request_duration_seconds_bucket{instance="ins1", job="job2"}"#])
        #expect(try f.eval(#"max_over_time(request_duration_seconds_bucket{job="job1", instance="ins1", le="0.1"}[12m])"#, at: at)
            == [#"{instance="ins1", job="job1", le="0.1"}"#: 10])
        #expect(try f.eval(#"avg_over_time(request_duration_seconds_bucket{job="job1", instance="ins1", le="0.1"}[12m])"#, at: at)
            == [#"{instance="ins1", job="job1", le="0.1"}"#: 9])  // 8, 9, 10 in (38m, 50m]
        let matched = try f.eval(#"sum(rate(request_duration_seconds_bucket{job!="job2", le=~"0\.1|0\.2", instance!~"ins2"}[10m]))"#, at: at)
        #expect(abs(matched["{}"]! - 4.0 / 300) < 1e-12)
    }

    @Test("unsupported constructs and bad queries are refused naming the construct and its column")
    func refusals() {
        let cases: [(String, String, Int)] = [
            ("topk(3, x)", "topk aggregation is not supported", 1),
            ("rate(x[5m:1m])", "subqueries are not supported", 10),
            ("x offset 5m", "offset modifier is not supported", 3),
            ("a and b", "and operator is not supported", 3),
            ("predict_linear(x[5m], 60)", "predict_linear() is not supported", 1),
            ("sum(rate(x[1m]) > 1", "expected \")\"", 20),
            ("rate(x)", "expects a range vector as argument 1, got a vector", 6),
            ("x[5m]", "a range vector cannot be a query's result", 1),
            ("1 > 2", "comparisons between scalars must use the bool modifier", 3),
            ("x{a=~\"(\"}", "invalid regular expression", 6),
            ("a * on(b) group_left c", "group_left (many-to-one matching) is not supported", 11),
            ("x{job=\"a\"", "expected \"}\"", 10),
            ("{a=\"\"}", "needs a metric name", 1),
            ("{a!~\"x\"}", "needs a metric name", 1),
        ]
        for (query, message, column) in cases {
            do {
                _ = try PromQLParser.parse(query)
                Issue.record("\(query) was accepted")
            } catch {
                #expect(error.message.contains(message) && error.column == column, "\(query): \(error)")
            }
        }
    }
}
