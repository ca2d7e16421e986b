import Foundation
import HeadroomEngine

extension WorkloadSpec {
    init(_ value: YAMLValue) throws(ScenarioError) {
        let map = try value.mapping(allowing: ["arrivals", "prompt_tokens", "output_tokens", "trace", "conversation"])
        if let trace = map["trace"] {
            for key in ["arrivals", "prompt_tokens", "output_tokens", "conversation"] where map[key] != nil {
                throw map[key]!.error("a trace workload takes its arrivals and lengths from the trace; "
                                      + "override lengths under `trace:` (prompt_tokens, output_tokens)")
            }
            self.init(trace: try TraceSpec(trace))
            return
        }
        self.init(
            arrivals: try ArrivalProcess(map.required("arrivals")),
            promptTokens: try map.required("prompt_tokens").distribution(of: .count),
            outputTokens: try map.required("output_tokens").distribution(of: .count))
        conversation = try map["conversation"].map { (v) throws(ScenarioError) in try ConversationSpec(v) }
    }
}

extension ConversationSpec {
    /// `conversation: {turns, think_time}`: each arrival opens a session of `turns` turns (a
    /// count or a distribution), `think_time` apart (a duration or a distribution of durations).
    init(_ value: YAMLValue) throws(ScenarioError) {
        let map = try value.mapping(allowing: ["turns", "think_time"])
        let turnsValue = try map.required("turns")
        let turns = try turnsValue.distribution(of: .count)
        if case let .constant(count) = turns.shape, count < 1 { throw turnsValue.error("a conversation has at least 1 turn") }
        self.init(turns: turns, thinkTime: try map.required("think_time").distribution(of: .duration))
    }
}

extension ArrivalProcess {
    enum Kind: String, CaseIterable { case poisson, schedule, diurnal, mmpp, gamma, spikes }

    init(_ value: YAMLValue) throws(ScenarioError) {
        let kindMap = try value.mapping(allowing: ["process", "rate", "steps", "period", "mean", "amplitude", "peak",
                                                    "states", "cv", "baseline", "burst_rate", "burst_length", "offset"])
        let kind = try kindMap.required("process").choice(Kind.self)
        switch kind {
        case .poisson:
            let map = try value.mapping(allowing: ["process", "rate"])
            self = .poisson(rate: try map.required("rate").rate())
        case .gamma:
            let map = try value.mapping(allowing: ["process", "rate", "cv"])
            self = .gamma(rate: try map.required("rate").rate(), cv: try map.required("cv").number(0...100, open: true))
        case .diurnal:
            let map = try value.mapping(allowing: ["process", "mean", "amplitude", "period", "peak"])
            let mean = try map.required("mean").rate()
            let amplitudeValue = try map.required("amplitude")
            let amplitude = try amplitudeValue.rate()
            guard amplitude <= mean else { throw amplitudeValue.error("must not exceed mean (\(mean)/s): a rate cannot go negative") }
            self = .diurnal(mean: mean, amplitude: amplitude, period: try map["period"]?.duration(positive: true) ?? .hours(24),
                            peak: try map["peak"]?.duration() ?? .hours(14))
        case .schedule:
            let map = try value.mapping(allowing: ["process", "steps", "period"])
            let stepsValue = try map.required("steps")
            var steps: [RateStep] = []
            for item in try stepsValue.sequence() {
                let step = try item.mapping(allowing: ["at", "rate"])
                let atValue = try step.required("at")
                let at = try atValue.duration()
                if let last = steps.last, at <= last.start { throw atValue.error("steps must be in increasing time order") }
                if steps.isEmpty && at != .zero { throw atValue.error("the first step must start at 0s") }
                steps.append(RateStep(start: at, rate: try step.required("rate").rate()))
            }
            guard !steps.isEmpty else { throw stepsValue.error("at least one step is needed") }
            let periodValue = map["period"]
            let period = try periodValue?.duration(positive: true)
            if let period, let periodValue, steps.last!.start >= period { throw periodValue.error("must be later than the last step") }
            self = .schedule(steps: steps, period: period)
        case .mmpp:
            let map = try value.mapping(allowing: ["process", "states"])
            let statesValue = try map.required("states")
            let states = try statesValue.sequence().map { (item) throws(ScenarioError) -> MMPPState in
                let state = try item.mapping(allowing: ["rate", "dwell"])
                return MMPPState(rate: try state.required("rate").rate(), meanDwell: try state.required("dwell").duration(positive: true))
            }
            guard states.count >= 2 else { throw statesValue.error("an MMPP needs at least two states") }
            self = .mmpp(states: states)
        case .spikes:
            let map = try value.mapping(allowing: ["process", "baseline", "burst_rate", "burst_length", "period", "offset"])
            let periodValue = try map.required("period")
            let period = try periodValue.duration(positive: true)
            let lengthValue = try map.required("burst_length")
            let length = try lengthValue.duration(positive: true)
            guard length <= period else { throw lengthValue.error("must not exceed period (\(period))") }
            self = .spikes(baseline: try map.required("baseline").rate(), burstRate: try map.required("burst_rate").rate(),
                           burstLength: length, period: period, offset: try map["offset"]?.duration() ?? .zero)
        }
    }
}

/// What a distribution's values measure, which decides how they are written.
enum Quantity {
    /// Written as durations (`30s`), sampled in seconds.
    case duration
    /// Plain numbers (token counts).
    case count
}

extension YAMLValue {
    /// A distribution: a single value (a constant), or a mapping with `dist:` and its parameters.
    func distribution(of quantity: Quantity) throws(ScenarioError) -> Distribution {
        if case .scalar = node {
            let value = try self.quantity(quantity)
            return try wrap { () throws(DistributionError) in try Distribution(.constant(value)) }
        }
        let kindMap = try mapping(allowing: Self.distributionKeys)
        let kind = try kindMap.required("dist").choice(DistributionKind.self)
        let map = try mapping(allowing: ["dist", "min", "max"] + kind.parameters)
        func q(_ key: String) throws(ScenarioError) -> Double { try map.required(key).quantity(quantity) }
        func plain(_ key: String) throws(ScenarioError) -> Double { try map.required(key).number(0...1e12) }
        let shape: Distribution.Shape
        switch kind {
        case .constant: shape = .constant(try q("value"))
        case .uniform: shape = .uniform(low: try q("low"), high: try q("high"))
        case .exponential: shape = .exponential(mean: try q("mean"))
        case .normal: shape = .normal(mean: try q("mean"), standardDeviation: try q("sd"))
        case .lognormal: shape = .lognormal(median: try q("median"), sigma: try plain("sigma"))
        case .gamma: shape = .gamma(mean: try q("mean"), cv: try plain("cv"))
        case .weibull: shape = .weibull(shape: try plain("shape"), scale: try q("scale"))
        case .pareto: shape = .pareto(scale: try q("scale"), shape: try plain("shape"))
        case .empirical:
            let values = try map.required("values").sequence().map { (v) throws(ScenarioError) in try v.quantity(quantity) }
            let weights = try map.required("weights").sequence().map { (v) throws(ScenarioError) in try v.number(0...1e12) }
            shape = .empirical(values: values, weights: weights)
        }
        let low = try map["min"]?.quantity(quantity)
        let high = try map["max"]?.quantity(quantity)
        return try wrap { () throws(DistributionError) in try Distribution(shape, min: low, max: high) }
    }

    private func wrap(_ make: () throws(DistributionError) -> Distribution) throws(ScenarioError) -> Distribution {
        do { return try make() } catch { throw self.error(error.description) }
    }

    func quantity(_ quantity: Quantity) throws(ScenarioError) -> Double {
        switch quantity {
        case .duration: return try duration().seconds
        case .count: return try number(0...1e12)
        }
    }

    static let distributionKeys = ["dist", "min", "max"] + Set(DistributionKind.allCases.flatMap(\.parameters)).sorted()
}

enum DistributionKind: String, CaseIterable {
    case constant, uniform, exponential, normal, lognormal, gamma, weibull, pareto, empirical

    var parameters: [String] {
        switch self {
        case .constant: return ["value"]
        case .uniform: return ["low", "high"]
        case .exponential: return ["mean"]
        case .normal: return ["mean", "sd"]
        case .lognormal: return ["median", "sigma"]
        case .gamma: return ["mean", "cv"]
        case .weibull: return ["shape", "scale"]
        case .pareto: return ["scale", "shape"]
        case .empirical: return ["values", "weights"]
        }
    }
}

extension TraceSpec {
    static let keys = ["file", "format", "columns", "time_scale", "rate_multiplier", "window", "loop", "prompt_tokens",
                       "output_tokens", "bad_rows", "hash_block_tokens"]

    init(_ value: YAMLValue) throws(ScenarioError) {
        let map = try value.mapping(allowing: Self.keys)
        let fileValue = try map.required("file")
        let written = try fileValue.string()
        let path = written.hasPrefix("/") ? written
            : URL(fileURLWithPath: value.file).absoluteURL.deletingLastPathComponent().appendingPathComponent(written).standardizedFileURL.path
        self.init(file: path, format: try map["format"]?.choice(Format.self))
        if let columnsValue = map["columns"] {
            let columns = try columnsValue.mapping(allowing: ["time", "prompt", "output", "time_unit", "session", "hash_ids"])
            var unit = 1.0
            if let unitValue = columns["time_unit"] {
                let units: [String: Double] = ["s": 1, "ms": 1e-3, "us": 1e-6, "ns": 1e-9]
                let text = try unitValue.scalar("s, ms, us or ns")
                guard let scale = units[text] else { throw unitValue.error("unknown time unit `\(text)`; allowed: s, ms, us, ns") }
                unit = scale
            }
            self.columns = Columns(time: try columns.required("time").string(), prompt: try columns.required("prompt").string(),
                                   output: try columns.required("output").string(), timeUnitSeconds: unit,
                                   session: try columns["session"]?.string(), hashIDs: try columns["hash_ids"]?.string())
            // Columns name a generic CSV's fields: they imply the format, and mean nothing to the others.
            if format == nil {
                format = .csv
            } else if format != .csv {
                throw columnsValue.error("`columns:` names the fields of a generic CSV (`format: csv`); the \(format!.rawValue) format has fixed columns")
            }
        }
        if let blockValue = map["hash_block_tokens"] {
            hashBlockTokens = try blockValue.int(1...1_048_576)
        }
        if format == .csv && columns == nil { throw value.error("format `csv` needs `columns: {time, prompt, output}`") }
        timeScale = try map["time_scale"]?.number(0...1e6, open: true) ?? 1
        rateMultiplier = try map["rate_multiplier"]?.number(0...1000, open: true) ?? 1
        if let window = map["window"] {
            let w = try window.mapping(allowing: ["start", "end"])
            windowStart = try w["start"]?.duration() ?? .zero
            windowEnd = try w["end"]?.duration()
            if let end = windowEnd, end <= windowStart { throw window.error("end must be after start") }
        }
        loop = try map["loop"]?.bool() ?? false
        promptTokens = try map["prompt_tokens"]?.distribution(of: .count)
        outputTokens = try map["output_tokens"]?.distribution(of: .count)
        badRows = try map["bad_rows"]?.choice(BadRows.self) ?? .skip
        // Check the trace now: a missing file or an unknown format is reported before anything is
        // simulated. With `bad_rows: fail` (every row must be good) the whole file is read once
        // (byte-level parsing makes that pass cheap); a loop needs one row inside the window (the
        // replay measures the period on its first pass); otherwise the first row suffices.
        do {
            if badRows == .fail {
                let scan = try TraceScan(self)
                guard scan.rows > 0 else { throw fileValue.error("the trace has no readable rows in the window") }
            } else if loop {
                var reader = try TraceReader(file: file, format: format, columns: columns, badRows: badRows)
                var inside = false
                while !inside, let record = try reader.next() {
                    guard record.time >= windowStart.seconds else { continue }
                    guard windowEnd.map({ record.time < $0.seconds }) ?? true else { break }
                    inside = true
                }
                guard inside else { throw fileValue.error("the trace has no readable rows in the window") }
            } else {
                var reader = try TraceReader(file: file, format: format, columns: columns, badRows: badRows)
                guard try reader.next() != nil else { throw fileValue.error("the trace has no readable rows") }
            }
        } catch let error as TraceError {
            throw fileValue.error("\(error)")
        } catch let error as ScenarioError {
            throw error
        } catch {
            throw fileValue.error("\(error)")
        }
    }
}

extension TraceSpec {
    /// A `workload.trace` block given as text (a command-line option): a YAML mapping such as
    /// `{file: t.csv, columns: {time: arrival, prompt: prompt, output: output}}`, or a bare path
    /// (`{file: PATH}`). Relative paths are read from the current folder; checked as a scenario's.
    public static func parse(option text: String, name: String = "--trace") throws(ScenarioError) -> TraceSpec {
        let yaml = text.hasPrefix("{") ? text : "{file: '\(text.replacingOccurrences(of: "'", with: "''"))'}"
        let root = try YAMLText.compose(yaml, file: name)
        return try TraceSpec(YAMLValue(node: root, path: "trace", file: name))
    }
}
