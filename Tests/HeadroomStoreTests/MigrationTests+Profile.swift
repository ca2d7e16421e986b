import Foundation
import GRDB
import Testing
@testable import Headroom
@testable import HeadroomStore

@Suite("Run store migrations: the profile a run used")
struct ProfileMigrationTests {
    @Test("a store from before v-profile opens: its runs read back without a profile; new runs store theirs and reprint it")
    func beforeProfile() throws {
        let path = RunStoreTests.temporaryPath("before-profile")
        defer { try? FileManager.default.removeItem(atPath: path) }
        do {
            let queue = try DatabaseQueue(path: path)
            try RunStore.migrator.migrate(queue, upTo: "v-input-losses: skipped trace rows, stockouts, cancelled cold starts")
            try queue.write { db in
                try db.execute(sql: "INSERT INTO scenarios (id, name, yaml, hash) VALUES (1, 'old', 'name: old', 'h')")
                try db.execute(sql: """
                    INSERT INTO runs (id, run_uid, run_key, scenario_id, variant, policy_kind, seed, headroom_version, started_at,
                                      wall_seconds, status)
                    VALUES (1, 'u', 'k', 1, 'fixed', 'fixed', 7, '0.3.0', '2026-11-01 10:00:00.000', 1.5, 'finished')
                    """)
                let summary = ["run_id", "duration_seconds", "events"] + RunSummaryRecord.Columns.counts + RunSummaryRecord.Columns.reals
                try db.execute(sql: "INSERT INTO run_summaries (\(summary.joined(separator: ","))) VALUES (\(summary.map { $0 == "run_id" ? "1" : "2" }.joined(separator: ",")))")
            }
        }
        let store = try RunStore(path: path)
        #expect(try store.storedSummary(ofRun: 1)?.profile == nil)
        #expect(try store.summaries(of: [1])[1]?["profile_estimate"] == nil)
        #expect(try store.table("runs", runs: [1]).texts("profile") == [nil])
        let (id, result) = try RunStoreTests.runAndSave(store)
        let profile = try #require(result.summary.profile)
        #expect(try store.storedSummary(ofRun: id)?.profile == profile)
        #expect(try store.summaries(of: [id])[id]?["profile_estimate"] == (profile.estimate ? 1 : 0))
        #expect(try store.table("runs", runs: [id]).texts("profile") == [profile.name])
    }

    @Test("provenance: a datasheet roofline is an estimate; measured tables and inline coefficients are not")
    func provenance() throws {
        let roofline = try #require(HardwareProfile.builtIn.first)
        #expect(ProfileUsed(roofline) == ProfileUsed(name: roofline.name, provenance: "estimate: datasheet roofline", estimate: true))
        let measured = try #require(MeasuredProfiles.named("a100-llama3-70b-tp4")).hardwareProfile
        #expect(ProfileUsed(measured) == ProfileUsed(name: "a100-llama3-70b-tp4", provenance: "measured: Vidur's per-layer operators",
                                                     estimate: false))
        let inline = HardwareProfile(name: "inline", source: "written in the scenario", base: .zero, perSequence: .zero,
                                     perPrefillToken: .zero, perContextToken: .zero)
        #expect(ProfileUsed(inline) == ProfileUsed(name: "inline", provenance: "written in the scenario", estimate: false))
        var stated = inline
        stated.source = "estimate: from config.json's shape at fitted H100 rates"
        #expect(ProfileUsed(stated).estimate && ProfileUsed(stated).provenance == "estimate: from config.json's shape at fitted H100 rates")
    }
}
