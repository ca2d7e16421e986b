/// How capacity was bought. Spot is not modelled yet.
public enum PricingKind: String, Codable, Sendable, CaseIterable {
    /// Paid per node while it lives, rounded per the pool's `billing`.
    case onDemand = "on_demand"
    /// Committed capacity paid for the whole run (`reserved_nodes`).
    case reserved
}

/// One pool's cost of one pricing kind over a run.
public struct PoolCost: Codable, Sendable, Equatable {
    public var pool: String
    public var pricing: PricingKind
    public var dollars: Double
    /// Billed node-seconds (for `reserved`, reserved nodes × run length).
    public var billedSeconds: Double

    public init(pool: String, pricing: PricingKind, dollars: Double, billedSeconds: Double) {
        self.pool = pool
        self.pricing = pricing
        self.dollars = dollars
        self.billedSeconds = billedSeconds
    }
}
