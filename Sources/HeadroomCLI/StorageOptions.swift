import ArgumentParser
import Headroom
import HeadroomEngine
import HeadroomStore

extension DecisionStorage: ExpressibleByArgument {}

/// `--store-decisions` and `--series-interval`, shared by `run` and `sweep`: how much of a run the
/// store keeps. (`run --decisions` already prints the decision log, hence `--store-decisions`.)
struct StorageOptions: ParsableArguments {
    @Option(name: .customLong("store-decisions"),
            help: "Which autoscaler decisions to store: all (every evaluation), changes (each deployment's first and every one that changes the desired replicas), or none.")
    var decisions: DecisionStorage = .all

    @Option(name: .customLong("series-interval"), parsing: .unconditional,
            help: "Override the scenario's series_interval (the step of the stored time series), e.g. 1m.",
            transform: Headroom.parseDuration)
    var seriesInterval: SimTime?

    /// Sets `series_interval` in the scenario text, so the stored scenario says what ran.
    func apply(to document: inout ScenarioDocument) throws {
        if let seriesInterval { try document.set("series_interval", to: seriesInterval.description) }
    }
}
