import Foundation
import HeadroomEngine

/// The built-in profiles composed from measured GPU tables (Vidur's and LLMServingSim's, see
/// `measurements/README.md`), one per model × GPU × TP the tables cover, compiled into the binary
/// (`MeasuredProfiles+Generated.swift`) so that `profile: h100-llama3.1-8b-tp1` works from any
/// directory. They come first: a datasheet roofline (`HardwareProfile.builtIn`) is kept only
/// where no measurement exists, and a measured profile of the same name replaces it.
public enum MeasuredProfiles {
    /// Every measured built-in, in name order (decoded once; `MeasuredProfilesTests` checks that each
    /// embedded text decodes, so none is dropped here).
    public static let all: [CalibratedProfile] = embedded.compactMap(decode)

    /// One measured built-in, decoding only its own text: decoding all of them costs ~15 ms, paid by
    /// every scenario naming one (`MeasuredProfilesTests` checks each entry's name is its profile's).
    public static func named(_ name: String) -> CalibratedProfile? {
        embedded.first { $0.name == name }.flatMap(decode)
    }

    private static func decode(_ entry: (name: String, json: String)) -> CalibratedProfile? {
        try? CalibratedProfile.decode(Data(entry.json.utf8), file: "built-in profile \(entry.name)")
    }

    /// The datasheet rooflines no measured profile replaces (`HardwareProfile.builtIn`, estimates).
    public static var datasheetEstimates: [HardwareProfile] {
        let measured = Set(embedded.map(\.name))
        return HardwareProfile.builtIn.filter { !measured.contains($0.name) }
    }

    /// Every name a scenario's `profile:` takes without a path: measured ones, then the estimates.
    public static var builtInNames: [String] { embedded.map(\.name) + datasheetEstimates.map(\.name) }

    /// The names for an error message: the estimates in full, the measured ones grouped by GPU and
    /// model (`h100-llama2-7b-tp1/2/4/8`) so that fifty names stay a few lines.
    public static var builtInNamesSummary: String {
        var groups: [(prefix: String, tps: [String])] = []
        for name in embedded.map(\.name) {
            guard let range = name.range(of: "-tp", options: .backwards) else {
                groups.append((name, []))
                continue
            }
            let prefix = String(name[..<range.upperBound]), tp = String(name[range.upperBound...])
            if let last = groups.indices.last, groups[last].prefix == prefix { groups[last].tps.append(tp) } else { groups.append((prefix, [tp])) }
        }
        let measured = groups.map { $0.prefix + $0.tps.joined(separator: "/") }.joined(separator: ", ")
        return "measured: \(measured); datasheet estimates: \(datasheetEstimates.map(\.name).joined(separator: ", "))"
    }

    /// `unknown built-in profile `NAME`; did you mean `…`? built-in (see `headroom profile list`): …`.
    public static func unknownNameMessage(_ name: String) -> String {
        let hint = Suggestion.closest(to: name, in: builtInNames).map { "did you mean `\($0)`? " } ?? ""
        return "unknown built-in profile `\(name)`; \(hint)built-in (see `headroom profile list`): \(builtInNamesSummary)"
    }
}

extension HardwareProfile {
    /// A built-in profile by name for serving `model`: a measured one (scaled to the model's depth
    /// when the scenario's model is deeper or shallower and says so; as measured when its depth is
    /// unknown, the name having chosen the model), else a datasheet estimate; nil if neither.
    public static func builtIn(named name: String, serving model: ModelSpec) throws(ProfileError) -> HardwareProfile? {
        if let measured = MeasuredProfiles.named(name) {
            guard model.layers != nil || CalibratedProfile.knownShape(forModelNamed: model.name) != nil else { return measured.hardwareProfile }
            return try measured.hardwareProfile(serving: model)
        }
        return MeasuredProfiles.datasheetEstimates.first { $0.name == name }
    }
}
