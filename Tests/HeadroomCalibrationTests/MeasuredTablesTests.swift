import Foundation
import Headroom
import Testing
@testable import HeadroomCalibration

/// The measured tables shipped under `measurements/` (tests run from the package root).
enum Shipped {
    static let vidur = "measurements/vidur"
    static let llmServingSim = "measurements/llmservingsim"
    static let llama2 = "\(vidur)/compute/h100/meta-llama/Llama-2-7b-hf/mlp.csv"
    static let allReduce = "\(vidur)/network/h100_dgx/all_reduce.csv"
    static let llama31Layers = "\(llmServingSim)/H100/meta-llama/Llama-3.1-8B/tp1/layers.csv"
    static let attention = "\(llmServingSim)/H100/meta-llama/Llama-3.1-70B/tp4/attention.csv"
}

@Suite("Measured tables: readers")
struct MeasuredTablesTests {
    @Test("Vidur's compute and network tables: row counts, shape, TPs, one value")
    func vidur() throws {
        let table = try VidurComputeTable(file: Shipped.llama2, name: "Llama-2-7b-hf")
        // 261 rows for each of TP 1, 2, 4, 8: token counts 1, 2, 4, then 8 to 4,096 in steps of 8 (259), with 2,048 and
        // 4,096 profiled twice (their mean is kept).
        #expect(table.rowCount == 1044)
        #expect(try table.curve("emb", tp: 1).xs.count == 259)
        #expect(table.tensorParallel == [1, 2, 4, 8])
        #expect(table.model == MeasuredModel(name: "Llama-2-7b-hf", layers: 32, hidden: 4096, heads: 32, kvHeads: 32, intermediate: 11008,
                                             vocab: 32768, gatedMLP: true))
        #expect(abs(table.model.parameters / 6.74e9 - 1) < 0.01, "Llama-2-7B has 6.74 B parameters")
        let network = try VidurNetworkTable(file: Shipped.allReduce)
        #expect(network.rowCount == 2982)
        #expect(network.allReduce.keys.sorted() == [2, 4, 8])
        // Line 2 of the file: 8 workers, 2,048 bytes, median 0.037 ms.
        #expect(abs(try network.allReduce(bytes: 2048, workers: 8) - 0.037e-3) < 1e-12)
    }

    @Test("an all-reduce spread over nodes is not a tensor-parallel group's: only one-node rows are read")
    func oneNode() throws {
        let file = try MeasuredTableErrorsTests.file("all_reduce.csv", """
            ,time_stats.all_reduce.min,time_stats.all_reduce.max,time_stats.all_reduce.mean,time_stats.all_reduce.median,time_stats.all_reduce.std,rank,num_workers,size,collective,devices_per_node,max_devices_per_node
            0,0.05,0.06,0.053,0.053,0.001,0,4,2097152,all_reduce,4,8
            1,0.50,0.56,0.532,0.532,0.01,0,4,2097152,all_reduce,2,8
            2,0.08,0.09,0.085,0.085,0.001,0,4,4194304,all_reduce,4,8
            """)
        let network = try VidurNetworkTable(file: file)
        #expect(abs(try network.allReduce(bytes: 2_097_152, workers: 4) - 0.053e-3) < 1e-12)
        #expect(abs(try network.allReduce(bytes: 3_145_728, workers: 4) - 0.069e-3) < 1e-12)
    }

    @Test("LLMServingSim's layer table: 15 operators × 2,048 token counts")
    func llmServingSim() throws {
        let table = try LLMServingSimLayerTable(file: Shipped.llama31Layers)
        #expect(table.rowCount == 30720)
        #expect(table.tp == 1)
        #expect(table.operators.count == 15)
        #expect(table.operators["lm_head"]?.value(at: 1) == 366_336e-9)
        #expect(table.operators["q_proj"]?.range == 1...2048)
    }

    @Test("interpolation is linear between measured points and refuses outside them")
    func interpolation() {
        let curve = PiecewiseLinear(points: [(8, 2), (1, 1), (16, 4), (8, 4)])
        #expect(curve.xs == [1, 8, 16] && curve.ys == [1, 3, 4])
        #expect(curve.value(at: 12) == 3.5)
        #expect(curve.value(at: 1) == 1 && curve.value(at: 16) == 4)
        #expect(curve.value(at: 0.5) == nil && curve.value(at: 17) == nil)
    }
}
