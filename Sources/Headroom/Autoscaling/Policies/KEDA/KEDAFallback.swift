/// `spec.fallback` (kedacore/keda `pkg/fallback/fallback.go`).
public struct KEDAFallback: Sendable, Equatable {
    /// `behavior`: what the fallback replicas are compared with. Default static.
    public enum Behavior: String, Sendable, CaseIterable {
        case `static`, currentReplicas, currentReplicasIfHigher, currentReplicasIfLower
    }
    /// `failureThreshold`: consecutive failed metric fetches before the fallback applies (it
    /// applies when the count exceeds it). >= 0.
    public var failureThreshold: Int
    /// `replicas`. >= 0.
    public var replicas: Int
    public var behavior: Behavior

    public init(failureThreshold: Int, replicas: Int, behavior: Behavior = .static) {
        self.failureThreshold = failureThreshold
        self.replicas = replicas
        self.behavior = behavior
    }

    /// The replica count the fallback metric stands for (`doFallback`).
    func target(current: Int) -> Int {
        switch behavior {
        case .static: return replicas
        case .currentReplicas: return current
        case .currentReplicasIfHigher: return max(current, replicas)
        case .currentReplicasIfLower: return min(current, replicas)
        }
    }
}
