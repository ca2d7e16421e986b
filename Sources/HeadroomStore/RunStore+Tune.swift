import Foundation
import GRDB

extension RunStore {
    /// One sweep's runs by run key: how a tune finds the runs it asked for, fresh or stored by an
    /// earlier, killed process.
    public func runIDs(sweepID: Int64) throws(StoreError) -> [String: Int64] {
        try reading("read the sweep's runs") { db in
            var ids: [String: Int64] = [:]
            for row in try Row.fetchAll(db, sql: "SELECT run_key, id FROM runs WHERE sweep_id = ?", arguments: [sweepID]) {
                ids[row["run_key"]] = row["id"]
            }
            return ids
        }
    }
}
