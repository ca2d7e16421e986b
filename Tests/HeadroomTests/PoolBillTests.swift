import HeadroomEngine
import Testing

@testable import Headroom

/// Billing arithmetic by hand: granularity and minimum per node, the reservation's coverage rule
/// (the N longest-alive nodes at each instant) and its rounding.
@Suite("Pool bill")
struct PoolBillTests {
    /// $36 an hour: one cent a second, so dollars are billed seconds / 100.
    static func pool(
        _ granularity: BillingSpec.Granularity = .perSecond, minimum: SimTime = .zero, reserved: Int = 0,
        reservedPrice: Double = 18
    ) -> NodePoolSpec {
        var pool = NodePoolSpec(name: "h100", gpu: "H100", pricePerHour: 36)
        pool.billing = BillingSpec(granularity: granularity, minimum: minimum)
        pool.reservedNodes = reserved
        pool.reservedPricePerHour = reserved > 0 ? reservedPrice : 0
        return pool
    }

    static func life(_ from: Double, _ to: Double) -> NodeLife { NodeLife(requested: .seconds(from), end: .seconds(to)) }

    /// One node alive `seconds`, billed alone.
    static func billed(_ seconds: Double, _ pool: NodePoolSpec) -> Double {
        PoolBill(pool: pool, nodes: [life(0, seconds)], horizon: .hours(10)).onDemand.billedSeconds
    }

    @Test(
        "per second: a partial second rounds up; no minimum by default",
        arguments: [
            (61.0, 61.0), (59, 59), (3601, 3601), (59.2, 60), (0.001, 1), (0, 0),
        ])
    func perSecond(alive: Double, billed: Double) {
        #expect(Self.billed(alive, Self.pool()) == billed)
    }

    @Test(
        "per second with AWS's and GCP's 60 s minimum: short lives pay a minute",
        arguments: [
            (61.0, 61.0), (59, 60), (0.5, 60), (3601, 3601), (0, 0),
        ])
    func perSecondMinimum(alive: Double, billed: Double) {
        #expect(Self.billed(alive, Self.pool(minimum: .seconds(60))) == billed)
    }

    @Test(
        "per minute: every started minute is paid",
        arguments: [
            (61.0, 120.0), (59, 60), (60, 60), (3601, 3660), (120, 120),
        ])
    func perMinute(alive: Double, billed: Double) {
        #expect(Self.billed(alive, Self.pool(.perMinute)) == billed)
    }

    @Test(
        "per hour (AWS commercial Linux): every started hour is paid",
        arguments: [
            (61.0, 3600.0), (59, 3600), (3600, 3600), (3601, 7200),
        ])
    func perHour(alive: Double, billed: Double) {
        #expect(Self.billed(alive, Self.pool(.perHour)) == billed)
        #expect(Self.billed(alive, Self.pool(.perHour, minimum: .seconds(60))) == billed, "a minute minimum is below an hour")
    }

    @Test(
        "a minimum above the increment: 10 minutes, then per minute",
        arguments: [
            (61.0, 600.0), (599, 600), (601, 660), (661, 720),
        ])
    func longMinimum(alive: Double, billed: Double) {
        #expect(Self.billed(alive, Self.pool(.perMinute, minimum: .minutes(10))) == billed)
    }

    @Test("dollars are billed seconds × price / 3600, summed per node")
    func dollars() {
        let bill = PoolBill(pool: Self.pool(.perMinute), nodes: [Self.life(0, 61), Self.life(10, 69)], horizon: .seconds(100))
        #expect(bill.nodeOnDemandSeconds == [120, 60])
        #expect(bill.onDemand.billedSeconds == 180 && abs(bill.onDemand.dollars - 1.80) < 1e-12)
        #expect(bill.reserved == PoolBill.Line())
    }

    @Test("fewer nodes alive than reserved: the reservation is paid in full and nothing on demand")
    func underReserved() {
        let bill = PoolBill(pool: Self.pool(reserved: 3), nodes: [Self.life(0, 1000)], horizon: .seconds(1000))
        #expect(bill.onDemand == PoolBill.Line())
        #expect(bill.reserved.billedSeconds == 3000 && abs(bill.reserved.dollars - 15) < 1e-12)
        let none = PoolBill(pool: Self.pool(reserved: 2), nodes: [], horizon: .hours(1))
        #expect(none.reserved.billedSeconds == 7200 && abs(none.dollars - 36) < 1e-12, "an unused reservation still costs")
    }

    @Test("more nodes alive than reserved: the extra ones pay on demand")
    func overReserved() {
        let nodes = (0..<3).map { _ in Self.life(0, 3600) }
        let bill = PoolBill(pool: Self.pool(reserved: 2), nodes: nodes, horizon: .hours(1))
        #expect(bill.nodeOnDemandSeconds == [0, 0, 3600], "the first two requested are covered (ties by node order)")
        #expect(abs(bill.onDemand.dollars - 36) < 1e-12 && abs(bill.reserved.dollars - 36) < 1e-12)
    }

    /// N = 1 over 1000 s. A [0, 600), B [100, 900), C [200, 300), D [700, 1000).
    /// Alive: 1, 2, 3, 2, 1, 2, 1 on the breaks 0, 100, 200, 300, 600, 700, 900; so
    /// ∫ max(0, alive − 1) = 100 + 2·100 + 300 + 200 = 800 s. A is covered from its request; B waits
    /// from 100 until A ends at 600 (500 s); C waits 200–300 and ends uncovered (100 s); D waits
    /// from 700 until B ends at 900 (200 s).
    static let varying = [life(0, 600), life(100, 900), life(200, 300), life(700, 1000)]

    @Test("time-varying node count by hand: on-demand time is the integral of the count above the reservation")
    func varyingCount() {
        let bill = PoolBill(pool: Self.pool(reserved: 1), nodes: Self.varying, horizon: .seconds(1000))
        #expect(PoolBill.coveredFrom(Self.varying, reserved: 1) == [.zero, .seconds(600), .never, .seconds(900)])
        #expect(bill.nodeOnDemandSeconds == [0, 500, 100, 200])
        #expect(bill.onDemand.billedSeconds == 800 && abs(bill.onDemand.dollars - 8) < 1e-12)
        #expect(bill.reserved.billedSeconds == 1000 && abs(bill.reserved.dollars - 5) < 1e-12)
        // The order nodes are given in does not change who is covered.
        let shuffled = PoolBill(pool: Self.pool(reserved: 1), nodes: Self.varying.reversed(), horizon: .seconds(1000))
        #expect(shuffled.nodeOnDemandSeconds == [200, 100, 500, 0])
    }

    @Test("rounding applies to each node's on-demand part: per minute, 500 → 540, 100 → 120, 200 → 240")
    func varyingPerMinute() {
        let bill = PoolBill(
            pool: Self.pool(.perMinute, minimum: .minutes(3), reserved: 1), nodes: Self.varying, horizon: .seconds(1000))
        #expect(bill.nodeOnDemandSeconds == [0, 540, 180, 240], "C's 100 s reach the 3-minute minimum")
    }

    @Test("a node ending at the instant another is requested hands its slot over: no on-demand time")
    func handOver() {
        let bill = PoolBill(
            pool: Self.pool(reserved: 1), nodes: [Self.life(0, 100), Self.life(100, 200)], horizon: .seconds(200))
        #expect(bill.nodeOnDemandSeconds == [0, 0])
        let zeroLength = PoolBill(
            pool: Self.pool(minimum: .minutes(1), reserved: 1), nodes: [Self.life(50, 50), Self.life(50, 80)],
            horizon: .seconds(80))
        #expect(zeroLength.nodeOnDemandSeconds == [0, 0], "a node with no life takes no slot and bills nothing")
    }

    @Test("no reservation: every node's whole life is on demand, the bill Headroom always computed")
    func noReservation() {
        let bill = PoolBill(pool: Self.pool(), nodes: Self.varying, horizon: .seconds(1000))
        #expect(bill.nodeOnDemandSeconds == [600, 800, 100, 300])
        #expect(bill.reserved == PoolBill.Line() && bill.billedSeconds == 1800)
    }
}
