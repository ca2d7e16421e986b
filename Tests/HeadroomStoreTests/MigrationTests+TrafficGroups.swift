import Foundation
import GRDB
import Headroom
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
        let document = ScenarioDocument(yaml: Self.sharedTraffic, file: "shared.yaml")
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

    static let sharedTraffic = """
        name: shared
        duration: 2m
        node_pools:
          - {name: h100, gpu: H100-80GB, gpus_per_node: 1, price_per_hour: 4, provisioning: 30s, max_nodes: 4}
          - {name: a100, gpu: A100-80GB, gpus_per_node: 1, price_per_hour: 2, provisioning: 30s, max_nodes: 4}
        deployments:
          - name: llama-h100
            workload: {arrivals: {process: poisson, rate: 2/s}, prompt_tokens: 500, output_tokens: 100}
            model: {name: llama-3-8b, weights: 16GB, kv_bytes_per_token: 128KiB, layers: 32}
            profile: h100-llama3.1-8b-tp1
            replica: {node_pool: h100}
            policy: {kind: fixed, replicas: 1}
          - name: llama-a100
            shares_traffic_with: llama-h100
            profile: a100-llama3-8b-tp1
            replica: {node_pool: a100}
            policy: {kind: fixed, replicas: 1}
        """
}
