/// `histogram_quantile` over classic histograms (`_bucket` series with `le`), as Prometheus
/// computes it (prometheus/prometheus `promql/quantile.go` `BucketQuantile`): buckets grouped by
/// their labels without `le`, made monotonic, the rank located by linear interpolation inside
/// its bucket; the `+Inf` bucket answers with the highest finite bound.
enum HistogramQuantile {
    static func evaluate(_ q: Double, _ samples: [PromSample]) -> [PromSample] {
        var groups: [Labels: [(bound: Double, count: Double)]] = [:]
        var order: [Labels] = []
        for sample in samples {
            guard let le = sample.labels["le"], let bound = bound(le) else { continue }
            let key = sample.labels.dropping(["le", "__name__"])
            if groups[key] == nil { order.append(key) }
            groups[key, default: []].append((bound, sample.value))
        }
        return order.map { PromSample($0, quantile(q, groups[$0]!)) }
    }

    static func bound(_ text: String) -> Double? {
        switch text.lowercased() {
        case "+inf", "inf": return .infinity
        case "-inf": return -.infinity
        default: return Double(text)
        }
    }

    static func quantile(_ q: Double, _ unsorted: [(bound: Double, count: Double)]) -> Double {
        if q.isNaN { return .nan }
        if q < 0 { return -.infinity }
        if q > 1 { return .infinity }
        var buckets = unsorted.sorted { $0.bound < $1.bound }
        guard let last = buckets.last, last.bound == .infinity else { return .nan }
        // Coalesce equal bounds, then make the counts monotonic.
        var merged: [(bound: Double, count: Double)] = []
        for bucket in buckets {
            if let tail = merged.last, tail.bound == bucket.bound { merged[merged.count - 1].count += bucket.count } else { merged.append(bucket) }
        }
        buckets = merged
        var maximum = -Double.infinity
        for index in buckets.indices {
            maximum = Swift.max(maximum, buckets[index].count)
            buckets[index].count = maximum
        }
        guard buckets.count >= 2 else { return .nan }
        let observations = buckets[buckets.count - 1].count
        guard observations > 0 else { return .nan }
        var rank = q * observations
        let b = buckets.firstIndex { $0.count >= rank } ?? buckets.count - 1
        if b == buckets.count - 1 { return buckets[buckets.count - 2].bound }
        if b == 0 && buckets[0].bound <= 0 { return buckets[0].bound }
        var start = 0.0, count = buckets[b].count
        let end = buckets[b].bound
        if b > 0 {
            start = buckets[b - 1].bound
            count -= buckets[b - 1].count
            rank -= buckets[b - 1].count
        }
        return start + (end - start) * (rank / count)
    }
}
