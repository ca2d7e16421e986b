import Foundation
import Testing

/// `profile show --tokens/--batch`: single iterations split into their parts.
@Suite("Command line: profile show's iteration breakdown")
struct ProfileShowTokensCLITests {
    @Test("a measured profile prices the listed prefills and a decode step; the parts add up to what its measurements say")
    func breakdown() throws {
        try #require(FileManager.default.isExecutableFile(atPath: ProcessTests.binary), "build the headroom binary first (make test does)")
        let file = "profiles/h100-llama3.1-70b-tp4.json"
        let text = try ProcessTests.capture(["profile", "show", file, "--tokens", "128,2048", "--batch", "64", "--context", "1024"])
        #expect(text.status == 0, "\(text.err)")
        for part in ["(table form)", "linear", "attention", "communication", "prefill 128 tokens", "prefill 2,048 tokens",
                     "decode 64 × 1,024 context"] {
            #expect(text.out.contains(part), "lacks \(part): \(text.out)")
        }
        let json = try ProcessTests.capture(["profile", "show", file, "--tokens", "128,2048", "--batch", "64", "--context", "1024", "--json"])
        #expect(json.status == 0, "\(json.err)")
        let object = try #require(try JSONSerialization.jsonObject(with: Data(json.out.utf8)) as? [String: Any])
        let rows = try #require(object["iterations"] as? [[String: Any]])
        #expect(rows.count == 3)
        let profile = try #require(try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: file))) as? [String: Any])
        let samples = try #require(profile["samples"] as? [[String: Any]])
        func measured(batch: Int, prefill: Int, context: Int) -> Double? {
            samples.first { $0["batch"] as? Int == batch && $0["prefill_tokens"] as? Int == prefill && $0["context_tokens"] as? Int == context }?["seconds"]
                as? Double
        }
        for (row, sample) in zip(rows, [measured(batch: 1, prefill: 128, context: 0), measured(batch: 1, prefill: 2048, context: 0),
                                        measured(batch: 64, prefill: 0, context: 64 * 1024)]) {
            let parts = ["linear_seconds", "attention_seconds", "communication_seconds"].compactMap { row[$0] as? Double }
            let total = try #require(row["total_seconds"] as? Double)
            #expect(parts.count == 3 && abs(parts.reduce(0, +) - total) < 1e-9, "\(row)")
            // At TP 4 the all-reduces are their own part.
            #expect(parts[2] > 0, "\(row)")
            // The composed measurement of the same iteration, within the fit's error.
            let expected = try #require(sample)
            #expect(abs(total / expected - 1) < 0.02, "\(row) vs measured \(expected)")
        }
    }

    @Test("bad --tokens, and --json without anything to price, are usage errors naming the option")
    func refusals() throws {
        try #require(FileManager.default.isExecutableFile(atPath: ProcessTests.binary), "build the headroom binary first (make test does)")
        let bad = try ProcessTests.capture(["profile", "show", "h100-llama3-8b", "--tokens", "128,abc"])
        #expect(bad.status == 64 && bad.err.contains("--tokens: `abc` is not a token count"), "\(bad.err)")
        let alone = try ProcessTests.capture(["profile", "show", "h100-llama3-8b", "--json"])
        #expect(alone.status == 64 && alone.err.contains("go with --tokens or --batch"), "\(alone.err)")
        let builtIn = try ProcessTests.capture(["profile", "show", "h100-llama3-8b", "--batch", "8"])
        #expect(builtIn.status == 0 && builtIn.out.contains("decode 8 × 1,024 context") && builtIn.out.contains("linear form"), "\(builtIn.out)")
    }
}
