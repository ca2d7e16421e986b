import Foundation

/// The classic SLA planner's profiling tables (`PrefillInterpolator`, `DecodeInterpolator` in
/// ai-dynamo/dynamo@0dcef4e `components/src/dynamo/planner/utils/perf_interpolation.py`).
///
/// Prefill lookups clamp ISL into the profiled range. Upstream interpolates its sweep with cubic
/// `interp1d`; here the profiled engine answers at the clamped ISL directly (the profile *is* the
/// table). Decode is resampled onto a `resolution × resolution` grid: `x = kv usage ∈ linspace(0,1)`,
/// `y = context ∈ linspace(0, max context)`, each cell evaluated at `concurrency = x·max_kv/y` (y
/// floored at 1 token on the first row); lookups take the nearest cell, as `compute_idx` does.
public struct DynamoProfileTables<Engine: DynamoProfiledEngine>: Sendable {
    public let engine: Engine
    public let resolution: Int
    /// Row-major `[iy * resolution + ix]`.
    public private(set) var itlGrid: [Double]
    public private(set) var throughputGrid: [Double]

    public init(engine: Engine, resolution: Int = 100) {
        self.engine = engine
        self.resolution = resolution
        itlGrid = []
        throughputGrid = []
        itlGrid.reserveCapacity(resolution * resolution)
        throughputGrid.reserveCapacity(resolution * resolution)
        for iy in 0..<resolution {
            let context = max(1, yValue(iy))
            for ix in 0..<resolution {
                let concurrency = xValue(ix) * engine.maxKVTokens / context
                itlGrid.append(engine.decodeITL(concurrency: concurrency, context: context))
                throughputGrid.append(engine.decodeThroughputPerGPU(concurrency: concurrency, context: context))
            }
        }
    }

    /// `xi[ix]`: KV usage of column `ix`.
    public func xValue(_ ix: Int) -> Double { Double(ix) / Double(resolution - 1) }
    /// `yi[iy]`: context length of row `iy`.
    public func yValue(_ iy: Int) -> Double { Double(iy) * engine.maxContextLength / Double(resolution - 1) }

    /// `interpolate_ttft`, ms.
    public func ttft(isl: Double) -> Double { engine.prefillTTFT(isl: clampISL(isl)) }
    /// `interpolate_thpt_per_gpu` (prefill), tokens/s/GPU.
    public func prefillThroughputPerGPU(isl: Double) -> Double { engine.prefillThroughputPerGPU(isl: clampISL(isl)) }

    func clampISL(_ isl: Double) -> Double { max(engine.islRange.lowerBound, min(isl, engine.islRange.upperBound)) }

    /// The nearest grid row for a context length (`np.round`: halves to even).
    public func row(context: Double) -> Int {
        let step = engine.maxContextLength / Double(resolution - 1)
        return Self.nearest(context / step, resolution)
    }

    /// `compute_idx`: the cell of `kv = concurrency·context/max_kv` in that row.
    public func cell(concurrency: Double, context: Double) -> (ix: Int, iy: Int) {
        let usage = concurrency * context / engine.maxKVTokens
        return (Self.nearest(usage * Double(resolution - 1), resolution), row(context: context))
    }

    /// `interpolate_itl`, ms.
    public func itl(concurrency: Double, context: Double) -> Double {
        let (ix, iy) = cell(concurrency: concurrency, context: context)
        return itlGrid[iy * resolution + ix]
    }

    /// `find_best_throughput_per_gpu`: in `context`'s row, scan KV usage from high to low and take
    /// the first cell whose ITL is at or under `itlTarget` (ms); cell 0 if none is.
    public func bestThroughputPerGPU(itlTarget: Double, context: Double) -> (throughput: Double, itl: Double, kvUsage: Double) {
        let base = row(context: context) * resolution
        for ix in stride(from: resolution - 1, through: 0, by: -1) where itlGrid[base + ix] <= itlTarget {
            return (throughputGrid[base + ix], itlGrid[base + ix], xValue(ix))
        }
        return (throughputGrid[base], itlGrid[base], 0)
    }

    static func nearest(_ position: Double, _ resolution: Int) -> Int {
        guard position.isFinite else { return position > 0 ? resolution - 1 : 0 }
        return Int(max(0, min(Double(resolution - 1), position.rounded(.toNearestOrEven))))
    }
}
