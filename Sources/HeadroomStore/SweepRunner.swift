import Dispatch
import Foundation
import Headroom

/// Runs a sweep's jobs on `workers` threads and stores each finished run in its own transaction
/// (GRDB serializes the writes: one writer). Jobs this sweep already stored are skipped, so a killed
/// sweep resumes where it stopped; a job another process stored meanwhile counts as skipped too.
/// Results do not depend on the number of workers.
public enum SweepRunner {
    public struct Outcome: Sendable, Equatable {
        public var stored = 0
        public var skipped = 0
        public var stopped = false
    }

    /// Shares of the job list for `--shard K/N` (K from 1): every N-th job from the K-th.
    public static func shard<T>(_ jobs: [T], index: Int, of count: Int) -> [T] {
        jobs.enumerated().filter { $0.offset % count == index - 1 }.map(\.element)
    }

    public static func run(
        _ jobs: [SweepSpec.Job], store: RunStore, sweepID: Int64, workers: Int, decisions: DecisionStorage = .all,
        policies: PolicyRegistry = .standard,
        progress: @escaping @Sendable (_ done: Int, _ total: Int) -> Void = { _, _ in },
        shouldStop: @escaping @Sendable () -> Bool = { false }
    ) throws -> Outcome {
        let known = try store.storedRunKeys(sweepID: sweepID)
        let pending = jobs.filter { job in
            !known.contains(RunStore.runKey(scenarioHash: RunStore.hash(job.document.yaml), seed: job.seed, variant: job.variant))
        }
        // Scenarios are parsed here, on one thread: YAML parsing shares Yams' static resolver
        // rules, and keeping it out of the workers leaves them nothing shared but the store.
        let scenarios = try pending.map { try $0.document.scenario(policies: policies) }
        let state = SharedState(total: pending.count)
        DispatchQueue.concurrentPerform(iterations: max(1, min(workers, pending.count))) { _ in
            while let index = state.next(stopping: shouldStop()) {
                let job = pending[index]
                do {
                    let scenario = scenarios[index]
                    let started = Date()
                    let result = Simulation.run(scenario, options: RunOptions(decisions: decisions))
                    let saved = try store.save(result, document: job.document, scenario: scenario,
                                               placement: RunStore.Placement(sweepID: sweepID, variant: job.variant),
                                               startedAt: started, wallSeconds: Date().timeIntervalSince(started), decisions: decisions)
                    progress(state.finish(alreadyStored: saved.alreadyStored), pending.count)
                } catch {
                    state.fail(error)
                }
            }
        }
        if let error = state.error { throw error }
        return Outcome(stored: state.done - state.raced, skipped: jobs.count - pending.count + state.raced, stopped: state.stopped)
    }

    /// The work counter and first error, behind one lock.
    final class SharedState: @unchecked Sendable {
        private let lock = NSLock()
        private var cursor = 0
        let total: Int
        private(set) var done = 0
        /// Of `done`, the jobs another writer had stored first.
        private(set) var raced = 0
        private(set) var stopped = false
        private(set) var error: (any Error)?

        init(total: Int) { self.total = total }

        func next(stopping: Bool) -> Int? {
            lock.lock(); defer { lock.unlock() }
            if stopping && cursor < total { stopped = true }
            guard !stopped, error == nil, cursor < total else { return nil }
            cursor += 1
            return cursor - 1
        }

        func finish(alreadyStored: Bool) -> Int {
            lock.lock(); defer { lock.unlock() }
            done += 1
            if alreadyStored { raced += 1 }
            return done
        }

        func fail(_ error: any Error) {
            lock.lock(); defer { lock.unlock() }
            if self.error == nil { self.error = error }
        }
    }
}
