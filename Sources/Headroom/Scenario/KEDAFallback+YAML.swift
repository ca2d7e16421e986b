/// `spec.fallback` of a pasted ScaledObject.
extension KEDAFallback {
    init(_ value: YAMLValue) throws(ScenarioError) {
        let map = try value.mapping(allowing: ["failureThreshold", "replicas", "behavior"])
        self.init(failureThreshold: try map.required("failureThreshold").int(0...1_000_000),
                  replicas: try map.required("replicas").int(0...10_000),
                  behavior: try map["behavior"]?.choice(Behavior.self) ?? .static)
    }
}
