import Foundation
import HeadroomEngine

/// The scenario's `profile:`: a built-in name, a calibrated profile's JSON file, or the
/// coefficients written out in either form.
///
/// ```yaml
/// profile: {base: 8ms, per_seq: 1ms, per_prefill_token: 50us}          # linear (form: linear is implied)
/// profile:
///   form: knee
///   overhead: 1.2ms             # per iteration: launches, scheduling, all-reduce latency
///   weight_read: 5ms            # the linear operators' floor: reading the weights once
///   per_token_compute: 20us     # their compute per token (prefilled or decoded) past the knee
///   per_token: 1us              # per token on both sides of the knee (norms, all-reduce bytes)
///   per_decode_seq: 8us         # per decoding sequence
///   per_context_token: 40ns     # per cached token of the batch (decode attention reads)
///   per_attention_unit: 1.6ns   # prefill attention per chunk × (cached + chunk / 2); ps resolution
///   per_attention_key: 2.1us    # optional: per key of a chunk's longest walk (cached + chunk)
/// profile:
///   form: table                 # the linear operators by the batch's tokens, interpolated
///   tokens: [1, 64, 256, 1024, 4096]
///   linear: [6.1ms, 6.3ms, 8.0ms, 19ms, 71ms]
///   communication: [0ms, 0.1ms, 0.3ms, 1ms, 4ms]   # optional: the all-reduces at each knot
///   per_decode_seq: 8us
///   per_context_token: 23ns
///   per_attention_unit: 0.25ps
///   per_attention_key: 860ps
/// ```
extension HardwareProfile {
    static let linearKeys = ["base", "per_seq", "per_prefill_token", "per_context_token"]
    static let kneeKeys = ["overhead", "weight_read", "per_token_compute", "per_token", "per_decode_seq", "per_context_token",
                           "per_attention_unit", "per_attention_key"]
    static let tableKeys = ["tokens", "linear", "communication", "per_decode_seq", "per_context_token", "per_attention_unit",
                            "per_attention_key"]
    static func keys(of form: Form) -> [String] {
        switch form {
        case .linear: return linearKeys
        case .knee: return kneeKeys
        case .table: return tableKeys
        }
    }
    static let commonKeys = ["name", "source", "form"]

    /// A built-in profile's name, a calibrated profile's JSON file (scaled to `model`'s depth), or
    /// the coefficients written out.
    init(_ value: YAMLValue, serving model: ModelSpec) throws(ScenarioError) {
        if case .scalar = value.node {
            let name = try value.string()
            if name.hasSuffix(".json") {
                let path = name.hasPrefix("/") ? name
                    : URL(fileURLWithPath: value.file).absoluteURL.deletingLastPathComponent().appendingPathComponent(name).standardizedFileURL.path
                do {
                    self = try CalibratedProfile.load(file: path).hardwareProfile(serving: model)
                } catch {
                    throw value.error("\(error)")
                }
                return
            }
            let builtIn: HardwareProfile?
            do { builtIn = try HardwareProfile.builtIn(named: name, serving: model) } catch { throw value.error("\(error)") }
            guard let builtIn else { throw value.error(MeasuredProfiles.unknownNameMessage(name)) }
            self = builtIn
            return
        }
        let every = Form.allCases.flatMap(Self.keys(of:)).reduce(into: [String]()) { if !$0.contains($1) { $0.append($1) } }
        let all = try value.mapping(allowing: Self.commonKeys + every)
        let form: Form
        if let formValue = all["form"] {
            let text = try formValue.string()
            guard let parsed = Form(rawValue: text) else {
                throw formValue.error("unknown profile form `\(text)`; allowed: \(Form.allCases.map(\.rawValue).joined(separator: ", "))")
            }
            form = parsed
        } else {
            form = .linear
        }
        let allowed = Self.commonKeys + Self.keys(of: form)
        for (key, entry) in all.entries where !allowed.contains(key) {
            let owners = Form.allCases.filter { Self.keys(of: $0).contains(key) }.map { "`form: \($0.rawValue)`" }
            throw entry.error("`\(key)` is not a term of the \(form.rawValue) form (it belongs to \(owners.joined(separator: " and ")))"
                + "; allowed: \(allowed.joined(separator: ", "))")
        }
        let name = try all["name"]?.string() ?? "inline", source = try all["source"]?.string() ?? "written in the scenario"
        switch form {
        case .linear:
            self.init(
                name: name, source: source,
                base: try all.required("base").duration(),
                perSequence: try all.required("per_seq").duration(),
                perPrefillToken: try all.required("per_prefill_token").duration(),
                perContextToken: try all["per_context_token"]?.duration() ?? .zero)
        case .knee:
            // No iteration takes an hour, nor a token a second: the bounds keep every product of a
            // term and a batch's tokens (at most 2^24) well inside 64-bit nanoseconds.
            let fixed = SimTime.zero ... .seconds(3600), perToken = SimTime.zero ... .seconds(1)
            self = .knee(
                name: name, source: source,
                overhead: try all.required("overhead").duration(fixed),
                weightRead: try all.required("weight_read").duration(fixed),
                perTokenCompute: try all.required("per_token_compute").duration(perToken),
                perToken: try all["per_token"]?.duration(perToken) ?? .zero,
                perDecodeSequence: try all["per_decode_seq"]?.duration(perToken) ?? .zero,
                perContextToken: try all["per_context_token"]?.duration(perToken) ?? .zero,
                perAttentionUnitPicoseconds: try all["per_attention_unit"]?.picoseconds() ?? 0,
                perAttentionKeyPicoseconds: try all["per_attention_key"]?.picoseconds() ?? 0)
        case .table:
            let perToken = SimTime.zero ... .seconds(1)
            self = .table(
                name: name, source: source, table: try Self.tokenTable(all),
                perDecodeSequence: try all["per_decode_seq"]?.duration(perToken) ?? .zero,
                perContextToken: try all["per_context_token"]?.duration(perToken) ?? .zero,
                perAttentionUnitPicoseconds: try all["per_attention_unit"]?.picoseconds() ?? 0,
                perAttentionKeyPicoseconds: try all["per_attention_key"]?.picoseconds() ?? 0)
        }
    }

    /// The table form's `tokens`, `linear` and `communication` lists.
    private static func tokenTable(_ all: YAMLMapping) throws(ScenarioError) -> TokenCostTable {
        let tokensValue = try all.required("tokens"), linearValue = try all.required("linear")
        // A batch holds at most 2^24 tokens, an iteration no more than an hour: products stay in 64 bits.
        let tokens = try tokensValue.sequence().map { (entry: YAMLValue) throws(ScenarioError) in Int64(try entry.int(1 ... 1 << 24)) }
        let linear = try linearValue.sequence().map { (entry: YAMLValue) throws(ScenarioError) in try entry.duration(.zero ... .seconds(3600)) }
        let communication = try all["communication"]?.sequence().map { (entry: YAMLValue) throws(ScenarioError) in
            try entry.duration(.zero ... .seconds(3600))
        } ?? []
        do {
            return try TokenCostTable(tokens: tokens, linear: linear, communication: communication)
        } catch let problem {
            switch problem {
            case .tokensNotIncreasing(let index): throw tokensValue.error("`tokens[\(index)]` must be larger than the one before it")
            default: throw linearValue.error("\(problem)")
            }
        }
    }
}

extension YAMLValue {
    /// A short duration at picosecond resolution (`1.6ns`, `1600ps`), as whole picoseconds.
    func picoseconds() throws(ScenarioError) -> Int64 {
        let text = try scalar("a duration such as 1.6ns or 1600ps").trimmingCharacters(in: .whitespaces)
        let units: [(String, Double)] = [("ps", 1), ("ns", 1e3), ("us", 1e6), ("µs", 1e6), ("ms", 1e9), ("s", 1e12)]
        guard let (suffix, scale) = units.first(where: { text.hasSuffix($0.0) }),
              let number = Double(text.dropLast(suffix.count).trimmingCharacters(in: .whitespaces)), number.isFinite else {
            throw error("expected a duration with a unit (ps, ns, us, ms, s), e.g. `1.6ns`; got `\(text)`")
        }
        guard number >= 0 else { throw error("must not be negative, got `\(text)`") }
        let picoseconds = number * scale
        // A millisecond per unit would make a 1,000-token prefill take minutes: no GPU is that slow.
        guard picoseconds <= 1e9 else { throw error("must be at most 1ms, got `\(text)`") }
        return Int64(picoseconds.rounded())
    }
}
