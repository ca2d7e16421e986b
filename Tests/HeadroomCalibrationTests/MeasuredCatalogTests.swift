import Foundation
import Testing
@testable import HeadroomCalibration

@Suite("Measured catalog: every model × GPU × TP of the tables, named and checked for memory")
struct MeasuredCatalogTests {
    @Test("profile names: the folder shortened as people name the model")
    func names() {
        let cases: [(MeasuredGPU, String, Int, String)] = [
            (.h100, "Llama-2-7b-hf", 1, "h100-llama2-7b-tp1"), (.a100, "Meta-Llama-3-70B", 4, "a100-llama3-70b-tp4"),
            (.h100, "Llama-3.1-8B", 1, "h100-llama3.1-8b-tp1"), (.h100, "CodeLlama-34b-Instruct-hf", 2, "h100-codellama-34b-tp2"),
            (.a100, "Qwen-72B", 8, "a100-qwen-72b-tp8"), (.h100, "internlm-20b", 4, "h100-internlm-20b-tp4"),
            (.h100, "phi-2", 1, "h100-phi-2-tp1"), (.h100, "Mixtral-8x7B-v0.1", 2, "h100-mixtral-8x7b-tp2"),
        ]
        for (gpu, model, tp, name) in cases { #expect(MeasuredCatalog.profileName(gpu: gpu, model: model, tp: tp) == name) }
    }

    @Test("weights that do not fit are a reason to skip; a tight fit is not")
    func memory() throws {
        let llama70 = try #require(MeasuredModel.llmServingSimShapes["llama-3.1-70b"])
        let reason = try #require(MeasuredCalibration.memoryProblem(model: llama70, tp: 1, gpu: .h100))
        #expect(reason == "the 16-bit weights of Llama-3.1-70B (141 GB) do not fit in 1 × H100 80 GB (72 GB at 90 % utilization)")
        #expect(MeasuredCalibration.memoryProblem(model: llama70, tp: 2, gpu: .h100) == nil)
        // Weights that fit with no room for one 4,096-token sequence's cache.
        var wide = llama70
        wide.layers = 81
        let tight = try #require(MeasuredCalibration.memoryProblem(model: wide, tp: 2, gpu: .h100))
        #expect(tight.contains("holds the KV cache of") && tight.contains("less than one \(MeasuredCalibration.longestPrefill)-token sequence"), "\(tight)")
    }

    @Test("the shipped test tables: Vidur's H100 models at each TP, LLMServingSim's Llama-3.1 and Mixtral; what does not fit is skipped")
    func shippedTables() {
        let (found, skipped) = MeasuredCatalog.configurations(root: "measurements")
        let names = found.map(\.name)
        for name in ["h100-llama2-7b-tp1", "h100-llama2-7b-tp2", "h100-llama2-7b-tp4", "h100-llama2-7b-tp8", "h100-phi-2-tp1",
                     "h100-llama3.1-8b-tp1", "h100-llama3.1-70b-tp4", "h100-mixtral-8x7b-tp4"] {
            #expect(names.contains(name), "\(names)")
        }
        #expect(Set(names).count == names.count)
        // Only memory: 70B-class models at TP 1 (and Qwen-72B at TP 2), Mixtral at TP 1.
        #expect(!skipped.isEmpty && skipped.allSatisfy { $0.contains("do not fit in") }, "\(skipped)")
        #expect(skipped.contains { $0.hasPrefix("h100 Mixtral-8x7B-v0.1 TP 1:") })
        let servingSim = found.first { $0.name == "h100-llama3.1-8b-tp1" }
        #expect(servingSim?.project == .llmservingsim && servingSim?.network == "measurements/vidur/network/h100_dgx/all_reduce.csv")
    }
}
