import Foundation

extension GPURates {
    /// One measured call: its work from the model's shape, and its time.
    public struct Sample: Sendable {
        public var work: OperatorWork
        public var seconds: Double
        public init(work: OperatorWork, seconds: Double) {
            self.work = work
            self.seconds = seconds
        }
    }

    /// Fits each kind's rates to measured calls, least squares on relative error (the calls span
    /// four decades; absolute least squares would fit only the longest).
    ///
    /// A GEMM's `max(a·bytes, b·FLOPs) + c` is linear in `(a, c)` once the ratio `b / a` (the
    /// knee's arithmetic intensity) is fixed, so the ratio is searched on a logarithmic grid,
    /// refined around the best, with the 2 × 2 normal equations solved at each.
    public static func fit(_ samples: [Sample], gpu: MeasuredGPU, style: KernelStyle, basis: String) throws(CalibrationError)
        -> GPURates
    {
        var rates: [OperatorWork.Kind: Rate] = [:]
        let byKind = Dictionary(grouping: samples.filter { $0.seconds > 0 }, by: \.work.kind)
        for (kind, calls) in byKind {
            guard calls.count > 2 else { continue }
            rates[kind] = kind == .gemm ? try fitRoofline(calls, kind: kind) : try fitBandwidth(calls, kind: kind)
        }
        guard rates[.gemm] != nil else { throw CalibrationError("no GEMM calls to fit in \(basis)") }
        return GPURates(gpu: gpu, style: style, rates: rates, basis: basis)
    }

    private static func fitBandwidth(_ calls: [Sample], kind: OperatorWork.Kind) throws(CalibrationError) -> Rate {
        let (a, c) = try relativeLine(calls.map { ($0.work.bytes, $0.seconds) }, kind: kind)
        return withErrors(Rate(bandwidth: 1 / a, flops: nil, overhead: c), calls)
    }

    private static func fitRoofline(_ calls: [Sample], kind: OperatorWork.Kind) throws(CalibrationError) -> Rate {
        var best = (ratio: 0.0, a: 0.0, c: 0.0, loss: Double.infinity)
        // Bytes per FLOP at the knee: 1e-5 (a GPU far faster at math than memory) to 0.1.
        var grid: [Double] = stride(from: -5.0, through: -1.0, by: 0.02).map { pow(10.0, $0) }
        for _ in 0..<2 {
            for ratio in grid {
                let line = try roofline(calls, ratio: ratio, kind: kind)
                if line.loss < best.loss { best = (ratio, line.a, line.c, line.loss) }
            }
            let center = best.ratio
            grid = stride(from: -0.02, through: 0.02, by: 0.001).map { center * pow(10.0, $0) }
        }
        return withErrors(Rate(bandwidth: 1 / best.a, flops: 1 / (best.a * best.ratio), overhead: best.c), calls)
    }

    /// The best `a·max(bytes, ratio·FLOPs) + c` at one ratio, and its loss.
    private static func roofline(_ calls: [Sample], ratio: Double, kind: OperatorWork.Kind) throws(CalibrationError) -> (
        a: Double, c: Double, loss: Double
    ) {
        var points: [(x: Double, y: Double)] = []
        points.reserveCapacity(calls.count)
        for call in calls { points.append((max(call.work.bytes, ratio * call.work.flops), call.seconds)) }
        let (a, c) = try relativeLine(points, kind: kind)
        var loss = 0.0
        for point in points {
            let e = (a * point.x + c) / point.y - 1
            loss += e * e
        }
        return (a, c, loss)
    }

    private static func withErrors(_ fitted: Rate, _ calls: [Sample]) -> Rate {
        var errors: [Double] = []
        for call in calls { errors.append(abs(fitted.seconds(call.work) - call.seconds) / call.seconds) }
        errors.sort()
        var rate = fitted
        rate.calls = calls.count
        rate.medianError = errors[errors.count / 2]
        rate.worstError = errors.last ?? 0
        return rate
    }

    /// `y ≈ a·x + c` minimizing Σ((a·x + c − y)/y)², through the normal equations on columns
    /// scaled to mean 1; an overhead that comes out negative is held at zero.
    static func relativeLine(_ points: [(x: Double, y: Double)], kind: OperatorWork.Kind) throws(CalibrationError) -> (
        Double, Double
    ) {
        let n = Double(points.count)
        var su = 0.0, sv = 0.0
        for point in points {
            su += point.x / point.y / n
            sv += 1 / point.y / n
        }
        var uu = 0.0, uv = 0.0, vv = 0.0, u1 = 0.0, v1 = 0.0
        for point in points {
            let u: Double = point.x / point.y / su, v: Double = 1 / point.y / sv
            uu += u * u
            uv += u * v
            vv += v * v
            u1 += u
            v1 += v
        }
        let det: Double = uu * vv - uv * uv
        var a: Double = (u1 * vv - v1 * uv) / det / su
        var c: Double = (v1 * uu - u1 * uv) / det / sv
        if !(det > 1e-12 * uu * vv) || c < 0 { (a, c) = (u1 / uu / su, 0) }
        guard a > 0, a.isFinite else {
            throw CalibrationError("the \(kind.rawValue) calls cannot be fitted: their time does not grow with their bytes")
        }
        return (a, c)
    }
}
