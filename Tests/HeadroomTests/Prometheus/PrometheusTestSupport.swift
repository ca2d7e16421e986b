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

/// promqltest's `load <interval>` with the `a+bxn` series notation, and `eval instant at`.
struct PromQLFixture {
    var store = SeriesStore()

    /// `start+step x n`: n + 1 samples from 0 every `interval` ms; `nil` writes a staleness marker.
    static func expand(_ start: Double, _ step: Double, _ n: Int) -> [Double?] { (0...n).map { start + step * Double($0) } }

    mutating func load(_ interval: Int64, _ series: [(String, [Double?])]) throws {
        for (text, values) in series {
            guard case let .selector(selector) = try PromQLParser.parse(text) else { fatalError("not a series: \(text)") }
            var labels = Labels(selector.matchers.map { ($0.label, $0.value) })
            if let name = selector.name { labels = labels.setting("__name__", name) }
            for (index, value) in values.enumerated() {
                store.add(labels, time: Int64(index) * interval, value: value ?? SeriesStore.staleNaN)
            }
        }
    }

    /// The result at `time` ms, keyed by the series as Prometheus prints it (`{}` for a scalar).
    func eval(_ query: String, at time: Int64) throws -> [String: Double] {
        switch try PromQLEvaluator(store: store).evaluate(try PromQLParser.parse(query), at: time) {
        case let .scalar(value): return ["scalar": value]
        case let .vector(samples): return Dictionary(uniqueKeysWithValues: samples.map { ($0.labels.description, $0.value) })
        }
    }
}
