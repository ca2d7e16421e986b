import Foundation
import Headroom

/// A condition a configuration must meet, on a metric's mean over seeds: `slo.both >= 0.99`,
/// `dropped == 0`, `ttft.p99 <= 2s`.
public struct TuneConstraint: Sendable, Equatable, CustomStringConvertible {
    public enum Relation: String, Sendable, CaseIterable { case atLeast = ">=", atMost = "<=", equal = "==", above = ">", below = "<" }

    public var metric: String
    public var relation: Relation
    public var threshold: Double
    /// As written, for output.
    public var written: String

    public init(metric: String, relation: Relation, threshold: Double, written: String) {
        self.metric = metric
        self.relation = relation
        self.threshold = threshold
        self.written = written
    }

    public var description: String { written }

    public static let forms = """
        --constraint takes METRIC OP VALUE, OP one of >= <= == > <:
          'slo.both >= 0.99'  'slo_both >= 99%'  'dropped == 0'  'ttft.p99 <= 2s'
        VALUE: a number; a duration (2s, 500ms) for a metric in seconds; a
        percentage for an slo_ share
        """

    public static func parse(_ text: String) throws(TuneError) -> TuneConstraint {
        func fail(_ why: String) -> TuneError { TuneError("--constraint '\(text)': \(why)\n\(forms)") }
        // Two-character operators first, so `>=` is not read as `>`.
        let ordered: [Relation] = [.atLeast, .atMost, .equal, .above, .below]
        guard let relation = ordered.first(where: { text.contains($0.rawValue) }),
              let range = text.range(of: relation.rawValue) else { throw fail("no comparison (>= <= == > <)") }
        let name = text[..<range.lowerBound].trimmingCharacters(in: .whitespaces)
        let valueText = text[range.upperBound...].trimmingCharacters(in: .whitespaces)
        guard let metric = TuneMetric.resolve(name) else {
            throw fail("no metric named '\(name)'; metrics:\n\(TuneMetric.listing)")
        }
        var threshold: Double?
        if let number = Double(valueText), number.isFinite {
            threshold = number
        } else if TuneMetric.isSeconds(metric), let duration = Units.duration(valueText) {
            threshold = duration.seconds
        } else if TuneMetric.isShare(metric), valueText.hasSuffix("%"), let percent = Double(valueText.dropLast()) {
            threshold = percent / 100
        }
        guard let threshold else { throw fail("'\(valueText)' is not a value for \(metric)") }
        return TuneConstraint(metric: metric, relation: relation, threshold: threshold, written: "\(metric) \(relation.rawValue) \(valueText)")
    }

    /// Whether a value meets the condition.
    public func holds(_ value: Double) -> Bool {
        switch relation {
        case .atLeast: value >= threshold
        case .atMost: value <= threshold
        case .above: value > threshold
        case .below: value < threshold
        case .equal: abs(value - threshold) <= 1e-9 * max(1, abs(threshold))
        }
    }

    /// How sure the seeds make it that the condition holds for the configuration's mean: for an
    /// inequality, the normal approximation Φ(margin / standard error) with the standard error
    /// from the seeds (pooled across candidates when there are few); for `==`, the share of seeds
    /// on which it held. A zero standard error gives 0 or 1.
    public func probability(values: [Double], standardError: Double) -> Double {
        guard !values.isEmpty else { return 0.5 }
        if relation == .equal { return Double(values.filter(holds).count) / Double(values.count) }
        let mean = values.reduce(0, +) / Double(values.count)
        let margin = (relation == .atLeast || relation == .above) ? mean - threshold : threshold - mean
        guard standardError > 0 else { return holds(mean) ? 1 : 0 }
        return Self.normalCDF(margin / standardError)
    }

    /// Φ(x) through erfc, accurate to double precision.
    static func normalCDF(_ x: Double) -> Double { 0.5 * erfc(-x / 2.squareRoot()) }
}
