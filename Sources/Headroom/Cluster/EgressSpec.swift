/// A remote store every node downloads from (the container registry, the object store holding the
/// weights), when the scenario caps what it can serve at once.
public struct EgressSpec: Sendable, Equatable {
    /// Bytes/s the store serves to all nodes together, shared equally by the downloads in flight.
    /// `nil`: unlimited (each download runs at its own per-transfer rate). Default unlimited.
    public var egress: Double?

    public init(egress: Double? = nil) { self.egress = egress }
}
