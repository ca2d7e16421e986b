import Foundation

extension MeasuredCalibration {
    /// Why no engine can serve `model` on `tp` of these GPUs, or nil when it can: its 16-bit
    /// weights must fit in the share of memory the engine takes (`memoryUtilization`) with room
    /// for the KV cache of one sequence of the grid's longest context (`longestPrefill` tokens).
    /// The tables time the operators of such configurations all the same (Vidur splits a layer's
    /// GEMMs as if it fit), so a profile of one would describe a replica that cannot start.
    public static func memoryProblem(model: MeasuredModel, tp: Int, gpu: MeasuredGPU) -> String? {
        let usable = gpu.memoryBytes * Double(tp) * memoryUtilization, weights = 2 * model.parameters
        let capacity = kvCapacityTokens(model: model, tp: tp, gpu: gpu)
        guard capacity < Double(longestPrefill) else { return nil }
        let gigabytes = { (bytes: Double) in String(format: "%.0f GB", bytes / 1e9) }
        let memory = "\(tp) × \(gpu.rawValue.uppercased()) \(gigabytes(gpu.memoryBytes)) (\(gigabytes(usable)) at "
            + "\(Int(memoryUtilization * 100)) % utilization)"
        if weights >= usable {
            return "the 16-bit weights of \(model.name) (\(gigabytes(weights))) do not fit in \(memory)"
        }
        return "after the 16-bit weights of \(model.name) (\(gigabytes(weights))), \(memory) holds the KV cache of "
            + "\(Int(capacity)) tokens, less than one \(longestPrefill)-token sequence"
    }
}
