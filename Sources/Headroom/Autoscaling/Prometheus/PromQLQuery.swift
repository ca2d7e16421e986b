import HeadroomEngine

/// A query as a user wrote it, parsed once.
public struct PromQLQuery: Sendable, Hashable {
    public let text: String
    public let expression: PromQLExpression

    public init(_ text: String) throws(PromQLError) {
        self.text = text
        expression = try PromQLParser.parse(text)
    }

    public static func == (a: PromQLQuery, b: PromQLQuery) -> Bool { a.text == b.text }
    public func hash(into hasher: inout Hasher) { hasher.combine(text) }

    /// The Prometheus a set of queries needs: only the series they name, and history back to their
    /// longest range plus the look-back.
    public static func scrapeConfig(for queries: [PromQLQuery], base: PrometheusScrapeConfig = PrometheusScrapeConfig())
        -> PrometheusScrapeConfig? {
        guard !queries.isEmpty else { return nil }
        var config = base
        let names = queries.flatMap(\.expression.metricNames)
        config.names = names.contains(nil) ? nil : Array(Set(names.compactMap { $0 })).sorted()
        let longest = queries.map(\.expression.longestRange).max() ?? 0
        config.retention = SimTime(nanoseconds: (longest + PromQLEvaluator.lookback) * 1_000_000)
            + max(base.scrapeInterval, base.routerScrapeInterval)
        return config
    }
}

/// What an evaluation of one query gave a policy.
public typealias PromQLOutcome = Result<PromQLValue, PromQLError>
