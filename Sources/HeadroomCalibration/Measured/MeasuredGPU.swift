import Headroom

/// The GPUs the measured tables cover, with what the attention model needs beyond the datasheet
/// figures the roofline profiles use: the streaming-multiprocessor count (NVIDIA's H100 and A100
/// whitepapers: 132 SMs on H100 SXM5, 108 on A100).
public enum MeasuredGPU: String, CaseIterable, Sendable {
    case h100, a100

    public var figures: HardwareProfile.GPUFigures {
        switch self {
        case .h100: HardwareProfile.h100
        case .a100: HardwareProfile.a100
        }
    }

    public var multiprocessors: Int {
        switch self {
        case .h100: 132
        case .a100: 108
        }
    }

    /// HBM per GPU, bytes: the tables were measured on the 80 GB H100 SXM5 and A100 SXM4.
    public var memoryBytes: Double { 80e9 }

    /// Peak dense BF16 FLOP/s of one SM: what one FlashAttention thread block can use.
    public var flopsPerMultiprocessor: Double { figures.bf16Flops / Double(multiprocessors) }
}
