import HeadroomEngine

/// A group of identical GPU nodes that the cluster can request and release.
public struct NodePoolSpec: Sendable, Equatable {
    /// Unique name; replicas name the pool they run on. Required.
    public var name: String
    /// GPU model, for reports (e.g. `H100-80GB`). Required.
    public var gpu: String
    /// GPUs on each node. Default 8; 1...64.
    public var gpusPerNode: Int
    /// Memory of one GPU in bytes (`80GB`). Default 80GB; > 0.
    public var gpuMemoryBytes: Double
    /// On-demand price of one node per hour, in dollars. Required; >= 0.
    public var pricePerHour: Double
    /// How on-demand time is rounded and the least charged per node. Default per second, no minimum.
    public var billing = BillingSpec()
    /// Committed capacity (reserved instances, committed-use discounts): nodes paid at
    /// `reservedPricePerHour` for the whole run, used or not. It buys a price, not nodes: what
    /// the cluster provisions is still `min_nodes`, `initial_nodes` and the autoscaler's requests.
    /// Which live nodes it covers: see `PoolBill`. Default 0; <= max_nodes.
    public var reservedNodes = 0
    /// Price of one reserved node per hour, in dollars. Required when reserved_nodes > 0; >= 0.
    public var reservedPricePerHour = 0.0
    /// Time from a node request until the node is ready, in seconds. Default constant 2m.
    public var provisioning: Distribution
    /// Most nodes alive at once (provisioning or ready). Default 16; >= 1.
    public var maxNodes: Int
    /// Ready nodes kept even when empty. Default 0; <= max_nodes.
    public var minNodes: Int
    /// Nodes ready at time zero (already provisioned, billed from zero). Default 0; <= max_nodes.
    public var initialNodes: Int
    /// How long a node stays empty before it is released. Default 10m; >= 0.
    public var scaleDownDelay: SimTime
    /// Probability that a node request fails for lack of capacity (a stockout). Default 0; in [0, 1).
    public var stockoutProbability: Double
    /// Wait before asking again after a stockout. Default 1m; > 0.
    public var stockoutRetry: SimTime
    /// A warm pool: empty ready nodes kept on top of those in use (provisioned as soon as one is
    /// taken), so a new replica skips node provisioning. Billed like any node. Default 0.
    public var spareNodes: Int = 0
    /// Nodes boot with the container image on disk (baked into the node image). Default false.
    public var imageCached: Bool
    /// Nodes boot with the model weights on local disk. Default false.
    public var weightsCached: Bool
    /// Network bandwidth of one node, bytes/s, shared equally by its image downloads and weight
    /// downloads in flight. `nil`: unlimited (each transfer at its own rate). Default unlimited.
    public var nicBandwidth: Double?
    /// Local-disk throughput of one node, bytes/s, shared equally by its image unpacks and weight
    /// reads (and streamed loads) in flight. `nil`: unlimited. Default unlimited.
    public var diskBandwidth: Double?
    /// Spot capacity: nodes the provider interrupts after a notice (`spot:`). nil: on-demand.
    public var spot: SpotSpec? = nil
    /// Inventory over time (`availability:`), instead of the i.i.d. `stockout_probability`:
    /// steps of the most nodes alive at once. Empty: `max_nodes` throughout.
    public var availability: [AvailabilityStep] = []

    public init(
        name: String, gpu: String, gpusPerNode: Int = 8, gpuMemoryBytes: Double = 80e9, pricePerHour: Double,
        provisioning: Distribution = .constant(120), maxNodes: Int = 16, minNodes: Int = 0, initialNodes: Int = 0,
        scaleDownDelay: SimTime = .minutes(10), stockoutProbability: Double = 0, stockoutRetry: SimTime = .minutes(1),
        imageCached: Bool = false, weightsCached: Bool = false
    ) {
        self.name = name
        self.gpu = gpu
        self.gpusPerNode = gpusPerNode
        self.gpuMemoryBytes = gpuMemoryBytes
        self.pricePerHour = pricePerHour
        self.provisioning = provisioning
        self.maxNodes = maxNodes
        self.minNodes = minNodes
        self.initialNodes = initialNodes
        self.scaleDownDelay = scaleDownDelay
        self.stockoutProbability = stockoutProbability
        self.stockoutRetry = stockoutRetry
        self.imageCached = imageCached
        self.weightsCached = weightsCached
    }
}

/// How a replica ranks the pools it may use.
public enum Placement: String, Sendable, Equatable, CaseIterable {
    /// As `node_pools` lists them.
    case inOrder = "in_order"
    /// Cheapest per token first (`Deployment.costPerMillionTokens(on:)`), ties as written; with
    /// no `node_pools`, every pool it fits on.
    case costPerToken = "cost_per_token"
}

/// One model server: its GPUs, how it starts, and its engine limits.
public struct ReplicaSpec: Sendable, Equatable {
    /// GPUs per replica (tensor parallelism). Default 1; 1...gpus_per_node of its pool.
    public var gpus: Int
    /// Pools it may run on, most preferred first (`node_pool: a` or `node_pools: [spot, on-demand]`):
    /// a replica takes room on a ready node of any of them before a provisioning one, and asks
    /// the first pool that can give a node (under max_nodes, no stockout pending) for a new one,
    /// as Karpenter's NodePool weights or the Cluster Autoscaler's priority expander do. Default:
    /// the first pool.
    public var nodePools: [String]
    /// How those pools are ranked: as written, or cheapest per token first.
    public var placement: Placement = .inOrder
    public var image: ImageSpec
    public var weights: WeightLoadSpec
    /// Engine start, CUDA graph capture and KV allocation, in seconds. Default constant 30s.
    public var warmup: Distribution
    public var engine: EngineSpec
    /// The server process's CPU use, for the CPU-utilization signal.
    public var cpu: CPUModel

    public init(
        gpus: Int = 1, nodePool: String? = nil, image: ImageSpec = ImageSpec(), weights: WeightLoadSpec = WeightLoadSpec(),
        warmup: Distribution = .constant(30), engine: EngineSpec = EngineSpec(), cpu: CPUModel = CPUModel()
    ) {
        self.cpu = cpu
        self.gpus = gpus
        self.nodePools = nodePool.map { [$0] } ?? []
        self.image = image
        self.weights = weights
        self.warmup = warmup
        self.engine = engine
    }
}

/// The container image a replica pulls onto its node.
///
/// Lazy pulling (stargz, SOCI, Nydus) is modelled as fetching only `lazyFraction` of the image
/// before the container starts; the rest is fetched on demand and its cost is ignored (it mostly
/// overlaps the weight load). A node keeps an image once pulled, so later replicas on it skip the
/// pull; one placed while a pull is under way waits for that pull.
public struct ImageSpec: Sendable, Equatable {
    /// Image size in bytes. Default 15GB; >= 0.
    public var sizeBytes: Double
    /// Registry download rate in bytes/s. Default 250MB/s; > 0.
    public var pullBandwidth: Double
    /// Layer decompression and unpack rate in bytes/s, paid after the download. Default 500MB/s; > 0.
    public var unpackRate: Double
    /// Share of the image fetched before start. Default 1 (no lazy pulling); in (0, 1].
    public var lazyFraction: Double

    public init(sizeBytes: Double = 15e9, pullBandwidth: Double = 250e6, unpackRate: Double = 500e6, lazyFraction: Double = 1) {
        self.sizeBytes = sizeBytes
        self.pullBandwidth = pullBandwidth
        self.unpackRate = unpackRate
        self.lazyFraction = lazyFraction
    }
}

/// How weights travel remote storage → local disk → host memory → GPU.
public struct WeightLoadSpec: Sendable, Equatable {
    public enum Mode: String, Sendable, CaseIterable {
        /// One hop after another: the sum of the hop times (the usual download-then-load flow).
        case sequential
        /// Pipelined in chunks (model streamers): the slowest hop plus one chunk through each other hop.
        case streamed
    }
    /// Remote storage (object store, registry) to local disk, bytes/s. Default 1GB/s; > 0.
    public var remoteBandwidth: Double
    /// Local disk to host memory, bytes/s. Default 2GB/s; > 0.
    public var diskBandwidth: Double
    /// Host memory to GPU over PCIe, bytes/s. Default 20GB/s; > 0.
    public var hostToGPUBandwidth: Double
    /// Default sequential.
    public var mode: Mode
    /// Chunk size of a streamed load, bytes. Default 256MB; > 0.
    public var chunkBytes: Double

    public init(
        remoteBandwidth: Double = 1e9, diskBandwidth: Double = 2e9, hostToGPUBandwidth: Double = 20e9,
        mode: Mode = .sequential, chunkBytes: Double = 256e6
    ) {
        self.remoteBandwidth = remoteBandwidth
        self.diskBandwidth = diskBandwidth
        self.hostToGPUBandwidth = hostToGPUBandwidth
        self.mode = mode
        self.chunkBytes = chunkBytes
    }
}

/// The continuous-batching limits of the serving engine (vLLM's names).
public struct EngineSpec: Sendable, Equatable {
    public enum KVCache: Sendable, Equatable {
        /// From GPU memory: (gpu_memory × gpus × gpu_memory_utilization − weights) / kv_bytes_per_token.
        case auto
        /// No limit (an idealised engine).
        case unlimited
        case tokens(Int64)
    }
    /// Most sequences in one iteration. Default 256; >= 1.
    public var maxNumSeqs: Int
    /// Most tokens (prefill plus one per decoding sequence) in one iteration. Default 8192; >= max_num_seqs.
    public var maxNumBatchedTokens: Int
    /// Split long prompts across iterations. Default true; when false a prompt must fit one iteration.
    public var chunkedPrefill: Bool
    /// Share of GPU memory the engine may use. Default 0.9; in (0, 1].
    public var gpuMemoryUtilization: Double
    /// KV-cache capacity: `auto`, `unlimited` or a token count. Default auto.
    public var kvCacheTokens: KVCache
    /// vLLM's automatic prefix caching: a prompt's leading blocks already cached are not
    /// computed again. Default false (off, so results stay as they were); needs a finite KV cache.
    public var prefixCaching: Bool
    /// Tokens per KV block, the prefix cache's unit (vLLM's `block_size`). Default 16; 1 to 4096.
    public var blockSize: Int

    public init(
        maxNumSeqs: Int = 256, maxNumBatchedTokens: Int = 8192, chunkedPrefill: Bool = true,
        gpuMemoryUtilization: Double = 0.9, kvCacheTokens: KVCache = .auto, prefixCaching: Bool = false, blockSize: Int = 16
    ) {
        self.prefixCaching = prefixCaching
        self.blockSize = blockSize
        self.maxNumSeqs = maxNumSeqs
        self.maxNumBatchedTokens = maxNumBatchedTokens
        self.chunkedPrefill = chunkedPrefill
        self.gpuMemoryUtilization = gpuMemoryUtilization
        self.kvCacheTokens = kvCacheTokens
    }
}
