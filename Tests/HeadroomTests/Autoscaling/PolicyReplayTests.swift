import HeadroomEngine
import Testing
@testable import Headroom

@Suite("Policy replay (shadow mode)")
struct PolicyReplayTests {
    @Test("an HPA on a recorded concurrency history proposes what its formula says, with its lag-free sync")
    func hpaReplay() throws {
        let csv = """
            time,ready,concurrency
            0,2,5
            15,2,5
            30,2,20
            45,2,20
            60,4,10
            """
        let rows = try PolicyReplay.parse(csv: csv, file: "m.csv")
        var settings = HPAControllerSettings()
        settings.pipelines[.concurrency] = SignalPipeline(scrapeInterval: .seconds(15), window: .seconds(15))
        let hpa = HorizontalPodAutoscaler(
            spec: HPASpec(minReplicas: 1, maxReplicas: 10, metrics: [HPAMetric(source: .pods, signal: .concurrency, target: .averageValue(milli: 10_000))]),
            settings: settings)
        let steps = PolicyReplay.run(hpa, rows: rows)
        #expect(steps.map(\.time.seconds) == [0, 15, 30, 45, 60])
        // The first sync adopts the 2 running replicas; then 5 per pod on 2 pods against 10 → 1,
        // held by the 5-minute stabilization; 20 per pod → 4; at 60 s 10 per pod on 4 → 4.
        #expect(steps.map(\.desired) == [2, 2, 4, 4, 4])
    }

    @Test("bad histories are refused with the line and column")
    func errors() {
        func message(_ csv: String) -> String {
            do { _ = try PolicyReplay.parse(csv: csv, file: "m.csv"); return "" } catch { return error.description }
        }
        #expect(message("time,ready,gpu_utilisation\n0,1,50").contains("did you mean `gpu_utilization`?"))
        #expect(message("time,concurrency\n0,1").contains("needs `time` and `ready`"))
        #expect(message("time,ready,cpu\n0,1,0.5\n10,1").contains("m.csv:3: expected 3 fields"))
        #expect(message("time,ready,cpu\n0,1,0.5\n0,1,0.4").contains("m.csv:3: time: times must increase"))
        #expect(message("time,ready,cpu\n0,1,abc").contains("m.csv:2: cpu: expected a number"))
        #expect(message("").contains("empty"))
    }
}
