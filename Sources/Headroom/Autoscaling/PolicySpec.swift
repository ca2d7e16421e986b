import HeadroomEngine

/// The scaling policies a scenario can name. Each case carries its own validated configuration;
/// `makePolicy(for:)` is the one factory, so adding a policy is one case and one switch arm.
public enum PolicySpec: Sendable, Equatable {
    case fixed(FixedPolicy)
    case hpa(HorizontalPodAutoscaler)
    case kpa(KnativePodAutoscaler)
    case keda(KEDAScaledObject)
    /// AIBrix's `PodAutoscaler` (KPA, APA or HPA strategy).
    case aibrix(AIBrixPodAutoscaler)
    case step(StepScalingPolicy)
    /// Built per scenario: it measures a replica's capacity and reads the future workload.
    case oracle(OraclePolicy.Spec)
    /// A user-written policy from a `PolicyRegistry`.
    case custom(CustomPolicy)

    /// The `kind:` names accepted under `policy:`.
    public enum Kind: String, CaseIterable, Sendable {
        case fixed, hpa, kpa, keda, aibrix, step, oracle, custom
    }

    public var kind: Kind {
        switch self {
        case .fixed: return .fixed
        case .hpa: return .hpa
        case .kpa: return .kpa
        case .keda: return .keda
        case .aibrix: return .aibrix
        case .step: return .step
        case .oracle: return .oracle
        case .custom: return .custom
        }
    }

    public func makePolicy(for scenario: Scenario) -> any ScalingPolicy {
        switch self {
        case let .fixed(policy): return policy
        case let .hpa(policy): return policy
        case let .kpa(policy): return policy
        case let .keda(policy): return policy
        case let .aibrix(policy): return policy
        case let .step(policy): return policy
        case let .oracle(spec): return OraclePolicy(spec: spec, scenario: scenario)
        case let .custom(custom): return custom.policy
        }
    }
}

/// A user-written policy as a scenario names it: `policy: {kind: custom, name: ..., parameters: {...}}`.
public struct CustomPolicy: Sendable, Equatable {
    public var name: String
    public var parameters: [String: String]
    public var policy: any ScalingPolicy

    public static func == (a: CustomPolicy, b: CustomPolicy) -> Bool { a.name == b.name && a.parameters == b.parameters }
}

/// The user-written policies a scenario may name, each built from its `parameters` (strings, as
/// written in the YAML). Passed to `Scenario.load`; the `headroom` command uses `.standard`.
public struct PolicyRegistry: Sendable {
    public typealias Factory = @Sendable ([String: String]) throws -> any ScalingPolicy
    public private(set) var factories: [String: Factory] = [:]

    public init() {}

    /// Returns a registry that also knows `name`.
    public func registering(_ name: String, _ factory: @escaping Factory) -> PolicyRegistry {
        var copy = self
        copy.factories[name] = factory
        return copy
    }

    /// What ships with Headroom: the README's example.
    public static let standard = PolicyRegistry().registering("queue-depth") { parameters in
        try QueueDepthPolicy(parameters: parameters)
    }
}

/// Why a custom policy's parameters were refused.
public struct PolicyParameterError: Error, CustomStringConvertible {
    public let description: String
    public init(_ description: String) { self.description = description }
}
