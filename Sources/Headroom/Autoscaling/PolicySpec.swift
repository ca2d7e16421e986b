/// The scaling policies a scenario can name. Each case carries its own validated configuration;
/// `makePolicy()` is the one factory, so adding a policy is one case and one switch arm.
public enum PolicySpec: Sendable, Equatable {
    case fixed(FixedPolicy)
    case hpa(HorizontalPodAutoscaler)
    case kpa(KnativePodAutoscaler)

    /// The `kind:` names accepted under `policy:`.
    public enum Kind: String, CaseIterable, Sendable {
        case fixed, hpa, kpa
    }

    public var kind: Kind {
        switch self {
        case .fixed: return .fixed
        case .hpa: return .hpa
        case .kpa: return .kpa
        }
    }

    public func makePolicy() -> any ScalingPolicy {
        switch self {
        case let .fixed(policy): return policy
        case let .hpa(policy): return policy
        case let .kpa(policy): return policy
        }
    }
}
