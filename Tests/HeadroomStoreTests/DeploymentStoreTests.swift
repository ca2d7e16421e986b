import Foundation
import GRDB
import Headroom
import HeadroomTestSupport
import Testing
@testable import HeadroomStore

/// Several deployments in the store: each one's summary round-trips, decisions and sampled
/// requests name their deployment, and the attributed dollars add up to the bill.
@Suite("Run store: several deployments")
struct DeploymentStoreTests {
    static let yaml = TwoDeploymentScenario.yaml

    static func runAndSave(_ store: RunStore, sample: Int = 0) throws -> (Int64, RunResult) {
        let document = ScenarioDocument(yaml: yaml, file: "two-models.yaml")
        let scenario = try document.scenario()
        let result = Simulation.run(scenario, options: RunOptions(requestSample: sample))
        let id = try store.save(result, document: document, scenario: scenario, placement: .init(variant: "kpa"),
                                startedAt: Date(), wallSeconds: 0.1).id
        return (id, result)
    }

    @Test("each deployment's summary reads back as it was; the cluster summary keeps its unattributed dollars")
    func roundTrip() throws {
        let store = try RunStore(writer: DatabaseQueue())
        let (id, result) = try Self.runAndSave(store)
        let deployments = try #require(result.summary.deployments)
        #expect(deployments.map(\.name) == ["chat", "batch"])
        var expected = deployments
        for index in expected.indices {
            // Not stored: latency sample counts (as for the cluster's summary).
            for path in [\DeploymentSummary.ttft, \.itl, \.e2e, \.queueWait] { expected[index][keyPath: path].count = 0 }
        }
        let stored = try store.storedDeployments(ofRun: id)
        #expect(stored.count == 2)
        for (got, want) in zip(stored, expected) {
            #expect(got.name == want.name && got.model == want.model && got.policy == want.policy)
            #expect(got.requests == want.requests && got.slo == want.slo && got.tokens == want.tokens)
            #expect(got.ttft == want.ttft && got.coldStarts == want.coldStarts && got.profile == want.profile)
            #expect(abs(got.cost.dollars - want.cost.dollars) < 1e-9)
            #expect(abs(got.cost.perMillionInputTokens - want.cost.perMillionInputTokens) < 1e-9)
            #expect(abs(got.gpuSeconds.serving - want.gpuSeconds.serving) < 1e-6)
            #expect(got.gpuSecondsByPool.keys.sorted() == want.gpuSecondsByPool.keys.sorted())
        }
        let summary = try #require(try store.storedSummary(ofRun: id))
        #expect(summary.deployments?.map(\.name) == ["chat", "batch"])
        let unattributed = try #require(summary.cost.unattributedDollars)
        #expect(abs(unattributed - (result.summary.cost.unattributedDollars ?? .nan)) < 1e-9)
        let attributed = stored.reduce(0) { $0 + $1.cost.dollars }
        #expect(abs(attributed + unattributed - summary.cost.dollars) < 1e-6, "attributed + unattributed = the bill")
        #expect(unattributed > 0, "the node has GPUs no replica holds")
    }

    @Test("decisions and sampled requests name their deployment; serials repeat across deployments without colliding")
    func deploymentColumns() throws {
        let store = try RunStore(writer: DatabaseQueue())
        let (id, result) = try Self.runAndSave(store, sample: 20)
        let decisions = try store.table("decisions", runs: [id])
        #expect(decisions.rows.count == result.decisions.count && !decisions.rows.isEmpty)
        #expect(decisions.texts("deployment") == result.decisions.map(\.deployment))
        #expect(Set(decisions.texts("deployment").compactMap { $0 }) == ["chat", "batch"], "every decision names its deployment")
        #expect(!decisions.texts("deployment").contains(nil))
        let samples = try store.table("request_samples", runs: [id])
        #expect(samples.rows.count == 40)
        #expect(samples.texts("deployment").filter { $0 == "batch" }.count == 20)
        #expect(samples.numbers("serial").filter { $0 == 1 }.count == 2, "serial 1 in each deployment")
        // One deployment: NULL deployment cells and no deployment rows.
        let (single, _) = try RunStoreTests.runAndSave(store)
        #expect(try store.table("request_samples", runs: [single]).texts("deployment").allSatisfy { $0 == nil })
        #expect(try store.table("deployment_summaries", runs: [single]).rows.isEmpty)
        #expect(try store.storedSummary(ofRun: single)?.deployments == nil)
        #expect(try store.storedSummary(ofRun: single)?.cost.unattributedDollars == nil)
    }

    @Test("compare --deployment: one deployment's columns under the cluster's names; an unknown name lists the known ones")
    func deploymentSummaries() throws {
        let store = try RunStore(writer: DatabaseQueue())
        let (id, result) = try Self.runAndSave(store)
        let chat = try #require(try store.summaries(of: [id], deployment: "chat")[id])
        let want = try #require(result.summary.deployments?.first)
        #expect(chat["cost_dollars"] == want.cost.dollars && chat["slo_both"] == want.slo.both)
        #expect(chat["ttft_p99_seconds"] == want.ttft.p99 && chat["arrived"] == Double(want.requests.arrived))
        // A deployment's attributed cost is not split by pricing kind: those two metrics are the
        // cluster's only, as is the prefix-cache hit rate.
        for metric in Comparison.metrics
            where !(RunSummaryRecord.Columns.costByPricing + RunSummaryRecord.Columns.prefixCache).contains(metric) {
            #expect(chat[metric] != nil, "\(metric) missing from a deployment's columns")
        }
        #expect(try store.deploymentNames(of: [id]) == ["chat", "batch"])
        #expect { try store.summaries(of: [id], deployment: "nope") } throws: { "\($0)".contains("chat, batch") || "\($0)".contains("batch, chat") }
        let (single, _) = try RunStoreTests.runAndSave(store)
        #expect { try store.summaries(of: [single], deployment: "chat") } throws: { "\($0)".contains("one deployment") }
    }

    @Test("merge copies a run's deployment summaries with it")
    func merge() throws {
        let source = RunStoreTests.temporaryPath("deployments-source"), target = RunStoreTests.temporaryPath("deployments-target")
        defer { for path in [source, target] { for suffix in ["", "-wal", "-shm"] { try? FileManager.default.removeItem(atPath: path + suffix) } } }
        let (id, _) = try Self.runAndSave(try RunStore(path: source), sample: 3)
        let merged = try RunStore(path: target)
        _ = try RunStoreTests.runAndSave(merged)
        #expect(try merged.merge(from: source).merged == 1)
        let copied = try #require(try merged.runs().first { $0.scenario == "two-models" }).id
        #expect(copied != id)
        #expect(try merged.storedDeployments(ofRun: copied) == RunStore(path: source, access: .readOnly).storedDeployments(ofRun: id))
        #expect(try merged.table("request_samples", runs: [copied]).texts("deployment").compactMap { $0 }.count == 6)
    }
}
