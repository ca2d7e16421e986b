import HeadroomEngine

/// How the simulated Prometheus scrapes: one job for the model server pods (each replica a target,
/// labelled `pod`, `namespace`, `model_name` as a ServiceMonitor with pod relabelling would) and
/// one for the router, each with its own `scrape_interval`.
public struct PrometheusScrapeConfig: Sendable, Equatable, Hashable {
    /// The pods' `scrape_interval`. Default 15 s (kube-prometheus' ServiceMonitors; Prometheus' own default is 1 m).
    public var scrapeInterval: SimTime
    /// The router's `scrape_interval`. Default 15 s.
    public var routerScrapeInterval: SimTime
    /// The `namespace` label. Default "default".
    public var namespace: String
    /// Series names to store; `nil` stores everything the targets expose. Queries only read the
    /// names they select, so a run keeps just those.
    public var names: [String]?
    /// How much history to keep behind the newest sample (the longest range a query reads plus the
    /// 5-minute look-back); `nil` keeps all.
    public var retention: SimTime?

    public init(scrapeInterval: SimTime = .seconds(15), routerScrapeInterval: SimTime = .seconds(15), namespace: String = "default",
                names: [String]? = nil, retention: SimTime? = nil) {
        self.scrapeInterval = scrapeInterval
        self.routerScrapeInterval = routerScrapeInterval
        self.namespace = namespace
        self.names = names
        self.retention = retention
    }

    /// The production-stack router's request counter (`vllm:num_incoming_requests_total`), the
    /// series the scale-to-zero keep-alive trigger reads.
    public static let routerRequests = "vllm:num_incoming_requests_total"
}
