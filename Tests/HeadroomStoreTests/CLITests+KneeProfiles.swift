import Foundation
import Testing

/// `profile list` and `profile show` on the measured table-form profiles shipped in `profiles/`.
@Suite("Command line: shipped table-form profiles")
struct KneeProfileCLITests {
    @Test("profile list names each shipped measured profile with its tables and its form; show prints the table and the line")
    func listAndShow() throws {
        try #require(FileManager.default.isExecutableFile(atPath: ProcessTests.binary), "build the headroom binary first (make test does)")
        let list = try CLITests.capture(["profile", "list"])
        #expect(list.status == 0)
        for name in ["h100-llama3.1-8b-tp1", "h100-llama3.1-70b-tp4", "h100-llama2-7b-tp1", "a100-llama3-8b-tp1", "a100-llama3-70b-tp4"] {
            let line = list.out.split(separator: "\n").first { $0.hasPrefix("  \(name) ") }.map(String.init) ?? ""
            #expect(line.contains("'s tables; ") && line.contains("table form, R² "), "`profile list` line for \(name): \(line)")
        }
        let show = try CLITests.capture(["profile", "show", "profiles/a100-llama3-70b-tp4.json"])
        #expect(show.status == 0)
        for part in ["a100-llama3-70b-tp4 — vidur", "iteration (table form) = ", "table (tokens → ms", "table fit over", "linear form (not used"] {
            #expect(show.out.contains(part), "`profile show` lacks \(part): \(show.out)")
        }
    }
}
