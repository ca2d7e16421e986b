import HeadroomEngine
import Testing
@testable import Headroom

@Suite("policy replay on a Prometheus export")
struct PrometheusReplayTests {
    /// Two pods scraped every 15 s for 2 minutes; pod b's queue grows from 0 by 3 a scrape.
    static var json: String {
        let points = (0...8).map { i in (1_700_000_000 + 15 * i, i) }
        func series(_ pod: String, _ value: (Int) -> Int) -> String {
            let values = points.map { "[\($0.0), \"\(value($0.1))\"]" }.joined(separator: ", ")
            return #"{"metric": {"__name__": "vllm:num_requests_waiting", "pod": "\#(pod)", "namespace": "default", "model_name": "m"}, "values": [\#(values)]}"#
        }
        return #"{"status": "success", "data": {"resultType": "matrix", "result": ["# + series("a") { _ in 2 } + ", " + series("b") { 3 * $0 } + "]}}"
    }

    static func keda() throws -> KEDAScaledObject {
        var spec = KEDASpec()
        spec.minReplicaCount = 1
        spec.maxReplicaCount = 20
        spec.pollingInterval = .seconds(15)
        spec.triggers = [KEDATrigger(kind: .prometheus, signal: .concurrency, thresholdMilli: 5_000,
                                     query: QueryMetric(try PromQLQuery("sum(vllm:num_requests_waiting)"), reading: .kedaScaler(ignoreNullValues: true)))]
        return KEDAScaledObject(spec: spec)
    }

    @Test("a range query's JSON replays a KEDA trigger: the summed queue against 5 per replica, ready pods from the series")
    func json() throws {
        let export = try PrometheusExport.parse(Self.json, file: "export.json")
        #expect(export.end == 120_000 && export.interval == 15_000)
        let steps = PolicyReplay.run(try Self.keda(), export: export)
        #expect(steps.count == 9)
        #expect(steps.allSatisfy { $0.ready == 2 })
        // At 60 s: 2 + 12 = 14 waiting on 2 replicas → ceil(14 / 5) = 3.
        let at60 = try #require(steps.first { $0.time == .seconds(60) })
        #expect(at60.desired == 3, "\(at60.reason)")
        #expect(at60.reason.contains("sum(vllm:num_requests_waiting)"))
    }

    @Test("the CSV form (metric, labels, timestamp, value) reads the same series")
    func csv() throws {
        var lines = ["metric,labels,timestamp,value"]
        for i in 0...8 {
            lines.append(#"vllm:num_requests_waiting,"{pod=""a"", namespace=""default""}",\#(1_700_000_000 + 15 * i),2"#)
            lines.append(#"vllm:num_requests_waiting,"{pod=""b"", namespace=""default""}",\#(1_700_000_000 + 15 * i),\#(3 * i)"#)
        }
        let text = lines.joined(separator: "\n")
        #expect(PrometheusExport.recognizes(text) && PrometheusExport.recognizes(Self.json))
        #expect(!PrometheusExport.recognizes("time,ready,concurrency\n0,1,2"))
        let fromCSV = PolicyReplay.run(try Self.keda(), export: try PrometheusExport.parse(text, file: "export.csv"))
        let fromJSON = PolicyReplay.run(try Self.keda(), export: try PrometheusExport.parse(Self.json, file: "export.json"))
        #expect(fromCSV == fromJSON)
    }

    @Test("bad exports are refused naming the file, the line or JSON path, and the form expected")
    func refusals() {
        let cases: [(String, String)] = [
            ("metric,labels,timestamp,value\nx,\"{pod=a}\",1,2", "e:2: labels: expected labels as {name=\"value\""),
            ("metric,labels,timestamp,value\nx,{},soon,2", "expected Unix seconds"),
            (#"{"status": "success", "data": {"result": [{"metric": {"pod": "a"}, "values": [[1, 2]]}]}}"#, "data.result[0].values[0]"),
            (#"{"status": "error"}"#, "the query failed"),
        ]
        for (text, message) in cases {
            do {
                _ = try PrometheusExport.parse(text, file: "e")
                Issue.record("accepted: \(text)")
            } catch {
                #expect(error.description.contains(message), "\(error)")
            }
        }
        #expect(throws: ScenarioError.self) {
            try PolicyReplay.requireQueries(of: KEDAScaledObject(spec: PolicyTestsSupport.signalSpec()), file: "e")
        }
    }
}

enum PolicyTestsSupport {
    static func signalSpec() -> KEDASpec {
        var spec = KEDASpec()
        spec.triggers = [KEDATrigger(kind: .prometheus, signal: .concurrency, thresholdMilli: 10_000)]
        return spec
    }
}
