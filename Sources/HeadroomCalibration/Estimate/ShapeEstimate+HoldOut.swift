import Foundation
import Headroom

extension ShapeEstimate {
    /// How well a shape estimate predicts a model whose tables were left out of the rates' fit.
    public struct HoldOut: Sendable {
        /// Grid points compared (`MeasuredCalibration.samples`).
        public var points: Int
        /// Median and largest |estimated − measured| / measured iteration time.
        public var median: Double
        public var worst: Double
        /// The same over the linear operators alone (attention and all-reduces are shared by both).
        public var linearMedian: Double
        public var linearWorst: Double
        /// The grid point of the worst iteration error, with its measured time.
        public var worstPoint: CalibratedProfile.Sample
    }

    /// Compares `measured` (a composition from the model's own tables) with the estimate from its
    /// shape at `rates` over the calibration grid: same attention model, same all-reduce table,
    /// same longest prefill, so the difference is the linear operators' estimate alone.
    public static func holdOut(measured: IterationComposition, rates: GPURates) throws -> HoldOut {
        let operators = EstimatedOperators(
            model: measured.model, tp: measured.operators.tp, rates: rates, file: measured.operators.file,
            maxTokens: Int(measured.operators.tokenRange.upperBound))
        let estimated = try IterationComposition(operators: operators, attention: measured.attention, network: measured.network)
        let truth = try MeasuredCalibration.samples(measured), guess = try MeasuredCalibration.samples(estimated)
        guard truth.count == guess.count, !truth.isEmpty else {
            throw CalibrationError("the measured and estimated grids differ (\(truth.count) and \(guess.count) points)")
        }
        var total: [Double] = [], linear: [Double] = []
        var worstPoint = truth[0], worst = -1.0
        for (a, b) in zip(truth, guess) {
            total.append(abs(b.seconds - a.seconds) / a.seconds)
            if total.last! > worst { (worst, worstPoint) = (total.last!, a) }
            let prefills = a.prefillTokens > 0 ? [(chunk: a.prefillTokens, context: a.contextTokens)] : []
            let decodes = a.prefillTokens > 0 ? 0 : a.batch, context = a.prefillTokens > 0 ? 0 : a.contextTokens
            let m = try measured.iteration(prefills: prefills, decodes: decodes, decodeContext: context).linear
            let e = try estimated.iteration(prefills: prefills, decodes: decodes, decodeContext: context).linear
            linear.append(abs(e - m) / m)
        }
        total.sort()
        linear.sort()
        return HoldOut(
            points: total.count, median: total[total.count / 2], worst: total.last!, linearMedian: linear[linear.count / 2],
            linearWorst: linear.last!, worstPoint: worstPoint)
    }
}
