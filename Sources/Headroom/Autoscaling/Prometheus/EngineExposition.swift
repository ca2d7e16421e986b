/// One scraped sample: the series' labels (with `__name__`) and its value.
public struct ScrapedSample: Sendable, Equatable {
    public var labels: Labels
    public var value: Double
    public init(_ labels: Labels, _ value: Double) {
        self.labels = labels
        self.value = value
    }
}

/// What a scrape of one replica's `/metrics` returns, limited to the series names asked for
/// (a query only ever reads those; the rest would be stored and never read).
enum EngineExposition {
    /// Appends the samples of every name in `names` that the engine exposes; other names are skipped.
    static func samples(
        _ names: [String], state: EngineMetricState, gauges: EngineGauges, target: Labels, into out: inout [ScrapedSample]
    ) {
        for name in names {
            guard let (metric, part) = EngineMetric.exposedNames[name] else { continue }
            let labels = target.setting("__name__", name)
            switch (metric, part) {
            case (.numRequestsRunning, _): out.append(ScrapedSample(labels, Double(gauges.running)))
            case (.numRequestsWaiting, _): out.append(ScrapedSample(labels, Double(gauges.waiting)))
            case (.kvCacheUsage, _): out.append(ScrapedSample(labels, gauges.kvCacheUsage))
            case (.promptTokens, _): out.append(ScrapedSample(labels, Double(state.promptTokens)))
            case (.generationTokens, _):
                out.append(ScrapedSample(labels, Double(state.generationTokens + Int64(gauges.unreportedTokens))))
            case (.requestSuccess, _):
                for (reason, value) in [("abort", 0), ("length", state.successes), ("stop", 0)] {
                    out.append(ScrapedSample(labels.setting("finished_reason", reason), Double(value)))
                }
            default:
                guard let histogram = state.histogram(metric) else { continue }
                switch part {
                case .sum: out.append(ScrapedSample(labels, histogram.sum))
                case .count: out.append(ScrapedSample(labels, Double(histogram.count)))
                case .bucket, .value:
                    var cumulative: Int64 = 0
                    for index in histogram.buckets.indices {
                        cumulative += histogram.buckets[index]
                        let bound = index < histogram.bounds.count ? histogram.bounds[index] : .infinity
                        out.append(ScrapedSample(labels.setting("le", EngineHistogram.le(bound)), Double(cumulative)))
                    }
                }
            }
        }
    }

    /// Every name a replica exposes (vLLM's and the aliases), for a scrape that keeps everything.
    static var allNames: [String] { EngineMetric.exposedNames.keys.sorted() }
}
