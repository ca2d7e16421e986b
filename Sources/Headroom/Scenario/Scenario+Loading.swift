import Foundation
import HeadroomEngine
import Yams

extension Scenario {
    /// The cluster's keys and the run's.
    static let clusterKeys = ["name", "description", "duration", "seed", "series_interval", "node_pools", "sweep", "registry",
                              "object_store", "faults", "deployments", "variant_autoscaling", "kv_transfer", "dynamo_planner"]
    /// A deployment's keys: top-level in a single-deployment scenario, or in each `deployments:` item.
    static let deploymentKeys = ["workload", "model", "profile", "profiles", "replica", "router", "policy", "slo"]
    static let topLevelKeys = clusterKeys + deploymentKeys
    /// Keys only an item of `deployments:` has.
    static let listedDeploymentKeys = deploymentKeys + ["name", "description", "priority", "preempt_lower_priority", "shares_traffic_with", "role"]

    /// Reads and validates a scenario file.
    public static func load(file path: String, policies: PolicyRegistry = .standard) throws(ScenarioError) -> Scenario {
        try parse(yaml: try ScenarioFile.read(path), file: path, policies: policies)
    }

    /// Parses and validates scenario YAML; `file` names the source in errors.
    public static func parse(yaml text: String, file: String = "<scenario>", policies: PolicyRegistry = .standard) throws(ScenarioError) -> Scenario {
        let root = try YAMLText.compose(text, file: file)
        return try Scenario(YAMLValue(node: root, path: "", file: file), policies: policies)
    }

    init(_ value: YAMLValue, policies: PolicyRegistry) throws(ScenarioError) {
        let map = try value.mapping(allowing: Self.topLevelKeys)
        if map["sweep"] != nil, map["node_pools"] == nil {
            throw value.error("this is a sweep file, not a scenario; run it with `headroom sweep \(value.file)`")
        }
        let pools = try map.required("node_pools").sequence()
        guard !pools.isEmpty else { throw try map.required("node_pools").error("at least one node pool is needed") }
        let nodePools = try pools.map { (item) throws(ScenarioError) in try NodePoolSpec(item) }
        let name = try map.required("name").string()
        var deployments: [Deployment] = []
        if let list = map["deployments"] {
            if let stray = Self.deploymentKeys.compactMap({ map[$0] }).first {
                throw stray.error("with `deployments:`, `\(stray.path)` belongs inside each deployment")
            }
            let items = try list.sequence()
            guard !items.isEmpty else { throw list.error("list at least one deployment") }
            for item in items {
                let entry = try item.mapping(allowing: Self.listedDeploymentKeys)
                let name = try entry.required("name").string()
                var deployment: Deployment
                if let shared = entry["shares_traffic_with"] {
                    deployment = try Self.deployment(entry, sharingTrafficOf: shared, among: deployments, name: name, policies: policies)
                } else {
                    deployment = try Self.deployment(entry, name: name, policies: policies)
                }
                deployment.priority = try entry["priority"]?.int(-1_000_000...1_000_000) ?? 0
                deployment.preemptLowerPriority = try entry["preempt_lower_priority"]?.bool() ?? false
                if let value = entry["role"] {
                    let text = try value.string()
                    guard let role = ServingRole(rawValue: text) else {
                        throw value.error("unknown role `\(text)`; allowed: \(ServingRole.allCases.map(\.rawValue).joined(separator: ", "))")
                    }
                    deployment.role = role
                }
                _ = try entry["description"]?.string()
                if let twin = deployments.first(where: { $0.name == deployment.name }) {
                    throw try entry.required("name").error("deployment name `\(twin.name)` is used twice")
                }
                deployments.append(deployment)
            }
        } else {
            deployments = [try Self.deployment(map, name: name, policies: policies)]
        }
        self.init(
            name: name,
            duration: try map.required("duration").duration(positive: true),
            seed: UInt64(try map["seed"]?.int(0...Int.max) ?? 1),
            seriesInterval: try map["series_interval"]?.duration(positive: true) ?? .seconds(10),
            nodePools: nodePools, deployments: deployments)
        registry = try map["registry"].map { (v) throws(ScenarioError) in try EgressSpec(v) } ?? EgressSpec()
        objectStore = try map["object_store"].map { (v) throws(ScenarioError) in try EgressSpec(v) } ?? EgressSpec()
        faults = try map["faults"].map { (v) throws(ScenarioError) in try FaultSpec(v) } ?? FaultSpec()
        kvTransfer = try map["kv_transfer"].map { (v) throws(ScenarioError) in try KVTransferSpec(v, pools: nodePools) } ?? KVTransferSpec()
        _ = try map["description"]?.string()
        // A `sweep:` section belongs to `headroom sweep` (SweepSpec checks it); a run ignores it.
        for (index, pool) in nodePools.enumerated() where nodePools[..<index].contains(where: { $0.name == pool.name }) {
            throw pools[index].error("node pool name `\(pool.name)` is used twice")
        }
        let entries = try map["deployments"]?.sequence().map { (v) throws(ScenarioError) in try v.mapping(allowing: Self.listedDeploymentKeys) }
        for index in self.deployments.indices {
            try validate(deployment: index, at: entries?[index] ?? map)
            try validateRole(of: index, at: entries?[index] ?? map)
        }
        variantAutoscaling = try map["variant_autoscaling"].map { (v) throws(ScenarioError) in try Self.variantAutoscaling(v) }
        try validateVariantAutoscaling(at: map["variant_autoscaling"] ?? map["deployments"] ?? map["policy"] ?? value)
        dynamoPlanner = try map["dynamo_planner"].map { (v) throws(ScenarioError) in try Self.dynamoPlanner(v) }
        try validateDynamoPlanner(at: map["dynamo_planner"] ?? value)
    }

    /// A deployment from its keys (`map` is the scenario in the single form).
    static func deployment(_ map: YAMLMapping, name: String, policies: PolicyRegistry) throws(ScenarioError) -> Deployment {
        let replica = try map["replica"].map { (v) throws(ScenarioError) in try ReplicaSpec(v) } ?? ReplicaSpec()
        let model = try ModelSpec(map.required("model"))
        var byGPU: [String: HardwareProfile] = [:]
        let profile = try profiles(map, model: model, into: &byGPU)
        var deployment = Deployment(
            name: name,
            workload: try WorkloadSpec(map.required("workload")),
            model: model, profile: profile, replica: replica,
            router: try map["router"].map { (v) throws(ScenarioError) in try RouterSpec(v) } ?? RouterSpec(),
            policy: try PolicySpec(map.required("policy"), replica: replica, registry: policies),
            slo: try map["slo"].map { (v) throws(ScenarioError) in try SLOSpec(v) } ?? SLOSpec())
        deployment.profilesByGPU = byGPU
        // Knative's queue-proxy enforces containerConcurrency: apply it at the router unless the
        // deployment sets a per-replica limit itself.
        if case let .kpa(kpa) = deployment.policy, kpa.spec.containerConcurrency > 0, deployment.router.maxOutstandingPerReplica == nil {
            deployment.router.maxOutstandingPerReplica = kpa.spec.containerConcurrency
        }
        return deployment
    }

    /// `profile` and `profiles` (by pool GPU): the profile where no per-GPU one applies.
    private static func profiles(_ map: YAMLMapping, model: ModelSpec, into byGPU: inout [String: HardwareProfile]) throws(ScenarioError) -> HardwareProfile {
        if let profiles = map["profiles"] {
            guard case let .mapping(pairs) = profiles.node, !pairs.isEmpty else {
                throw profiles.error("expected a mapping from a pool's `gpu` to a profile, e.g. `{H100-80GB: h100-llama3.1-8b-tp1}`")
            }
            for (key, node) in pairs {
                guard let gpu = key.string else { throw profiles.error("keys must be GPU names") }
                let path = profiles.path + "[\"\(gpu)\"]"
                byGPU[gpu] = try HardwareProfile(YAMLValue(node: node, path: path, file: profiles.file), serving: model)
            }
        }
        let profile: HardwareProfile
        if let value = map["profile"] {
            profile = try HardwareProfile(value, serving: model)
        } else if let first = byGPU.sorted(by: { $0.key < $1.key }).first, map["profiles"] != nil {
            profile = first.value  // every pool it may use has its own (checked in `validate`)
        } else {
            throw map.owner.error("missing required key `profile` (or `profiles`, one per pool GPU)")
        }
        return profile
    }

    /// A deployment that shares the traffic of one listed above it: the workload, router and SLO
    /// are that one's (written here they are an error), the model too unless restated by the same name.
    static func deployment(
        _ map: YAMLMapping, sharingTrafficOf value: YAMLValue, among listed: [Deployment], name: String, policies: PolicyRegistry
    ) throws(ScenarioError) -> Deployment {
        let ownerName = try value.string()
        guard let owner = listed.first(where: { $0.name == ownerName }) else {
            let names = listed.map(\.name)
            throw value.error("no deployment named `\(ownerName)` is listed above this one"
                              + (names.isEmpty ? "" : "; listed above: \(names.joined(separator: ", "))"))
        }
        if let chained = owner.sharesTrafficWith {
            throw value.error("`\(ownerName)` itself shares the traffic of `\(chained)`; name `\(chained)` instead")
        }
        for key in ["workload", "router", "slo"] {
            if let stray = map[key] {
                throw stray.error("`\(key)` belongs to `\(ownerName)`, whose traffic this deployment shares (`shares_traffic_with`)")
            }
        }
        let replica = try map["replica"].map { (v) throws(ScenarioError) in try ReplicaSpec(v) } ?? ReplicaSpec()
        let model = try map["model"].map { (v) throws(ScenarioError) in try ModelSpec(v) } ?? owner.model
        if let written = map["model"], model.name != owner.model.name {
            throw written.error("`\(ownerName)` serves model `\(owner.model.name)`; a deployment sharing its traffic serves the same model")
        }
        var byGPU: [String: HardwareProfile] = [:]
        let profile = try profiles(map, model: model, into: &byGPU)
        var deployment = Deployment(
            name: name, workload: owner.workload, model: model, profile: profile, replica: replica, router: owner.router,
            policy: try PolicySpec(map.required("policy"), replica: replica, registry: policies), slo: owner.slo)
        deployment.profilesByGPU = byGPU
        deployment.sharesTrafficWith = ownerName
        return deployment
    }

    /// Disaggregation's shape: a `prefill` deployment owns its traffic and at least one `decode`
    /// deployment shares it; what shares a prefill deployment's traffic has a role.
    private func validateRole(of index: Int, at map: YAMLMapping) throws(ScenarioError) {
        let deployment = deployments[index]
        let place = map["role"] ?? map["shares_traffic_with"] ?? map.owner
        let owner = deployment.sharesTrafficWith.flatMap { name in deployments.first { $0.name == name } }
        switch deployment.role {
        case .prefill:
            if let owner, owner.role != .prefill {
                throw place.error("a prefill deployment shares the traffic of another prefill deployment; `\(owner.name)` is \(owner.role.rawValue)")
            }
            if owner == nil, !deployments.contains(where: { $0.sharesTrafficWith == deployment.name && $0.role == .decode }) {
                throw place.error("prefill deployment `\(deployment.name)` needs a decode deployment: add one with "
                                  + "`shares_traffic_with: \(deployment.name)` and `role: decode`")
            }
        case .decode:
            guard let owner, owner.role == .prefill else {
                throw place.error("a decode deployment takes the requests of a prefill deployment: give it "
                                  + "`shares_traffic_with: NAME` naming a deployment with `role: prefill`")
            }
            if deployment.replica.engine.prefixCaching {
                throw place.error("prefix caching is modelled on prefill workers: a decode worker gets each prompt's KV from "
                                  + "its prefill worker; leave `prefix_caching` off here")
            }
        case .aggregated:
            if let owner, owner.role == .prefill {
                throw place.error("`\(owner.name)` is a prefill deployment: a deployment sharing its traffic is `role: prefill` or `role: decode`")
            }
        }
    }

    /// Rules that tie a deployment to the cluster, each reported at the key a user would change.
    private func validate(deployment index: Int, at map: YAMLMapping) throws(ScenarioError) {
        let deployment = deployments[index]
        let replica = deployment.replica
        // Where replica errors point: the key when it is written, else the section, else the deployment.
        let replicaMap = try map["replica"].map { (value) throws(ScenarioError) in try value.mapping(allowing: ReplicaSpec.keys) }
        func replicaPlace(_ key: String) -> YAMLValue { replicaMap?[key] ?? map["replica"] ?? map.owner }
        for name in replica.nodePools where !nodePools.contains(where: { $0.name == name }) {
            let place = replicaMap?["node_pool"] ?? replicaMap?["node_pools"] ?? map.owner
            throw place.error("no node pool named `\(name)`; pools: \(nodePools.map(\.name).joined(separator: ", "))")
        }
        let usable = deployment.poolIndices(in: nodePools)
        for gpu in deployment.profilesByGPU.keys.sorted() where !usable.contains(where: { nodePools[$0].gpu == gpu }) {
            throw (map["profiles"] ?? map.owner).error(
                "no pool this deployment may use has GPU `\(gpu)`; its pools' GPUs: "
                + usable.map { nodePools[$0].gpu }.joined(separator: ", "))
        }
        if map["profile"] == nil, let pool = usable.map({ nodePools[$0] }).first(where: { deployment.profilesByGPU[$0.gpu] == nil }) {
            throw (map["profiles"] ?? map.owner).error(
                "pool `\(pool.name)` has GPU `\(pool.gpu)`, which `profiles` does not name; add it or give a `profile` for the rest")
        }
        for p in usable {
            let pool = nodePools[p]
            if replica.gpus > pool.gpusPerNode {
                throw replicaPlace("gpus").error(
                    "a replica needs \(replica.gpus) GPUs but nodes of pool `\(pool.name)` have \(pool.gpusPerNode)")
            }
            if let capacity = deployment.kvCapacityTokens(on: pool), capacity < 1 {
                let memory = pool.gpuMemoryBytes * Double(replica.gpus) * replica.engine.gpuMemoryUtilization
                throw (map["model"] ?? map.owner).error(
                    "the model does not fit: weights take \(Int(deployment.model.weightsBytes / 1e9)) GB but \(replica.gpus) × "
                    + "\(pool.gpu) leave \(Int(memory / 1e9)) GB to the engine; use more GPUs per replica or a larger GPU")
            }
        }
        let pool = nodePools[usable[0]]
        if case let .fixed(fixed) = deployment.policy, fixed.warm {
            let perNode = pool.gpusPerNode / replica.gpus
            let nodesNeeded = (fixed.replicas + perNode - 1) / perNode
            if nodesNeeded > pool.maxNodes {
                throw try map.required("policy").error(
                    "\(fixed.replicas) warm replicas need \(nodesNeeded) nodes of pool `\(pool.name)` but max_nodes is \(pool.maxNodes)")
            }
        }
    }
}

extension ModelSpec {
    init(_ value: YAMLValue) throws(ScenarioError) {
        let map = try value.mapping(allowing: ["name", "weights", "kv_bytes_per_token", "layers"])
        self.init(
            name: try map.required("name").string(),
            weightsBytes: try map.required("weights").bytes(),
            kvBytesPerToken: try map.required("kv_bytes_per_token").bytes(),
            layers: try map["layers"]?.int(1...1000))
    }
}

extension SLOSpec {
    init(_ value: YAMLValue) throws(ScenarioError) {
        let map = try value.mapping(allowing: ["ttft", "itl"])
        self.init(
            ttft: try map["ttft"]?.duration(positive: true) ?? .seconds(2),
            itl: try map["itl"]?.duration(positive: true) ?? .milliseconds(100))
    }
}

