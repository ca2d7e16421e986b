import Foundation

/// What one GPU achieves per kind of operator, fitted to measured operator tables: the rates an
/// estimate from a model's shape runs at.
///
/// Each call costs `max(bytes / bandwidth, FLOPs / FLOP rate) + overhead` (the roofline with a
/// per-call cost for launch and the tail of a small kernel); GEMMs share one bandwidth, FLOP rate
/// and overhead, each memory-bound kind has its own bandwidth and overhead (no FLOP term).
public struct GPURates: Sendable, Equatable {
    /// How the engine whose tables were measured calls its kernels, which the estimate repeats:
    /// `fused` as vLLM and Sarathi-Serve (Vidur's tables): one QKV GEMM, one gate-and-up GEMM,
    /// a fused MoE kernel over all experts with each expert's width split across the TP GPUs;
    /// `perModule` as Hugging Face's modules run (LLMServingSim's tables): Q, K, V, gate and up
    /// each a call, experts whole and spread over the GPUs, one call per expert hit.
    public enum KernelStyle: String, Sendable, Equatable { case fused, perModule }

    /// One kind's fitted rates and how well they reproduce the calls they were fitted to.
    public struct Rate: Sendable, Equatable {
        /// Achieved bytes/s.
        public var bandwidth: Double
        /// Achieved FLOP/s; nil for a memory-bound kind.
        public var flops: Double?
        /// Seconds per call.
        public var overhead: Double
        public var calls: Int
        /// Median and largest |predicted − measured| / measured over those calls.
        public var medianError: Double
        public var worstError: Double

        public init(
            bandwidth: Double, flops: Double?, overhead: Double, calls: Int = 0, medianError: Double = 0, worstError: Double = 0
        ) {
            self.bandwidth = bandwidth
            self.flops = flops
            self.overhead = overhead
            self.calls = calls
            self.medianError = medianError
            self.worstError = worstError
        }

        public func seconds(_ work: OperatorWork) -> Double {
            max(work.bytes / bandwidth, flops.map { work.flops / $0 } ?? 0) + overhead
        }
    }

    public var gpu: MeasuredGPU
    public var style: KernelStyle
    /// Rates by kind; a kind the tables did not time (LLMServingSim times no residual add) is not
    /// charged, so that the estimate composes the operators the fitted tables compose.
    public var rates: [OperatorWork.Kind: Rate]
    /// The tables fitted, for the profile's `source`.
    public var basis: String

    public init(gpu: MeasuredGPU, style: KernelStyle, rates: [OperatorWork.Kind: Rate], basis: String) {
        self.gpu = gpu
        self.style = style
        self.rates = rates
        self.basis = basis
    }

    /// One call's time; zero for a kind without rates.
    public func seconds(_ work: OperatorWork) -> Double { rates[work.kind]?.seconds(work) ?? 0 }

    /// The rates and their error, for the profile's `source`.
    public var summary: String {
        var parts: [String] = []
        for (kind, rate) in rates.sorted(by: { $0.key < $1.key }) {
            let speed =
                rate.flops.map { String(format: "%.2f TB/s and %.0f TFLOP/s", rate.bandwidth / 1e12, $0 / 1e12) }
                ?? String(format: "%.2f TB/s", rate.bandwidth / 1e12)
            parts.append(
                String(
                    format: "%@ at %@ + %.1f µs per call (median error %.0f %%, worst %.0f %% over %d calls)", kind.rawValue,
                    speed,
                    rate.overhead * 1e6, rate.medianError * 100, rate.worstError * 100, rate.calls))
        }
        return parts.joined(separator: "; ") + " — fitted to \(basis)"
    }
}
