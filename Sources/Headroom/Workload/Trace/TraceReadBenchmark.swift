/// How fast a trace is read alone — opened, parsed and checked, every row, no simulation — for
/// `headroom bench --trace` (rows per second per format).
public struct TraceReadBenchmark: Sendable {
    public var format: TraceSpec.Format
    public var rows = 0
    public var skipped = 0
    /// Wall seconds for the whole pass.
    public var seconds = 0.0

    public init(_ spec: TraceSpec) throws(TraceError) {
        let clock = ContinuousClock()
        let started = clock.now
        var reader = try TraceReader(file: spec.file, format: spec.format, columns: spec.columns, badRows: spec.badRows)
        var hashes: [UInt64] = []
        while try reader.next(hashes: &hashes) != nil {
            rows += 1
            if !hashes.isEmpty { hashes.removeAll(keepingCapacity: true) }
        }
        let elapsed = clock.now - started
        format = reader.format
        skipped = reader.skipped
        seconds = Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) * 1e-18
    }
}
