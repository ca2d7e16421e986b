import Foundation

/// Dynamo's `load_predictor` choices that Headroom models. Prophet (`prophet`) is not: its Stan
/// fit cannot be reproduced, and a stand-in would carry its name without its behaviour.
public enum DynamoPredictorKind: String, Sendable, CaseIterable {
    case constant, arima, kalman
}

/// One forecast series (request count, mean ISL or mean OSL) of Dynamo's planner
/// (ai-dynamo/dynamo@260b6ae `components/src/dynamo/planner/core/load/predictors.py`; the classic
/// planner's copy at 0ff5001 `utils/load_predictor.py` has the same rules).
///
/// Rules every kind shares (`BasePredictor.add_data_point`): a non-finite reading becomes 0; zeros
/// before the first non-zero reading are skipped (idle period after deploy).
public struct DynamoLoadPredictor: Sendable, Equatable {
    public let kind: DynamoPredictorKind
    /// `load_predictor_log1p`: fit in `log1p` space and forecast `expm1` (arima, kalman).
    public let log1p: Bool
    /// `kalman_min_points`.
    public let kalmanMinPoints: Int
    /// The readings kept (after the leading-zero skip), in raw units.
    public private(set) var history: [Double] = []
    private var seenNonZero = false
    private var kalman: DynamoKalmanTrend
    private var kalmanStarted = false
    private var kalmanCached: Double?
    private var arima = DynamoARIMAStandIn()

    public init(kind: DynamoPredictorKind, log1p: Bool = false, kalman: DynamoKalmanTrend = DynamoKalmanTrend(),
                kalmanMinPoints: Int = 5) {
        self.kind = kind
        self.log1p = log1p
        self.kalman = kalman
        self.kalmanMinPoints = kalmanMinPoints
    }

    /// The filter's state, for tests and diagnostics.
    public var kalmanState: DynamoKalmanTrend { kalman }

    /// Feeds one interval's reading.
    public mutating func add(_ reading: Double) {
        let value = reading.isFinite ? reading : 0
        if value == 0 && !seenNonZero { return }
        if value != 0 { seenNonZero = true }
        history.append(value)
        guard kind == .kalman else { return }
        let z = log1p ? Foundation.log1p(max(0, value)) : value
        if !kalmanStarted {
            kalman.initialise(z)
            kalmanStarted = true
        } else {
            // A forecast made since the last reading already advanced the filter one step.
            if kalmanCached == nil { kalman.predict() }
            kalman.update(z)
        }
        kalmanCached = nil
    }

    /// The last reading kept, 0 when none.
    public var last: Double { history.last ?? 0 }

    /// The forecast for the next interval.
    public mutating func predictNext() -> Double {
        switch kind {
        case .constant:
            return last
        case .arima:
            return arima.forecast(history, log1p: log1p)
        case .kalman:
            // The reference documents `kalman_min_points` (5) before the first forecast; upstream's
            // `KalmanPredictor.predict_next` at 260b6ae stores it without reading it. Headroom
            // follows the documented rule: the last reading until 5 are kept.
            guard kalmanStarted, history.count >= kalmanMinPoints else { return last }
            if kalmanCached == nil {
                kalman.predict()
                kalmanCached = kalman.level
            }
            let level = kalmanCached ?? 0
            return log1p ? max(0, expm1(level)) : level
        }
    }
}
