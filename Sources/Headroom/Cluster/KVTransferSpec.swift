import HeadroomEngine

/// How a disaggregated request's KV cache travels from its prefill worker to its decode worker:
/// time = its bytes over the link's share + the link's latency. Within a node the link is the
/// node's NVLink; across nodes it is the source node's RDMA (or Ethernet) path toward the
/// destination's pool. Transfers on the same link share it equally (processor sharing).
public struct KVTransferSpec: Sendable, Equatable {
    public struct Link: Sendable, Equatable {
        /// Bytes per second.
        public var bandwidth: Double
        public var latency: SimTime

        public init(bandwidth: Double, latency: SimTime) {
            self.bandwidth = bandwidth
            self.latency = latency
        }
    }

    /// Source and destination on the same node. Default NVLink 4 on an H100 node: 450 GB/s per
    /// direction (NVIDIA's H100 datasheet: 900 GB/s bidirectional), 10 µs.
    public var sameNode = Link(bandwidth: 450e9, latency: .microseconds(10))
    /// Source and destination on different nodes, where no pool pair says otherwise. Default one
    /// 400 Gb/s RDMA NIC (50 GB/s; ConnectX-7 / EFA class), 20 µs.
    public var acrossNodes = Link(bandwidth: 50e9, latency: .microseconds(20))
    /// A cross-node link of its own from nodes of pool `from` to nodes of pool `to`.
    public struct PoolPair: Sendable, Equatable {
        public var from: String
        public var to: String
        public var link: Link
    }

    /// Pool pairs with their own cross-node link.
    public var pairs: [PoolPair] = []

    public init() {}

    /// The link from a node of pool `from` to a node of pool `to` (different nodes).
    public func across(from: String, to: String) -> Link {
        pairs.first { $0.from == from && $0.to == to }?.link ?? acrossNodes
    }
}

/// What a replica does with a request (prefill/decode disaggregation).
public enum ServingRole: String, Sendable, Equatable, CaseIterable {
    /// Prefill and decode on the same replica (vLLM's default).
    case aggregated
    /// Prefills the prompt and makes the first token, then hands the KV cache to a decode worker.
    case prefill
    /// Takes prefilled requests from prefill workers and decodes them.
    case decode
}
