import HeadroomEngine

/// One node's stay in the run, for billing: from its request to its termination or the run's
/// end, whichever comes first.
public struct NodeLife: Sendable, Equatable {
    public var requested: SimTime
    /// `min(terminated, horizon)`.
    public var end: SimTime

    public init(requested: SimTime, end: SimTime) {
        self.requested = requested
        self.end = end
    }
}

/// What one node pool costs over a run, by pricing kind. Pure arithmetic on the pool's spec, its
/// nodes' lives and the run's length; the simulation never reads it back.
///
/// Rules:
/// - **Run end.** The run's end bills as if it released every node still alive: a node's billed
///   time is from its request to its termination or the end, rounded up to the pool's
///   granularity and raised to its minimum (`BillingSpec.billed`). Billing starts at the request,
///   so provisioning time is paid, as a booting instance is.
/// - **Reservation.** `reserved_nodes` N are paid at the reserved price for the whole run, used
///   or not: N × horizon node-seconds.
/// - **Which nodes it covers.** At each instant the reservation covers the N *longest-alive*
///   nodes (earliest request first; ties by node order). A node older than every node it waits
///   behind stays covered until it ends, so each node's life splits into an on-demand prefix —
///   from its request until enough older nodes ended to free a reserved slot — and a covered
///   rest. The prefixes add up to ∫ max(0, alive(t) − N) dt exactly (before rounding).
/// - **Rounding.** Each node's on-demand prefix is billed like a node of its own: rounded up to
///   the granularity, at least the minimum. Covered time costs nothing beyond the reservation.
///   With N = 0 every prefix is the whole life, which is the bill without a reservation.
///
/// Providers differ in detail: AWS applies one Reserved Instance to up to 3600 instance-seconds
/// per clock-hour, so instances running one after another inside an hour can share it (AWS
/// whitepaper "Amazon EC2 Reserved Instances and Other AWS Reservation Models", *Usage billing*).
/// Before rounding, the instantaneous rule here never bills less on-demand time than that hourly
/// pooling, and bills more by at most the reserved node-seconds left idle within clock-hours in
/// which on-demand nodes also ran.
public struct PoolBill: Sendable, Equatable {
    /// Dollars and billed node-seconds of one pricing kind.
    public struct Line: Sendable, Equatable {
        public var dollars = 0.0
        public var billedSeconds = 0.0
        public init(dollars: Double = 0, billedSeconds: Double = 0) {
            self.dollars = dollars
            self.billedSeconds = billedSeconds
        }
    }

    public var onDemand = Line()
    public var reserved = Line()
    /// Each node's billed on-demand seconds, in the order the nodes were given.
    public var nodeOnDemandSeconds: [Double] = []

    public init(pool: NodePoolSpec, nodes: [NodeLife], horizon: SimTime) {
        let coveredFrom = Self.coveredFrom(nodes, reserved: pool.reservedNodes)
        nodeOnDemandSeconds.reserveCapacity(nodes.count)
        for (index, node) in nodes.enumerated() {
            let onDemandEnd = min(coveredFrom[index], node.end)
            let billed = pool.billing.billed(onDemandEnd - node.requested).seconds
            nodeOnDemandSeconds.append(billed)
            onDemand.billedSeconds += billed
            onDemand.dollars += billed * pool.pricePerHour / 3600
        }
        if pool.reservedNodes > 0 {
            let seconds = Double(pool.reservedNodes) * horizon.seconds
            reserved = Line(dollars: seconds * pool.reservedPricePerHour / 3600, billedSeconds: seconds)
        }
    }

    public var dollars: Double { onDemand.dollars + reserved.dollars }
    public var billedSeconds: Double { onDemand.billedSeconds + reserved.billedSeconds }

    /// When each node starts being covered by the reservation (`.never` if it never is): a sweep
    /// over requests and ends in time order, ends first at one instant (a node is alive on
    /// [requested, end)). A node arriving while all N slots are held waits, in request order, for
    /// a covered node to end. A node with no life (`end <= requested`) takes no slot.
    static func coveredFrom(_ nodes: [NodeLife], reserved: Int) -> [SimTime] {
        var covered = [SimTime](repeating: .never, count: nodes.count)
        guard reserved > 0 else { return covered }
        let alive = nodes.indices.filter { nodes[$0].end > nodes[$0].requested }
        // (time, 0 = end / 1 = request, node): ends before requests; requests in request order.
        var events: [(time: SimTime, kind: Int, node: Int)] = []
        events.reserveCapacity(alive.count * 2)
        for index in alive {
            events.append((nodes[index].requested, 1, index))
            events.append((nodes[index].end, 0, index))
        }
        events.sort {
            ($0.time, $0.kind, nodes[$0.node].requested, $0.node) < ($1.time, $1.kind, nodes[$1.node].requested, $1.node)
        }
        var held = 0
        var ended = [Bool](repeating: false, count: nodes.count)
        var waiting: [Int] = []
        var head = 0
        for event in events {
            if event.kind == 1 {
                if held < reserved {
                    covered[event.node] = event.time
                    held += 1
                } else {
                    waiting.append(event.node)
                }
                continue
            }
            ended[event.node] = true
            guard covered[event.node] <= event.time else { continue }
            held -= 1
            while held < reserved, head < waiting.count {
                let next = waiting[head]
                head += 1
                guard !ended[next] else { continue }
                covered[next] = event.time
                held += 1
            }
        }
        return covered
    }
}
