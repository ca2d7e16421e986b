import Foundation
import Testing

/// The measured built-in profiles on the command line: `profile list`, and the profile a run used
/// (measured, or an estimate) in its summary, `--json`, the store (`runs show`), `compare` and the report.
@Suite("Command line: measured built-ins, and which profile a run used")
struct BuiltInProfilesCLITests {
    @Test("profile list: measured built-ins first (name, model, GPU × TP, tables), then the estimates, then the files")
    func list() throws {
        try #require(FileManager.default.isExecutableFile(atPath: ProcessTests.binary), "build the headroom binary first (make test does)")
        let list = try CLITests.capture(["profile", "list"])
        #expect(list.status == 0, "\(list.err)")
        let lines = list.out.split(separator: "\n").map(String.init)
        let measured = try #require(lines.firstIndex { $0.hasPrefix("measured, built in") })
        let estimates = try #require(lines.firstIndex { $0.hasPrefix("datasheet estimates, built in") })
        let files = try #require(lines.firstIndex { $0.hasPrefix("files in profiles/") })
        #expect(measured == 0 && measured < estimates && estimates < files)
        let row = lines[measured..<estimates].first { $0.hasPrefix("  h100-llama3.1-8b-tp1 ") } ?? ""
        for part in ["Llama-3.1-8B", "H100 × 1", "LLMServingSim's tables", "table form"] { #expect(row.contains(part), "\(row)") }
        #expect(lines[measured..<estimates].contains { $0.hasPrefix("  a100-llama2-7b-tp8 ") && $0.contains("A100 × 8  Vidur's tables") })
        let datasheet = lines[(estimates + 1)..<files]
        #expect(datasheet.count == 3 && datasheet.allSatisfy { $0.contains("estimate: roofline from the") }, "\(datasheet)")
        #expect(!datasheet.contains { $0.hasPrefix("  a100-llama3-70b-tp4 ") }, "the measured profile of that name replaces the roofline")
        #expect(lines[files...].contains { $0.hasPrefix("  cpu-small.json") })
        #expect(lines[files...].contains { $0.contains("measured built-ins' own files") })
        #expect(!lines[files...].contains { $0.hasPrefix("  h100-llama3.1-8b-tp1.json") }, "a built-in's own file is not listed twice")
    }

    @Test("profile show prints a measured built-in by name; validate-profile and fidelity point to its file")
    func showBuiltIn() throws {
        try #require(FileManager.default.isExecutableFile(atPath: ProcessTests.binary))
        let show = try CLITests.capture(["profile", "show", "h100-llama3.1-70b-tp4"])
        #expect(show.status == 0 && show.out.hasPrefix("h100-llama3.1-70b-tp4 — llmservingsim"), "\(show.err)")
        #expect(show.out.contains("source: measured: LLMServingSim") && !show.out.contains("over 0 samples")
                && show.out.contains("its samples are in profiles/h100-llama3.1-70b-tp4.json"), "\(show.out)")
        for command in [["validate-profile"], ["profile", "fidelity"]] {
            let refused = try CLITests.capture(command + ["h100-llama3.1-70b-tp4"])
            #expect(refused.status == 1 && refused.err.contains("profiles/h100-llama3.1-70b-tp4.json"), "\(refused.err)")
        }
    }

    @Test("a run says which profile it used: the summary line and --json (measured, and an estimate)")
    func runSummaryAndJSON() throws {
        try #require(FileManager.default.isExecutableFile(atPath: ProcessTests.binary))
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("headroom-builtin-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: folder) }
        let yaml = try String(contentsOfFile: "scenarios/quickstart.yaml", encoding: .utf8)
        let measured = folder.appendingPathComponent("measured.yaml").path, estimate = folder.appendingPathComponent("estimate.yaml").path
        try yaml.replacingOccurrences(of: #"profile: [a-z0-9.-]+"#, with: "profile: h100-llama3.1-8b-tp1", options: .regularExpression)
            .write(toFile: measured, atomically: true, encoding: .utf8)
        try yaml.replacingOccurrences(of: #"profile: [a-z0-9.-]+"#, with: "profile: h100-llama3-8b", options: .regularExpression)
            .write(toFile: estimate, atomically: true, encoding: .utf8)
        let text = try CLITests.capture(["run", measured, "--no-store", "--duration", "1m"])
        #expect(text.status == 0, "\(text.err)")
        #expect(text.out.contains("Profile    h100-llama3.1-8b-tp1 — measured: LLMServingSim's per-layer operators"), "\(text.out)")
        for (file, name, isEstimate, provenance) in [(measured, "h100-llama3.1-8b-tp1", false, "measured: LLMServingSim's per-layer operators"),
                                                     (estimate, "h100-llama3-8b", true, "estimate: datasheet roofline")] {
            let run = try CLITests.capture(["run", file, "--no-store", "--duration", "1m", "--json"])
            #expect(run.status == 0, "\(run.err)")
            let object = try JSONSerialization.jsonObject(with: Data(run.out.utf8)) as? [String: Any]
            let profile = (object?["summary"] as? [String: Any])?["profile"] as? [String: Any]
            #expect(profile?["name"] as? String == name && profile?["estimate"] as? Bool == isEstimate
                    && profile?["provenance"] as? String == provenance, "\(String(describing: profile))")
        }
    }

    @Test("stored: runs show reprints the profile line; compare marks a variant run on an estimate; the report says it")
    func storeCompareReport() throws {
        try #require(FileManager.default.isExecutableFile(atPath: ProcessTests.binary))
        let db = RunStoreTests.temporaryPath("builtin")
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("headroom-builtin-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: db); try? FileManager.default.removeItem(at: folder) }
        let estimate = folder.appendingPathComponent("estimate.yaml").path
        try String(contentsOfFile: "scenarios/quickstart.yaml", encoding: .utf8)
            .replacingOccurrences(of: #"profile: [a-z0-9.-]+"#, with: "profile: h100-llama3-8b", options: .regularExpression)
            .write(toFile: estimate, atomically: true, encoding: .utf8)
        // Run 1 on the shipped (measured) profile, run 2 on the datasheet estimate.
        for (id, file, isEstimate) in [(1, "scenarios/quickstart.yaml", false), (2, estimate, true)] {
            let stored = try CLITests.capture(["run", file, "--db", db, "--duration", "1m"])
            #expect(stored.status == 0, "\(stored.err)")
            let profileLine = try #require(stored.out.split(separator: "\n").first { $0.hasPrefix("Profile    ") })
            #expect(profileLine.contains("estimate: datasheet roofline") == isEstimate, "\(profileLine)")
            let show = try CLITests.capture(["runs", "show", "\(id)", "--db", db])
            #expect(show.status == 0 && show.out.contains(profileLine), "\(show.out)")
            let compare = try CLITests.capture(["compare", "--runs", "\(id)", "--db", db])
            let row = compare.out.split(separator: "\n").first { $0.contains("fixed") }.map(String.init) ?? ""
            #expect(row.contains("1†") == isEstimate && compare.out.contains("† ran on an estimated profile") == isEstimate, "\(compare.out)")
            let html = folder.appendingPathComponent("run-\(id).html").path
            let report = try CLITests.capture(["report", "--db", db, "--run", "\(id)", "-o", html])
            #expect(report.status == 0, "\(report.err)")
            let page = try String(contentsOfFile: html, encoding: .utf8)
            let name = profileLine.dropFirst("Profile    ".count).prefix { $0 != " " }
            #expect(page.contains("Iteration-time profile: <b>\(name)</b>") && page.contains("an estimate, not measured") == isEstimate)
        }
    }
}
