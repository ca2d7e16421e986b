import HeadroomEngine
import Testing

@testable import Headroom

/// AIBrix's KPA and APA algorithms, its TimeWindow and its stabilisation, case by case as
/// vllm-project/aibrix's own unit tests drive them (`algorithm/kpa_test.go`, `algorithm/apa_test.go`,
/// `types/metrics_test.go`), at main `e3e10f9e`.
@Suite("AIBrix algorithms")
struct AIBrixAlgorithmTests {
    static func spec(up: Double = 2, down: Double = 2, tolerance: Double = 0, threshold: Double = 2, max: Int = 10) -> AIBrixSpec
    {
        var spec = AIBrixSpec(strategy: .kpa, minReplicas: 0, maxReplicas: max, metrics: [])
        spec.maxScaleUpRate = up
        spec.maxScaleDownRate = down
        spec.upTolerance = tolerance
        spec.downTolerance = tolerance
        spec.panicThreshold = threshold
        return spec
    }

    @Test("TestKPAAlgorithm_ComputeTargetReplicas: stable, panic, scale to zero, rate limits (mock tolerances 0)")
    func kpaCases() {
        func kpa(_ n: Int, _ s: Double, _ p: Double, _ spec: AIBrixSpec = Self.spec()) -> Int {
            AIBrixAlgorithm.kpa(stable: s, panic: p, target: 10, current: n, spec: spec).replicas
        }
        #expect(kpa(2, 20, 20) == 2)  // stable_mode_basic_scaling
        // panic_mode_scaling_up: upstream presets InPanicMode; here panic follows from P/S > threshold.
        #expect(kpa(2, 30, 40, Self.spec(threshold: 1.2)) == 4)
        #expect(AIBrixAlgorithm.kpa(stable: 30, panic: 40, target: 10, current: 2, spec: Self.spec(threshold: 1.2)).panicking)
        #expect(kpa(2, 30, 40) == 3)  // 40/30 ≤ 2: stable mode reads the stable window
        // panic_mode_no_scale_down: the test's mock stores maxPanicPods = 5; the base context at HEAD
        // returns 0 from GetMaxPanicPods, so the rule never fires and panic mode scales down.
        #expect(kpa(5, 20, 20, Self.spec(threshold: 0.5)) == 2)
        #expect(kpa(1, 0, 0) == 0)  // scale_to_zero (stable ≤ 0 is panic; both windows want 0)
        #expect(kpa(2, 100, 100, Self.spec(up: 1.5, max: 20)) == 3)  // max_scale_up_rate_limit: ceil(1.5 × 2)
        #expect(kpa(4, 5, 5) == 2)  // max_scale_down_rate_limit: floor(4 / 2)
        // Tolerance (default 0.1): 10.5 against 10 stays at the current count; 11.5 does not.
        #expect(kpa(3, 10.5, 10.5, Self.spec(tolerance: 0.1)) == 3)
        #expect(kpa(3, 11.5, 11.5, Self.spec(tolerance: 0.1)) == 2)
    }

    @Test("TestAPAAlgorithm_ComputeTargetReplicas: every case of the upstream table")
    func apaCases() {
        func apa(_ n: Int, _ use: Double, up: Double = 2, down: Double = 2) -> Int {
            AIBrixAlgorithm.apa(
                perPod: use, target: 30, current: n, spec: Self.spec(up: up, down: down, tolerance: 0.1, max: 100))
        }
        #expect(apa(2, 45) == 3)  // basic_scale_up
        #expect(apa(2, 35) == 3)  // scale_up_upto_ceiling
        #expect(apa(2, 90) == 4)  // scale_up_upto_max_scale_up
        #expect(apa(2, 90, up: 2.5) == 5)  // scale_up_upto_max_scale_up_ceiling
        #expect(apa(6, 20) == 4)  // basic_scale_down
        #expect(apa(6, 18) == 4)  // scale_down_upto_ceiling
        #expect(apa(6, 10) == 3)  // scale_down_upto_max_scale_down
        #expect(apa(6, 5, down: 2.5) == 2)  // scale_down_upto_max_scale_down_floor
        #expect(apa(2, 33) == 2)  // no_scaling_as_within_up_tolerance
        #expect(apa(2, 27) == 2)  // no_scaling_as_within_down_tolerance
        // APA cannot leave 0: its scale-up cap is ceil(rate × 0) = 0.
        #expect(apa(0, 300) == 0)
    }

    @Test("TestTimeWindow: one value per bucket, buckets beyond the duration dropped on record")
    func timeWindow() {
        var window = AIBrixTimeWindow(duration: .minutes(2), resync: .seconds(30), granularity: .minutes(1))
        let steps: [(Double, Double, [Double])] = [
            (0, 10, [10]), (30, 20, [20]), (60, 30, [20, 30]), (90, 40, [20, 40]), (120, 50, [20, 40, 50]),
            (150, 60, [20, 40, 60]), (180, 70, [40, 60, 70]), (210, 80, [40, 60, 80]),
        ]
        for (t, value, expected) in steps {
            window.record(value, at: .seconds(t))
            #expect(window.recorded == expected, "at \(t) s")
        }
        #expect(window.average == 60)
        // The controller's 180 s window at a 10 s resync holds 19 samples (both ends inclusive).
        var stable = AIBrixTimeWindow(duration: .seconds(180), resync: .seconds(10))
        for tick in 0...30 { stable.record(Double(tick), at: .seconds(Double(tick * 10))) }
        #expect(stable.count == 19)
        #expect(stable.average == Double((12...30).reduce(0, +)) / 19)
    }

    @Test("stabilizeRecommendation: the maximum over the scale-up cooldown, the minimum over the scale-down cooldown")
    func stabilisation() {
        var s = AIBrixStabilizer(upWindow: .zero, downWindow: .seconds(300), resync: .seconds(10))
        #expect(s.stabilize(3, current: 4, at: .seconds(0)) == 3)
        #expect(s.stabilize(2, current: 4, at: .seconds(10)) == 2)
        // 3 now, but 2 was recommended 10 s ago: AIBrix keeps the minimum (the HPA would keep 3).
        #expect(s.stabilize(3, current: 4, at: .seconds(20)) == 2)
        #expect(s.stabilize(4, current: 4, at: .seconds(30)) == 4)  // equal: the current count
        #expect(s.stabilize(6, current: 4, at: .seconds(40)) == 6)  // no scale-up cooldown: just the recommendation
        // 2 at 10 s leaves the window after 310 s (strictly newer than now − 300 s counts).
        #expect(s.stabilize(3, current: 4, at: .seconds(309)) == 2)
        #expect(s.stabilize(3, current: 4, at: .seconds(311)) == 3)
        var up = AIBrixStabilizer(upWindow: .seconds(60), downWindow: .seconds(300), resync: .seconds(10))
        #expect(up.stabilize(8, current: 4, at: .seconds(0)) == 8)
        #expect(up.stabilize(5, current: 4, at: .seconds(10)) == 8)
    }
}
