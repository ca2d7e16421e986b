import HeadroomEngine

/// `dynamo_planner:` — NVIDIA Dynamo's planner over the scenario's deployments: its own settings
/// (Dynamo's key names, `DynamoPlannerSpec`) and which deployments it sizes, `prefill` and
/// `decode` (disaggregated) or `deployment` (aggregated). The planner sets their replicas
/// directly, as its Kubernetes connector patches the DynamoGraphDeployment; their `policy` is
/// `fixed`, the replicas they start with.
public struct DynamoPlannerBinding: Sendable, Equatable {
    public var spec: DynamoPlannerSpec
    /// Disaggregated: the prefill deployment; nil in agg mode.
    public var prefill: String?
    /// The decode deployment (disaggregated) or the aggregated one.
    public var decode: String

    public init(spec: DynamoPlannerSpec, prefill: String?, decode: String) {
        self.spec = spec
        self.prefill = prefill
        self.decode = decode
    }
}

extension Scenario {
    static func dynamoPlanner(_ value: YAMLValue) throws(ScenarioError) -> DynamoPlannerBinding {
        let spec = try DynamoPlannerSpec(value, extraKeys: ["prefill", "decode", "deployment"])
        let map = try value.mapping(allowing: ["prefill", "decode", "deployment"] + DynamoPlannerSpec.allKeys)
        switch spec.mode {
        case .disagg:
            if let stray = map["deployment"] {
                throw stray.error("a disaggregated planner sizes `prefill` and `decode`; `deployment` is for `mode: agg`")
            }
            return DynamoPlannerBinding(spec: spec, prefill: try map.required("prefill").string(), decode: try map.required("decode").string())
        case .agg:
            for key in ["prefill", "decode"] {
                if let stray = map[key] { throw stray.error("an aggregated planner sizes one `deployment`; `\(key)` is for `mode: disagg`") }
            }
            return DynamoPlannerBinding(spec: spec, prefill: nil, decode: try map.required("deployment").string())
        }
    }

    /// The deployments it names exist, play the roles its mode needs, and start from `fixed` replicas.
    func validateDynamoPlanner(at value: YAMLValue) throws(ScenarioError) {
        guard let binding = dynamoPlanner else { return }
        func named(_ name: String, _ key: String, role: ServingRole) throws(ScenarioError) -> Deployment {
            let place = (try? value.mapping(allowing: ["prefill", "decode", "deployment"] + DynamoPlannerSpec.allKeys))?[key] ?? value
            guard let deployment = deployments.first(where: { $0.name == name }) else {
                throw place.error("no deployment named `\(name)`; deployments: \(deployments.map(\.name).joined(separator: ", "))")
            }
            guard deployment.role == role else {
                throw place.error("`\(name)` is \(deployment.role.rawValue); the planner's `\(key)` must be a `role: \(role.rawValue)` deployment")
            }
            guard case .fixed = deployment.policy else {
                throw place.error("the planner sets `\(name)`'s replicas; give it `policy: {kind: fixed, replicas: N}`, the replicas it starts with")
            }
            return deployment
        }
        let decode = try named(binding.decode, binding.prefill == nil ? "deployment" : "decode",
                               role: binding.prefill == nil ? .aggregated : .decode)
        if let prefill = binding.prefill {
            _ = try named(prefill, "prefill", role: .prefill)
            guard decode.sharesTrafficWith == prefill else {
                throw value.error("decode deployment `\(decode.name)` does not share `\(prefill)`'s traffic")
            }
        }
    }
}
