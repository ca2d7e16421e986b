import Foundation
import HeadroomEngine
import Testing
@testable import Headroom

@Suite("Arrival processes")
struct ArrivalTests {
    /// Arrival instants up to `horizon` seconds.
    static func arrivals(_ process: ArrivalProcess, horizon: Double, seed: UInt64 = 11) -> [Double] {
        var generator = ArrivalGenerator(process, random: RandomStream(seed: seed, name: "arrivals-test"))
        var times: [Double] = []
        while true {
            let t = generator.next()
            if t > horizon { return times }
            times.append(t)
        }
    }

    static func cv(_ times: [Double]) -> Double {
        let gaps = zip(times.dropFirst(), times).map { $0 - $1 }
        let mean = gaps.reduce(0, +) / Double(gaps.count)
        let variance = gaps.reduce(0) { $0 + ($1 - mean) * ($1 - mean) } / Double(gaps.count)
        return variance.squareRoot() / mean
    }

    @Test("Poisson: mean rate and CV of gaps 1")
    func poisson() {
        let times = Self.arrivals(.poisson(rate: 50), horizon: 2000)
        #expect(abs(Double(times.count) / 2000 / 50 - 1) < 0.01)
        #expect(abs(Self.cv(times) - 1) < 0.02)
    }

    @Test("gamma renewal: mean rate and the CV asked for", arguments: [0.5, 3.0])
    func gamma(cv: Double) {
        let times = Self.arrivals(.gamma(rate: 20, cv: cv), horizon: 5000)
        #expect(abs(Double(times.count) / 5000 / 20 - 1) < 0.03)
        #expect(abs(Self.cv(times) / cv - 1) < 0.05)
    }

    @Test("MMPP: long-run rate is the dwell-weighted mean, and it is burstier than Poisson")
    func mmpp() {
        let process = ArrivalProcess.mmpp(states: [
            MMPPState(rate: 5, meanDwell: .seconds(60)), MMPPState(rate: 50, meanDwell: .seconds(20)),
        ])
        #expect(abs(process.meanRate - (5 * 60 + 50 * 20) / 80.0) < 1e-12)
        let times = Self.arrivals(process, horizon: 50_000)
        #expect(abs(Double(times.count) / 50_000 / process.meanRate - 1) < 0.04)
        #expect(Self.cv(times) > 1.3)
    }

    @Test("schedule: each step's rate holds until the next; a period repeats it")
    func schedule() {
        let process = ArrivalProcess.schedule(
            steps: [RateStep(start: .zero, rate: 10), RateStep(start: .seconds(100), rate: 40), RateStep(start: .seconds(150), rate: 0)],
            period: .seconds(200))
        let times = Self.arrivals(process, horizon: 20_000)
        let inFirst = times.filter { $0.truncatingRemainder(dividingBy: 200) < 100 }.count
        let inSecond = times.filter { (100..<150).contains($0.truncatingRemainder(dividingBy: 200)) }.count
        let inThird = times.filter { $0.truncatingRemainder(dividingBy: 200) >= 150 }.count
        #expect(abs(Double(inFirst) / (100 * 10 * 100) - 1) < 0.03)
        #expect(abs(Double(inSecond) / (100 * 40 * 50) - 1) < 0.03)
        #expect(inThird == 0)
        #expect(abs(process.meanRate - (10 * 100 + 40 * 50) / 200.0) < 1e-12)
    }

    @Test("spikes: baseline plus bursts at the period, starting at the offset")
    func spikes() {
        let process = ArrivalProcess.spikes(baseline: 2, burstRate: 100, burstLength: .seconds(10), period: .seconds(100), offset: .seconds(30))
        let times = Self.arrivals(process, horizon: 100_000)
        let inBursts = times.filter { $0 >= 30 && ($0 - 30).truncatingRemainder(dividingBy: 100) < 10 }.count
        #expect(abs(Double(inBursts) / (1000 * 10 * 102) - 1) < 0.02)
        #expect(abs(Double(times.count) / 100_000 / process.meanRate - 1) < 0.02)
    }

    @Test("diurnal: mean rate, and the peak hour is busier than the trough")
    func diurnal() {
        let process = ArrivalProcess.diurnal(mean: 10, amplitude: 8, period: .hours(1), peak: .minutes(15))
        let times = Self.arrivals(process, horizon: 36_000)
        #expect(abs(Double(times.count) / 36_000 / 10 - 1) < 0.02)
        let nearPeak = times.filter { abs($0.truncatingRemainder(dividingBy: 3600) - 900) < 300 }.count
        let nearTrough = times.filter { abs($0.truncatingRemainder(dividingBy: 3600) - 2700) < 300 }.count
        #expect(Double(nearPeak) > 4 * Double(nearTrough))
        // The counts in the ±5-minute windows match the rate's integral there, 10 · 600 ± 8 ·
        // (3600 / π) · sin(π / 6) a period: thinning's shortcut below the least rate (2/s, where
        // no cosine is computed) must not change the trough's count (1,416 a period) or the peak's.
        let swing = 8 * 3600 / Double.pi * sin(Double.pi / 6)
        #expect(abs(Double(nearPeak) / (10 * (6000 + swing)) - 1) < 0.02)
        #expect(abs(Double(nearTrough) / (10 * (6000 - swing)) - 1) < 0.04)
    }

    @Test("the workload a seed produces does not depend on anything but the workload")
    func commonRandomNumbers() {
        let spec = WorkloadSpec(arrivals: .poisson(rate: 3), promptTokens: .constant(100), outputTokens: try! Distribution(.exponential(mean: 50)))
        var a = SyntheticWorkload(spec, seed: 9), b = SyntheticWorkload(spec, seed: 9)
        for _ in 0..<1000 { #expect(a.next() == b.next()) }
        // Changing the token lengths leaves the arrival instants alone.
        var longer = spec
        longer.outputTokens = .constant(500)
        var c = SyntheticWorkload(spec, seed: 9), d = SyntheticWorkload(longer, seed: 9)
        for _ in 0..<1000 { #expect(c.next()!.arrival == d.next()!.arrival) }
    }
}
