/// The local-linear-trend Kalman filter of Dynamo's `kalman` load predictor
/// (ai-dynamo/dynamo@260b6ae `components/src/dynamo/planner/core/load/predictors.py`,
/// `KalmanPredictor`, on filterpy's `KalmanFilter`).
///
/// State `[level, trend]`, `F = [[1,1],[0,1]]`, `H = [1,0]`, `Q = diag(q_level, q_trend)`, `R = r`,
/// `P0 = 1000·I`. The first reading sets the level (trend 0, P untouched); each later reading is a
/// predict then an update. The update uses filterpy's Joseph form
/// `P = (I−KH) P (I−KH)ᵀ + K R Kᵀ`, so the covariance matches upstream's to the last bits.
public struct DynamoKalmanTrend: Sendable, Equatable {
    /// `[level, trend]`.
    public private(set) var level = 0.0, trend = 0.0
    /// The covariance, row-major `[[p00, p01], [p10, p11]]`.
    public private(set) var p00 = 1000.0, p01 = 0.0, p10 = 0.0, p11 = 1000.0
    public let qLevel: Double, qTrend: Double, r: Double

    /// Upstream floors `q` at 1e-12 and `r` at 1e-9.
    public init(qLevel: Double = 1.0, qTrend: Double = 0.1, r: Double = 10.0) {
        self.qLevel = max(1e-12, qLevel)
        self.qTrend = max(1e-12, qTrend)
        self.r = max(1e-9, r)
    }

    /// The first reading: level = z, trend 0.
    mutating func initialise(_ z: Double) {
        level = z
        trend = 0
    }

    /// `x = F x`, `P = F P Fᵀ + Q`.
    mutating func predict() {
        level += trend
        let a00 = p00 + p10 + p01 + p11, a01 = p01 + p11
        let a10 = p10 + p11, a11 = p11
        p00 = a00 + qLevel
        p01 = a01
        p10 = a10
        p11 = a11 + qTrend
    }

    /// `K = P Hᵀ / (H P Hᵀ + R)`, `x += K (z − H x)`, Joseph-form covariance.
    mutating func update(_ z: Double) {
        let s = p00 + r
        let k0 = p00 / s, k1 = p10 / s
        let innovation = z - level
        level += k0 * innovation
        trend += k1 * innovation
        // A = I − K H = [[1−k0, 0], [−k1, 1]]; P' = A P Aᵀ + K r Kᵀ.
        let a00 = 1 - k0, a10 = -k1
        let m00 = a00 * p00, m01 = a00 * p01
        let m10 = a10 * p00 + p10, m11 = a10 * p01 + p11
        p00 = m00 * a00 + k0 * r * k0
        p01 = m00 * a10 + m01 + k0 * r * k1
        p10 = m10 * a00 + k1 * r * k0
        p11 = m10 * a10 + m11 + k1 * r * k1
    }
}
