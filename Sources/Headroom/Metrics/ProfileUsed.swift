/// The iteration-time profile a run used, and whether its numbers are measured or an estimate, so
/// that a result built on a datasheet guess says so wherever it is shown.
public struct ProfileUsed: Codable, Sendable, Equatable {
    /// The built-in name, or the profile file's name.
    public var name: String
    /// `measured: …` or `estimate: …` in a few words (see `HardwareProfile.provenance`).
    public var provenance: String
    /// True for a datasheet roofline or another estimate.
    public var estimate: Bool

    public init(name: String, provenance: String, estimate: Bool) {
        self.name = name
        self.provenance = provenance
        self.estimate = estimate
    }

    public init(_ profile: HardwareProfile) {
        self.init(name: profile.name, provenance: profile.provenance, estimate: profile.isEstimate)
    }

    /// `h100-llama3.1-8b-tp1 (measured: LLMServingSim's per-layer operators)`.
    public var label: String { "\(name) (\(provenance))" }
}
