/// Prometheus' storage as a query sees it: series of timestamped samples (milliseconds), with
/// staleness markers written when a target stops exposing a series or its scrape fails
/// (prometheus/prometheus `scrape/scrape.go`, `value.StaleNaN`). Samples older than `retention`
/// are dropped, as no query looks further back.
public struct SeriesStore: Sendable {
    /// Prometheus' staleness marker: a NaN with a payload no arithmetic produces (`value.StaleNaN`).
    public static let staleNaN = Double(bitPattern: 0x7ff0_0000_0000_0002)
    @inline(__always) public static func isStale(_ value: Double) -> Bool { value.bitPattern == staleNaN.bitPattern }

    struct Series: Sendable {
        var labels: Labels
        var times: [Int64] = []
        var values: [Double] = []
        /// Index of the first retained sample.
        var start = 0
    }

    private(set) var series: [Series] = []
    private var index: [Labels: Int] = [:]
    private var byName: [String: [Int]] = [:]
    /// Per target, the series its last successful scrape exposed.
    private var exposed: [String: [Int]] = [:]
    /// Milliseconds of history kept behind the newest sample; `nil` keeps everything.
    public var retention: Int64?

    public init(retention: Int64? = nil) { self.retention = retention }

    /// A successful scrape of `target` at `time`: its samples, and staleness markers for the series
    /// it exposed last time but not now.
    public mutating func scraped(_ samples: [ScrapedSample], target: String, at time: Int64) {
        var now: [Int] = []
        now.reserveCapacity(samples.count)
        for sample in samples {
            let id = seriesID(sample.labels)
            append(id, time, sample.value)
            now.append(id)
        }
        if let previous = exposed[target] {
            let current = Set(now)
            for id in previous where !current.contains(id) { append(id, time, Self.staleNaN) }
        }
        exposed[target] = now
    }

    /// Forgets series with no sample within `retention` of `time` (pods long gone), so queries do
    /// not scan them. Called by the scraper now and then, not per sample.
    public mutating func prune(at time: Int64) {
        guard let retention else { return }
        for (name, ids) in byName {
            let kept = ids.filter { id in
                guard let last = series[id].times.last, last >= time - retention else {
                    series[id].times = []
                    series[id].values = []
                    series[id].start = 0
                    index[series[id].labels] = nil
                    return false
                }
                return true
            }
            byName[name] = kept.isEmpty ? nil : kept
        }
    }

    /// A failed scrape (or a target that is gone): every series it exposed goes stale.
    public mutating func scrapeFailed(target: String, at time: Int64) {
        guard let previous = exposed.removeValue(forKey: target) else { return }
        for id in previous { append(id, time, Self.staleNaN) }
    }

    /// Targets with a successful last scrape.
    public var liveTargets: [String] { exposed.keys.sorted() }

    /// Adds one sample (an imported export); samples of a series must come in time order.
    public mutating func add(_ labels: Labels, time: Int64, value: Double) { append(seriesID(labels), time, value) }

    private mutating func seriesID(_ labels: Labels) -> Int {
        if let id = index[labels] { return id }
        let id = series.count
        series.append(Series(labels: labels))
        index[labels] = id
        byName[labels.metricName ?? "", default: []].append(id)
        return id
    }

    private mutating func append(_ id: Int, _ time: Int64, _ value: Double) {
        if let last = series[id].times.last, last >= time {
            if last == time { series[id].values[series[id].values.count - 1] = value }
            return
        }
        series[id].times.append(time)
        series[id].values.append(value)
        guard let retention else { return }
        while series[id].start < series[id].times.count && series[id].times[series[id].start] < time - retention {
            series[id].start += 1
        }
        if series[id].start > 256 && series[id].start * 2 > series[id].times.count {
            series[id].times.removeFirst(series[id].start)
            series[id].values.removeFirst(series[id].start)
            series[id].start = 0
        }
    }

    /// The series with metric name `name` (all series when `nil`).
    func candidates(named name: String?) -> [Int] {
        if let name { return byName[name] ?? [] }
        return Array(series.indices)
    }

    func labels(_ id: Int) -> Labels { series[id].labels }

    /// Samples in `(from, through]`, staleness markers excluded (a range selector's view).
    func samples(_ id: Int, after from: Int64, through: Int64) -> [(time: Int64, value: Double)] {
        let s = series[id]
        var low = s.start, high = s.times.count
        while low < high {
            let mid = (low + high) / 2
            if s.times[mid] > from { high = mid } else { low = mid + 1 }
        }
        var out: [(time: Int64, value: Double)] = []
        var i = low
        while i < s.times.count && s.times[i] <= through {
            if !Self.isStale(s.values[i]) { out.append((s.times[i], s.values[i])) }
            i += 1
        }
        return out
    }

    /// The newest sample in `(at − lookback, at]`, unless it is a staleness marker (an instant selector's view).
    func latest(_ id: Int, at time: Int64, lookback: Int64) -> (time: Int64, value: Double)? {
        let s = series[id]
        var low = s.start, high = s.times.count
        while low < high {
            let mid = (low + high) / 2
            if s.times[mid] > time { high = mid } else { low = mid + 1 }
        }
        let i = low - 1
        guard i >= s.start, s.times[i] > time - lookback, !Self.isStale(s.values[i]) else { return nil }
        return (s.times[i], s.values[i])
    }
}
