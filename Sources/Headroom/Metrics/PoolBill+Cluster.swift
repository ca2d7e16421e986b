import HeadroomEngine

/// A run's bills from its nodes: the pools split apart, and the summary's lines put together.
extension PoolBill {
    /// Every pool's bill, in pool order, and each node's billed on-demand seconds, in node order.
    static func cluster(_ nodes: [NodeTable.Record], pools: [NodePoolSpec], horizon: SimTime) -> (pools: [PoolBill], nodeSeconds: [Double]) {
        var lives = [[NodeLife]](repeating: [], count: pools.count)
        var place: [(pool: Int, index: Int)] = []
        place.reserveCapacity(nodes.count)
        for node in nodes {
            let pool = Int(node.pool)
            place.append((pool, lives[pool].count))
            lives[pool].append(NodeLife(requested: node.requestedAt, end: min(node.terminatedAt, horizon)))
        }
        let bills = pools.indices.map { PoolBill(pool: pools[$0], nodes: lives[$0], horizon: horizon) }
        return (bills, place.map { bills[$0.pool].nodeOnDemandSeconds[$0.index] })
    }

    /// The summary's lines: on-demand always, reserved when the pool reserves nodes.
    func costs(pool: NodePoolSpec) -> [PoolCost] {
        let kinds: [(PricingKind, Line)] = [(.onDemand, onDemand)] + (pool.reservedNodes > 0 ? [(.reserved, reserved)] : [])
        return kinds.map { PoolCost(pool: pool.name, pricing: $0.0, dollars: $0.1.dollars, billedSeconds: $0.1.billedSeconds) }
    }
}
