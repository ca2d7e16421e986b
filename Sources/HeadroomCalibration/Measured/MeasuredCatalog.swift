import Foundation

/// Every model × GPU × TP a folder of measured tables covers (`measurements/` with `vidur/` and
/// `llmservingsim/`), named as the built-in profiles are: `<gpu>-<model>-tp<N>`
/// (`h100-llama2-7b-tp1`, `a100-llama3-70b-tp4`, `h100-llama3.1-8b-tp1`). `make measured-profiles`
/// calibrates each one; a configuration no engine can run, or a model whose shape is unknown, is
/// skipped with its reason. A new model's tables are picked up when they appear under the folder
/// (and, for LLMServingSim, its shape is in `MeasuredModel.llmServingSimShapes`).
public enum MeasuredCatalog {
    /// One profile to calibrate.
    public struct Configuration: Sendable, Equatable {
        public var project: MeasuredCalibration.Project
        public var gpu: MeasuredGPU
        /// The model's folder in the tables (`Llama-2-7b-hf`).
        public var model: String
        public var tp: Int
        public var name: String
        /// The project's folder under the catalog's root (calibrate's `--input`).
        public var input: String
        /// Vidur's all-reduce table of the GPU (both projects' compositions use it at TP > 1).
        public var network: String
    }

    /// The configurations under `root`, and those skipped (`h100 Llama-3.1-70B TP 1: reason`).
    public static func configurations(root: String) -> (found: [Configuration], skipped: [String]) {
        var found: [Configuration] = [], skipped: [String] = []
        let fm = FileManager.default
        func folders(_ path: String) -> [String] { ((try? fm.contentsOfDirectory(atPath: path)) ?? []).sorted() }
        let vidur = (root as NSString).appendingPathComponent("vidur")
        for gpu in MeasuredGPU.allCases {
            let network = VidurLayout.allReduceTable(input: vidur, gpu: gpu.rawValue)
            for org in folders("\(vidur)/compute/\(gpu.rawValue)") {
                for model in folders("\(vidur)/compute/\(gpu.rawValue)/\(org)") {
                    let file = "\(vidur)/compute/\(gpu.rawValue)/\(org)/\(model)/mlp.csv"
                    guard fm.fileExists(atPath: file) else { continue }
                    let table: VidurComputeTable
                    do { table = try VidurComputeTable(file: file, name: model) } catch {
                        skipped.append("\(gpu.rawValue) \(model): \(error)")
                        continue
                    }
                    for tp in table.tensorParallel {
                        let configuration = Configuration(project: .vidur, gpu: gpu, model: model, tp: tp,
                                                          name: profileName(gpu: gpu, model: model, tp: tp), input: vidur, network: network)
                        if let problem = MeasuredCalibration.memoryProblem(model: table.model, tp: tp, gpu: gpu) {
                            skipped.append("\(gpu.rawValue) \(model) TP \(tp): \(problem)")
                        } else {
                            found.append(configuration)
                        }
                    }
                }
            }
        }
        let llmServingSim = (root as NSString).appendingPathComponent("llmservingsim")
        let gpu = MeasuredGPU.h100
        for org in folders("\(llmServingSim)/H100") {
            for model in folders("\(llmServingSim)/H100/\(org)") {
                let tps = folders("\(llmServingSim)/H100/\(org)/\(model)")
                    .filter { fm.fileExists(atPath: "\(llmServingSim)/H100/\(org)/\(model)/\($0)/layers.csv") }
                    .compactMap { $0.hasPrefix("tp") ? Int($0.dropFirst(2)) : nil }.sorted()
                guard !tps.isEmpty else { continue }
                guard let shape = MeasuredModel.llmServingSimShapes[model.lowercased()] else {
                    skipped.append("h100 \(model): the model's shape is not known (add it to MeasuredModel.llmServingSimShapes)")
                    continue
                }
                for tp in tps {
                    if let problem = MeasuredCalibration.memoryProblem(model: shape, tp: tp, gpu: gpu) {
                        skipped.append("h100 \(model) TP \(tp): \(problem)")
                        continue
                    }
                    found.append(Configuration(project: .llmservingsim, gpu: gpu, model: model, tp: tp,
                                               name: profileName(gpu: gpu, model: model, tp: tp), input: llmServingSim,
                                               network: VidurLayout.allReduceTable(input: vidur, gpu: gpu.rawValue)))
                }
            }
        }
        return (found, skipped)
    }

    /// `<gpu>-<model>-tp<N>`, the model's folder shortened to the name people use: lower case, the
    /// publisher's `meta-` and the `-hf`, `-instruct` and `-v0.1` suffixes dropped, `llama-2` →
    /// `llama2` (`Meta-Llama-3-70B` → `llama3-70b`, `CodeLlama-34b-Instruct-hf` → `codellama-34b`).
    public static func profileName(gpu: MeasuredGPU, model: String, tp: Int) -> String {
        var short = model.lowercased()
        if short.hasPrefix("meta-") { short.removeFirst(5) }
        var trimmed = true
        while trimmed {
            trimmed = false
            for suffix in ["-hf", "-instruct", "-chat"] where short.hasSuffix(suffix) {
                short.removeLast(suffix.count)
                trimmed = true
            }
            if let range = short.range(of: #"-v[0-9]+(\.[0-9]+)*$"#, options: .regularExpression) {
                short.removeSubrange(range)
                trimmed = true
            }
        }
        if short.hasPrefix("llama-"), short.dropFirst(6).first?.isNumber == true { short.remove(at: short.index(short.startIndex, offsetBy: 5)) }
        return "\(gpu.rawValue)-\(short)-tp\(tp)"
    }
}
