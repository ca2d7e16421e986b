/// A small scenario of several deployments for the store, CLI and report tests.
public enum TwoDeploymentScenario {
    /// Two deployments on one capped pool of 8 GPUs (one node): a KPA-scaled chat model and a fixed
    /// batch one. Their replicas hold fewer GPUs than the node has (and none while it provisions),
    /// so some dollars are unattributed. Three simulated minutes.
    public static let yaml = """
        name: two-models
        duration: 3m
        seed: 5
        node_pools: [{name: h100, gpu: H100-80GB, gpus_per_node: 8, gpu_memory: 80GB, price_per_hour: 80, max_nodes: 1}]
        deployments:
          - name: chat
            workload:
              arrivals: {process: poisson, rate: 6/s}
              prompt_tokens: 300
              output_tokens: {dist: exponential, mean: 60}
            model: {name: chat-8b, weights: 16GB, kv_bytes_per_token: 128KiB}
            profile: {base: 10ms, per_seq: 1ms, per_prefill_token: 100us}
            policy:
              kind: kpa
              annotations: {autoscaling.knative.dev/target: "8", autoscaling.knative.dev/min-scale: "1"}
            slo: {ttft: 2s, itl: 100ms}
          - name: batch
            workload:
              arrivals: {process: poisson, rate: 2/s}
              prompt_tokens: 1200
              output_tokens: 200
            model: {name: summarise-8b, weights: 16GB, kv_bytes_per_token: 128KiB}
            profile: {base: 12ms, per_seq: 1ms, per_prefill_token: 100us}
            policy: {kind: fixed, replicas: 2, warm: true}
            slo: {ttft: 10s, itl: 200ms}
        """
}

extension TwoDeploymentScenario {
    /// Two deployments serving one workload (`shares_traffic_with`): an H100 one owning the traffic, an A100 one sharing it.
    public static let sharedTraffic = """
        name: shared
        duration: 5m
        node_pools:
          - {name: h100, gpu: H100-80GB, gpus_per_node: 1, price_per_hour: 4, provisioning: 30s, max_nodes: 4}
          - {name: a100, gpu: A100-80GB, gpus_per_node: 1, price_per_hour: 2, provisioning: 30s, max_nodes: 4}
        deployments:
          - name: llama-h100
            workload: {arrivals: {process: poisson, rate: 2/s}, prompt_tokens: 500, output_tokens: 100}
            model: {name: llama-3-8b, weights: 16GB, kv_bytes_per_token: 128KiB, layers: 32}
            profile: h100-llama3.1-8b-tp1
            replica: {node_pool: h100}
            policy: {kind: fixed, replicas: 1}
          - name: llama-a100
            shares_traffic_with: llama-h100
            profile: a100-llama3-8b-tp1
            replica: {node_pool: a100}
            policy: {kind: fixed, replicas: 1}
        """
}
