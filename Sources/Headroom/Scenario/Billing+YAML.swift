import HeadroomEngine

extension BillingSpec {
    /// `billing: {granularity: per_second | per_minute | per_hour, minimum: 60s}`.
    init(_ value: YAMLValue) throws(ScenarioError) {
        let map = try value.mapping(allowing: ["granularity", "minimum"])
        self.init(
            granularity: try map["granularity"]?.choice(Granularity.self) ?? .perSecond,
            minimum: try map["minimum"]?.duration() ?? .zero)
    }
}

extension NodePoolSpec {
    /// `billing`, `reserved_nodes` and `reserved_price_per_hour` of one `node_pools` entry. A
    /// reservation needs its price, and a price needs `reserved_nodes` stated: neither defaults silently.
    mutating func readBilling(_ map: YAMLMapping) throws(ScenarioError) {
        billing = try map["billing"].map { (v) throws(ScenarioError) in try BillingSpec(v) } ?? BillingSpec()
        let nodesValue = map["reserved_nodes"], priceValue = map["reserved_price_per_hour"]
        reservedNodes = try nodesValue?.int(0...100_000) ?? 0
        if let nodesValue, reservedNodes > maxNodes {
            throw nodesValue.error(
                "reserves \(reservedNodes) nodes but max_nodes is \(maxNodes): the pool could never use the rest")
        }
        reservedPricePerHour = try priceValue?.number(0...1e6) ?? 0
        if reservedNodes > 0, priceValue == nil {
            throw map.owner.error(
                "missing required key `reserved_price_per_hour`: reserved_nodes is \(reservedNodes), "
                    + "and reserved nodes are paid at their own price")
        }
        // An explicit `reserved_nodes: 0` keeps its price: a sweep over reserved_nodes starts at 0.
        if let priceValue, nodesValue == nil {
            throw priceValue.error("has no effect without reserved_nodes: set reserved_nodes (0 or more) or remove it")
        }
    }
}
