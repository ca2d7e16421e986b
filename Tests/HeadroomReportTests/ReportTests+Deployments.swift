import Foundation
import GRDB
import Headroom
import HeadroomTestSupport
import Testing
@testable import HeadroomReport
@testable import HeadroomStore

extension ReportTests {
    @Test("several deployments: the run's section has one row per deployment and the unattributed dollars; one deployment: no table")
    func deploymentTable() throws {
        let store = try RunStore(writer: DatabaseQueue())
        let document = ScenarioDocument(yaml: TwoDeploymentScenario.yaml, file: "two.yaml")
        let scenario = try document.scenario()
        let result = Simulation.run(scenario)
        let id = try store.save(result, document: document, scenario: scenario, placement: .init(variant: "kpa"), startedAt: Date(),
                                wallSeconds: 0).id
        let html = try Report(store: store, runs: [id], title: "two").html
        let parsed = Self.parse(html)
        #expect(parsed.ok, "\(parsed.error)")
        #expect(html.components(separatedBy: "<tr data-deployment=").count == 3)
        #expect(html.contains("<tr data-deployment=\"chat\"><td>chat</td><td>chat-8b</td><td>kpa</td>"))
        let marker = try #require(html.range(of: "data-unattributed=\""))
        let unattributed = try #require(Double(html[marker.upperBound...].prefix { $0 != "\"" }))
        let attributed = try #require(result.summary.deployments).reduce(0) { $0 + $1.cost.dollars }
        #expect(abs(unattributed + attributed - result.summary.cost.dollars) < 1e-9)

        let (single, singleIDs) = try Self.store()
        let plain = try Report(store: single, runs: [singleIDs[0]], title: "one").html
        #expect(!plain.contains("data-deployment") && !plain.contains("Unattributed"))
    }
}
