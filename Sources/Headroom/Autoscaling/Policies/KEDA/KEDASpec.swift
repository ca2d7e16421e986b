import HeadroomEngine

/// The `spec` of a KEDA ScaledObject (kedacore/keda `apis/keda/v1alpha1/scaledobject_types.go`),
/// with the fields Headroom models.
public struct KEDASpec: Sendable, Equatable {
    /// `pollingInterval`: the KEDA loop's period. Default 30 s.
    public var pollingInterval = SimTime.seconds(30)
    /// `cooldownPeriod`: how long after the last active poll before scaling to zero (or idle). Default 300 s.
    public var cooldownPeriod = SimTime.seconds(300)
    /// `initialCooldownPeriod`: from creation, before the first scale to zero. Default 0 s.
    public var initialCooldownPeriod = SimTime.zero
    /// `minReplicaCount`. Default 0.
    public var minReplicaCount = 0
    /// `maxReplicaCount`. Default 100.
    public var maxReplicaCount = 100
    /// `idleReplicaCount`: replicas while inactive, < minReplicaCount. Default unset.
    public var idleReplicaCount: Int?
    public var triggers: [KEDATrigger] = []
    /// `advanced.horizontalPodAutoscalerConfig.behavior`, passed to the HPA KEDA creates.
    public var behavior: HPABehavior?
    /// The sync period of that HPA. Default 15 s.
    public var hpaSyncPeriod = SimTime.seconds(15)
    /// `fallback`: replicas to ask for once a trigger's metric failed more than `failureThreshold`
    /// times in a row. Default unset (a failing metric leaves the HPA without it).
    public var fallback: KEDAFallback?

    public init() {}
}
