import Yams
import HeadroomEngine

/// Reading PromQL queries and the simulated Prometheus from a scenario.
extension YAMLValue {
    /// Every series name a query may select: what the replicas and the router expose.
    static var knownSeriesNames: [String] {
        (EngineExposition.allNames + [PrometheusScrapeConfig.routerRequests, WVASpec.gaugeName]).sorted()
    }

    /// A PromQL query whose selectors name only series Headroom exposes.
    func promQLQuery() throws(ScenarioError) -> PromQLQuery {
        let text = try scalar("a PromQL query")
        let query: PromQLQuery
        do { query = try PromQLQuery(text) } catch { throw self.error("query `\(text)`: \(error.description)") }
        let known = Set(Self.knownSeriesNames)
        for case let name? in query.expression.metricNames where !known.contains(name) {
            let hint = Suggestion.closest(to: name, in: Self.knownSeriesNames).map { " (did you mean `\($0)`?)" } ?? ""
            throw self.error("query `\(text)`: unknown metric `\(name)`\(hint); replicas expose "
                + EngineMetric.allCases.map(\.rawValue).joined(separator: ", ") + " (histograms as _bucket, _sum, _count; "
                + "SGLang's names as aliases), the router \(PrometheusScrapeConfig.routerRequests); or name one signal: "
                + Signal.allCases.map(\.rawValue).joined(separator: ", "))
        }
        return query
    }

    /// `prometheus: {scrape_interval, router_scrape_interval, namespace}` on a policy.
    func prometheusConfig() throws(ScenarioError) -> PrometheusScrapeConfig {
        let map = try mapping(allowing: ["scrape_interval", "router_scrape_interval", "namespace"])
        var config = PrometheusScrapeConfig()
        if let v = map["scrape_interval"] { config.scrapeInterval = try v.duration(.seconds(1) ... .minutes(10)) }
        if let v = map["router_scrape_interval"] { config.routerScrapeInterval = try v.duration(.seconds(1) ... .minutes(10)) }
        if let v = map["namespace"] { config.namespace = try v.scalar("a namespace") }
        return config
    }

    /// A metric name in an HPA metric: a Headroom signal, or a series a prometheus-adapter would
    /// serve from the replicas' metrics (`selector.matchLabels` become matchers).
    func hpaMetricQuery(source: HPAMetric.Source, identifier: YAMLMapping) throws(ScenarioError) -> (Signal, QueryMetric?) {
        let nameValue = try identifier.required("name")
        let name = try nameValue.scalar("a metric name")
        if name == "DCGM_FI_DEV_GPU_UTIL" { return (.gpuUtilization, nil) }
        if let signal = Signal(rawValue: name) { return (signal, nil) }
        guard Self.knownSeriesNames.contains(name) else {
            let allowed = Signal.allCases.map(\.rawValue) + EngineMetric.allCases.filter { $0.kind != .histogram }.map(\.rawValue)
            let hint = Suggestion.closest(to: name, in: allowed + Self.knownSeriesNames).map { " (did you mean `\($0)`?)" } ?? ""
            throw nameValue.error("unknown metric `\(name)`\(hint); allowed: \(allowed.joined(separator: ", ")) or another series a replica exposes")
        }
        var matchers = ""
        if let selector = identifier["selector"] {
            let s = try selector.mapping(allowing: ["matchLabels"])
            if let labels = s["matchLabels"] {
                guard case let .mapping(mapping) = labels.node else { throw labels.error("expected a mapping of label names to values") }
                var pairs: [String] = []
                for (keyNode, valueNode) in mapping {
                    guard let key = keyNode.string else { throw labels.error("label names must be plain names") }
                    let value = try YAMLValue(node: valueNode, path: "\(labels.path).\(key)", file: labels.file).scalar("a label value")
                    pairs.append("\(key)=\"\(value)\"")
                }
                matchers = pairs.joined(separator: ", ")
            }
        }
        let series = "\(name){\(matchers)}"
        // prometheus-adapter's default metricsQuery: sum(<<.Series>>{<<.LabelMatchers>>}) by (<<.GroupBy>>).
        let text = source == .pods ? "sum by (pod) (\(series))" : "sum(\(series))"
        do {
            return (.concurrency, QueryMetric(try PromQLQuery(text), reading: source == .pods ? .perPod : .sum))
        } catch {
            throw nameValue.error("metric `\(name)`: \(error.description)")
        }
    }
}
