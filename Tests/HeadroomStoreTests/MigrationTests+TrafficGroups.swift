import Foundation
import GRDB
import Headroom
import HeadroomTestSupport
import Testing

@testable import HeadroomStore

extension MigrationTests {
    static let spot = "v-spot: requests lost to spot interruptions"

    @Test("v-traffic-groups: an older store's deployments read back with no traffic group, evictions or served tokens (NULL, not zero)")
    func trafficGroupsMigration() throws {
        let path = try Self.oldStore("pre-traffic-groups", upTo: Self.spot) { db in
            let columns = ["run_id", "deployment", "position", "model", "policy"] + DeploymentSummaryRecord.Columns.counts
                + DeploymentSummaryRecord.Columns.reals
            let values = columns.map { column in
                switch column {
                case "run_id": "1"
                case "deployment": "'chat'"
                case "model", "policy": "'x'"
                default: "3"
                }
            }
            try db.execute(sql: "INSERT INTO deployment_summaries (\(columns.joined(separator: ","))) VALUES (\(values.joined(separator: ",")))")
        }
        defer { Self.removeStore(path) }
        let store = try RunStore(path: path)
        #expect(try store.writer.read { try String.fetchAll($0, sql: "SELECT identifier FROM grdb_migrations") } == RunStore.migrator.migrations)
        let old = try #require(try store.storedDeployments(ofRun: 1).first)
        #expect(old.name == "chat" && old.requests.arrived == 3)
        #expect(old.sharesTrafficWith == nil && old.evicted == nil && old.servedTokens == nil)
    }

    @Test("a stored run of deployments sharing traffic keeps the group, the served tokens and the evictions")
    func trafficGroupsStored() throws {
        let path = RunStoreTests.temporaryPath("traffic-groups")
        defer { Self.removeStore(path) }
        let store = try RunStore(path: path)
        let document = ScenarioDocument(yaml: TwoDeploymentScenario.sharedTraffic, file: "shared.yaml")
        let scenario = try document.scenario()
        let result = Simulation.run(scenario)
        let id = try store.save(result, document: document, scenario: scenario, placement: .init(variant: "shared"), startedAt: Date(),
                                wallSeconds: 0.1).id
        let stored = try store.storedDeployments(ofRun: id)
        let ran = try #require(result.summary.deployments)
        #expect(stored.map(\.sharesTrafficWith) == [nil, "llama-h100"])
        #expect(stored.map { $0.servedTokens?.output } == ran.map { $0.servedTokens?.output })
        #expect(stored.map { $0.servedTokens?.prompt } == ran.map { $0.servedTokens?.prompt })
        #expect(stored.map(\.evicted) == ran.map(\.evicted))
    }

    @Test("every drop reason has its column in both summary tables: a new reason needs a migration")
    func dropReasonColumns() throws {
        let path = RunStoreTests.temporaryPath("drop-columns")
        defer { Self.removeStore(path) }
        let store = try RunStore(path: path)
        for table in ["run_summaries", "deployment_summaries"] {
            let columns = try store.writer.read { try $0.columns(in: table).map(\.name) }
            for reason in DropReason.allCases {
                #expect(columns.contains("dropped_\(reason.rawValue)"), "\(table) lacks \(reason)")
            }
        }
    }
}
