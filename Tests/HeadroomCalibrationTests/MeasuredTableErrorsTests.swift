import Foundation
import Testing
@testable import HeadroomCalibration

@Suite("Measured tables: bad tables are answered with file, line and column")
struct MeasuredTableErrorsTests {
    /// Writes `text` to a temporary `name` and returns its path.
    static func file(_ name: String, _ text: String) throws -> String {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("headroom-tables-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        let path = folder.appendingPathComponent(name).path
        try text.write(toFile: path, atomically: true, encoding: .utf8)
        return path
    }

    /// The table error `body` throws (any other error, or none, is nil and fails the test's expectation).
    static func error(_ body: () throws -> Void) -> TableError? {
        do { try body() } catch { return error as? TableError }
        return nil
    }

    @Test("LLMServingSim: a missing column, a negative time, a non-numeric time")
    func layers() throws {
        let missing = try Self.file("layers.csv", "layer_name,input,kv_cache,tp_size\nembedding,1,0,1\n")
        let e1 = Self.error { _ = try LLMServingSimLayerTable(file: missing) }
        #expect(e1 == TableError(file: missing, line: 1, column: "latency(ns)", message: "missing column (the header has 4 columns)"))
        let negative = try Self.file("layers.csv", "layer_name,input,kv_cache,tp_size,latency(ns)\nembedding,1,0,1,2915\nq_proj,1,0,1,-5\n")
        let e2 = try #require(Self.error { _ = try LLMServingSimLayerTable(file: negative) })
        #expect(e2.file == negative && e2.line == 3 && e2.column == "latency(ns)" && e2.message.contains("negative"))
        let text = try Self.file("layers.csv", "layer_name,input,kv_cache,tp_size,latency(ns)\nembedding,1,0,1,fast\n")
        let e3 = try #require(Self.error { _ = try LLMServingSimLayerTable(file: text) })
        #expect(e3.line == 2 && e3.column == "latency(ns)" && "\(e3)".contains(":2, column `latency(ns)`: `fast` is not a number"))
    }

    @Test("Vidur: a TP the table lacks, a short row, a negative time")
    func vidur() throws {
        let table = try VidurComputeTable(file: Shipped.llama2, name: "Llama-2-7b-hf")
        let e1 = try #require(Self.error { _ = try VidurOperators(table: table, tp: 3) })
        #expect(e1.file == Shipped.llama2 && e1.column == "num_tensor_parallel_workers" && e1.message.contains("measured: 1, 2, 4, 8"))
        let lines = try String(contentsOfFile: Shipped.llama2, encoding: .utf8).split(separator: "\n").map(String.init)
        // Row 3 with its last field cut off; then row 3 with the first median (emb) made negative.
        let short = try Self.file("mlp.csv", ([lines[0], lines[1], String(lines[2].dropLast(2))]).joined(separator: "\n"))
        let e2 = try #require(Self.error { _ = try VidurComputeTable(file: short, name: "Llama-2-7b-hf") })
        #expect(e2.line == 3 && e2.message.contains("expected 58 fields"))
        var fields = lines[2].split(separator: ",", omittingEmptySubsequences: false).map(String.init)
        fields[3] = "-0.004"  // time_stats.emb.median
        let negative = try Self.file("mlp.csv", [lines[0], lines[1], fields.joined(separator: ",")].joined(separator: "\n"))
        let e3 = try #require(Self.error { _ = try VidurComputeTable(file: negative, name: "Llama-2-7b-hf") })
        #expect(e3.line == 3 && e3.column == "time_stats.emb.median" && e3.message.contains("negative"))
    }

    @Test("Vidur: a model without a post-attention norm (Phi-2) composes without it; a missing required operator is refused")
    func optionalOperator() throws {
        let lines = try String(contentsOfFile: Shipped.llama2, encoding: .utf8).split(separator: "\n").map(String.init)
        let header = lines[0].split(separator: ",", omittingEmptySubsequences: false).map(String.init)
        func without(_ prefix: String) -> String {
            let keep = header.indices.filter { !header[$0].hasPrefix(prefix) }
            return lines.map { line in
                let fields = line.split(separator: ",", omittingEmptySubsequences: false)
                return keep.map { String(fields[$0]) }.joined(separator: ",")
            }.joined(separator: "\n")
        }
        let full = try VidurOperators(table: try VidurComputeTable(file: Shipped.llama2, name: "Llama-2-7b-hf"), tp: 1)
        let phiLike = try VidurComputeTable(file: try Self.file("mlp.csv", without("time_stats.post_attention_layernorm.")), name: "phi-2")
        #expect(phiLike.measuredLayerOperators == VidurComputeTable.layerOperators.filter { $0 != "post_attention_layernorm" })
        let operators = try VidurOperators(table: phiLike, tp: 1)
        let norm = try full.table.curve("post_attention_layernorm", tp: 1).at(512, file: "", column: "")
        #expect(abs(try operators.layer(tokens: 512) - (try full.layer(tokens: 512) - norm)) < 1e-12)
        #expect(operators.description.contains("8 operators × 32 layers"))
        let noActivation = try Self.file("mlp.csv", without("time_stats.mlp_act."))
        let error = try #require(Self.error { _ = try VidurComputeTable(file: noActivation, name: "Llama-2-7b-hf") })
        #expect(error.column == "time_stats.mlp_act.median" && error.message.contains("missing column"))
    }

    @Test("tensor parallelism without an all-reduce table is refused, naming the layer table and the flag")
    func noNetwork() throws {
        let names = LLMServingSimLayerTable.layerOperators + LLMServingSimLayerTable.onceOperators
        let rows = names.flatMap { name in [1, 2].map { "\(name),\($0),0,2,1000" } }
        let file = try Self.file("layers.csv", (["layer_name,input,kv_cache,tp_size,latency(ns)"] + rows).joined(separator: "\n"))
        let operators = LLMServingSimOperators(table: try LLMServingSimLayerTable(file: file), model: MeasuredModel.llmServingSimShapes["llama-3.1-8b"]!)
        let error = try #require(Self.error { _ = try IterationComposition(operators: operators, attention: .fitted, network: nil) })
        #expect(error.file == file && error.message.contains("at TP 2 pass an all-reduce table with --network"))
    }

    @Test("a model or TP not in the tables names what is there; outside the measured tokens is refused")
    func locate() throws {
        let e1 = try #require(Self.error { _ = try VidurLayout.computeTable(input: Shipped.vidur, model: "gpt-5", gpu: "h100") })
        #expect(e1.message.contains("no table for model `gpt-5`") && e1.message.contains("Llama-2-7b-hf"))
        let e2 = try #require(Self.error { _ = try LLMServingSimLayout.layerTable(input: Shipped.llmServingSim, model: "Llama-3.1-8B", tp: 4) })
        #expect(e2.message.contains("no table at TP 4") && e2.message.contains("measured: 1"))
        let operators = LLMServingSimOperators(table: try LLMServingSimLayerTable(file: Shipped.llama31Layers),
                                               model: MeasuredModel.llmServingSimShapes["llama-3.1-8b"]!)
        let e3 = try #require(Self.error { _ = try operators.layer(tokens: 4096) })
        #expect(e3.file == Shipped.llama31Layers && e3.column == "input" && e3.message.contains("outside the measured 1–2048"))
    }
}
