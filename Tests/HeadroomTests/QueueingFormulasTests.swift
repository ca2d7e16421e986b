import Foundation
import Testing

/// The closed forms and the estimator the queueing tests lean on, checked where the answer is
/// known independently.
@Suite("Queueing formulas")
struct QueueingFormulasTests {
    @Test("Erlang C and Crommelin's series reduce to M/M/1 and M/D/1")
    func singleServer() {
        for rho in [0.5, 0.9, 0.95] {
            #expect(abs(QueueingFormulas.erlangC(servers: 1, load: rho) - rho) < 1e-12)
            #expect(abs(QueueingFormulas.mmcWait(servers: 1, utilization: rho, meanService: 1) - rho / (1 - rho)) < 1e-9)
            let md1 = rho / (2 * (1 - rho))
            #expect(abs(QueueingFormulas.mdcWait(servers: 1, utilization: rho, service: 1) / md1 - 1) < 1e-9)
        }
        // Two servers at one Erlang: C = (1/2) / (1 + 1 + 1/2 · 2) = 1/3.
        #expect(abs(QueueingFormulas.erlangC(servers: 2, load: 1) - 1.0 / 3) < 1e-12)
    }

    @Test("Crommelin's series agrees with Cosmetatos' approximation at every point tested")
    func crommelinAgreesWithCosmetatos() {
        for point in QueueingTheoryTests.points where point.service == .deterministic {
            let exact = QueueingFormulas.mdcWait(servers: point.servers, utilization: point.utilization, service: 1)
            let approximate = QueueingFormulas.cosmetatosWait(servers: point.servers, utilization: point.utilization, service: 1)
            #expect(abs(approximate / exact - 1) < 0.01, "\(point.testDescription): \(exact) vs \(approximate)")
        }
    }

    @Test("the mean token count of a rounded exponential draw")
    func exponentialTokenMean() {
        // Direct sum of j · P(count = j) for a small mean, where rounding matters.
        let m = 2.0
        var mean = 1 - exp(-1.5 / m)
        for j in 2..<200 { mean += Double(j) * (exp(-(Double(j) - 0.5) / m) - exp(-(Double(j) + 0.5) / m)) }
        #expect(abs(QueueingFormulas.exponentialTokenMean(m) - mean) < 1e-12)
    }

    @Test("control variates remove the spread the controls explain, and keep the mean")
    func controlVariates() {
        // Waits that are 3 + 2·x + a small residual: the intercept is 3 whatever the x drawn.
        let xs = (0..<40).map { Double($0 % 7) - 2.9 }
        let noise = (0..<40).map { Double(($0 * 37) % 11) / 1000 - 0.005 }
        let replications = zip(xs, noise).map { WaitEstimate.Replication(meanWait: 3 + 2 * $0 + $1, controls: [$0]) }
        let estimate = WaitEstimate(replications)
        #expect(abs(estimate.mean - 3) < 0.005 && estimate.standardError < 0.002 && estimate.degreesOfFreedom == 38)
        // Without controls it is the plain mean and its standard error.
        let plain = WaitEstimate([1.0, 2, 3, 4].map { WaitEstimate.Replication(meanWait: $0, controls: []) })
        #expect(abs(plain.mean - 2.5) < 1e-12 && abs(plain.standardError - (5.0 / 12).squareRoot()) < 1e-12)
        #expect(abs(WaitEstimate.studentT(quantile: 0.975, degreesOfFreedom: 30) - 2.0423) < 0.001)
        #expect(abs(WaitEstimate.studentT(quantile: 0.999, degreesOfFreedom: 60) - 3.2317) < 0.002)
    }
}
