import Foundation

/// A user's own Prometheus history, for `policy replay`: the JSON a range query returns
/// (`/api/v1/query_range`: `{"status":"success","data":{"resultType":"matrix","result":[{"metric":{…},
/// "values":[[t,"v"],…]}]}}`, instant `value`s accepted too), or a CSV with the header
/// `metric,labels,timestamp,value` (labels as `{pod="a", namespace="b"}` in one quoted field).
/// Timestamps are Unix seconds; the store holds them as milliseconds after the first one.
public struct PrometheusExport: Sendable {
    public var store: SeriesStore
    /// Milliseconds after the first sample of the last sample.
    public var end: Int64
    /// The smallest gap between two samples of one series (the scrape interval), in milliseconds.
    public var interval: Int64

    /// Whether `text` looks like an export rather than Headroom's own `time,ready,…` CSV.
    public static func recognizes(_ text: String) -> Bool {
        let head = text.drop { $0.isWhitespace }
        if head.first == "{" { return true }
        let header = head.prefix { !$0.isNewline }.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }
        return header.first == "metric" || header.first == "__name__"
    }

    public static func parse(_ text: String, file: String) throws(ScenarioError) -> PrometheusExport {
        var samples: [(labels: Labels, time: Double, value: Double)] = []
        if text.drop(while: { $0.isWhitespace }).first == "{" {
            samples = try json(text, file: file)
        } else {
            samples = try csv(text, file: file)
        }
        guard let t0 = samples.map(\.time).min() else { throw ScenarioError(file: file, path: "", message: "the export holds no samples") }
        var store = SeriesStore()
        var end: Int64 = 0, interval = Int64.max
        var last: [Labels: Int64] = [:]
        for sample in samples.sorted(by: { $0.time < $1.time }) {
            let time = Int64(((sample.time - t0) * 1000).rounded())
            if let previous = last[sample.labels], time > previous { interval = min(interval, time - previous) }
            last[sample.labels] = time
            store.add(sample.labels, time: time, value: sample.value)
            end = max(end, time)
        }
        return PrometheusExport(store: store, end: end, interval: interval == .max ? 15_000 : interval)
    }

    static func number(_ text: String) -> Double? {
        switch text {
        case "+Inf", "Inf": return .infinity
        case "-Inf": return -.infinity
        case "NaN": return .nan
        default: return Double(text)
        }
    }

    static func json(_ text: String, file: String) throws(ScenarioError) -> [(labels: Labels, time: Double, value: Double)] {
        func fail(_ path: String, _ message: String) -> ScenarioError { ScenarioError(file: file, path: path, message: message) }
        guard let root = try? JSONSerialization.jsonObject(with: Data(text.utf8)) as? [String: Any] else {
            throw fail("", "not JSON; expected the body of a Prometheus range query (/api/v1/query_range)")
        }
        if let status = root["status"] as? String, status != "success" { throw fail("status", "the query failed: `\(status)`") }
        guard let data = root["data"] as? [String: Any], let result = data["result"] as? [[String: Any]] else {
            throw fail("data.result", "missing; expected {\"data\": {\"resultType\": \"matrix\", \"result\": [...]}}")
        }
        var out: [(Labels, Double, Double)] = []
        for (index, series) in result.enumerated() {
            let path = "data.result[\(index)]"
            guard let metric = series["metric"] as? [String: String] else { throw fail("\(path).metric", "expected an object of label names to values") }
            let labels = Labels(metric)
            let points = (series["values"] as? [[Any]]) ?? (series["value"] as? [Any]).map { [$0] }
            guard let points else { throw fail(path, "expected `values` (a range query) or `value`") }
            for (p, point) in points.enumerated() {
                guard point.count == 2, let time = (point[0] as? NSNumber)?.doubleValue, let raw = point[1] as? String, let value = number(raw) else {
                    throw fail("\(path).values[\(p)]", "expected [unix seconds, \"value\"]")
                }
                out.append((labels, time, value))
            }
        }
        return out
    }

    static func csv(_ text: String, file: String) throws(ScenarioError) -> [(labels: Labels, time: Double, value: Double)] {
        var lines = text.split(whereSeparator: \.isNewline).map(String.init).enumerated().filter { !$0.element.trimmingCharacters(in: .whitespaces).isEmpty }
        let header = lines.removeFirst().element.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }
        let expected = ["metric", "labels", "timestamp", "value"]
        guard header.count == 4, ["metric", "__name__"].contains(header[0]), Array(header[1...]) == Array(expected[1...]) else {
            throw ScenarioError(file: file, line: 1, path: "", message: "expected the header `\(expected.joined(separator: ","))`")
        }
        var out: [(Labels, Double, Double)] = []
        for (index, line) in lines {
            let fields = split(line)
            guard fields.count == 4 else {
                throw ScenarioError(file: file, line: index + 1, path: "", message: "expected 4 fields (metric, labels, timestamp, value), found \(fields.count)")
            }
            guard var labels = parseLabels(fields[1]) else {
                throw ScenarioError(file: file, line: index + 1, path: "labels", message: "expected labels as {name=\"value\", …}, got `\(fields[1])`")
            }
            labels = labels.setting("__name__", fields[0])
            guard let time = Double(fields[2]), time.isFinite else {
                throw ScenarioError(file: file, line: index + 1, path: "timestamp", message: "expected Unix seconds, got `\(fields[2])`")
            }
            guard let value = number(fields[3]) else {
                throw ScenarioError(file: file, line: index + 1, path: "value", message: "expected a number, got `\(fields[3])`")
            }
            out.append((labels, time, value))
        }
        return out
    }

    /// A CSV line's fields; double-quoted fields may hold commas and `""`.
    static func split(_ line: String) -> [String] {
        var fields: [String] = [], field = "", quoted = false
        var chars = line.makeIterator()
        while let c = chars.next() {
            if quoted {
                if c == "\"" {
                    if let next = chars.next() {
                        if next == "\"" { field.append("\"") } else { quoted = false; if next == "," { fields.append(field); field = "" } else { field.append(next) } }
                    } else { quoted = false }
                } else { field.append(c) }
            } else if c == "\"" { quoted = true } else if c == "," { fields.append(field); field = "" } else { field.append(c) }
        }
        fields.append(field)
        return fields.map { $0.trimmingCharacters(in: .whitespaces) }
    }

    /// `{a="1", b="2"}` (braces optional); `nil` when malformed.
    static func parseLabels(_ text: String) -> Labels? {
        var body = text.trimmingCharacters(in: .whitespaces)
        if body.hasPrefix("{") && body.hasSuffix("}") { body = String(body.dropFirst().dropLast()) }
        guard !body.trimmingCharacters(in: .whitespaces).isEmpty else { return Labels() }
        guard case let .selector(selector)? = try? PromQLParser.parse("x{\(body)}"),
              selector.matchers.allSatisfy({ $0.kind == .equal }) else { return nil }
        return Labels(selector.matchers.map { ($0.label, $0.value) })
    }
}
