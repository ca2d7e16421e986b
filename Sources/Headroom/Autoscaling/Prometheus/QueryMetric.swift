/// A metric whose value comes from a PromQL query, and how its result becomes the number (or
/// per-pod numbers) an autoscaler reads.
public struct QueryMetric: Sendable, Equatable, Hashable {
    public enum Reading: Sendable, Equatable, Hashable {
        /// KEDA's Prometheus scaler (kedacore/keda `pkg/scalers/prometheus_scaler.go`
        /// `ExecutePromQuery`): one element; none is 0 when `ignoreNullValues` (default true) else
        /// an error, as is NaN or ±Inf; more than one element is an error, as is a scalar result.
        case kedaScaler(ignoreNullValues: Bool)
        /// prometheus-adapter's external and object metrics: the elements' sum; none is an error.
        case sum
        /// prometheus-adapter's pods metrics: one value per element labelled `pod`.
        case perPod
    }
    public var query: PromQLQuery
    public var reading: Reading

    public init(_ query: PromQLQuery, reading: Reading) {
        self.query = query
        self.reading = reading
    }

    /// The per-pod values (one for a total), or why there are none.
    public func values(_ outcome: PromQLOutcome?) -> Result<[Double], PromQLError> {
        guard let outcome else { return .failure(PromQLError("no evaluation yet", column: 0)) }
        let value: PromQLValue
        switch outcome {
        case let .failure(error): return .failure(error)
        case let .success(v): value = v
        }
        switch (reading, value) {
        case (.kedaScaler, .scalar):
            return .failure(PromQLError("the query returned a scalar; KEDA reads a vector (wrap it in vector())", column: 0))
        case let (.kedaScaler(ignoreNull), .vector(samples)):
            if samples.count > 1 { return .failure(PromQLError("prometheus query \(query.text) returned multiple elements", column: 0)) }
            guard let v = samples.first?.value else {
                return ignoreNull ? .success([0])
                    : .failure(PromQLError("prometheus metrics 'prometheus' target may be lost, the result is empty", column: 0))
            }
            if !v.isFinite {
                return ignoreNull ? .success([0]) : .failure(PromQLError("prometheus query returns \(v)", column: 0))
            }
            return .success([v])
        case let (.sum, .scalar(v)):
            return .success([v])
        case let (.sum, .vector(samples)):
            guard !samples.isEmpty else { return .failure(PromQLError("no metrics returned from the metrics API", column: 0)) }
            return .success([samples.reduce(0) { $0 + $1.value }])
        case (.perPod, .scalar):
            return .failure(PromQLError("a pods metric needs a vector labelled by pod", column: 0))
        case let (.perPod, .vector(samples)):
            let pods = samples.filter { $0.labels["pod"] != nil }
            guard !pods.isEmpty else { return .failure(PromQLError("no pod reported the metric", column: 0)) }
            return .success(pods.map(\.value))
        }
    }
}
