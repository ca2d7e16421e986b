/// The metric families a replica's `/metrics` endpoint exposes, with vLLM's names, types and
/// histogram bucket bounds. Source: vllm-project/vllm `vllm/v1/metrics/loggers.py` at
/// 005a810bc40faa25b8870fbc8559c3462581eee3 (`PrometheusStatLogger.__init__`); the inter-token
/// histogram takes the bounds of `vllm:time_per_output_token_seconds`, the name it replaced.
/// SGLang's names (`sglang/srt/metrics/collector.py`) are aliases of the same values.
public enum EngineMetric: String, CaseIterable, Sendable {
    case numRequestsRunning = "vllm:num_requests_running"
    case numRequestsWaiting = "vllm:num_requests_waiting"
    case kvCacheUsage = "vllm:kv_cache_usage_perc"
    case promptTokens = "vllm:prompt_tokens_total"
    case generationTokens = "vllm:generation_tokens_total"
    case requestSuccess = "vllm:request_success_total"
    case timeToFirstToken = "vllm:time_to_first_token_seconds"
    case interTokenLatency = "vllm:inter_token_latency_seconds"
    case e2eLatency = "vllm:e2e_request_latency_seconds"
    case requestPromptTokens = "vllm:request_prompt_tokens"
    case requestGenerationTokens = "vllm:request_generation_tokens"

    public enum Kind: Sendable { case gauge, counter, histogram }

    public var kind: Kind {
        switch self {
        case .numRequestsRunning, .numRequestsWaiting, .kvCacheUsage: return .gauge
        case .promptTokens, .generationTokens, .requestSuccess: return .counter
        default: return .histogram
        }
    }

    /// The other names the same values are exposed under: vLLM's deprecated ones, then SGLang's.
    public var aliases: [String] {
        switch self {
        case .numRequestsRunning: return ["sglang:num_running_reqs"]
        case .numRequestsWaiting: return ["sglang:num_queue_reqs"]
        case .kvCacheUsage: return ["vllm:gpu_cache_usage_perc", "sglang:token_usage"]
        case .promptTokens: return ["sglang:prompt_tokens_total"]
        case .generationTokens: return ["sglang:generation_tokens_total"]
        case .requestSuccess: return ["sglang:num_requests_total"]
        case .timeToFirstToken: return ["sglang:time_to_first_token_seconds"]
        case .interTokenLatency: return ["vllm:time_per_output_token_seconds", "sglang:inter_token_latency_seconds"]
        case .e2eLatency: return ["sglang:e2e_request_latency_seconds"]
        case .requestPromptTokens, .requestGenerationTokens: return []
        }
    }

    /// Upper bounds of the finite buckets (`le`), ascending; `+Inf` is implied. Empty for gauges and counters.
    public func buckets(maxModelLen: Int) -> [Double] {
        switch self {
        case .timeToFirstToken:
            return [0.001, 0.005, 0.01, 0.02, 0.04, 0.06, 0.08, 0.1, 0.25, 0.5, 0.75, 1.0, 2.5, 5.0, 7.5, 10.0, 20.0, 40.0,
                    80.0, 160.0, 640.0, 2560.0]
        case .interTokenLatency:
            return [0.01, 0.025, 0.05, 0.075, 0.1, 0.15, 0.2, 0.3, 0.4, 0.5, 0.75, 1.0, 2.5, 5.0, 7.5, 10.0, 20.0, 40.0, 80.0]
        case .e2eLatency:
            return [0.3, 0.5, 0.8, 1.0, 1.5, 2.0, 2.5, 5.0, 10.0, 15.0, 20.0, 30.0, 40.0, 50.0, 60.0, 120.0, 240.0, 480.0,
                    960.0, 1920.0, 7680.0]
        case .requestPromptTokens, .requestGenerationTokens: return Self.oneTwoFive(upTo: maxModelLen)
        default: return []
        }
    }

    /// vLLM's `build_1_2_5_buckets(max_value)`: 1, 2, 5, 10, 20, 50, … up to `max_value`.
    static func oneTwoFive(upTo maxValue: Int) -> [Double] {
        var bounds: [Double] = []
        var scale = 1
        while true {
            for mantissa in [1, 2, 5] {
                let value = mantissa * scale
                guard value <= maxValue else { return bounds }
                bounds.append(Double(value))
            }
            scale *= 10
        }
    }

    /// vLLM's default `max_model_len` is the model's context; Headroom has none, so Llama 3.1's.
    public static let defaultMaxModelLen = 131_072

    /// Every series name a replica exposes, mapped to its family and part (`_bucket`, `_sum`, `_count`).
    static let exposedNames: [String: (metric: EngineMetric, part: SeriesPart)] = {
        var names: [String: (EngineMetric, SeriesPart)] = [:]
        for metric in allCases {
            for name in [metric.rawValue] + metric.aliases {
                if metric.kind == .histogram {
                    names[name + "_bucket"] = (metric, .bucket)
                    names[name + "_sum"] = (metric, .sum)
                    names[name + "_count"] = (metric, .count)
                } else {
                    names[name] = (metric, .value)
                }
            }
        }
        return names
    }()

    /// Which series of a family a name selects.
    enum SeriesPart: Sendable { case value, bucket, sum, count }
}
