import Foundation
import Headroom
import Testing
@testable import HeadroomStore

extension SweepTests {
    @Test("a variant may start from a scenario of its own (`base:`), with its own overrides and the grid on top")
    func variantBase() throws {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("headroom-variant-base-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder.appendingPathComponent("other"), withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: folder) }
        try RunStoreTests.yaml.write(to: folder.appendingPathComponent("base.yaml"), atomically: true, encoding: .utf8)
        let other = RunStoreTests.yaml.replacingOccurrences(of: "name: store-test", with: "name: other-shape")
        #expect(other != RunStoreTests.yaml)
        try other.write(to: folder.appendingPathComponent("other/shape.yaml"), atomically: true, encoding: .utf8)
        let path = folder.appendingPathComponent("sweep.yaml").path
        try """
            sweep:
              name: shapes
              base: base.yaml
              seeds: 2
              variants:
                - {name: as-written, set: {}}
                - {name: other, base: other/shape.yaml}
                - {name: other-three, base: other/shape.yaml, set: {policy.replicas: 3}}
              grid:
                replica.engine.max_num_seqs: [8]
            """.write(toFile: path, atomically: true, encoding: .utf8)
        let jobs = try SweepSpec.load(file: path).jobs()
        #expect(jobs.count == 6)
        let scenarios = try jobs.map { try $0.document.scenario() }
        #expect(scenarios.map(\.name) == ["store-test", "store-test", "other-shape", "other-shape", "other-shape", "other-shape"])
        #expect(scenarios.allSatisfy { $0.replica.engine.maxNumSeqs == 8 })
        guard case let .fixed(fixed) = scenarios[5].policy else { Issue.record("policy \(scenarios[5].policy)"); return }
        #expect(fixed.replicas == 3)

        try """
            sweep:
              name: shapes
              base: base.yaml
              variants:
                - {name: missing, base: nowhere.yaml}
            """.write(toFile: path, atomically: true, encoding: .utf8)
        #expect { try SweepSpec.load(file: path) } throws: { "\($0)".contains("sweep.variants[0].base") && "\($0)".contains("nowhere.yaml") }
        try """
            sweep:
              name: shapes
              base: base.yaml
              variants:
                - {name: twice, set: {}}
                - {name: twice, set: {}}
            """.write(toFile: path, atomically: true, encoding: .utf8)
        #expect { try SweepSpec.load(file: path) } throws: { "\($0)".contains("variant `twice` is named twice") }
    }
}
