import ArgumentParser
import HeadroomStore

/// `--run ID | --runs IDS | --sweep NAME`: which stored runs a command reads.
struct RunSelection: ParsableArguments {
    @Option(help: "One stored run (its id, from `headroom runs list`).") var run: Int64?
    @Option(help: "Several stored runs (comma-separated ids, e.g. 3,4,5).") var runs: String?
    @Option(help: "Every run of a stored sweep (by name).") var sweep: String?

    func validate() throws {
        guard [run != nil, runs != nil, sweep != nil].filter({ $0 }).count == 1 else {
            throw ValidationError("choose the runs: exactly one of --run ID, --runs IDS or --sweep NAME")
        }
        _ = try ids()
    }

    /// The ids named by --run or --runs (nil for --sweep).
    func ids() throws -> [Int64]? {
        if let run { return [run] }
        guard let runs else { return nil }
        return try runs.split(separator: ",").map { part in
            guard let id = Int64(part.trimmingCharacters(in: .whitespaces)) else {
                throw ValidationError("--runs takes ids like 3,4,5; got '\(part)'")
            }
            return id
        }
    }

    /// The stored runs selected, or a clear error naming what is missing.
    func resolve(in store: RunStore) throws -> [Int64] {
        try store.resolveRuns(sweep: sweep, ids: try ids())
    }
}
