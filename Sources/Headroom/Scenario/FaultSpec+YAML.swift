import HeadroomEngine

/// `faults:` in a scenario: a list of `{kind: …}` entries, each refused with its place when wrong.
extension FaultSpec {
    static let kinds = ["metric_outage"] + ReplicaFailure.Kind.allCases.map(\.rawValue)

    init(_ value: YAMLValue) throws(ScenarioError) {
        self.init()
        for item in try value.sequence() {
            guard case let .mapping(mapping) = item.node, let kindNode = mapping["kind"] else {
                _ = try item.mapping(allowing: ["kind"])
                throw item.error("missing required key `kind`; allowed: \(Self.kinds.joined(separator: ", "))")
            }
            let kindValue = YAMLValue(node: kindNode, path: item.path + ".kind", file: item.file)
            let kind = try kindValue.scalar("a fault kind")
            if kind == "metric_outage" {
                let map = try item.mapping(allowing: ["kind", "from", "to", "signal", "target"])
                let fromValue = try map.required("from"), toValue = try map.required("to")
                let from = try fromValue.duration(), to = try toValue.duration()
                guard to > from else { throw toValue.error("`to` (\(to)) must be after `from` (\(from))") }
                let signal = try map["signal"]?.signal()
                if let target = map["target"], signal != nil {
                    throw target.error("`target` applies to the Prometheus (PromQL) path, which an outage naming a `signal` does not reach; leave out one of them")
                }
                let target = try map["target"]?.choice(MetricOutage.Target.self) ?? .query
                metricOutages.append(MetricOutage(from: from, to: to, signal: signal, target: target))
            } else if let failure = ReplicaFailure.Kind(rawValue: kind) {
                guard replicaFailures.count < 16 else { throw item.error("at most 16 replica failures") }
                let map = try item.mapping(allowing: ["kind", "phase", "rate", "at"])
                let rate = try map["rate"]?.ratePerHour() ?? 0
                let times = try map["at"].map { (v) throws(ScenarioError) in
                    try v.sequence().map { (t) throws(ScenarioError) in try t.duration() }
                } ?? []
                guard rate > 0 || !times.isEmpty else { throw item.error("a replica failure needs `rate` (e.g. `2/h`) or `at` (a list of times)") }
                replicaFailures.append(ReplicaFailure(
                    kind: failure, phase: try map["phase"]?.choice(ReplicaFailure.Phase.self) ?? .serving, ratePerHour: rate, at: times))
            } else {
                throw kindValue.error("unknown fault kind `\(kind)`; allowed: \(Self.kinds.joined(separator: ", "))")
            }
        }
    }
}

extension YAMLValue {
    /// A rate such as `2/h`, `0.5/min` or `1/s`, per hour.
    func ratePerHour() throws(ScenarioError) -> Double {
        let text = try scalar("a rate such as 2/h")
        let units: [(String, Double)] = [("/h", 1), ("/min", 60), ("/m", 60), ("/s", 3600)]
        for (suffix, scale) in units where text.hasSuffix(suffix) {
            if let number = Double(text.dropLast(suffix.count)), number.isFinite, number >= 0, number * scale <= 1e6 {
                return number * scale
            }
        }
        throw error("expected a rate such as `2/h`, `0.5/min` or `1/s` (at most 1e6/h); got `\(text)`")
    }
}
