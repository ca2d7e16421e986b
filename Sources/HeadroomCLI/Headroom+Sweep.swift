import ArgumentParser
import Foundation
import Headroom
import HeadroomStore

extension Headroom {
    struct Sweep: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "sweep",
            abstract: "Run a sweep (variants × grid × seeds) in parallel and store every run.",
            discussion: """
                Ctrl-C stops cleanly: runs in progress finish and are stored, the rest are left for --resume.
                Past one machine, give each shard its own database and merge them afterwards:
                  headroom sweep FILE --shard 2/8 --db shard-2.sqlite
                  headroom sweep FILE --shards 8        # shard from JOB_COMPLETION_INDEX or SLURM_ARRAY_TASK_ID
                  headroom merge all.sqlite shard-*.sqlite

                Example:
                  headroom sweep scenarios/sweeps/signals.yaml --jobs 2
                  headroom compare --sweep signals --baseline kpa-concurrency
                """
        )

        @Argument(help: "The sweep file (YAML).")
        var file: String

        @Option(help: "Parallel runs (default: every core).")
        var jobs = ProcessInfo.processInfo.activeProcessorCount

        @Flag(help: "Continue a sweep already in the database, skipping the runs it holds.")
        var resume = false

        @Option(help: "Run only shard K of N (K from 1), e.g. 3/8.")
        var shard: String?

        @Option(help: "The number of shards; the shard comes from JOB_COMPLETION_INDEX (Kubernetes Indexed Job) or SLURM_ARRAY_TASK_ID.")
        var shards: Int?

        @OptionGroup var store: StoreOptions

        @OptionGroup var storage: StorageOptions

        func validate() throws {
            guard jobs >= 1 else { throw ValidationError("--jobs must be at least 1") }
            if shard != nil && shards != nil { throw ValidationError("give either --shard K/N or --shards N, not both") }
        }

        /// (K, N) from --shard or from the job index in the environment.
        func shardSpec() throws -> (Int, Int)? {
            if let shard {
                let parts = shard.split(separator: "/").compactMap { Int($0) }
                guard parts.count == 2, parts[1] >= 1, (1...parts[1]).contains(parts[0]) else {
                    throw ValidationError("--shard takes K/N with 1 ≤ K ≤ N, e.g. 3/8; got '\(shard)'")
                }
                return (parts[0], parts[1])
            }
            guard let shards else { return nil }
            let environment = ProcessInfo.processInfo.environment
            guard let index = (environment["JOB_COMPLETION_INDEX"] ?? environment["SLURM_ARRAY_TASK_ID"]).flatMap(Int.init) else {
                throw ValidationError("--shards needs JOB_COMPLETION_INDEX or SLURM_ARRAY_TASK_ID in the environment")
            }
            return (index % shards + 1, shards)
        }

        func run() throws {
            let spec: SweepSpec
            var jobList: [SweepSpec.Job]
            do {
                spec = try SweepSpec.load(file: file)
                jobList = try spec.jobs().map { job in
                    var job = job
                    try storage.apply(to: &job.document)
                    return job
                }
            } catch {
                Headroom.fail("\(error)")
            }
            if let (index, count) = try shardSpec() { jobList = SweepRunner.shard(jobList, index: index, of: count) }
            let runStore = try store.open(.readWrite)
            let existing = Headroom.failing { try runStore.runs(sweep: spec.name, limit: 1) }
            if !existing.isEmpty && !resume {
                Headroom.fail("sweep '\(spec.name)' already has runs in \(store.path); pass --resume to continue it, "
                              + "or give the sweep another `name:` to run it afresh")
            }
            let sweepID = Headroom.failing { try runStore.sweep(named: spec.name, file: file) }
            let bar = ProgressBar()
            StopSignal.install()
            let outcome = Headroom.failing {
                try SweepRunner.run(jobList, store: runStore, sweepID: sweepID, workers: jobs, decisions: storage.decisions,
                                    progress: bar.update, shouldStop: { StopSignal.requested })
            }
            bar.clear()
            var line = "sweep \(spec.name): \(outcome.stored) runs stored"
            if outcome.skipped > 0 { line += ", \(outcome.skipped) already stored" }
            if outcome.stopped { line += "; stopped early — run again with --resume to finish" }
            print(line + " (\(store.path))")
            if outcome.stopped { throw ExitCode(130) }
        }
    }
}

/// Ctrl-C asks a sweep to stop taking new runs.
enum StopSignal {
    nonisolated(unsafe) static var requested = false
    static func install() {
        signal(SIGINT) { _ in StopSignal.requested = true }
    }
}

/// done / total, runs per second and time left, on stderr when it is a terminal.
final class ProgressBar: @unchecked Sendable {
    private let started = Date()
    private let enabled = isatty(2) != 0
    private let lock = NSLock()

    func update(_ done: Int, _ total: Int) {
        guard enabled else { return }
        lock.lock(); defer { lock.unlock() }
        let elapsed = Date().timeIntervalSince(started)
        let rate = Double(done) / max(elapsed, 1e-9)
        let left = rate > 0 ? Double(total - done) / rate : 0
        let width = 30, filled = total > 0 ? width * done / total : width
        let bar = String(repeating: "█", count: filled) + String(repeating: "·", count: width - filled)
        FileHandle.standardError.write(Data(String(format: "\r  %@ %d/%d runs, %.2f runs/s, %.0fs left ", bar, done, total, rate, left).utf8))
    }

    func clear() {
        guard enabled else { return }
        FileHandle.standardError.write(Data("\r\u{1B}[K".utf8))
    }
}
