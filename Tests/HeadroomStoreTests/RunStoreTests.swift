import Foundation
import GRDB
import Headroom
import HeadroomEngine
import HeadroomTestSupport
import Testing
@testable import HeadroomStore

@Suite("Run store")
struct RunStoreTests {
    static let yaml = """
        name: store-test
        duration: 2m
        seed: 3
        workload:
          arrivals: {process: poisson, rate: 4/s}
          prompt_tokens: 200
          output_tokens: {dist: exponential, mean: 40}
        model: {name: m, weights: 16GB, kv_bytes_per_token: 128KiB}
        profile: {base: 10ms, per_seq: 1ms, per_prefill_token: 100us}
        node_pools: [{name: p, gpu: H100, price_per_hour: 10}]
        policy: {kind: fixed, replicas: 2}
        """

    static func temporaryPath(_ name: String = "store") -> String {
        FileManager.default.temporaryDirectory.appendingPathComponent("headroom-\(name)-\(UUID().uuidString).sqlite").path
    }

    static func runAndSave(_ store: RunStore, seed: UInt64 = 3, variant: String = "fixed") throws -> (Int64, RunResult) {
        var document = ScenarioDocument(yaml: yaml, file: "t.yaml")
        try document.set("seed", to: String(seed))
        let scenario = try document.scenario()
        let result = Simulation.run(scenario, options: RunOptions(requestSample: 5))
        let id = try store.save(result, document: document, scenario: scenario, placement: .init(variant: variant),
                                startedAt: Date(), wallSeconds: 0.1).id
        return (id, result)
    }

    @Test("round trip: what is stored reads back, every table filled, readable column names")
    func roundTrip() throws {
        let store = try RunStore(writer: DatabaseQueue())
        let (id, result) = try Self.runAndSave(store)
        let summary = try #require(try store.summaries(of: [id])[id])
        #expect(summary["arrived"] == Double(result.summary.requests.arrived))
        #expect(summary["ttft_p99_seconds"] == result.summary.ttft.p99)
        #expect(summary["cost_dollars"] == result.summary.cost.dollars)
        #expect(summary["gpu_hours_total"] == result.summary.gpuSeconds.total / 3600)
        let counts = try store.rowCounts(ofRun: id)
        #expect(counts["run_series"] == result.series.count)
        #expect(counts["decisions"] == result.decisions.count)
        #expect(counts["request_samples"] == 5)
        #expect(try store.scenarioYAML(ofRun: id)?.contains("seed: 3") == true)
        let listing = try #require(try store.runs().first)
        #expect(listing.scenario == "store-test" && listing.seed == 3 && listing.variant == "fixed")
        // The same scenario text is stored once.
        _ = try Self.runAndSave(store, variant: "again")
        #expect(try store.writer.read { try Int.fetchOne($0, sql: "SELECT COUNT(*) FROM scenarios") } == 1)
    }

    @Test("a run whose write fails part-way leaves no trace")
    func atomicWrite() throws {
        let store = try RunStore(writer: DatabaseQueue())
        let (_, result) = try Self.runAndSave(store)
        var broken = result
        // Two series points at one time violate the series primary key after the run row is written.
        broken.series.append(broken.series.last!)
        let document = ScenarioDocument(yaml: Self.yaml, file: "t.yaml")
        #expect(throws: (any Error).self) {
            try store.save(broken, document: document, scenario: try document.scenario(), placement: .init(variant: "broken"),
                           startedAt: Date(), wallSeconds: 0)
        }
        #expect(try store.runs().count == 1)
        #expect(try store.writer.read { try Int.fetchOne($0, sql: "SELECT COUNT(*) FROM run_summaries") } == 1)
    }

    @Test("migrations: an empty file is set up; reopening a current one changes nothing; a newer or foreign database is refused")
    func migrations() throws {
        let path = Self.temporaryPath()
        defer { try? FileManager.default.removeItem(atPath: path) }
        let first = try RunStore(path: path)
        _ = try Self.runAndSave(first)
        let reopened = try RunStore(path: path)
        #expect(try reopened.runs().count == 1)
        try reopened.writer.write { try $0.execute(sql: "INSERT INTO grdb_migrations (identifier) VALUES ('v9: from the future')") }
        #expect { try RunStore(path: path) } throws: { "\($0)".contains("newer Headroom") }

        let foreign = Self.temporaryPath("foreign")
        defer { try? FileManager.default.removeItem(atPath: foreign) }
        let queue = try DatabaseQueue(path: foreign)
        try queue.write { try $0.execute(sql: "CREATE TABLE invoices (id INTEGER)") }
        #expect { try RunStore(path: foreign) } throws: { "\($0)".contains("not a Headroom database") }
        #expect(try queue.read { try Int.fetchOne($0, sql: "SELECT COUNT(*) FROM invoices") } == 0)

        let garbage = Self.temporaryPath("garbage")
        defer { try? FileManager.default.removeItem(atPath: garbage) }
        try Data("this is not sqlite at all, just text".utf8).write(to: URL(fileURLWithPath: garbage))
        #expect { try RunStore(path: garbage) } throws: { "\($0)".contains(garbage) }
    }

    @Test("two writers on one file (as two processes would be) both land, once each")
    func concurrentWriters() throws {
        let path = Self.temporaryPath()
        defer { try? FileManager.default.removeItem(atPath: path) }
        let a = try RunStore(path: path), b = try RunStore(path: path)
        DispatchQueue.concurrentPerform(iterations: 6) { index in
            _ = try? Self.runAndSave(index.isMultiple(of: 2) ? a : b, seed: UInt64(index), variant: "w\(index)")
        }
        #expect(try a.runs().count == 6)
    }
}
