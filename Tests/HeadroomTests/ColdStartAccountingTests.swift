import HeadroomEngine
import HeadroomTestSupport
import Testing
@testable import Headroom

/// Every cold start that began is on record with how it ended, and stockouts are counted: both
/// change results, so both are shown.
@Suite("Cold-start and stockout accounting")
struct ColdStartAccountingTests {
    /// Asks for `high` replicas for `period`, then none for `period`, evaluating every 10 s: a
    /// scale-down that lands while starts are under way.
    struct Flapping: ScalingPolicy {
        var high: Int
        var period: SimTime
        var syncPeriod: SimTime? { .seconds(10) }
        var startsWarm: Bool { false }
        func decide(_ observation: ScalingObservation, at now: SimTime) -> ScalingDecision {
            let up = (now.nanoseconds / period.nanoseconds) % 2 == 0
            return ScalingDecision(desiredReplicas: up ? high : 0, reason: up ? "up" : "down")
        }
    }

    static func run(stockouts: Double = 0, seed: UInt64 = 1) -> RunResult {
        var pool = NodePoolSpec(name: "pool", gpu: "H100", gpusPerNode: 2, pricePerHour: 8, provisioning: .constant(30), maxNodes: 6)
        pool.stockoutProbability = stockouts
        pool.stockoutRetry = .seconds(20)
        pool.scaleDownDelay = .seconds(15)
        let scenario = TestScenario.make(duration: .seconds(1000), seed: seed, arrivals: .poisson(rate: 2), warm: false, pool: pool,
                                         replica: TestScenario.quickStartReplica)
        return Simulation.run(scenario, options: RunOptions(policy: Flapping(high: 6, period: .seconds(25))))
    }

    @Test("started = ready + cancelled + still starting, with one record each, on a scale-down during starts")
    func everyStartOnRecord() throws {
        var stages = Set<ColdStart.Stage>()
        for stockouts in [0.0, 0.5] {
            let result = Self.run(stockouts: stockouts)
            let c = result.summary.coldStarts
            #expect(c.started > 0 && c.cancelled > 0, "the scenario must cancel starts: \(c)")
            #expect(c.started == c.completed + c.cancelled + c.unfinished, "\(c)")
            #expect(result.coldStarts.count == c.started)
            #expect(result.coldStarts.filter { $0.outcome == .ready }.count == c.completed)
            #expect(result.coldStarts.filter { $0.outcome == .cancelled }.count == c.cancelled)
            #expect(result.coldStarts.filter { $0.outcome == .unfinished }.count == c.unfinished)
            for start in result.coldStarts {
                #expect((start.outcome == .ready) == (start.readyAt != nil) && (start.outcome == .ready) == (start.stoppedAt == nil))
                #expect([start.pendingSeconds, start.pullSeconds, start.loadSeconds, start.warmupSeconds].allSatisfy { $0 >= 0 })
                #expect(start.requestedAt.seconds + start.totalSeconds <= result.summary.durationSeconds + 1e-6, "\(start)")
            }
            stages.formUnion(result.coldStarts.compactMap(\.stoppedAt))
        }
        // Cancelled at more than one stage.
        #expect(stages.count >= 2, "\(stages)")
    }

    @Test("stockouts are counted, and only when the pool refuses")
    func stockoutsCounted() {
        #expect(Self.run(stockouts: 0).summary.stockouts == 0)
        let refused = Self.run(stockouts: 0.5)
        #expect(refused.summary.stockouts > 0)
        #expect(Self.run(stockouts: 0.5).summary == refused.summary)
    }
}
