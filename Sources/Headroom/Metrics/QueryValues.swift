import HeadroomEngine

/// What one PromQL query returned at a decision, as the decision log keeps it: the elements'
/// values (a scalar result is one value), or why its evaluation failed. How the policy read them
/// (KEDA's one-element rule, an adapter's sum) is the decision's reason; this is the raw answer, so
/// a user can check a decision by hand.
public struct QueryValues: Codable, Sendable, Equatable {
    /// The query's text, as written in the scenario.
    public var query: String
    /// The result's values in the evaluator's order; empty for an empty vector or a failure.
    /// NaN and ±Inf, which PromQL can return, are written as the strings `NaN`, `+Inf`, `-Inf`.
    public var values: [Double]
    /// The evaluation's error (an outage, an evaluation failure); `nil` when it returned.
    public var error: String?

    public init(query: String, values: [Double], error: String? = nil) {
        self.query = query
        self.values = values
        self.error = error
    }

    /// The record of `outcome`: one allocation per query per decision, never per event.
    init(query: PromQLQuery, outcome: PromQLOutcome) {
        self.query = query.text
        switch outcome {
        case let .success(.scalar(v)): values = [v]
        case let .success(.vector(samples)): values = samples.map(\.value)
        case let .failure(failure):
            values = []
            error = failure.description
        }
    }

    enum CodingKeys: String, CodingKey { case query, values, error }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(query, forKey: .query)
        var list = container.nestedUnkeyedContainer(forKey: .values)
        for v in values {
            if v.isFinite { try list.encode(v) } else { try list.encode(v.isNaN ? "NaN" : v > 0 ? "+Inf" : "-Inf") }
        }
        try container.encodeIfPresent(error, forKey: .error)
    }

    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        query = try container.decode(String.self, forKey: .query)
        error = try container.decodeIfPresent(String.self, forKey: .error)
        var list = try container.nestedUnkeyedContainer(forKey: .values)
        values = []
        while !list.isAtEnd {
            if let v = try? list.decode(Double.self) {
                values.append(v)
            } else {
                let text = try list.decode(String.self)
                values.append(text == "+Inf" ? .infinity : text == "-Inf" ? -.infinity : .nan)
            }
        }
    }

    /// NaN equals NaN here: a record compares equal to itself (determinism checks compare runs).
    public static func == (a: QueryValues, b: QueryValues) -> Bool {
        a.query == b.query && a.error == b.error && a.values.count == b.values.count
            && zip(a.values, b.values).allSatisfy { $0 == $1 || ($0.isNaN && $1.isNaN) }
    }

    /// `query = 3, 1.250` or `query: error`, for the decision log a person reads.
    public var summary: String {
        if let error { return "\(query): \(error)" }
        let texts = values.map { v -> String in
            guard v.isFinite else { return v.isNaN ? "NaN" : v > 0 ? "+Inf" : "-Inf" }
            return v == v.rounded() && abs(v) < 1e15 ? String(Int64(v)) : fixed(v, 3)
        }
        return "\(query) = " + (texts.isEmpty ? "(empty)" : texts.joined(separator: ", "))
    }
}
