import Foundation
import Testing
@testable import HeadroomStore

/// A two-deployment scenario from the command line: `run` prints each deployment's figures, the
/// store keeps them, and `runs show`, `compare --deployment`, `export` and `report` show both;
/// the deployments' dollars plus the unattributed ones are the bill everywhere.
@Suite("Command line: several deployments")
struct DeploymentCLITests {
    /// A folder holding the two-deployment scenario (two.yaml) and a sweep of two policies for its
    /// chat deployment, two seeds each (sweep.yaml).
    static func folder() throws -> URL {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("headroom-deployments-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        try DeploymentStoreTests.yaml.write(to: folder.appendingPathComponent("two.yaml"), atomically: true, encoding: .utf8)
        try """
        sweep:
          name: shared
          base: \(folder.appendingPathComponent("two.yaml").path)
          seeds: 2
          variants:
            - {name: chat-kpa, set: {}}
            - {name: chat-fixed, set: {"deployments[0].policy": {kind: fixed, replicas: 4}}}
        """.write(to: folder.appendingPathComponent("sweep.yaml"), atomically: true, encoding: .utf8)
        return folder
    }

    static func json(_ text: String) throws -> [String: Any] {
        try #require(try JSONSerialization.jsonObject(with: Data(text.utf8)) as? [String: Any])
    }

    @Test("run, --json and runs show: both deployments, their table, and dollars that add up to the bill")
    func runAndShow() throws {
        try #require(FileManager.default.isExecutableFile(atPath: ProcessTests.binary))
        let folder = try Self.folder()
        defer { try? FileManager.default.removeItem(at: folder) }
        let scenario = folder.appendingPathComponent("two.yaml").path, db = folder.appendingPathComponent("h.sqlite").path
        let run = try CLITests.capture(["run", scenario, "--db", db])
        #expect(run.status == 0, "\(run.err)")
        let lines = run.out.split(separator: "\n").map(String.init)
        let header = try #require(lines.first { $0.hasPrefix("Deployment ") }, "\(run.out)")
        for column in ["arrived", "finished", "dropped", "TTFT p99", "SLO met", "peak", "GPU-h", "cost", "$/M in", "$/M out"] {
            #expect(header.contains(column), "\(column) missing: \(header)")
        }
        #expect(lines.contains { $0.hasPrefix("chat ") } && lines.contains { $0.hasPrefix("batch ") })
        #expect(lines.contains { $0.hasPrefix("Unattributed $") })
        #expect(lines.allSatisfy { $0.count <= 130 })
        let show = try CLITests.capture(["runs", "show", "1", "--db", db])
        #expect(show.status == 0, "\(show.err)")
        let table = lines.drop { !$0.hasPrefix("Deployment ") }.joined(separator: "\n")
        #expect(show.out.contains(table), "runs show:\n\(show.out)\nrun:\n\(run.out)")
        #expect(show.out.contains(" 2 deployments"))

        let printed = try CLITests.capture(["run", scenario, "--no-store", "--json"])
        let summary = try #require(try Self.json(printed.out)["summary"] as? [String: Any])
        let deployments = try #require(summary["deployments"] as? [[String: Any]])
        #expect(deployments.compactMap { $0["name"] as? String } == ["chat", "batch"])
        let cost = try #require(summary["cost"] as? [String: Any])
        let dollars = deployments.compactMap { (($0["cost"] as? [String: Any])?["dollars"] as? NSNumber)?.doubleValue }.reduce(0, +)
        let unattributed = try #require((cost["unattributed_dollars"] as? NSNumber)?.doubleValue)
        let total = try #require((cost["dollars"] as? NSNumber)?.doubleValue)
        #expect(abs(dollars + unattributed - total) < 1e-9, "\(dollars) + \(unattributed) ≠ \(total)")
        #expect(deployments.allSatisfy { ((($0["cost"] as? [String: Any])?["per_million_input_tokens"] as? NSNumber)?.doubleValue ?? 0) > 0 })

        let shown = try Self.json(try CLITests.capture(["runs", "show", "1", "--db", db, "--json"]).out)
        let stored = try #require(shown["deployments"] as? [[String: Any]])
        #expect(stored.compactMap { $0["deployment"] as? String } == ["chat", "batch"])
        let storedDollars = stored.compactMap { ($0["cost_dollars"] as? NSNumber)?.doubleValue }.reduce(0, +)
        let storedSummary = try #require(shown["summary"] as? [String: Any])
        let storedTotal = try #require((storedSummary["cost_dollars"] as? NSNumber)?.doubleValue)
        let storedUnattributed = try #require((storedSummary["cost_unattributed_dollars"] as? NSNumber)?.doubleValue)
        #expect(abs(storedDollars + storedUnattributed - storedTotal) < 1e-9)
    }

    @Test("compare --deployment NAME: that deployment's figures per variant, paired differences too; a wrong name lists the deployments")
    func compare() throws {
        try #require(FileManager.default.isExecutableFile(atPath: ProcessTests.binary))
        let folder = try Self.folder()
        defer { try? FileManager.default.removeItem(at: folder) }
        let db = folder.appendingPathComponent("h.sqlite").path
        let sweep = try CLITests.capture(["sweep", folder.appendingPathComponent("sweep.yaml").path, "--db", db])
        #expect(sweep.status == 0, "\(sweep.err)")
        let store = try RunStore(path: db, access: .readOnly)
        let ids = try store.runs(sweep: "shared").map(\.id)
        #expect(ids.count == 4)
        let columns = try store.deploymentColumns(of: ids)

        let cluster = try CLITests.capture(["compare", "--sweep", "shared", "--db", db, "--json"])
        #expect(cluster.status == 0 && cluster.err.contains("--deployment NAME"), "a note says the figures are the cluster's: \(cluster.err)")
        for (name, other) in [("chat", "batch"), ("batch", "chat")] {
            let compared = try CLITests.capture(["compare", "--sweep", "shared", "--db", db, "--deployment", name, "--json",
                                                 "--baseline", "chat-kpa"])
            #expect(compared.status == 0, "\(compared.err)")
            let rows = try #require(try JSONSerialization.jsonObject(with: Data(compared.out.utf8)) as? [[String: Any]])
            #expect(rows.count == 2)
            for row in rows {
                let variant = try #require(row["variant"] as? String)
                let runs = try store.runs(sweep: "shared").filter { $0.variant == variant }.map(\.id)
                let mean = runs.compactMap { columns[$0]?[name]?["cost_dollars"] }.reduce(0, +) / Double(runs.count)
                let otherMean = runs.compactMap { columns[$0]?[other]?["cost_dollars"] }.reduce(0, +) / Double(runs.count)
                let shown = try #require(((row["metrics"] as? [String: Any])?["cost_dollars"] as? [String: Any])?["mean"] as? Double)
                #expect(abs(shown - mean) < 1e-9 && abs(shown - otherMean) > 1e-6, "\(variant): \(shown) is \(name)'s attributed cost")
                #expect(row["pairedDifferences"] != nil)
            }
        }
        let table = try CLITests.capture(["compare", "--sweep", "shared", "--db", db, "--deployment", "chat"])
        #expect(table.status == 0 && table.out.hasPrefix("Deployment chat:") && table.out.contains("chat-fixed"), "\(table.out)")
        let wrong = try CLITests.capture(["compare", "--sweep", "shared", "--db", db, "--deployment", "nope"])
        #expect(wrong.status == 1 && wrong.err.contains("--deployment nope") && wrong.err.contains("chat, batch"), "\(wrong.err)")
    }

    @Test("export and report: both deployments, and the deployments' dollars plus the unattributed ones are the bill")
    func exportAndReport() throws {
        try #require(FileManager.default.isExecutableFile(atPath: ProcessTests.binary))
        let folder = try Self.folder()
        defer { try? FileManager.default.removeItem(at: folder) }
        let db = folder.appendingPathComponent("h.sqlite").path
        #expect(try CLITests.capture(["run", folder.appendingPathComponent("two.yaml").path, "--db", db, "--sample-requests", "10"]).status == 0)
        let out = folder.appendingPathComponent("x")
        let export = try CLITests.capture(["export", "--run", "1", "-o", out.path, "--db", db])
        #expect(export.status == 0 && export.out.contains("deployment_summaries.csv  (2 rows)"), "\(export.out)\(export.err)")
        let csv = try String(contentsOf: out.appendingPathComponent("deployment_summaries.csv"), encoding: .utf8)
            .split(separator: "\r\n").map { $0.split(separator: ",", omittingEmptySubsequences: false).map(String.init) }
        let header = try #require(csv.first)
        for column in ["run_id", "deployment", "gpu_hours_held", "cost_dollars", "cost_per_million_input_tokens", "cost_per_million_output_tokens"] {
            #expect(header.contains(column), "\(column) missing")
        }
        let name = try #require(header.firstIndex(of: "deployment")), cost = try #require(header.firstIndex(of: "cost_dollars"))
        #expect(csv.dropFirst().map { $0[name] } == ["chat", "batch"])
        let runs = try String(contentsOf: out.appendingPathComponent("runs.csv"), encoding: .utf8)
            .split(separator: "\r\n").map { $0.split(separator: ",", omittingEmptySubsequences: false).map(String.init) }
        func runValue(_ column: String) throws -> Double {
            let index = try #require(runs[0].firstIndex(of: column))
            return try #require(Double(runs[1][index]))
        }
        let attributed = csv.dropFirst().compactMap { Double($0[cost]) }.reduce(0, +)
        #expect(abs(attributed + (try runValue("cost_unattributed_dollars")) - (try runValue("cost_dollars"))) < 1e-9)
        let samples = try String(contentsOf: out.appendingPathComponent("request_samples.csv"), encoding: .utf8)
        #expect(samples.contains(",chat") && samples.contains(",batch") && samples.hasPrefix("run_id,serial"))
        let decisions = try String(contentsOf: out.appendingPathComponent("decisions.csv"), encoding: .utf8)
        #expect(decisions.contains(",chat\r\n") && decisions.contains(",batch\r\n"))

        let html = folder.appendingPathComponent("r.html")
        let report = try CLITests.capture(["report", "--run", "1", "-o", html.path, "--db", db])
        #expect(report.status == 0, "\(report.err)")
        let page = try String(contentsOf: html, encoding: .utf8)
        #expect(page.contains("<table class=\"comparison deployments\">"))
        #expect(page.contains("data-deployment=\"chat\"") && page.contains("data-deployment=\"batch\""))
        #expect(page.contains("Unattributed: $"))
    }
}
