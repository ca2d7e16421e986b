import Foundation
import HeadroomEngine

/// Shadow mode: feeds a recorded metric history through a policy and reports the replica count it
/// would have chosen, without simulating the effect of its choices.
///
/// The history is a CSV with a header: `time` (seconds), `ready` (ready replicas) and one column
/// per signal the policy reads (`concurrency`, `requests_per_second`, `completions_per_second`,
/// `gpu_utilization`, `cpu`), each the mean per ready replica, plus an optional `activator`
/// column (requests waiting for capacity). The policy is asked at its own sync period (or at
/// every row when it has none); each signal is read at its pipeline's scrape instants, holding the
/// latest recorded row.
public enum PolicyReplay {
    public struct Row: Sendable, Equatable {
        public var time: SimTime
        public var ready: Int
        public var values: [Signal: Double]
        public var activator: Double
    }

    public struct Step: Sendable, Equatable {
        public var time: SimTime
        public var ready: Int
        public var desired: Int
        public var reason: String
    }

    /// Parses the CSV; errors name the file and line.
    public static func parse(csv text: String, file: String) throws(ScenarioError) -> [Row] {
        var lines = text.split(whereSeparator: \.isNewline).map(String.init).enumerated().filter { !$0.element.trimmingCharacters(in: .whitespaces).isEmpty }
        guard !lines.isEmpty else { throw ScenarioError(file: file, path: "", message: "the metrics file is empty") }
        let header = lines.removeFirst().element.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }
        let allowed = ["time", "ready", "activator"] + Signal.allCases.map(\.rawValue)
        for name in header where !allowed.contains(name) {
            let hint = Suggestion.closest(to: name, in: allowed).map { "did you mean `\($0)`? " } ?? ""
            throw ScenarioError(file: file, line: 1, path: name, message: "unknown column; \(hint)allowed: \(allowed.joined(separator: ", "))")
        }
        guard header.contains("time"), header.contains("ready") else {
            throw ScenarioError(file: file, line: 1, path: "", message: "the header needs `time` and `ready` columns")
        }
        var rows: [Row] = []
        for (index, line) in lines {
            let fields = line.split(separator: ",", omittingEmptySubsequences: false).map { $0.trimmingCharacters(in: .whitespaces) }
            guard fields.count == header.count else {
                throw ScenarioError(file: file, line: index + 1, path: "", message: "expected \(header.count) fields, found \(fields.count)")
            }
            var row = Row(time: .zero, ready: 0, values: [:], activator: 0)
            for (name, field) in zip(header, fields) {
                guard let number = Double(field), number.isFinite, number >= 0 else {
                    throw ScenarioError(file: file, line: index + 1, path: name, message: "expected a number >= 0, got `\(field)`")
                }
                switch name {
                case "time": row.time = .seconds(number)
                case "ready": row.ready = Int(number)
                case "activator": row.activator = number
                default: row.values[Signal(rawValue: name)!] = number
                }
            }
            if let last = rows.last, row.time <= last.time {
                throw ScenarioError(file: file, line: index + 1, path: "time", message: "times must increase (previous \(last.time.seconds) s)")
            }
            rows.append(row)
        }
        return rows
    }

    /// The column names of the CSV's header.
    public static func columns(csv text: String) -> [String] {
        guard let line = text.split(whereSeparator: \.isNewline).first(where: { !$0.trimmingCharacters(in: .whitespaces).isEmpty }) else {
            return []
        }
        return line.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }
    }

    /// Refuses a history that lacks a signal `policy` reads: replaying it would fail every
    /// metric fetch and print `FailedGetMetrics` on every row.
    public static func requireSignals(of policy: any ScalingPolicy, columns: [String], file: String) throws(ScenarioError) {
        var missing: [String] = []
        for request in policy.signals where !columns.contains(request.signal.rawValue) && !missing.contains(request.signal.rawValue) {
            missing.append(request.signal.rawValue)
        }
        guard !missing.isEmpty else { return }
        let names = missing.map { "`\($0)`" }.joined(separator: ", ")
        throw ScenarioError(file: file, line: 1, path: "",
                            message: "the policy reads \(names) but the file has no such column; its columns: \(columns.joined(separator: ", "))")
    }

    /// Runs `policy` over the history.
    public static func run(_ policy: any ScalingPolicy, rows: [Row]) -> [Step] {
        var policy = policy
        guard let first = rows.first, let last = rows.last else { return [] }
        var ticks: [SimTime] = []
        if let period = policy.syncPeriod, period > .zero {
            var tick = first.time
            while tick <= last.time { ticks.append(tick); tick += period }
        } else {
            ticks = rows.map(\.time)
        }
        var steps: [Step] = []
        var previous: SimTime?
        for tick in ticks {
            // Each signal is sampled at its pipeline's scrape instants since the last tick, holding
            // the latest recorded row (a coarse history is not read as zeros in between).
            let readings = policy.signals.map { request -> [SignalReading] in
                let interval = request.pipeline.scrapeInterval.nanoseconds
                var instant = previous.map { SimTime(nanoseconds: ($0.nanoseconds / interval + 1) * interval) } ?? tick
                var result: [SignalReading] = []
                while instant <= tick {
                    if let row = Self.row(at: instant, in: rows), let value = row.values[request.signal] {
                        result.append(SignalReading(signal: request.signal, sampledAt: instant,
                                                    values: Array(repeating: value, count: row.ready), activator: row.activator))
                    }
                    instant += request.pipeline.scrapeInterval
                }
                return result
            }
            let latest = Self.row(at: tick, in: rows) ?? first
            let observation = ScalingObservation(
                replicas: ReplicaCounts(ready: latest.ready), activatorQueue: Int(latest.activator.rounded()), readings: readings)
            let decision = policy.decide(observation, at: tick)
            steps.append(Step(time: tick, ready: latest.ready, desired: decision.desiredReplicas, reason: decision.reason))
            previous = tick
        }
        return steps
    }

    /// The latest row at or before `time`.
    static func row(at time: SimTime, in rows: [Row]) -> Row? {
        var low = 0, high = rows.count
        while low < high {
            let mid = (low + high) / 2
            if rows[mid].time <= time { low = mid + 1 } else { high = mid }
        }
        return low > 0 ? rows[low - 1] : nil
    }
}
