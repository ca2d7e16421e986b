import Foundation
import HeadroomEngine

/// Serving a model deeper than the shape a profile was measured on.
///
/// Both calibration backends (`CPUBackend`, `probe.cu`) time only the loop over the transformer
/// layers: every fitted term — the intercept (each layer's weight reads and kernel launches), per
/// sequence, per prefill token, per context token — is a sum over layers, so all four scale with
/// the layer count. What lies outside that loop (embedding, LM head, sampling, the engine's
/// scheduler) is measured by neither backend, so it is neither in the profile nor scaled: the
/// source line says so. A profile composed from measured tables (`source` set) includes the
/// embedding and LM head; scaling carries them along, which the source line says instead. A layer of another width cannot be converted by a count; that is refused.
extension CalibratedProfile {
    /// The depth and width of models recognised by name, so a scenario need not state them.
    public struct KnownShape: Sendable, Equatable {
        public var family: String
        public var size: String
        public var layers: Int
        public var hidden: Int
    }

    /// Llama 3 / 3.1 (Meta's model cards and `config.json`: num_hidden_layers, hidden_size).
    public static let knownShapes: [KnownShape] = [
        KnownShape(family: "llama3", size: "8b", layers: 32, hidden: 4096),
        KnownShape(family: "llama3", size: "70b", layers: 80, hidden: 8192),
        KnownShape(family: "llama3", size: "405b", layers: 126, hidden: 16384),
    ]

    /// `llama-3.1-8b`, `Llama3-8B-Instruct`, `meta-llama/Meta-Llama-3.1-70B` → the known shape.
    public static func knownShape(forModelNamed name: String) -> KnownShape? {
        let lower = name.lowercased()
        let squashed = lower.filter { $0.isLetter || $0.isNumber || $0 == "." }
        let tokens = lower.split { !($0.isLetter || $0.isNumber || $0 == ".") }.map(String.init)
        return knownShapes.first { shape in
            squashed.contains(shape.family) && tokens.contains(shape.size)
        }
    }

    /// The iteration model for serving `model`: as measured when the depths agree, scaled by the
    /// layer ratio when the scenario's model is deeper or shallower, refused when its depth is
    /// unknown or its layers are of another width.
    public func hardwareProfile(serving model: ModelSpec) throws(ProfileError) -> HardwareProfile {
        let measured = "\(self.model.name) (\(self.model.layers) layers, hidden \(self.model.hidden))"
        // A scenario naming the measured shape itself (`model: {name: small}`) serves that shape.
        let known = model.name == self.model.name ? nil : Self.knownShape(forModelNamed: model.name)
        if let known, known.hidden != self.model.hidden {
            throw ProfileError(
                "profile `\(name)` was measured on \(measured), but the scenario's model `\(model.name)` has layers of hidden "
                + "\(known.hidden) (\(known.layers) layers); a layer count cannot convert one width to another: calibrate on a shape "
                + "with hidden \(known.hidden)")
        }
        guard let layers = model.layers ?? known?.layers ?? (model.name == self.model.name ? self.model.layers : nil) else {
            throw ProfileError(
                "profile `\(name)` was measured on \(measured), and the scenario's model `\(model.name)` does not say how many layers "
                + "it has: add `layers: N` under `model:` (\(self.model.layers) if it is the measured shape) so the per-layer "
                + "terms can be scaled to it")
        }
        var profile = hardwareProfile
        guard layers != self.model.layers else { return profile }
        let ratio = Double(layers) / Double(self.model.layers)
        func scaled(_ time: SimTime) -> SimTime { .seconds(time.seconds * ratio) }
        profile.base = scaled(profile.base)
        profile.perSequence = scaled(profile.perSequence)
        profile.perPrefillToken = scaled(profile.perPrefillToken)
        profile.perContextToken = scaled(profile.perContextToken)
        profile.weightRead = scaled(profile.weightRead)
        profile.perTokenCompute = scaled(profile.perTokenCompute)
        profile.perToken = scaled(profile.perToken)
        profile.perDecodeSequence = scaled(profile.perDecodeSequence)
        profile.perAttentionUnitPicoseconds = Int64((Double(profile.perAttentionUnitPicoseconds) * ratio).rounded())
        profile.perAttentionKeyPicoseconds = Int64((Double(profile.perAttentionKeyPicoseconds) * ratio).rounded())
        if let table = profile.tokenTable {
            // Both columns are sums over layers (the once-per-iteration operators carried along).
            profile.tokenTable = try? TokenCostTable(tokens: table.tokens, linear: table.linear.map(scaled),
                                                     communication: table.communication.map(scaled))
        }
        let terms = profile.form == .linear ? "all four terms" : "every term"
        profile.source += "; scaled ×\(String(format: "%g", ratio)) from \(self.model.layers) to \(layers) layers "
            + (source == nil
               ? "(\(terms): the backend times only the layer stack; embedding, LM head and sampling are not measured)"
               : "(\(terms), the once-per-iteration embedding and LM head with them: a slight overstatement)")
        return profile
    }
}
