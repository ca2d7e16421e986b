import Foundation
import Testing

/// `headroom calibrate --backend config`: a profile for an unmeasured model from its config.json,
/// and LLMServingSim's Mixtral tables composed.
@Suite("Command line: profiles estimated from config.json, Mixtral from its tables")
struct ConfigEstimateCLITests {
    static func folder() throws -> String {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("headroom-config-cli-\(UUID().uuidString)")
            .path
        try FileManager.default.createDirectory(atPath: "\(folder)/Qwen2-7B", withIntermediateDirectories: true)
        return folder
    }

    /// Qwen2-7B's config.json (Hugging Face `Qwen/Qwen2-7B`), the keys the reader uses.
    static let qwen2 = """
        {"architectures": ["Qwen2ForCausalLM"], "hidden_size": 3584, "intermediate_size": 18944, "num_attention_heads": 28,
         "num_hidden_layers": 28, "num_key_value_heads": 4, "vocab_size": 152064, "tie_word_embeddings": false}
        """

    @Test("an estimate for Qwen2-7B on H100 at TP 2: the measured profiles' form and grid, labelled an estimate")
    func estimate() throws {
        try #require(
            FileManager.default.isExecutableFile(atPath: ProcessTests.binary), "build the headroom binary first (make test does)")
        let folder = try Self.folder()
        defer { try? FileManager.default.removeItem(atPath: folder) }
        try Data(Self.qwen2.utf8).write(to: URL(fileURLWithPath: "\(folder)/Qwen2-7B/config.json"))
        let run = try CLITests.capture([
            "calibrate", "--backend", "config", "--config", "\(folder)/Qwen2-7B/config.json", "--gpu", "h100",
            "--tp", "2", "-o", "\(folder)/qwen.json",
        ])
        #expect(run.status == 0, "\(run.err)")
        for part in [
            "h100-qwen2-7b-tp2-estimate — config", "source: estimate from config.json shape, not measured", "TFLOP/s",
            "fitted to Vidur's H100 tables", "2 all-reduces per layer", "iteration (table form) = ",
        ] {
            #expect(run.out.contains(part), "calibrate's summary lacks \(part): \(run.out)")
        }
        let object = try #require(
            try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: "\(folder)/qwen.json")))
                as? [String: Any])
        #expect(object["backend"] as? String == "config" && object["form"] as? String == "table")
        #expect(((object["samples"] as? [Any])?.count ?? 0) > 30, "the raw composed points are in the profile")
        let show = try CLITests.capture(["profile", "show", "\(folder)/qwen.json"])
        #expect(show.status == 0 && show.out.contains("estimate from config.json shape"))
        // --input refits the rates to the tables given (here the shipped H100 ones: phi-2's layout is skipped and said so).
        let refit = try CLITests.capture([
            "calibrate", "--backend", "config", "--config", "\(folder)/Qwen2-7B/config.json", "--input",
            "measurements/vidur", "--name", "qwen-refit", "-o", "\(folder)/refit.json",
        ])
        #expect(
            refit.status == 0 && refit.out.contains("qwen-refit — config")
                && refit.out.contains("skipped, another layer layout: phi-2"))
    }

    @Test("a bad config.json, a missing one and a model too large for its GPUs are exit 1 naming the file")
    func errors() throws {
        try #require(FileManager.default.isExecutableFile(atPath: ProcessTests.binary))
        let folder = try Self.folder()
        defer { try? FileManager.default.removeItem(atPath: folder) }
        let file = "\(folder)/Qwen2-7B/config.json"
        try Data(Self.qwen2.replacingOccurrences(of: "\"vocab_size\": 152064,", with: "").utf8).write(
            to: URL(fileURLWithPath: file))
        let missingKey = try CLITests.capture([
            "calibrate", "--backend", "config", "--config", file, "-o", "\(folder)/never.json",
        ])
        #expect(missingKey.status == 1 && missingKey.err.contains("\(file), key `vocab_size`: missing"), "\(missingKey.err)")
        let noFile = try CLITests.capture([
            "calibrate", "--backend", "config", "--config", "\(folder)/nope.json", "-o", "\(folder)/never.json",
        ])
        #expect(noFile.status == 1 && noFile.err.contains("nope.json: cannot read the file"))
        let noFlag = try CLITests.capture(["calibrate", "--backend", "config", "-o", "\(folder)/never.json"])
        #expect(noFlag.status == 64 && noFlag.err.contains("--config PATH/config.json"))
        try Data(Self.qwen2.replacingOccurrences(of: "\"num_hidden_layers\": 28", with: "\"num_hidden_layers\": 1000").utf8)
            .write(to: URL(fileURLWithPath: file))
        let large = try CLITests.capture([
            "calibrate", "--backend", "config", "--config", file, "--tp", "1", "-o", "\(folder)/never.json",
        ])
        #expect(
            large.status == 1 && large.err.contains("do not fit in 72 GB of 1 H100") && large.err.contains("--tp"), "\(large.err)"
        )
        try Data(Self.qwen2.utf8).write(to: URL(fileURLWithPath: file))
        let network = try CLITests.capture([
            "calibrate", "--backend", "config", "--config", file, "--gpu", "a100", "--tp", "2", "--network",
            "\(folder)/none.csv", "-o", "\(folder)/never.json",
        ])
        #expect(
            network.status == 1 && network.err.contains("none.csv: no such all-reduce table; at TP 2 give --network"),
            "\(network.err)")
        #expect(!FileManager.default.fileExists(atPath: "\(folder)/never.json"))
    }

    @Test("Mixtral-8x7B composes from LLMServingSim's tables at TP 4; at TP 1 its weights do not fit and that is the refusal")
    func mixtral() throws {
        try #require(FileManager.default.isExecutableFile(atPath: ProcessTests.binary))
        let folder = try Self.folder()
        defer { try? FileManager.default.removeItem(atPath: folder) }
        let base = ["calibrate", "--backend", "llmservingsim", "--input", "measurements/llmservingsim", "--model", "Mixtral-8x7B-v0.1"]
        let run = try CLITests.capture(base + ["--tp", "4", "--network", "measurements/vidur/network/h100_dgx/all_reduce.csv",
                                               "-o", "\(folder)/mixtral-tp4.json"])
        #expect(run.status == 0, "\(run.err)")
        #expect(run.out.contains("h100-mixtral-8x7b-tp4 — llmservingsim") && run.out.contains("experts whole"), "\(run.out)")
        let tp1 = try CLITests.capture(base + ["--tp", "1", "-o", "\(folder)/mixtral-tp1.json"])
        #expect(tp1.status == 1 && tp1.err.contains("do not fit in 1 × H100 80 GB"), "\(tp1.err)")
    }
}
