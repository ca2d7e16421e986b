import Foundation
import HeadroomEngine
import HeadroomTestSupport
import Testing

@testable import Headroom

/// Billing as a scenario states it and as a run reports it: the default reproduces the bill
/// Headroom always computed, a reservation changes the price but not the nodes, and bad billing
/// keys are refused with their place.
@Suite("Billing in scenarios and runs")
struct BillingScenarioTests {
    func error(_ yaml: String) -> ScenarioError? { ScenarioLoadingTests().error(yaml) }
    /// The loading tests' valid scenario with `lines` added to its one node pool.
    func pool(_ lines: String) -> String {
        ScenarioLoadingTests().replacing("price_per_hour: 98.32\n", "price_per_hour: 98.32\n" + lines + "\n")
    }

    /// The bill before billing was configurable: per node, request to termination or run end in
    /// whole seconds rounded up, times the price, summed in node order.
    static func oldBill(_ result: RunResult, _ scenario: Scenario) -> (dollars: Double, seconds: Double) {
        var dollars = 0.0, seconds = 0.0
        for node in result.nodes {
            let end = node.terminated.map(SimTime.seconds) ?? scenario.duration
            let billed = (end - .seconds(node.requested)).seconds.rounded(.up)
            seconds += billed
            dollars += billed * scenario.nodePools.first { $0.name == node.pool }!.pricePerHour / 3600
        }
        return (dollars, seconds)
    }

    @Test(
        "the default billing reproduces the old bill to the cent on shipped scenarios",
        arguments: [
            "scenarios/scale-to-zero/scale-to-zero.yaml", "scenarios/scale-to-zero/warm-pool.yaml",
            "scenarios/cold-start-sequential.yaml",
        ])
    func defaultIsOldBill(file: String) throws {
        let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent()
        let scenario = try Scenario.load(file: root.appendingPathComponent(file).path)
        #expect(scenario.nodePools.allSatisfy { $0.billing == BillingSpec() && $0.reservedNodes == 0 })
        let result = Simulation.run(scenario)
        let old = Self.oldBill(result, scenario)
        #expect(!result.nodes.isEmpty)
        #expect(result.summary.cost.nodeSeconds == old.seconds)
        #expect((result.summary.cost.dollars * 100).rounded() == (old.dollars * 100).rounded())
        #expect(abs(result.summary.cost.dollars - old.dollars) < 1e-9)
        #expect(result.summary.cost.byPool?.map(\.pricing) == scenario.nodePools.map { _ in .onDemand })
        #expect(result.summary.cost.dollars(.onDemand) == result.summary.cost.dollars)
    }

    /// Three nodes at time zero, two released after the 5-minute scale-down delay (as in
    /// `ClusterTests.scaleDown`): alive 3 for 300 s, then 1 until 3600 s.
    static func shrinking(reserved: Int, granularity: BillingSpec.Granularity = .perSecond) -> Scenario {
        var pool = NodePoolSpec(name: "pool", gpu: "H100", pricePerHour: 36, initialNodes: 3, scaleDownDelay: .minutes(5))
        pool.reservedNodes = reserved
        pool.reservedPricePerHour = reserved > 0 ? 18 : 0
        pool.billing.granularity = granularity
        return TestScenario.make(duration: .hours(1), replicas: 1, pool: pool)
    }

    @Test(
        "a reservation in a run: on demand only above it, by hand",
        arguments: [
            // (reserved, on-demand seconds, reserved seconds, dollars): on-demand $0.01/s, reserved $0.005/s.
            (0, 4200.0, 0.0, 42.0), (1, 600, 3600, 24), (2, 300, 7200, 39), (3, 0, 10800, 54), (4, 0, 14400, 72),
        ])
    func reservedRun(reserved: Int, onDemand: Double, reservedSeconds: Double, dollars: Double) throws {
        let result = Simulation.run(Self.shrinking(reserved: reserved))
        let cost = result.summary.cost
        #expect(abs(cost.dollars - dollars) < 1e-9, "\(cost)")
        #expect(cost.nodeSeconds == onDemand + reservedSeconds)
        let lines = try #require(cost.byPool)
        #expect(lines.first { $0.pricing == .onDemand }?.billedSeconds == onDemand)
        #expect(lines.first { $0.pricing == .reserved }?.billedSeconds == (reserved > 0 ? reservedSeconds : nil))
        #expect(result.nodes.reduce(0) { $0 + $1.billedSeconds } == onDemand, "node records carry their on-demand seconds")
    }

    @Test("a reservation buys a price, not nodes: the run provisions and serves exactly as without it")
    func reservationChangesNoNodes() {
        let plain = Simulation.run(Self.shrinking(reserved: 0)), reserved = Simulation.run(Self.shrinking(reserved: 2))
        #expect(plain.nodes.map(\.requested) == reserved.nodes.map(\.requested))
        #expect(plain.nodes.map(\.terminated) == reserved.nodes.map(\.terminated))
        #expect(plain.series == reserved.series && plain.summary.requests == reserved.summary.requests)
    }

    @Test("per-hour billing in a run: the two nodes released at 5 minutes pay an hour each")
    func perHourRun() {
        let result = Simulation.run(Self.shrinking(reserved: 0, granularity: .perHour))
        #expect(result.summary.cost.nodeSeconds == 3 * 3600 && abs(result.summary.cost.dollars - 108) < 1e-9)
    }

    @Test("billing keys load with their values")
    func loads() throws {
        let scenario = try Scenario.parse(
            yaml: pool(
                """
                    max_nodes: 4
                    billing: {granularity: per_minute, minimum: 10m}
                    reserved_nodes: 2
                    reserved_price_per_hour: 61.5
                """))
        let spec = scenario.nodePools[0]
        #expect(spec.billing == BillingSpec(granularity: .perMinute, minimum: .minutes(10)))
        #expect(spec.reservedNodes == 2 && spec.reservedPricePerHour == 61.5)
        let plain = try Scenario.parse(yaml: ScenarioLoadingTests.valid).nodePools[0]
        #expect(plain.billing == BillingSpec() && plain.reservedNodes == 0)
        // A sweep over reserved_nodes starts at an explicit 0, price kept.
        let zero = try Scenario.parse(yaml: pool("    reserved_nodes: 0\n    reserved_price_per_hour: 3")).nodePools[0]
        #expect(zero.reservedNodes == 0 && zero.reservedPricePerHour == 3)
    }

    @Test(
        "bad billing is refused with its place and what is allowed",
        arguments: [
            (
                "    billing: {granularity: per_fortnight}", "node_pools[0].billing.granularity",
                "allowed: per_second, per_minute, per_hour"
            ),
            ("    billing: {granularity: per_secnd}", "node_pools[0].billing.granularity", "did you mean `per_second`?"),
            ("    billing: {increment: 1s}", "node_pools[0].billing.increment", "allowed: granularity, minimum"),
            ("    billing: {minimum: -1m}", "node_pools[0].billing.minimum", "must not be negative"),
            ("    billing: {minimum: 60}", "node_pools[0].billing.minimum", "with a unit"),
            ("    billing: per_second", "node_pools[0].billing", "expected a mapping"),
            ("    reserved_nodes: 2\n    reserved_price_per_hour: -3", "node_pools[0].reserved_price_per_hour", "between 0"),
            ("    reserved_nodes: -1\n    reserved_price_per_hour: 3", "node_pools[0].reserved_nodes", "between 0"),
            (
                "    max_nodes: 4\n    reserved_nodes: 5\n    reserved_price_per_hour: 3", "node_pools[0].reserved_nodes",
                "max_nodes is 4"
            ),
            ("    reserved_nodes: 2", "node_pools[0]", "missing required key `reserved_price_per_hour`"),
            ("    reserved_price_per_hour: 3", "node_pools[0].reserved_price_per_hour", "without reserved_nodes"),
            ("    reserved_node: 2", "node_pools[0].reserved_node", "did you mean `reserved_nodes`?"),
        ])
    func refusals(lines: String, path: String, message: String) throws {
        let error = try #require(self.error(pool(lines)), "\(lines)")
        #expect(error.path == path, "\(error)")
        #expect(error.message.contains(message), "\(error)")
        #expect(error.file == "s.yaml" && error.line != nil, "\(error)")
    }
}
