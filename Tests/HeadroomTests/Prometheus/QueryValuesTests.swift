import Foundation
import HeadroomEngine
import Testing

@testable import Headroom

/// The decision log keeps what each PromQL query returned: the values, or the error.
@Suite("Query values in the decision log")
struct QueryValuesTests {
    /// Two warm replicas that expose the gauge at every 15 s scrape; Prometheus down from 1 m to 2 m.
    static let yaml = """
        name: query-values
        duration: 3m
        seed: 1
        workload: {arrivals: {process: poisson, rate: 1/s}, prompt_tokens: 100, output_tokens: 20}
        model: {name: m, weights: 16GB, kv_bytes_per_token: 128KiB}
        profile: h100-llama3-8b
        node_pools: [{name: p, gpu: H100-80GB, price_per_hour: 1}]
        faults:
          - {kind: metric_outage, from: 1m, to: 2m}
        policy:
          kind: keda
          spec:
            minReplicaCount: 2
            maxReplicaCount: 2
            triggers:
              - type: prometheus
                metadata: {query: 'count(vllm:num_requests_running)', threshold: "1"}
              - type: prometheus
                metadata: {query: 'count(vllm:num_requests_running) * 1.5', threshold: "1"}
        """

    @Test(
        "KEDA prometheus triggers: count over 2 reporting replicas is 2, times 1.5 is 3; an outage is an error; --json shows them"
    )
    func keda() throws {
        let result = Simulation.run(try Scenario.parse(yaml: Self.yaml))
        let json = try JSONSerialization.jsonObject(with: result.jsonData()) as? [String: Any]
        let decisions = try #require(json?["decisions"] as? [[String: Any]])
        #expect(decisions.count == 13)
        for decision in decisions {
            let time = try #require(decision["time"] as? Double)
            let values = try #require(decision["query_values"] as? [[String: Any]])
            #expect(
                values.map { $0["query"] as? String } == [
                    "count(vllm:num_requests_running)", "count(vllm:num_requests_running) * 1.5",
                ])
            if time == 0 {
                // Before the first scrape: an empty vector (KEDA reads 0 with ignoreNullValues).
                #expect(values.allSatisfy { ($0["values"] as? [Double]) == [] && $0["error"] == nil })
            } else if time >= 60 && time < 120 {
                #expect(
                    values.allSatisfy {
                        ($0["error"] as? String)?.contains("Prometheus query API is unavailable") == true
                            && ($0["values"] as? [Double]) == []
                    })
            } else {
                #expect(values.map { $0["values"] as? [Double] } == [[2], [3]], "at \(time) s")
                #expect(values.allSatisfy { $0["error"] == nil })
            }
        }
        // A policy without queries records none.
        var document = ScenarioDocument(yaml: Self.yaml, file: "t.yaml")
        try document.set("policy", to: "{kind: fixed, replicas: 2}")
        let fixed = Simulation.run(try document.scenario())
        #expect(fixed.decisions.allSatisfy { $0.queryValues == nil })
    }

    @Test("NaN and ±Inf are written as strings and read back; a record with NaN equals itself")
    func nonFinite() throws {
        let record = QueryValues(query: "q", values: [1.5, .nan, .infinity, -.infinity])
        let data = try JSONEncoder().encode(record)
        #expect(String(decoding: data, as: UTF8.self).contains(#"[1.5,"NaN","+Inf","-Inf"]"#))
        #expect(try JSONDecoder().decode(QueryValues.self, from: data) == record)
        #expect(record.summary == "q = 1.500, NaN, +Inf, -Inf")
        #expect(QueryValues(query: "q", values: [], error: "boom").summary == "q: boom")
    }
}
