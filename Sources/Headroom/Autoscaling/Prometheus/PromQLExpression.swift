import Foundation

/// A parsed PromQL expression of the supported subset (prometheus/prometheus `promql/parser/ast.go`).
public indirect enum PromQLExpression: Sendable, Equatable {
    case number(Double)
    case selector(PromQLSelector)
    /// `selector[range]`; the range in milliseconds.
    case range(PromQLSelector, milliseconds: Int64)
    case call(PromQLFunction, [PromQLExpression])
    case aggregate(PromQLAggregation, PromQLGrouping, PromQLExpression)
    case binary(PromQLBinaryOperator, PromQLExpression, PromQLExpression, returnsBool: Bool, matching: PromQLMatching?)
    case negate(PromQLExpression)

    /// What it evaluates to.
    public var kind: PromQLValueKind {
        switch self {
        case .number: return .scalar
        case .selector, .aggregate: return .vector
        case .range: return .matrix
        case let .call(function, _): return function.returns
        case let .negate(e): return e.kind
        case let .binary(_, l, r, _, _): return l.kind == .scalar && r.kind == .scalar ? .scalar : .vector
        }
    }

    /// Every metric name a selector in the expression names (`nil` for a selector without one).
    public var metricNames: [String?] {
        switch self {
        case .number: return []
        case let .selector(s), let .range(s, _): return [s.name]
        case let .call(_, args): return args.flatMap(\.metricNames)
        case let .aggregate(_, _, e), let .negate(e): return e.metricNames
        case let .binary(_, l, r, _, _): return l.metricNames + r.metricNames
        }
    }

    /// The longest range a selector reads, in milliseconds (0 for instant selectors only).
    public var longestRange: Int64 {
        switch self {
        case .number, .selector: return 0
        case let .range(_, ms): return ms
        case let .call(_, args): return args.map(\.longestRange).max() ?? 0
        case let .aggregate(_, _, e), let .negate(e): return e.longestRange
        case let .binary(_, l, r, _, _): return max(l.longestRange, r.longestRange)
        }
    }
}

/// `name{label="value", …}`.
public struct PromQLSelector: Sendable, Equatable {
    public var name: String?
    public var matchers: [PromQLMatcher]
}

public struct PromQLMatcher: Sendable, Equatable {
    public enum Kind: String, Sendable { case equal = "=", notEqual = "!=", regex = "=~", notRegex = "!~" }
    public var label: String
    public var kind: Kind
    public var value: String
    /// Compiled for =~ and !~ (anchored at both ends, as Prometheus does).
    public var pattern: AnchoredPattern?

    public func matches(_ labels: Labels) -> Bool {
        let actual = labels[label] ?? ""
        switch kind {
        case .equal: return actual == value
        case .notEqual: return actual != value
        case .regex: return pattern!.matches(actual)
        case .notRegex: return !pattern!.matches(actual)
        }
    }
}

public enum PromQLFunction: String, Sendable, CaseIterable {
    case rate, irate, increase
    case avgOverTime = "avg_over_time", maxOverTime = "max_over_time", minOverTime = "min_over_time"
    case sumOverTime = "sum_over_time", countOverTime = "count_over_time", lastOverTime = "last_over_time"
    case histogramQuantile = "histogram_quantile"
    case abs, ceil, floor
    case clampMin = "clamp_min", clampMax = "clamp_max"
    case scalar, vector, time

    /// Argument kinds, in order.
    var arguments: [PromQLValueKind] {
        switch self {
        case .rate, .irate, .increase, .avgOverTime, .maxOverTime, .minOverTime, .sumOverTime, .countOverTime, .lastOverTime:
            return [.matrix]
        case .histogramQuantile: return [.scalar, .vector]
        case .abs, .ceil, .floor, .scalar: return [.vector]
        case .clampMin, .clampMax: return [.vector, .scalar]
        case .vector: return [.scalar]
        case .time: return []
        }
    }

    var returns: PromQLValueKind { self == .scalar || self == .time ? .scalar : .vector }
}

public enum PromQLValueKind: String, Sendable { case scalar, vector, matrix = "range vector" }

public enum PromQLAggregation: String, Sendable, CaseIterable { case sum, avg, max, min, count }

public struct PromQLGrouping: Sendable, Equatable {
    /// `without` (true) or `by` (false); `by ()` with no labels when neither was written.
    public var without: Bool
    public var labels: [String]
    public static let all = PromQLGrouping(without: false, labels: [])
}

public enum PromQLBinaryOperator: String, Sendable, CaseIterable {
    case add = "+", subtract = "-", multiply = "*", divide = "/", modulo = "%", power = "^"
    case equal = "==", notEqual = "!=", greater = ">", less = "<", greaterOrEqual = ">=", lessOrEqual = "<="

    var isComparison: Bool { precedence == 2 }

    /// Prometheus' precedence, lowest first (or: 0, and/unless: 1 are refused).
    var precedence: Int {
        switch self {
        case .equal, .notEqual, .greater, .less, .greaterOrEqual, .lessOrEqual: return 2
        case .add, .subtract: return 3
        case .multiply, .divide, .modulo: return 4
        case .power: return 5
        }
    }

    func apply(_ a: Double, _ b: Double) -> Double {
        switch self {
        case .add: return a + b
        case .subtract: return a - b
        case .multiply: return a * b
        case .divide: return a / b
        case .modulo: return a.truncatingRemainder(dividingBy: b)
        case .power: return Foundation.pow(a, b)
        case .equal: return a == b ? 1 : 0
        case .notEqual: return a != b ? 1 : 0
        case .greater: return a > b ? 1 : 0
        case .less: return a < b ? 1 : 0
        case .greaterOrEqual: return a >= b ? 1 : 0
        case .lessOrEqual: return a <= b ? 1 : 0
        }
    }
}

/// `on (…)` or `ignoring (…)` for one-to-one matching between vectors.
public struct PromQLMatching: Sendable, Equatable {
    public var on: Bool
    public var labels: [String]
}
