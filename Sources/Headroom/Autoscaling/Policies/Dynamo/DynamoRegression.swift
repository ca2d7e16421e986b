/// Dynamo's online wall-time regression (`_BaseRegressionModel`, ai-dynamo/dynamo@439d645
/// `components/src/dynamo/planner/core/perf_model/base.py`): ordinary least squares with an
/// intercept over a bucketed sample store.
///
/// Each input axis is cut into equal-width buckets between the smallest and largest value seen
/// (1-D: `bucket_count` buckets; 2-D: √`bucket_count` per axis). Past `max_num_fpm_samples`, the
/// fullest bucket loses its oldest sample (ties: the lowest bucket; upstream's tie order is its
/// dict's). A fit with a negative coefficient is rejected (the model is then not ready), except on
/// the `clippable` axis, which is clipped to 0 (decode's request count).
public struct DynamoRegression: Sendable, Equatable {
    public let dimensions: Int
    public let maxSamples: Int
    public let minObservations: Int
    public let bucketsPerAxis: Int
    public let clippable: Int?
    /// Samples `(x0, x1, wall seconds)` in arrival order (`x1` is 0 in 1-D).
    public private(set) var samples: [(Double, Double, Double)] = []
    private var low = (Double.infinity, Double.infinity), high = (-Double.infinity, -Double.infinity)
    /// `wall = intercept + c0·x0 + c1·x1`; nil when the fit is rejected or not yet possible.
    public private(set) var coefficients: (intercept: Double, c0: Double, c1: Double)?

    public init(dimensions: Int, maxSamples: Int = 64, minObservations: Int = 5, bucketCount: Int = 16, clippable: Int? = nil) {
        self.dimensions = dimensions
        self.maxSamples = maxSamples
        self.minObservations = minObservations
        bucketsPerAxis = dimensions == 1 ? bucketCount : Int(Double(bucketCount).squareRoot())
        self.clippable = clippable
    }

    public static func == (a: DynamoRegression, b: DynamoRegression) -> Bool {
        a.samples.elementsEqual(b.samples) { $0 == $1 } && a.dimensions == b.dimensions
    }

    /// `has_sufficient_data`: enough samples stored (the fit may still be rejected).
    public var hasSufficientData: Bool { samples.count >= minObservations }

    /// Adds one iteration; a zero wall time (idle heartbeat) is dropped.
    public mutating func add(_ x0: Double, _ x1: Double = 0, wall: Double) {
        guard wall != 0 else { return }
        low = (min(low.0, x0), min(low.1, x1))
        high = (max(high.0, x0), max(high.1, x1))
        samples.append((x0, x1, wall))
        if samples.count > maxSamples { retire() }
        fit()
    }

    /// Predicted wall time, seconds, floored at 1 µs (upstream's `max(1e-6, ·)`); nil if not fitted.
    public func predict(_ x0: Double, _ x1: Double = 0) -> Double? {
        guard let c = coefficients else { return nil }
        return max(1e-6, c.intercept + c.c0 * x0 + c.c1 * x1)
    }

    private func bucket(_ value: Double, _ lo: Double, _ hi: Double) -> Int {
        guard hi > lo else { return 0 }
        return max(0, min(Int((value - lo) / (hi - lo) * Double(bucketsPerAxis)), bucketsPerAxis - 1))
    }

    private func key(_ sample: (Double, Double, Double)) -> Int {
        let k0 = bucket(sample.0, low.0, high.0)
        return dimensions == 1 ? k0 : k0 * bucketsPerAxis + bucket(sample.1, low.1, high.1)
    }

    private mutating func retire() {
        var counts = [Int](repeating: 0, count: bucketsPerAxis * bucketsPerAxis)
        for sample in samples { counts[key(sample)] += 1 }
        let fullest = counts.indices.max { counts[$0] < counts[$1] || (counts[$0] == counts[$1] && $0 > $1) } ?? 0
        if let oldest = samples.firstIndex(where: { key($0) == fullest }) { samples.remove(at: oldest) }
    }

    private mutating func fit() {
        coefficients = nil
        guard samples.count >= minObservations else { return }
        let n = Double(samples.count)
        var m0 = 0.0, m1 = 0.0, my = 0.0
        for s in samples { m0 += s.0; m1 += s.1; my += s.2 }
        m0 /= n; m1 /= n; my /= n
        var s00 = 0.0, s01 = 0.0, s11 = 0.0, s0y = 0.0, s1y = 0.0
        for s in samples {
            let a = s.0 - m0, b = s.1 - m1, y = s.2 - my
            s00 += a * a; s01 += a * b; s11 += b * b; s0y += a * y; s1y += b * y
        }
        var c0 = 0.0, c1 = 0.0
        if dimensions == 1 {
            c0 = s00 > 0 ? s0y / s00 : 0
        } else {
            let det = s00 * s11 - s01 * s01, trace = s00 + s11
            if det > 1e-12 * trace * trace {
                c0 = (s11 * s0y - s01 * s1y) / det
                c1 = (s00 * s1y - s01 * s0y) / det
            } else if trace > 0 {
                // Collinear inputs: the minimum-norm solution S⁺b (sklearn centres, then numpy's lstsq).
                var v0 = s00, v1 = s01
                if v0 == 0 && v1 == 0 { (v0, v1) = (s01, s11) }
                let norm = v0 * v0 + v1 * v1
                if norm > 0 {
                    let t = (v0 * s0y + v1 * s1y) / (norm * trace)
                    (c0, c1) = (t * v0, t * v1)
                }
            }
        }
        // Clipping replaces the coefficient only; the fitted intercept stays (sklearn's `intercept_`).
        let intercept = my - c0 * m0 - c1 * m1
        for (axis, value) in [c0, c1].enumerated() where value < 0 {
            guard clippable == axis else { return }
            if axis == 0 { c0 = 0 } else { c1 = 0 }
        }
        coefficients = (intercept, c0, c1)
    }
}
