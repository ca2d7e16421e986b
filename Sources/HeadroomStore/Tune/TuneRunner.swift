import Foundation
import Headroom

/// Runs what a search asks for as a sweep in the store: each (candidate, seed) is a sweep job
/// (variant = the candidate's label), run in parallel by `SweepRunner`, and read back from the
/// store by run key, so a fresh run and one an earlier killed process stored read the same values.
/// Results come back in the order asked, whatever `workers`.
public struct TuneRunner {
    public let store: RunStore
    public let sweepID: Int64
    public let base: ScenarioDocument
    public let settings: TuneSettings
    public let workers: Int
    public var shouldStop: @Sendable () -> Bool = { false }
    public var progress: @Sendable (_ done: Int, _ total: Int) -> Void = { _, _ in }
    /// Runs found already stored (a resumed tune).
    public private(set) var reused = 0

    public init(store: RunStore, sweepID: Int64, base: ScenarioDocument, settings: TuneSettings, workers: Int) {
        self.store = store
        self.sweepID = sweepID
        self.base = base
        self.settings = settings
        self.workers = workers
    }

    /// The scenario for a point on a seed.
    public func document(_ levels: [Int], seed: UInt64? = nil) throws(ScenarioError) -> ScenarioDocument {
        var document = base
        for (path, value) in settings.overrides(levels) { try document.set(path, to: value) }
        if let seed { try document.set("seed", to: String(seed)) }
        return document
    }

    /// Why the scenario refuses a point, or nil.
    public func refusal(_ levels: [Int]) -> String? {
        do {
            _ = try document(levels).scenario()
            return nil
        } catch {
            return error.description
        }
    }

    public mutating func evaluate(_ runs: [TuneRun]) throws -> [[String: Double]] {
        let jobs = try runs.map { run throws(ScenarioError) in
            SweepSpec.Job(variant: run.label, seed: run.seed, document: try document(run.levels, seed: run.seed))
        }
        let outcome = try SweepRunner.run(jobs, store: store, sweepID: sweepID, workers: workers, progress: progress, shouldStop: shouldStop)
        if outcome.stopped { throw TuneStopped() }
        reused += outcome.skipped
        let ids = try store.runIDs(sweepID: sweepID)
        let keys = jobs.map { RunStore.runKey(scenarioHash: RunStore.hash($0.document.yaml), seed: $0.seed, variant: $0.variant) }
        let found = keys.compactMap { ids[$0] }
        guard found.count == keys.count else { throw StoreError("\(store.name): a tune run is missing from the store after running") }
        let summaries = try store.summaries(of: found)
        return try found.map { id in
            guard let values = summaries[id] else { throw StoreError("\(store.name): run \(id) has no summary") }
            return values
        }
    }
}
