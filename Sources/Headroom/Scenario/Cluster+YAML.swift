import HeadroomEngine

extension NodePoolSpec {
    static let keys = [
        "name", "gpu", "gpus_per_node", "gpu_memory", "price_per_hour", "provisioning", "max_nodes", "min_nodes",
        "initial_nodes", "scale_down_delay", "stockout_probability", "stockout_retry", "image_cached", "weights_cached",
        "spare_nodes", "nic_bandwidth", "disk_bandwidth", "billing", "reserved_nodes", "reserved_price_per_hour", "spot", "availability",
    ]

    init(_ value: YAMLValue) throws(ScenarioError) {
        let map = try value.mapping(allowing: Self.keys)
        let maxNodes = try map["max_nodes"]?.int(1...100_000) ?? 16
        let defaults = NodePoolSpec(name: "", gpu: "", pricePerHour: 0)
        self.init(
            name: try map.required("name").string(),
            gpu: try map.required("gpu").string(),
            gpusPerNode: try map["gpus_per_node"]?.int(1...64) ?? defaults.gpusPerNode,
            gpuMemoryBytes: try map["gpu_memory"]?.bytes() ?? defaults.gpuMemoryBytes,
            pricePerHour: try map.required("price_per_hour").number(0...1e6),
            provisioning: try map["provisioning"]?.distribution(of: .duration) ?? defaults.provisioning,
            maxNodes: maxNodes,
            minNodes: try map["min_nodes"]?.int(0...maxNodes) ?? 0,
            initialNodes: try map["initial_nodes"]?.int(0...maxNodes) ?? 0,
            scaleDownDelay: try map["scale_down_delay"]?.duration() ?? defaults.scaleDownDelay,
            stockoutProbability: try map["stockout_probability"]?.number(0...0.999_999) ?? 0,
            stockoutRetry: try map["stockout_retry"]?.duration(positive: true) ?? defaults.stockoutRetry,
            imageCached: try map["image_cached"]?.bool() ?? false,
            weightsCached: try map["weights_cached"]?.bool() ?? false)
        spareNodes = try map["spare_nodes"]?.int(0...maxNodes) ?? 0
        nicBandwidth = try map["nic_bandwidth"]?.bandwidthOrUnlimited()
        diskBandwidth = try map["disk_bandwidth"]?.bandwidthOrUnlimited()
        try readBilling(map)
        // Spot interruptions and an inventory over time (SpotSpec+YAML.swift).
        spot = try map["spot"].map { (v) throws(ScenarioError) in try SpotSpec(v) }
        if let steps = map["availability"] {
            if map["stockout_probability"] != nil {
                throw steps.error("write either `availability` (inventory over time) or `stockout_probability`, not both")
            }
            availability = try AvailabilityStep.steps(steps, maxNodes: maxNodes)
            if nodeLimit(at: .zero) < max(initialNodes, minNodes) {
                throw steps.error("\(nodeLimit(at: .zero)) nodes available at 0s, fewer than initial_nodes/min_nodes (\(max(initialNodes, minNodes)))")
            }
        }
    }
}

extension EgressSpec {
    init(_ value: YAMLValue) throws(ScenarioError) {
        let map = try value.mapping(allowing: ["egress"])
        self.init(egress: try map["egress"]?.bandwidthOrUnlimited())
    }
}

extension ReplicaSpec {
    static let keys = ["gpus", "node_pool", "node_pools", "placement", "image", "weights", "warmup", "engine", "cpu"]

    init(_ value: YAMLValue) throws(ScenarioError) {
        let map = try value.mapping(allowing: Self.keys)
        self.init(
            gpus: try map["gpus"]?.int(1...64) ?? 1,
            nodePool: nil,
            image: try map["image"].map { (v) throws(ScenarioError) in try ImageSpec(v) } ?? ImageSpec(),
            weights: try map["weights"].map { (v) throws(ScenarioError) in try WeightLoadSpec(v) } ?? WeightLoadSpec(),
            warmup: try map["warmup"]?.distribution(of: .duration) ?? .constant(30),
            engine: try map["engine"].map { (v) throws(ScenarioError) in try EngineSpec(v) } ?? EngineSpec(),
            cpu: try map["cpu"].map { (v) throws(ScenarioError) in try CPUModel(v) } ?? CPUModel())
        if let one = map["node_pool"] {
            if let many = map["node_pools"] { throw many.error("write either `node_pool` or `node_pools`, not both") }
            nodePools = [try one.string()]
        } else if let many = map["node_pools"] {
            let names = try many.sequence()
            guard !names.isEmpty else { throw many.error("name at least one node pool") }
            nodePools = try names.map { (v) throws(ScenarioError) in try v.string() }
            for (index, name) in nodePools.enumerated() where nodePools[..<index].contains(name) {
                throw names[index].error("node pool `\(name)` is named twice")
            }
        }
        if let value = map["placement"] {
            let text = try value.string()
            guard let placement = Placement(rawValue: text) else {
                throw value.error("unknown placement `\(text)`; allowed: \(Placement.allCases.map(\.rawValue).joined(separator: ", "))")
            }
            self.placement = placement
        }
    }
}

extension CPUModel {
    init(_ value: YAMLValue) throws(ScenarioError) {
        let map = try value.mapping(allowing: [
            "request", "python_per_request", "python_per_iteration", "python_per_token", "native_per_token", "busy_wait_cores",
        ])
        let defaults = CPUModel()
        self.init(
            requestCores: try map["request"]?.number(0...1024, open: true) ?? defaults.requestCores,
            pythonPerRequest: try map["python_per_request"]?.duration() ?? defaults.pythonPerRequest,
            pythonPerIteration: try map["python_per_iteration"]?.duration() ?? defaults.pythonPerIteration,
            pythonPerToken: try map["python_per_token"]?.duration() ?? defaults.pythonPerToken,
            nativePerToken: try map["native_per_token"]?.duration() ?? defaults.nativePerToken,
            busyWaitCores: try map["busy_wait_cores"]?.number(0...64) ?? 0)
    }
}

extension ImageSpec {
    init(_ value: YAMLValue) throws(ScenarioError) {
        let map = try value.mapping(allowing: ["size", "pull_bandwidth", "unpack_rate", "lazy_fraction"])
        let defaults = ImageSpec()
        self.init(
            sizeBytes: try map["size"]?.bytes(positive: false) ?? defaults.sizeBytes,
            pullBandwidth: try map["pull_bandwidth"]?.bandwidth() ?? defaults.pullBandwidth,
            unpackRate: try map["unpack_rate"]?.bandwidth() ?? defaults.unpackRate,
            lazyFraction: try map["lazy_fraction"]?.number(0...1, open: true) ?? 1)
    }
}

extension WeightLoadSpec {
    init(_ value: YAMLValue) throws(ScenarioError) {
        let map = try value.mapping(allowing: ["remote_bandwidth", "disk_bandwidth", "host_to_gpu_bandwidth", "mode", "chunk"])
        let defaults = WeightLoadSpec()
        self.init(
            remoteBandwidth: try map["remote_bandwidth"]?.bandwidth() ?? defaults.remoteBandwidth,
            diskBandwidth: try map["disk_bandwidth"]?.bandwidth() ?? defaults.diskBandwidth,
            hostToGPUBandwidth: try map["host_to_gpu_bandwidth"]?.bandwidth() ?? defaults.hostToGPUBandwidth,
            mode: try map["mode"]?.choice(Mode.self) ?? .sequential,
            chunkBytes: try map["chunk"]?.bytes() ?? defaults.chunkBytes)
    }
}

extension EngineSpec {
    init(_ value: YAMLValue) throws(ScenarioError) {
        let map = try value.mapping(allowing: [
            "max_num_seqs", "max_num_batched_tokens", "chunked_prefill", "gpu_memory_utilization", "kv_cache_tokens",
            "prefix_caching", "block_size",
        ])
        let maxSeqs = try map["max_num_seqs"]?.int(1...65_536) ?? 256
        let tokensValue = map["max_num_batched_tokens"]
        let maxTokens = try tokensValue?.int(1...16_777_216) ?? max(8192, maxSeqs)
        if let tokensValue, maxTokens < maxSeqs {
            throw tokensValue.error("must be at least max_num_seqs (\(maxSeqs)), as vLLM requires")
        }
        var kv = KVCache.auto
        if let kvValue = map["kv_cache_tokens"] {
            switch try kvValue.scalar("auto, unlimited or a token count") {
            case "auto": kv = .auto
            case "unlimited": kv = .unlimited
            default: kv = .tokens(Int64(try kvValue.int(1...Int(Int32.max))))
            }
        }
        self.init(
            maxNumSeqs: maxSeqs, maxNumBatchedTokens: maxTokens,
            chunkedPrefill: try map["chunked_prefill"]?.bool() ?? true,
            gpuMemoryUtilization: try map["gpu_memory_utilization"]?.number(0...1, open: true) ?? 0.9,
            kvCacheTokens: kv, prefixCaching: try map["prefix_caching"]?.bool() ?? false,
            blockSize: try map["block_size"]?.int(1...4096) ?? 16)
        if prefixCaching, kv == .unlimited, let value = map["prefix_caching"] {
            throw value.error("prefix caching needs a finite KV cache (it evicts cached blocks when the cache fills); "
                              + "set `kv_cache_tokens` to auto or a token count")
        }
    }
}

extension RouterSpec {
    init(_ value: YAMLValue) throws(ScenarioError) {
        let map = try value.mapping(allowing: [
            "strategy", "activator_capacity", "activator_timeout", "queue_timeout", "max_outstanding_per_replica", "cache_aware",
        ])
        self.init(
            strategy: try map["strategy"]?.choice(Strategy.self) ?? .leastOutstanding,
            activatorCapacity: try map["activator_capacity"]?.int(0...100_000_000) ?? 10_000,
            activatorTimeout: try map["activator_timeout"]?.duration(positive: true) ?? .minutes(5),
            queueTimeout: try map["queue_timeout"]?.duration(positive: true),
            maxOutstandingPerReplica: try map["max_outstanding_per_replica"]?.int(1...1_000_000),
            cacheAware: try map["cache_aware"].map { (v) throws(ScenarioError) in try CacheAwareRouting(v) } ?? CacheAwareRouting())
        if let value = map["cache_aware"], strategy != .cacheAware {
            throw value.error("`cache_aware` settings apply only to `strategy: cache_aware` (the strategy is \(strategy.rawValue))")
        }
    }
}

extension CacheAwareRouting {
    init(_ value: YAMLValue) throws(ScenarioError) {
        let map = try value.mapping(allowing: [
            "prefix_weight", "queue_weight", "session_weight", "max_imbalance", "block_size", "max_prefix_blocks",
            "capacity_per_replica",
        ])
        self.init(
            prefixWeight: try map["prefix_weight"]?.number(0...1e6) ?? 3,
            queueWeight: try map["queue_weight"]?.number(0...1e6) ?? 2,
            sessionWeight: try map["session_weight"]?.number(0...1e6) ?? 0,
            maxImbalance: try map["max_imbalance"]?.int(0...1_000_000),
            blockSize: try map["block_size"]?.int(1...4096) ?? 16,
            maxPrefixBlocks: try map["max_prefix_blocks"]?.int(1...1_000_000) ?? 256,
            capacityPerReplica: try map["capacity_per_replica"]?.int(1...100_000_000) ?? 31_250)
    }
}


extension KVTransferSpec {
    /// `kv_transfer: {same_node: {bandwidth, latency}, across_nodes: {...}, pools: [{from, to, bandwidth, latency}]}`.
    init(_ value: YAMLValue, pools: [NodePoolSpec]) throws(ScenarioError) {
        let map = try value.mapping(allowing: ["same_node", "across_nodes", "pools"])
        self.init()
        func link(_ value: YAMLValue, keys: [String] = ["bandwidth", "latency"], base: Link) throws(ScenarioError) -> Link {
            let map = try value.mapping(allowing: keys)
            return Link(bandwidth: try map["bandwidth"]?.bandwidth() ?? base.bandwidth, latency: try map["latency"]?.duration() ?? base.latency)
        }
        if let value = map["same_node"] { sameNode = try link(value, base: sameNode) }
        if let value = map["across_nodes"] { acrossNodes = try link(value, base: acrossNodes) }
        for item in try map["pools"]?.sequence() ?? [] {
            let entry = try item.mapping(allowing: ["from", "to", "bandwidth", "latency"])
            var names: [String] = []
            for key in ["from", "to"] {
                let place = try entry.required(key)
                let name = try place.string()
                guard pools.contains(where: { $0.name == name }) else {
                    throw place.error("no node pool named `\(name)`; pools: \(pools.map(\.name).joined(separator: ", "))")
                }
                names.append(name)
            }
            _ = try entry.required("bandwidth")
            pairs.append(PoolPair(from: names[0], to: names[1], link: try link(item, keys: ["from", "to", "bandwidth", "latency"], base: acrossNodes)))
        }
    }
}
