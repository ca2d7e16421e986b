import Foundation
import Testing

/// `headroom calibrate --backend vidur|llmservingsim` from the tables shipped in `measurements/`,
/// then `profile show` and `profile list` on what it wrote.
@Suite("Command line: profiles from measured tables")
struct MeasuredCLITests {
    @Test("calibrate from Vidur's and LLMServingSim's tables, show the profile, list it")
    func calibrateShowList() throws {
        try #require(FileManager.default.isExecutableFile(atPath: ProcessTests.binary), "build the headroom binary first (make test does)")
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("headroom-measured-\(UUID().uuidString)").path
        defer { try? FileManager.default.removeItem(atPath: folder) }
        let vidur = try CLITests.capture(["calibrate", "--backend", "vidur", "--input", "measurements/vidur", "--model", "Llama-2-7b-hf",
                                          "--gpu", "h100", "--tp", "2", "-o", "\(folder)/h100-llama2-7b-tp2.json"])
        #expect(vidur.status == 0, "\(vidur.err)")
        #expect(vidur.out.contains("source: measured: Vidur") && vidur.out.contains("attention modelled"))
        let llmServingSim = try CLITests.capture(["calibrate", "--backend", "llmservingsim", "--input", "measurements/llmservingsim",
                                                  "--model", "Llama-3.1-8B", "--tp", "1", "-o", "\(folder)/h100-llama3.1-8b-tp1.json"])
        #expect(llmServingSim.status == 0, "\(llmServingSim.err)")

        let show = try CLITests.capture(["profile", "show", "\(folder)/h100-llama2-7b-tp2.json"])
        #expect(show.status == 0)
        for part in ["h100-llama2-7b-tp2 — vidur", "TP 2", "2 all-reduces per layer", "7d47513", "MIT", "iteration (table form) = ", "linear form (not used", "table (tokens → ms", "R² "] {
            #expect(show.out.contains(part), "`profile show` lacks \(part): \(show.out)")
        }
        let json = try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: "\(folder)/h100-llama3.1-8b-tp1.json")))
        let object = try #require(json as? [String: Any])
        #expect((object["source"] as? String)?.contains("LLMServingSim") == true)
        // Prefills 32…2,048 with the midpoints from 256 on (11), chunks of 256 and 1,024 after 1,024, 4,096 and 16,384 cached
        // tokens (6), and the decode points the KV cache holds: 80 GB × 0.9 − 2 × 8.03 B parameters at 128 KiB per token ≈
        // 427,000 tokens, so all but 128 × 4,096, 256 × 4,096, 512 × 1,024 and 512 × 4,096.
        let sampleCount = (object["samples"] as? [Any])?.count
        let expectedCount = 11 + 6 + 30 - 4
        #expect(sampleCount == expectedCount, "the raw points are in the profile")
        #expect(object["form"] as? String == "table" && object["table_fit"] != nil && object["knee_fit"] != nil,
                "the measured backends write the table form, the knee beside it")
        #expect(object["schema_version"] as? Int == 1)

        let help = try CLITests.capture(["profile", "list", "--help"])
        #expect(help.status == 0 && help.out.contains("Example:"))
        let list = try CLITests.capture(["profile", "list", "--folder", folder])
        #expect(list.status == 0)
        #expect(list.out.contains("h100-llama3-8b") && list.out.contains("estimate: roofline"))
        // Named as the built-ins are: a file identical to a built-in (less its samples) is counted, not listed again.
        #expect(list.out.contains("h100-llama2-7b-tp2.json") || list.out.contains("measured built-ins' own files"), "\(list.out)")
        #expect(list.out.contains("h100-llama3.1-8b-tp1.json") || list.out.contains("measured built-ins' own files"), "\(list.out)")
    }

    @Test("a model or TP the tables lack is exit 1 naming the folder and what was measured")
    func badInput() throws {
        try #require(FileManager.default.isExecutableFile(atPath: ProcessTests.binary))
        let model = try CLITests.capture(["calibrate", "--backend", "vidur", "--input", "measurements/vidur", "--model", "gpt-5", "-o", "/tmp/never.json"])
        #expect(model.status == 1 && model.err.contains("measurements/vidur/compute/h100") && model.err.contains("Llama-2-7b-hf"))
        let tp = try CLITests.capture(["calibrate", "--backend", "vidur", "--input", "measurements/vidur", "--model", "Llama-2-7b-hf",
                                       "--tp", "3", "-o", "/tmp/never.json"])
        #expect(tp.status == 1 && tp.err.contains("mlp.csv, column `num_tensor_parallel_workers`: no rows at TP 3"))
        let gpu = try CLITests.capture(["calibrate", "--backend", "vidur", "--input", "measurements/vidur", "--model", "Llama-2-7b-hf",
                                        "--gpu", "v100", "-o", "/tmp/never.json"])
        #expect(gpu.status == 64 && gpu.err.contains("h100"))
        #expect(!FileManager.default.fileExists(atPath: "/tmp/never.json"))
    }
}
