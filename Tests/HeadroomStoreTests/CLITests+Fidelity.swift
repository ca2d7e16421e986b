import Foundation
import Testing

/// `profile fidelity` on the shipped profiles, a built-in estimate and too many folds.
@Suite("Command line: profile fidelity")
struct FidelityCLITests {
    @Test("a shipped measured profile: the method, the folds, the TP, every band, the table beside the line and the roofline")
    func measuredProfile() throws {
        try #require(FileManager.default.isExecutableFile(atPath: ProcessTests.binary),
                     "build the headroom binary first (make test does)")
        let result = try ProcessTests.capture(["profile", "fidelity", "profiles/h100-llama3.1-8b-tp1.json"])
        #expect(result.status == 0, "\(result.err)")
        for part in ["h100-llama3.1-8b-tp1 — TP 1", "5-fold cross-validation", "table", "linear", "roofline", "median", "worst", "not fitted", "prefill 1–32 tok",
                     "prefill 1,025–4,096 tok", "decode batch 9–64", "overall"] {
            #expect(result.out.contains(part), "lacks \(part): \(result.out)")
        }
        let json = try ProcessTests.capture(["profile", "fidelity", "profiles/a100-llama3-70b-tp4.json", "--json"])
        #expect(json.status == 0, "\(json.err)")
        let object = try #require(try JSONSerialization.jsonObject(with: Data(json.out.utf8)) as? [String: Any])
        #expect(object["tensor_parallel"] as? Int == 4 && object["folds"] as? Int == 5)
        #expect((object["form"] as? [String: Any])?["form"] as? String == "table" && object["line"] != nil && object["roofline"] != nil)
    }

    @Test("the linear CPU profile in its own form; a built-in estimate and too many folds refused with the reason")
    func linearAndRefusals() throws {
        try #require(FileManager.default.isExecutableFile(atPath: ProcessTests.binary),
                     "build the headroom binary first (make test does)")
        let cpu = try ProcessTests.capture(["profile", "fidelity", "profiles/cpu-small.json"])
        #expect(cpu.status == 0 && cpu.out.contains("linear form") && !cpu.out.contains("roofline"), "\(cpu.out)\(cpu.err)")
        let builtIn = try ProcessTests.capture(["profile", "fidelity", "h100-llama3-8b"])
        #expect(builtIn.status == 1 && builtIn.err.contains("a datasheet estimate has no measurements to check against"),
                "\(builtIn.err)")
        let folds = try ProcessTests.capture(["profile", "fidelity", "profiles/cpu-small.json", "--folds", "20"])
        #expect(folds.status == 1 && folds.err.contains("20-fold cross-validation needs at least 40"), "\(folds.err)")
    }
}
