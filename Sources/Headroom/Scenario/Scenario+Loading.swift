import Foundation
import HeadroomEngine
import Yams

extension Scenario {
    static let topLevelKeys = [
        "name", "description", "duration", "seed", "series_interval", "workload", "model", "profile", "node_pools",
        "replica", "router", "policy", "slo", "sweep", "registry", "object_store", "faults",
    ]

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
        let profileValue = try map.required("profile")
        let replica = try map["replica"].map { (v) throws(ScenarioError) in try ReplicaSpec(v) } ?? ReplicaSpec()
        let model = try ModelSpec(map.required("model"))
        self.init(
            name: try map.required("name").string(),
            duration: try map.required("duration").duration(positive: true),
            seed: UInt64(try map["seed"]?.int(0...Int.max) ?? 1),
            seriesInterval: try map["series_interval"]?.duration(positive: true) ?? .seconds(10),
            workload: try WorkloadSpec(map.required("workload")),
            model: model,
            profile: try HardwareProfile(profileValue, serving: model),
            nodePools: nodePools,
            replica: replica,
            router: try map["router"].map { (v) throws(ScenarioError) in try RouterSpec(v) } ?? RouterSpec(),
            policy: try PolicySpec(map.required("policy"), replica: replica, registry: policies),
            slo: try map["slo"].map { (v) throws(ScenarioError) in try SLOSpec(v) } ?? SLOSpec()
        )
        registry = try map["registry"].map { (v) throws(ScenarioError) in try EgressSpec(v) } ?? EgressSpec()
        objectStore = try map["object_store"].map { (v) throws(ScenarioError) in try EgressSpec(v) } ?? EgressSpec()
        faults = try map["faults"].map { (v) throws(ScenarioError) in try FaultSpec(v) } ?? FaultSpec()
        _ = try map["description"]?.string()
        // A `sweep:` section belongs to `headroom sweep` (SweepSpec checks it); a run ignores it.

        // Knative's queue-proxy enforces containerConcurrency: apply it at the router unless the
        // scenario sets a per-replica limit itself.
        if case let .kpa(kpa) = policy, kpa.spec.containerConcurrency > 0, router.maxOutstandingPerReplica == nil {
            router.maxOutstandingPerReplica = kpa.spec.containerConcurrency
        }
        try validateAcrossSections(map)
    }

    /// Rules that tie sections together, each reported at the key a user would change.
    private func validateAcrossSections(_ map: YAMLMapping) throws(ScenarioError) {
        let poolsValue = try map.required("node_pools")
        // Where replica errors point: the key when it is written, else the section, else the file.
        let replicaMap = try map["replica"].map { (value) throws(ScenarioError) in try value.mapping(allowing: ReplicaSpec.keys) }
        func replicaPlace(_ key: String) -> YAMLValue { replicaMap?[key] ?? map["replica"] ?? map.owner }
        for (index, pool) in nodePools.enumerated() where nodePools[..<index].contains(where: { $0.name == pool.name }) {
            throw try poolsValue.sequence()[index].error("node pool name `\(pool.name)` is used twice")
        }
        if let name = replica.nodePool, !nodePools.contains(where: { $0.name == name }) {
            throw replicaPlace("node_pool").error(
                "no node pool named `\(name)`; pools: \(nodePools.map(\.name).joined(separator: ", "))")
        }
        let pool = nodePools[replicaPoolIndex]
        if replica.gpus > pool.gpusPerNode {
            throw replicaPlace("gpus").error(
                "a replica needs \(replica.gpus) GPUs but nodes of pool `\(pool.name)` have \(pool.gpusPerNode)")
        }
        if let capacity = kvCapacityTokens, capacity < 1 {
            let usable = pool.gpuMemoryBytes * Double(replica.gpus) * replica.engine.gpuMemoryUtilization
            throw try map.required("model").error(
                "the model does not fit: weights take \(Int(model.weightsBytes / 1e9)) GB but \(replica.gpus) × "
                + "\(pool.gpu) leave \(Int(usable / 1e9)) GB to the engine; use more GPUs per replica or a larger GPU")
        }
        if case let .fixed(fixed) = policy, fixed.warm {
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

