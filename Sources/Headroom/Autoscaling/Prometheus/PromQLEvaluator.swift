/// One element of an instant vector.
public struct PromSample: Sendable, Equatable {
    public var labels: Labels
    public var value: Double
    public init(_ labels: Labels, _ value: Double) {
        self.labels = labels
        self.value = value
    }
}

/// A query's value at one instant.
public enum PromQLValue: Sendable, Equatable {
    case scalar(Double)
    case vector([PromSample])
}

/// Evaluates a parsed expression at one instant against a `SeriesStore`, as Prometheus' engine
/// evaluates an instant query (prometheus/prometheus `promql/engine.go`): instant selectors take
/// each series' newest sample within the 5-minute look-back unless it is a staleness marker;
/// range selectors take the samples in `(t − range, t]` (Prometheus 3: left-open).
public struct PromQLEvaluator {
    /// `--query.lookback-delta`, default 5 m.
    public static let lookback: Int64 = 300_000

    public let store: SeriesStore
    public var lookback: Int64 = PromQLEvaluator.lookback

    public init(store: SeriesStore) { self.store = store }

    /// Evaluates at `time` (milliseconds).
    public func evaluate(_ expression: PromQLExpression, at time: Int64) throws(PromQLError) -> PromQLValue {
        switch expression {
        case let .number(value): return .scalar(value)
        case let .selector(selector): return .vector(instant(selector, at: time))
        case .range: throw PromQLError("a range vector cannot be evaluated on its own", column: 0)
        case let .negate(inner):
            switch try evaluate(inner, at: time) {
            case let .scalar(v): return .scalar(-v)
            case let .vector(samples): return .vector(samples.map { PromSample($0.labels.withoutName, -$0.value) })
            }
        case let .call(function, arguments): return try call(function, arguments, at: time)
        case let .aggregate(op, grouping, inner):
            guard case let .vector(samples) = try evaluate(inner, at: time) else { return .vector([]) }
            return .vector(Self.aggregate(op, grouping, samples))
        case let .binary(op, left, right, returnsBool, matching):
            return try binary(op, try evaluate(left, at: time), try evaluate(right, at: time), returnsBool: returnsBool, matching: matching)
        }
    }

    func matching(_ selector: PromQLSelector) -> [Int] {
        store.candidates(named: selector.name).filter { id in selector.matchers.allSatisfy { $0.matches(store.labels(id)) } }
    }

    func instant(_ selector: PromQLSelector, at time: Int64) -> [PromSample] {
        matching(selector).compactMap { id in
            store.latest(id, at: time, lookback: lookback).map { PromSample(store.labels(id), $0.value) }
        }
    }

    /// Each matching series' samples in `(time − range, time]`; series without any are left out.
    func range(_ selector: PromQLSelector, _ range: Int64, at time: Int64) -> [(labels: Labels, samples: [(time: Int64, value: Double)])] {
        matching(selector).compactMap { id in
            let samples = store.samples(id, after: time - range, through: time)
            return samples.isEmpty ? nil : (store.labels(id), samples)
        }
    }

    static func aggregate(_ op: PromQLAggregation, _ grouping: PromQLGrouping, _ samples: [PromSample]) -> [PromSample] {
        var groups: [Labels: [Double]] = [:]
        var order: [Labels] = []
        let names = Set(grouping.labels)
        for sample in samples {
            let key = grouping.without ? sample.labels.dropping(names.union(["__name__"])) : sample.labels.keeping(names)
            if groups[key] == nil { order.append(key) }
            groups[key, default: []].append(sample.value)
        }
        return order.sorted { $0.description < $1.description }.map { key in
            let values = groups[key]!
            let value: Double = switch op {
            case .sum: values.reduce(0, +)
            case .avg: values.reduce(0, +) / Double(values.count)
            case .max: values.filter { !$0.isNaN }.max() ?? .nan
            case .min: values.filter { !$0.isNaN }.min() ?? .nan
            case .count: Double(values.count)
            }
            return PromSample(key, value)
        }
    }
}
