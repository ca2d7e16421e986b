import Foundation
import Headroom

/// How results are printed: a readable table, or JSON for machines.
enum ResultFormat {
    static func json(_ result: RunResult) throws -> String {
        String(decoding: try result.jsonData(), as: UTF8.self)
    }

    static func table(_ s: RunSummary, wall: Double) -> String {
        func ms(_ seconds: Double) -> String {
            seconds >= 1 ? String(format: "%.2f s", seconds) : String(format: "%.1f ms", seconds * 1000)
        }
        func pct(_ share: Double) -> String { String(format: "%.2f %%", share * 100) }
        func row(_ name: String, _ stats: LatencyStats) -> String {
            name.padding(toLength: 14, withPad: " ", startingAt: 0)
                + [stats.mean, stats.p50, stats.p90, stats.p99, stats.max].map { ms($0).leftPad(11) }.joined()
        }
        let r = s.requests
        let drops = r.droppedByReason.filter { $0.value > 0 }.sorted { $0.key < $1.key }
            .map { "\($0.key) \($0.value)" }.joined(separator: ", ")
        let g = s.gpuSeconds
        let c = s.coldStarts
        var lines = [
            "\(s.scenario) — seed \(s.seed), \(formatDuration(s.durationSeconds)) simulated in \(String(format: "%.2f", wall)) s",
        ]
        // Which iteration-time profile, and whether it was measured: a datasheet estimate says so.
        if let profile = s.profile { lines.append("Profile    \(profile.name) — \(profile.provenance)") }
        lines += [
            "",
            "Requests   arrived \(r.arrived)   finished \(r.finished)   dropped \(r.dropped)   in flight \(r.inFlight)",
        ]
        if let lost = s.inputLosses.headline { lines.append("Input lost \(lost)") }
        if !drops.isEmpty { lines.append("Dropped    \(drops)") }
        lines += [
            "",
            "Latency".padding(toLength: 14, withPad: " ", startingAt: 0) + ["mean", "p50", "p90", "p99", "max"].map { $0.leftPad(11) }.joined(),
            row("  TTFT", s.ttft), row("  ITL", s.itl), row("  end-to-end", s.e2e), row("  queue wait", s.queueWait),
            "",
            "SLO        TTFT ≤ \(ms(s.slo.ttftTargetSeconds)): \(pct(s.slo.ttft))   ITL ≤ \(ms(s.slo.itlTargetSeconds)): \(pct(s.slo.itl))   both: \(pct(s.slo.both))",
            "Throughput \(s.tokens.output) output tokens, \(String(format: "%.0f", s.tokens.outputPerSecond)) tokens/s; \(s.preemptions) KV preemptions",
            "Cold starts \(c.started) started, \(c.completed) ready" + (c.completed > 0 ? String(
                format: "; mean %.1f s (pending %.1f, pull %.1f, load %.1f, warm-up %.1f), max %.1f s",
                c.meanTotal, c.meanPending, c.meanPull, c.meanLoad, c.meanWarmup, c.maxTotal) : ""),
        ]
        // Starts that never became ready and refused node requests change the results: shown when any.
        let unready = [(c.cancelled, "cancelled before ready"), (c.unfinished, "still starting at the end"),
                       (s.stockouts, s.stockouts == 1 ? "stockout (node request refused)" : "stockouts (node requests refused)"),
                       (s.replicaFailures, s.replicaFailures == 1 ? "injected replica failure" : "injected replica failures")]
            .filter { $0.0 > 0 }.map { "\($0.0) \($0.1)" }
        if !unready.isEmpty { lines.append("            " + unready.joined(separator: ", ")) }
        if let capacity = capacityLine(s) { lines.append(capacity) }
        if let kv = disaggregationLine(s) { lines.append(kv) }
        if let cache = s.prefixCache { lines.append(prefixCacheLine(cache)) }
        lines += [
            "",
            String(format: "GPU-hours  %.2f total: serving %.2f, idle %.2f, starting %.2f, provisioning %.2f, unallocated %.2f",
                   g.total / 3600, g.serving / 3600, g.idle / 3600, g.starting / 3600, g.provisioning / 3600, g.unallocated / 3600),
            String(format: "Cost       $%.2f (%.0f node-seconds); $%.3f per million output tokens; peak %d replicas on %d nodes",
                   s.cost.dollars, s.cost.nodeSeconds, s.cost.perMillionOutputTokens, s.peakReplicas, s.peakNodes),
        ]
        if let byPool = poolCosts(s.cost) { lines.append(byPool) }
        // A terminal's width (100 unless $COLUMNS says otherwise): long lines break after "; " or ", ".
        // The deployments' table is a table: its rows are never broken.
        let deployments = s.deployments.map { DeploymentFormat.table($0, cost: s.cost) } ?? []
        return (Terminal.fit(lines, width: max(60, Terminal.width())) + deployments).joined(separator: "\n")
    }

    /// `By pool    h100: on-demand $12.00 (3600 node-s), reserved $20.00 (7200 node-s)`, when the
    /// cost has more than one part (several pools, or a reservation); nil otherwise.
    static func poolCosts(_ cost: CostSummary) -> String? {
        guard let lines = cost.byPool, lines.count > 1 else { return nil }
        var pools: [String] = []
        for line in lines where !pools.contains(line.pool) { pools.append(line.pool) }
        return "By pool    " + pools.map { pool in
            "\(pool): " + lines.filter { $0.pool == pool }.map {
                String(format: "%@ $%.2f (%.0f node-seconds)", $0.pricing.rawValue.replacingOccurrences(of: "_", with: "-"), $0.dollars,
                       $0.billedSeconds)
            }.joined(separator: ", ")
        }.joined(separator: "; ")
    }

    /// Warnings for stderr: the input the run could not use, with the first lines and reasons.
    static func inputWarnings(_ losses: InputLosses) -> [String] {
        var lines: [String] = []
        if losses.traceRowsSkipped > 0 {
            lines.append("warning: \(losses.traceRowsSkipped) unreadable trace row\(losses.traceRowsSkipped == 1 ? "" : "s") skipped; "
                         + "the results rest on the rows that remain (`bad_rows: fail` stops instead)")
            lines += losses.examples.map { "  \($0)" }
        }
        if let error = losses.readError { lines.append("warning: the trace stopped reading, later requests are missing: \(error)") }
        return lines
    }

    static func decisions(_ records: [DecisionRecord]) -> String {
        (["", "Decisions (time, ready/starting/pending, signals seen, desired, reason)"] + records.map { record in
            let signals = record.signals.map {
                String(format: "%@ %.3g/replica (%d)", $0.signal.rawValue, $0.perReplica, $0.reporting)
            }.joined(separator: ", ")
            return String(format: "%10.1f s  %d/%d/%d  ", record.time, record.replicas.ready, record.replicas.starting,
                          record.replicas.pending) + (signals.isEmpty ? "" : "[\(signals)]  ")
                + "→ \(record.desiredReplicas)  "
                + (record.excessBurstCapacity.map { String(format: "[EBC %.0f]  ", $0) } ?? "")
                + (record.active.map { $0 ? "[Active]  " : "[not Active]  " } ?? "")
                + (record.queryValues.map { "[" + $0.map(\.summary).joined(separator: "; ") + "]  " } ?? "") + record.reason
        }).joined(separator: "\n")
    }

    static func formatDuration(_ seconds: Double) -> String {
        seconds >= 3600 ? String(format: "%.4gh", seconds / 3600) : seconds >= 60 ? String(format: "%.4gm", seconds / 60)
            : String(format: "%.4gs", seconds)
    }
}

extension String {
    func leftPad(_ width: Int) -> String { count >= width ? self : String(repeating: " ", count: width - count) + self }
}
