import Foundation

extension AttentionModel {
    /// How well the attention model reproduces a measured attention table.
    public struct FitError: Sendable, Equatable {
        public var rows: Int
        /// Median and largest |predicted − measured| / measured.
        public var median: Double
        public var worst: Double
    }

    /// A fitted attention model with its error on the table it was fitted to.
    public struct Fitted: Sendable {
        public var model: AttentionModel
        public var prefill: FitError
        public var decode: FitError
        /// The bandwidth the decode rows imply before the cap at the datasheet peak, and that
        /// uncapped line's error.
        public var fittedDecodeBandwidth: Double
        public var decodeUncapped: FitError
    }

    /// Fits the rates to a measured attention table in Vidur's attention layout (LLMServingSim's
    /// `tp4/attention.csv`): `time_stats.attn_prefill.median` / `time_stats.attn_decode.median` in
    /// ms per layer by `batch_size`, `prefill_chunk_size`, `kv_cache_size` (prefill: including
    /// the chunk; decode: per sequence), `is_prefill`; shape from `n_embd, n_q_head, n_kv_head,
    /// num_tensor_parallel_workers`.
    ///
    /// Least squares on relative error (the times span three decades; absolute least squares
    /// would fit only the longest). A fitted decode bandwidth above the GPU's datasheet peak is
    /// physically impossible for a kernel that reads every K/V byte, and is capped at the peak.
    public static func fit(table file: String, gpu: MeasuredGPU) throws(TableError) -> Fitted {
        let table = try MeasuredTable(file: file)
        let columns = try ["time_stats.attn_prefill.median", "time_stats.attn_decode.median", "batch_size", "prefill_chunk_size",
                           "kv_cache_size", "is_prefill", "n_embd", "n_q_head", "n_kv_head", "num_tensor_parallel_workers"]
            .map { (name: String) throws(TableError) -> Int in try table.require(name) }
        let hidden = try table.count(0, columns[6], minimum: 1), heads = try table.count(0, columns[7], minimum: 1)
        let tp = try table.count(0, columns[9], minimum: 1)
        let shape = MeasuredModel(name: "attention table", layers: 1, hidden: hidden, heads: heads,
                                  kvHeads: try table.count(0, columns[8], minimum: 1), intermediate: 1, vocab: 1, gatedMLP: true)
        let probe = AttentionModel(prefillOverhead: 0, secondsPerKey: 1, decodeOverhead: 0, decodeBandwidth: 1, gpu: gpu, provenance: "")
        var prefill: [(x: Double, y: Double)] = [], decode: [(x: Double, y: Double)] = []
        for row in table.rows.indices {
            let isPrefill = table.text(row, columns[5]).lowercased() == "true"
            let seconds = try table.time(row, columns[isPrefill ? 0 : 1]) / 1e3
            guard seconds > 0 else {
                throw TableError(file: file, line: table.rows[row].line, column: table.columns[columns[isPrefill ? 0 : 1]], message: "a zero time")
            }
            let kv = try table.count(row, columns[4], minimum: 1)
            if isPrefill {
                let chunk = try table.count(row, columns[3], minimum: 1)
                guard kv >= chunk else {
                    throw TableError(file: file, line: table.rows[row].line, column: "kv_cache_size",
                                     message: "a prefill's KV cache (\(kv)) includes its chunk (\(chunk)) and cannot be smaller")
                }
                prefill.append((probe.prefillKeys(chunk: chunk, context: kv - chunk, headsPerGPU: max(1, heads / tp)), seconds))
            } else {
                let batch = try table.count(row, columns[2], minimum: 1)
                decode.append((Double(batch * kv) * shape.kvBytesPerTokenPerLayer(tp: tp), seconds))
            }
        }
        guard prefill.count > 2, decode.count > 2 else {
            throw TableError(file: file, column: "is_prefill", message: "needs at least 3 prefill and 3 decode rows to fit "
                             + "(found \(prefill.count) and \(decode.count))")
        }
        let (prefillOverhead, perKey) = try relativeLine(prefill, file: file)
        let (decodeOverhead, perByte) = try relativeLine(decode, file: file)
        let fitted = 1 / perByte, peak = gpu.figures.memoryBandwidth
        let bandwidth = perByte > 0 ? min(fitted, peak) : peak
        func errors(_ points: [(x: Double, y: Double)], _ predict: (Double) -> Double) -> FitError {
            let relative = points.map { abs(predict($0.x) - $0.y) / $0.y }.sorted()
            return FitError(rows: points.count, median: relative[relative.count / 2], worst: relative.last ?? 0)
        }
        let prefillError = errors(prefill) { prefillOverhead + perKey * $0 }
        let decodeError = errors(decode) { decodeOverhead + $0 / bandwidth }
        let uncapped = errors(decode) { decodeOverhead + $0 * perByte }
        let name = URL(fileURLWithPath: file).deletingLastPathComponent().deletingLastPathComponent().lastPathComponent
        let provenance = String(
            format: "attention modelled, not measured: prefill %.1f ns per key per block (≈ %.0f TFLOP/s), decode K/V at %.2f TB/s%@, "
                + "fitted to LLMServingSim's measured %@ TP %d attention (prefill median error %.1f %%, worst %.0f %%; decode median %.0f %%, worst %.0f %%)",
            perKey * 1e9, 4 * Double(queryBlock * (hidden / heads * 1)) * Double(gpu.multiprocessors) / perKey / 1e12, bandwidth / 1e12,
            fitted > peak ? String(format: " (the table's decode rows imply %.1f TB/s, above the %.2f TB/s peak, with median error %.0f %% even so: capped)",
                                   fitted / 1e12, peak / 1e12, uncapped.median * 100) : "",
            name, tp, prefillError.median * 100, prefillError.worst * 100, decodeError.median * 100, decodeError.worst * 100)
        let model = AttentionModel(prefillOverhead: prefillOverhead, secondsPerKey: perKey, decodeOverhead: decodeOverhead,
                                   decodeBandwidth: bandwidth, gpu: gpu, provenance: provenance)
        return Fitted(model: model, prefill: prefillError, decode: decodeError, fittedDecodeBandwidth: fitted, decodeUncapped: uncapped)
    }

    /// `y ≈ a + b·x` minimizing Σ((a + b·x − y)/y)², through the project's LAPACK solver.
    static func relativeLine(_ points: [(x: Double, y: Double)], file: String) throws(TableError) -> (Double, Double) {
        do {
            let solution = try LeastSquares.solve(design: points.map { [1 / $0.y, $0.x / $0.y] }, targets: points.map { _ in 1 },
                                                  names: ["overhead", "rate"])
            return (solution.coefficients[0], solution.coefficients[1])
        } catch {
            throw TableError(file: file, message: "the attention rows cannot be fitted: \(error)")
        }
    }
}
