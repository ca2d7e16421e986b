import Foundation
import Testing

/// `profile fidelity PROFILE --against DIR`: a shipped profile judged against the shipped tables,
/// a user's CSV, and the refusals.
@Suite("Command line: profile fidelity --against")
struct FidelityAgainstCLITests {
    @Test("against Vidur's tables: what was found, the method, the band table; --json with the against source")
    func againstTables() throws {
        try #require(FileManager.default.isExecutableFile(atPath: ProcessTests.binary), "build the headroom binary first (make test does)")
        let result = try ProcessTests.capture(["profile", "fidelity", "profiles/h100-llama2-7b-tp1.json", "--against", "measurements/vidur"])
        #expect(result.status == 0, "\(result.err)")
        for part in ["against: Vidur tables in measurements/vidur: compute/h100/meta-llama/Llama-2-7b-hf/mlp.csv", "used TP 1",
                     "measured points from measurements/vidur, not refitted", "TP 1: ", "table", "linear", "median", "worst",
                     "prefill 257–1,024 tok", "decode batch 1–8", "overall"] {
            #expect(result.out.contains(part), "lacks \(part): \(result.out)")
        }
        let json = try ProcessTests.capture(["profile", "fidelity", "profiles/h100-llama2-7b-tp1.json", "--against", "measurements/vidur",
                                             "--tp", "1", "--tp", "2", "--json"])
        #expect(json.status == 0, "\(json.err)")
        let object = try #require(try JSONSerialization.jsonObject(with: Data(json.out.utf8)) as? [String: Any])
        let against = try #require(object["against"] as? [String: Any])
        #expect(against["kind"] as? String == "vidur" && against["tensor_parallel"] as? [Int] == [1, 2])
        #expect(object["folds"] as? Int == 0 && object["tensor_parallel"] as? Int == 1 && object["form"] != nil && object["line"] != nil)
        #expect((object["method"] as? String)?.hasPrefix("judged against") == true)
        #expect((object["by_tensor_parallel"] as? [[String: Any]])?.map { $0["tensor_parallel"] as? Int } == [1, 2])
    }

    @Test("against a user's CSV of measured iterations")
    func againstCSV() throws {
        try #require(FileManager.default.isExecutableFile(atPath: ProcessTests.binary))
        let file = FileManager.default.temporaryDirectory.appendingPathComponent("headroom-vllm-\(UUID().uuidString).csv").path
        defer { try? FileManager.default.removeItem(atPath: file) }
        try "batch,prefill_tokens,context_tokens,seconds\n1,512,0,0.04\n16,0,16384,0.012\n".write(toFile: file, atomically: true, encoding: .utf8)
        let result = try ProcessTests.capture(["profile", "fidelity", "profiles/h100-llama3.1-8b-tp1.json", "--against", file])
        #expect(result.status == 0, "\(result.err)")
        #expect(result.out.contains("judged against 2 measured points from \(file), not refitted")
                    && result.out.contains("no `tp` column: taken as the profile's TP"), "\(result.out)")
    }

    @Test("a built-in datasheet estimate judged against measured tables; refused without --against")
    func builtIn() throws {
        try #require(FileManager.default.isExecutableFile(atPath: ProcessTests.binary))
        let result = try ProcessTests.capture(["profile", "fidelity", "h100-llama3-8b", "--against", "measurements/llmservingsim",
                                               "--model", "Llama-3.1-8B"])
        #expect(result.status == 0 && result.out.hasPrefix("h100-llama3-8b (") && result.out.contains("Llama-3.1-8B/tp1/layers.csv")
                    && !result.out.contains("line median"), "\(result.out)\(result.err)")
        let alone = try ProcessTests.capture(["profile", "fidelity", "h100-llama3-8b"])
        #expect(alone.status == 1 && alone.err.contains("judge it against measured tables with --against DIR --model NAME"), "\(alone.err)")
    }

    @Test("refusals: a missing folder, a bad CSV row, a TP the tables lack, options without --against, --folds with it")
    func refusals() throws {
        try #require(FileManager.default.isExecutableFile(atPath: ProcessTests.binary))
        let profile = "profiles/h100-llama2-7b-tp1.json"
        let missing = try ProcessTests.capture(["profile", "fidelity", profile, "--against", "no/such/folder"])
        #expect(missing.status == 1 && missing.err.contains("no/such/folder: no such file or folder; expected a folder of Vidur"), "\(missing.err)")
        let file = FileManager.default.temporaryDirectory.appendingPathComponent("headroom-bad-\(UUID().uuidString).csv").path
        defer { try? FileManager.default.removeItem(atPath: file) }
        try "batch,prefill_tokens,context_tokens,seconds\n1,512,0,-1\n".write(toFile: file, atomically: true, encoding: .utf8)
        let row = try ProcessTests.capture(["profile", "fidelity", profile, "--against", file])
        #expect(row.status == 1 && row.err.contains("\(file):2, column `seconds`: `-1` is not a positive time in seconds"), "\(row.err)")
        let tp = try ProcessTests.capture(["profile", "fidelity", profile, "--against", "measurements/vidur", "--tp", "3"])
        #expect(tp.status == 1 && tp.err.contains("no rows at TP 3 (measured: 1, 2, 4, 8)"), "\(tp.err)")
        let lone = try ProcessTests.capture(["profile", "fidelity", profile, "--model", "Llama-2-7b-hf"])
        #expect(lone.status == 64 && lone.err.contains("--model picks the measurements of --against"), "\(lone.err)")
        let folds = try ProcessTests.capture(["profile", "fidelity", profile, "--against", "measurements/vidur", "--folds", "3"])
        #expect(folds.status == 64 && folds.err.contains("--against judges the profile without refitting"), "\(folds.err)")
    }
}
