import HeadroomEngine
import Testing
@testable import Headroom

/// `bench --progress`'s rows: each interval's wall time against the arrivals the series counted in it.
@Suite("Run pace")
struct RunPaceTests {
    static func point(_ time: Double, arrivals: Int) -> SeriesPoint {
        SeriesPoint(time: time, arrivals: arrivals, finished: 0, dropped: 0, inFlight: 0, activatorQueue: 0, running: 0,
                    replicas: ReplicaCounts(), busyReplicas: 0, desiredReplicas: 0, nodesProvisioning: 0, nodesReady: 0,
                    ttftP50: nil, ttftP99: nil)
    }

    @Test("arrivals in (start, end] per row; wall and memory from the marks; µs per request their ratio")
    func rows() {
        let series = [10.0, 20, 30, 40, 50, 60].map { Self.point($0, arrivals: Int($0)) }
        let marks = [
            RunPace.Mark(simulated: .seconds(20), wallSeconds: 0.5, residentMegabytes: 40),
            RunPace.Mark(simulated: .seconds(60), wallSeconds: 2.5, residentMegabytes: 42),
        ]
        let pace = RunPace(marks: marks, series: series)
        #expect(pace.rows.count == 2)
        #expect(pace.rows[0].requests == 30 && pace.rows[0].wallSeconds == 0.5 && pace.rows[0].start == .zero)
        #expect(pace.rows[1].requests == 180 && pace.rows[1].wallSeconds == 2 && pace.rows[1].residentMegabytes == 42)
        #expect(pace.rows[1].microsecondsPerRequest == 2e6 / 180)
    }

    @Test("an interval without arrivals has no µs per request; a repeated mark adds no row")
    func empty() {
        let marks = [RunPace.Mark(simulated: .seconds(10), wallSeconds: 1, residentMegabytes: nil),
                     RunPace.Mark(simulated: .seconds(10), wallSeconds: 1, residentMegabytes: nil)]
        let pace = RunPace(marks: marks, series: [])
        #expect(pace.rows.count == 1 && pace.rows[0].microsecondsPerRequest == nil)
    }
}
