import HeadroomEngine
import HeadroomTestSupport
@testable import Headroom

/// A fixed fleet with a Prometheus scraping it, for tests that read the stored series.
struct PrometheusProbe: ScalingPolicy {
    var replicas: Int
    var warm = true
    var prometheus: PrometheusScrapeConfig? = PrometheusScrapeConfig()
    var syncPeriod: SimTime? { .seconds(15) }
    var startsWarm: Bool { warm }
    func decide(_ observation: ScalingObservation, at now: SimTime) -> ScalingDecision {
        ScalingDecision(desiredReplicas: replicas, reason: "probe")
    }
}

extension Simulation {
    /// Runs `scenario` under `policy` and returns the world at the horizon (its Prometheus included).
    static func world(_ scenario: Scenario, policy: any ScalingPolicy) -> Simulation {
        var world = Simulation(scenario, options: RunOptions(policy: policy))
        var queue = EventQueue<SimulationEvent>(reservingCapacity: 256)
        world.start(queue: &queue)
        _ = EventLoop.run(&world, queue: &queue, until: scenario.duration, progress: nil)
        return world
    }
}

extension SeriesStore {
    /// The samples of the series named `name` whose labels include `matching`, by series.
    func dump(_ name: String, _ matching: [String: String] = [:]) -> [(labels: Labels, samples: [(time: Int64, value: Double)])] {
        candidates(named: name).map { (labels($0), $0) }
            .filter { entry in matching.allSatisfy { entry.0[$0.key] == $0.value } }
            .map { ($0.0, samples($0.1, after: .min, through: .max)) }
    }
}
