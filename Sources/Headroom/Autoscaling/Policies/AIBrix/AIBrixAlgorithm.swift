import HeadroomEngine

/// AIBrix's two metric algorithms as pure functions of the windowed values, so tests can drive
/// them decision by decision as `algorithm/kpa_test.go` and `apa_test.go` do.
enum AIBrixAlgorithm {
    /// `KPAAlgorithm.ComputeRecommendation` (`algorithm/kpa.go`): panic when the stable value is
    /// ≤ 0 or panic/stable exceeds the threshold; each window's `ceil(value / target)` (or the
    /// current count inside the tolerance band) clamped to `[floor(N / downRate), max(1, ceil(upRate × N))]`;
    /// in panic the larger of the two. The "no scale-down while in panic" rule needs a stored
    /// `maxPanicPods`, which the base context never keeps (`GetMaxPanicPods` returns 0), so it never
    /// fires. Then `applyConstraints` (min/max).
    static func kpa(stable: Double, panic: Double, target: Double, current: Int, spec: AIBrixSpec) -> (
        replicas: Int, panicking: Bool
    ) {
        let panicking = stable <= 0 || panic / stable > spec.panicThreshold
        let n = Double(max(0, current))
        let maxUp = max(1, (spec.maxScaleUpRate * n).rounded(.up))
        let maxDown = (n / spec.maxScaleDownRate).rounded(.down)
        let upThreshold = target * (1 + spec.upTolerance), downThreshold = target * (1 - spec.downTolerance)
        func wanted(_ value: Double) -> Int {
            let raw = value > upThreshold || value < downThreshold ? (value / target).rounded(.up) : Double(current)
            return Int(min(max(raw, maxDown), maxUp))
        }
        let stablePods = wanted(stable), panicPods = wanted(panic)
        let desired = panicking ? max(stablePods, panicPods) : stablePods
        return (constrain(desired, spec), panicking)
    }

    /// `APAAlgorithm.computeTargetReplicas` (`algorithm/apa.go`): with r = per-pod value / target,
    /// above 1 + up-tolerance `min(ceil(N × r), ceil(upRate × N))`, below 1 − down-tolerance
    /// `max(ceil(N × r), floor(N / downRate))`, otherwise N; then `applyConstraints`.
    static func apa(perPod: Double, target: Double, current: Int, spec: AIBrixSpec) -> Int {
        let n = Double(max(0, current))
        let ratio = perPod / target
        let desired: Int
        if ratio > 1 + spec.upTolerance {
            desired = Int(min((n * ratio).rounded(.up), (spec.maxScaleUpRate * n).rounded(.up)))
        } else if ratio < 1 - spec.downTolerance {
            desired = Int(max((n * ratio).rounded(.up), (n / spec.maxScaleDownRate).rounded(.down)))
        } else {
            desired = current
        }
        return constrain(desired, spec)
    }

    /// `applyConstraints` (`algorithm/algorithm.go`).
    static func constrain(_ replicas: Int, _ spec: AIBrixSpec) -> Int { min(max(replicas, spec.minReplicas), spec.maxReplicas) }
}

/// `stabilizeRecommendation` (`podautoscaler_controller.go`): every recommendation joins a
/// history; above the current count the maximum within the scale-up cooldown wins, below it the
/// **minimum** within the scale-down cooldown (the HPA takes the maximum there, so AIBrix's
/// "cooldown" makes scale-down more aggressive); equal returns the current count. A record counts
/// when strictly newer than `now - window`. A fixed ring: no allocation per decision.
struct AIBrixStabilizer: Sendable, Equatable {
    let upWindow: SimTime
    let downWindow: SimTime
    private var times: [SimTime]
    private var recommendations: [Int]
    private var head = 0
    private var count = 0

    init(upWindow: SimTime, downWindow: SimTime, resync: SimTime) {
        self.upWindow = upWindow
        self.downWindow = downWindow
        let longest = max(upWindow, downWindow).nanoseconds
        let capacity = Int(min(longest / max(1, resync.nanoseconds), 100_000)) + 2
        times = Array(repeating: .zero, count: capacity)
        recommendations = Array(repeating: 0, count: capacity)
    }

    mutating func stabilize(_ recommendation: Int, current: Int, at now: SimTime) -> Int {
        if count == times.count {  // denser than one record per resync: forget the oldest
            head = (head + 1) % times.count
            count -= 1
        }
        let slot = (head + count) % times.count
        times[slot] = now
        recommendations[slot] = recommendation
        count += 1
        // cleanOldRecommendations: keep what the longer window still covers.
        let keep = now - max(upWindow, downWindow)
        while count > 0 && times[head] <= keep {
            head = (head + 1) % times.count
            count -= 1
        }
        guard recommendation != current else { return current }
        let up = recommendation > current
        let cutoff = now - (up ? upWindow : downWindow)
        var stabilized: Int?
        for i in 0..<count {
            let index = (head + i) % times.count
            guard times[index] > cutoff else { continue }
            let value = recommendations[index]
            stabilized = stabilized.map { up ? max($0, value) : min($0, value) } ?? value
        }
        return stabilized ?? recommendation
    }
}
