import HeadroomEngine

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

extension PoolBill {
    /// The summary's lines: on-demand always, reserved when the pool reserves nodes.
    func costs(pool: NodePoolSpec) -> [PoolCost] {
        [PoolCost(pool: pool.name, pricing: .onDemand, dollars: onDemand.dollars, billedSeconds: onDemand.billedSeconds)]
            + (pool.reservedNodes > 0
                ? [PoolCost(pool: pool.name, pricing: .reserved, dollars: reserved.dollars, billedSeconds: reserved.billedSeconds)] : [])
    }
}

extension PoolBill {
    /// Every pool's bill, in pool order, and each node's billed on-demand seconds, in node order.
    static func cluster(_ nodes: [Node], pools: [NodePoolSpec], horizon: SimTime) -> (pools: [PoolBill], nodeSeconds: [Double]) {
        var lives = [[NodeLife]](repeating: [], count: pools.count)
        var place: [(pool: Int, index: Int)] = []
        place.reserveCapacity(nodes.count)
        for node in nodes {
            place.append((node.pool, lives[node.pool].count))
            lives[node.pool].append(NodeLife(requested: node.requestedAt, end: min(node.terminatedAt, horizon)))
        }
        let bills = pools.indices.map { PoolBill(pool: pools[$0], nodes: lives[$0], horizon: horizon) }
        return (bills, place.map { bills[$0.pool].nodeOnDemandSeconds[$0.index] })
    }
}
