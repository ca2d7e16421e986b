/// Where a profile's numbers come from, in a few words for a run's summary, JSON, store and report:
/// measured (from published tables or a calibration) or an estimate (a datasheet roofline, or a
/// profile its source calls an estimate). Read from the profile's `source`, whose first words say
/// it: every built-in and calibrated profile starts it with `roofline`, `estimate`, `measured:` or
/// `calibrated`.
extension HardwareProfile {
    /// True when the numbers were not measured: a datasheet roofline or a stated estimate.
    public var isEstimate: Bool {
        let lower = source.lowercased()
        return lower.hasPrefix("roofline") || lower.hasPrefix("estimate")
    }

    /// `estimate: datasheet roofline`, `measured: LLMServingSim's per-layer operators`, `calibrated (cpu)
    /// on CPU (16 cores) for small`, `written in the scenario`: the source's first clause.
    public var provenance: String {
        if source.lowercased().hasPrefix("roofline") { return "estimate: datasheet roofline" }
        var clause = Substring(source)
        if let end = clause.firstIndex(of: ";") { clause = clause[..<end] }
        if clause.hasPrefix("measured:"), let end = clause.range(of: " (") { clause = clause[..<end.lowerBound] }
        return String(clause.prefix(80))
    }
}
