import Foundation
import GRDB
import Headroom

extension RunStore {
    /// A stored run's deployments, in the order the scenario lists them (empty for a run of one
    /// deployment, and for runs stored before `v-deployments`).
    public func storedDeployments(ofRun id: Int64) throws(StoreError) -> [DeploymentSummary] {
        try reading("read run \(id)'s deployments") { db in
            try Row.fetchAll(db, sql: "SELECT * FROM deployment_summaries WHERE run_id = ? ORDER BY position", arguments: [id])
                .map(DeploymentSummaryRecord.summary)
        }
    }

    /// The deployment summary columns of the given runs: run id → deployment name → column → value
    /// (text columns left out), for `compare --deployment`.
    public func deploymentColumns(of ids: [Int64]) throws(StoreError) -> [Int64: [String: [String: Double]]] {
        try reading("read the deployment summaries") { db in
            var result: [Int64: [String: [String: Double]]] = [:]
            let rows = try Row.fetchAll(db, sql: "SELECT * FROM deployment_summaries WHERE run_id IN (\(ids.map { _ in "?" }.joined(separator: ",")))",
                                        arguments: StatementArguments(ids))
            for row in rows {
                var values: [String: Double] = [:]
                for column in row.columnNames where !["run_id", "deployment", "position"].contains(column) {
                    values[column] = Double.fromDatabaseValue(row[column] as DatabaseValue)
                }
                result[row["run_id"], default: [:]][row["deployment"]] = values
            }
            return result
        }
    }

    /// One deployment's columns in place of each run's summary columns, for `compare --deployment`:
    /// its latencies, SLO attainment, drops, GPU-hours and attributed cost under the names the
    /// cluster's carry. An error names the runs that lack it and the deployments they have.
    public func summaries(of ids: [Int64], deployment: String) throws(StoreError) -> [Int64: [String: Double]] {
        let all = try deploymentColumns(of: ids)
        var result: [Int64: [String: Double]] = [:]
        for id in ids {
            guard let values = all[id]?[deployment] else {
                let names = try deploymentNames(of: ids)
                throw StoreError(names.isEmpty
                    ? "--deployment \(deployment): the runs compared have one deployment each (their summary is its); leave --deployment out"
                    : "--deployment \(deployment): run \(id) has no deployment of that name; the runs' deployments are \(names.joined(separator: ", "))")
            }
            result[id] = values
        }
        return result
    }

    /// The deployment names of the given runs, in the order their scenarios list them.
    public func deploymentNames(of ids: [Int64]) throws(StoreError) -> [String] {
        try reading("read the deployment names") { db in
            var seen: [String] = []
            let names = try String.fetchAll(db, sql: "SELECT deployment FROM deployment_summaries WHERE run_id IN (\(ids.map { _ in "?" }.joined(separator: ","))) "
                                            + "ORDER BY position, run_id", arguments: StatementArguments(ids))
            for name in names where !seen.contains(name) { seen.append(name) }
            return seen
        }
    }
}
