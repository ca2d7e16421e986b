import Foundation
import HeadroomEngine
import Testing
@testable import Headroom

/// `RequestLatencies` counts a finished request's four latencies and the interval TTFT into one
/// buffer; what it reads back must equal recording each latency into its own histogram.
@Suite("Request latencies in one buffer")
struct RequestLatenciesTests {
    /// A finished request's latencies: zeros, sub-microsecond values, bucket edges, latencies of
    /// every size, values past the top (clamped), and no ITL for one-token requests.
    static func request(_ random: inout RandomStream) -> (ttft: SimTime, itl: SimTime?, e2e: SimTime, wait: SimTime) {
        func latency() -> SimTime {
            let ns: Int64 = switch random.nextIndex(below: 6) {
            case 0: 0
            case 1: Int64(random.nextIndex(below: 600))
            case 2: Int64(1) << random.nextIndex(below: 50) + Int64(random.nextIndex(below: 3)) - 1
            case 3: 2_000_000_000_000_000
            default: Int64(pow(10, random.nextUnit() * 14))
            }
            return SimTime(nanoseconds: ns)
        }
        let ttft = latency(), e2e = latency(), wait = latency()
        return (ttft, random.nextIndex(below: 4) == 0 ? nil : latency(), e2e, wait)
    }

    /// The four histograms and the interval, recorded apart.
    struct Apart {
        var ttft: LatencyHistogram, itl: LatencyHistogram, e2e: LatencyHistogram, wait: LatencyHistogram
        var interval = IntervalLatency()
        init(spillAt: UInt32) {
            (ttft, itl, e2e, wait) = (.init(spillAt: spillAt), .init(spillAt: spillAt), .init(spillAt: spillAt), .init(spillAt: spillAt))
        }
        mutating func record(_ r: (ttft: SimTime, itl: SimTime?, e2e: SimTime, wait: SimTime)) {
            ttft.record(r.ttft)
            if let itl = r.itl { self.itl.record(itl) }
            e2e.record(r.e2e)
            wait.record(r.wait)
            interval.record(r.ttft)
        }
        func histogram(_ kind: RequestLatencies.Kind) -> LatencyHistogram {
            switch kind {
            case .ttft: ttft
            case .itl: itl
            case .e2e: e2e
            case .queueWait: wait
            }
        }
    }

    static func expectSame(_ together: RequestLatencies, _ apart: Apart) {
        for kind in RequestLatencies.Kind.allCases {
            let ours = together.histogram(kind), theirs = apart.histogram(kind)
            #expect(ours.count == theirs.count, "\(kind)")
            #expect(ours.stats == theirs.stats, "\(kind)")
            #expect(ours.quantiles == theirs.quantiles, "\(kind)")
            let (a, b) = (ours.histogram, theirs.histogram)
            #expect(a.totalCount == b.totalCount && a.min == b.min && a.maxRecorded == b.maxRecorded, "\(kind)")
            #expect(Array(a.recordedValues().map { [$0.value, UInt64($0.count)] }) == Array(b.recordedValues().map { [$0.value, UInt64($0.count)] }), "\(kind)")
        }
        let (ours, theirs) = (together.interval, apart.interval)
        #expect(ours.count == theirs.count)
        #expect(ours.medianAndTail.map { [$0.0, $0.1] } == theirs.medianAndTail.map { [$0.0, $0.1] })
    }

    @Test("the lane size is HdrHistogram's count of buckets")
    func laneSize() {
        #expect(LatencyCounts.laneSize == LatencyHistogram.countsIndex(LatencyHistogram.highest) + 1)
    }

    @Test("each latency reads back as if recorded into its own histogram, spills included (per lane)",
          arguments: [(0, UInt32.max), (1, .max), (3_000, .max), (3_000, 2), (3_000, 1)])
    func recordsAsApart(count: Int, spillAt: UInt32) {
        var random = RandomStream(seed: UInt64(count) + UInt64(spillAt), name: "request-latencies")
        var together = RequestLatencies(spillAt: spillAt), apart = Apart(spillAt: spillAt)
        for _ in 0..<count {
            let r = Self.request(&random)
            together.record(ttft: r.ttft, itl: r.itl, e2e: r.e2e, queueWait: r.wait)
            apart.record(r)
        }
        Self.expectSame(together, apart)
    }

    @Test("a finished request recorded whole counts its latencies as recording them one by one does")
    func recordsARequest() {
        var random = RandomStream(seed: 11, name: "request-latencies-slot")
        var whole = RequestLatencies(), byValue = RequestLatencies()
        for _ in 0..<2_000 {
            let arrival = SimTime(nanoseconds: Int64(random.next() % 1_000_000_000))
            let admitted = arrival + SimTime(nanoseconds: Int64(random.next() % 50_000_000))
            let first = admitted + SimTime(nanoseconds: Int64(random.next() % 500_000_000))
            let output = Int32(1 + random.nextIndex(below: 300))
            let end = first + SimTime(nanoseconds: Int64(random.next() % 20_000_000_000))
            var request = RequestSlot(arrival: arrival, promptTokens: 100, outputTokens: output, prefillRemaining: 0, serial: 1)
            request.admittedAt = admitted
            request.firstTokenAt = first
            let itl = output > 1 ? SimTime(nanoseconds: (end - first).nanoseconds / Int64(output - 1)) : nil
            let got = whole.record(request, finishedAt: end)
            byValue.record(ttft: first - arrival, itl: itl, e2e: end - arrival, queueWait: admitted - arrival)
            #expect(got.ttft == first - arrival && got.itl == (itl ?? SimTime(nanoseconds: 0)))
        }
        for kind in RequestLatencies.Kind.allCases {
            #expect(whole.histogram(kind).stats == byValue.histogram(kind).stats)
            #expect(whole.histogram(kind).quantiles == byValue.histogram(kind).quantiles)
        }
        #expect(whole.interval.medianAndTail.map { [$0.0, $0.1] } == byValue.interval.medianAndTail.map { [$0.0, $0.1] })
    }

    @Test("a full bucket spills in its own lane only, and a request with no ITL counts none")
    func spillPerLane() {
        var together = RequestLatencies(spillAt: 2)
        for _ in 0..<7 { together.record(ttft: .milliseconds(5), itl: nil, e2e: .seconds(1), queueWait: .zero) }
        #expect(together.histogram(.ttft).count == 7 && together.histogram(.e2e).count == 7)
        #expect(together.histogram(.queueWait).count == 7 && together.histogram(.itl).count == 0)
        #expect(together.histogram(.ttft).stats.max == 0.005 && together.histogram(.e2e).stats.max == 1)
        #expect(together.histogram(.itl).quantiles.isEmpty && together.interval.count == 7)
    }

    @Test("merging combined buffers equals merging the histograms apart (the cluster's figures); a copy is unaffected",
          arguments: [UInt32.max, 3])
    func merge(spillAt: UInt32) {
        var random = RandomStream(seed: 7, name: "request-latencies-merge")
        var (a, b) = (RequestLatencies(spillAt: spillAt), RequestLatencies(spillAt: spillAt))
        var (apartA, apartB) = (Apart(spillAt: spillAt), Apart(spillAt: spillAt))
        for i in 0..<2_000 {
            let r = Self.request(&random)
            if i % 3 == 0 {
                b.record(ttft: r.ttft, itl: r.itl, e2e: r.e2e, queueWait: r.wait)
                apartB.record(r)
            } else {
                a.record(ttft: r.ttft, itl: r.itl, e2e: r.e2e, queueWait: r.wait)
                apartA.record(r)
            }
        }
        let before = a
        a.merge(b)
        apartA.ttft.merge(apartB.ttft)
        apartA.itl.merge(apartB.itl)
        apartA.e2e.merge(apartB.e2e)
        apartA.wait.merge(apartB.wait)
        // The interval is the deployment's own: merging leaves it alone.
        apartA.interval = before.interval
        Self.expectSame(a, apartA)
        #expect(before.histogram(.ttft).count == a.histogram(.ttft).count - b.histogram(.ttft).count, "copy on write")
        var empty = RequestLatencies(spillAt: spillAt)
        empty.merge(a)
        Self.expectSame(empty, { var x = apartA; x.interval = IntervalLatency(); return x }())
    }

    @Test("the interval clears at each sample; run-long histograms keep counting")
    func intervalClears() {
        var latencies = RequestLatencies()
        for ms in 1...100 { latencies.record(ttft: .milliseconds(Double(ms)), itl: nil, e2e: .seconds(1), queueWait: .zero) }
        var apart = IntervalLatency()
        for ms in 1...100 { apart.record(.milliseconds(Double(ms))) }
        #expect(latencies.interval.medianAndTail!.0 == apart.medianAndTail!.0 && latencies.interval.medianAndTail!.1 == apart.medianAndTail!.1)
        latencies.clearInterval()
        #expect(latencies.interval.medianAndTail == nil && latencies.interval.count == 0)
        latencies.record(ttft: .seconds(3), itl: nil, e2e: .seconds(4), queueWait: .zero)
        #expect(latencies.interval.medianAndTail!.0 == 3 && latencies.interval.count == 1)
        #expect(latencies.histogram(.ttft).count == 101)
    }

    @Test("drops are counted by reason: each reason's index is its place in allCases, and counts read and write back")
    func dropsByReason() {
        #expect(DropReason.allCases.map(\.index) == Array(DropReason.allCases.indices))
        var metrics = RunMetrics(slo: SLOSpec(), requestSample: 0)
        metrics.dropped(serial: 1, reason: .queueTimeout, at: .zero)
        metrics.dropped(serial: 2, reason: .queueTimeout, at: .zero)
        metrics.dropped(serial: 3, reason: .spotInterrupted, at: .zero)
        var counts = metrics.counts
        #expect(counts.dropped == 3 && counts.droppedByReason.count == DropReason.allCases.count)
        #expect(counts.droppedByReason["queue_timeout"] == 2 && counts.droppedByReason["spot_interrupted"] == 1)
        #expect(counts.droppedByReason["activator_full"] == 0)
        counts.inFlight = 5
        metrics.counts = counts
        #expect(metrics.counts == counts)
        var merged = metrics
        merged.merge(metrics)
        #expect(merged.counts.droppedByReason["queue_timeout"] == 4 && merged.counts.dropped == 6)
    }
}
