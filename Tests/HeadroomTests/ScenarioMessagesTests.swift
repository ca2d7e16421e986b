import Foundation
import HeadroomEngine
import Testing
@testable import Headroom

/// Messages that name the real cause: a duration with a unit that is too large, a duplicate key
/// with both places, a sweep file given as a scenario, a directory, a close misspelling.
@Suite("Scenario messages")
struct ScenarioMessagesTests {
    // The loading tests' helpers, on their valid scenario.
    func error(_ yaml: String) -> ScenarioError? { ScenarioLoadingTests().error(yaml) }
    func replacing(_ old: String, _ new: String) -> String { ScenarioLoadingTests().replacing(old, new) }

    @Test("suggestions rank by Damerau–Levenshtein distance: a swapped pair is one edit")
    func suggestions() throws {
        #expect(Suggestion.distance("medain", "median") == 1)
        #expect(Suggestion.distance("medain", "mean") == 2)
        #expect(Suggestion.closest(to: "medain", in: ["mean", "median"]) == "median")
        #expect(Suggestion.closest(to: "sigam", in: WorkloadKeys.distribution) == "sigma")
        let misspelt = try #require(error(replacing("median: 500", "medain: 500")))
        #expect(misspelt.message.contains("did you mean `median`?"), "\(misspelt.message)")
    }

    @Test("a duration with a unit is never told to add one: too large names the maximum, zero or less must be positive")
    func durations() throws {
        #expect(Units.checkedDuration("100000w") == .failure(.tooLarge))
        #expect(Units.checkedDuration("600") == .failure(.missingUnit))
        #expect(Units.checkedDuration("fivem") == .failure(.notANumber))
        #expect(Units.checkedDuration("-5m") == .success(.minutes(-5)))
        let large = try #require(error(replacing("duration: 10m", "duration: 100000w")))
        #expect(large.message.contains("too large") && large.message.contains("15,200w"), "\(large.message)")
        #expect(!large.message.contains("with a unit"))
        let negative = try #require(error(replacing("duration: 10m", "duration: -5m")))
        #expect(negative.message.contains("longer than zero") && !negative.message.contains("with a unit"))
        let bare = try #require(error(replacing("duration: 10m", "duration: 600")))
        #expect(bare.message.contains("with a unit"))
    }

    @Test("a duplicate key names the file, line and column of both places", arguments: [
        // (old, new, line of the duplicate, column, first written at)
        ("duration: 10m\n", "duration: 10m\nduration: 5m\n", 3, 1, "s.yaml:2:1"),
        ("    max_num_seqs: 64", "    max_num_seqs: 64\n    max_num_seqs: 32", 20, 5, "s.yaml:19:5"),
        ("{process: poisson, rate: 5/s}", "{process: poisson, rate: 5/s, rate: 6/s}", 4, 43, "s.yaml:4:32"),
    ])
    func duplicateKey(old: String, new: String, line: Int, column: Int, first: String) throws {
        let duplicate = try #require(error(replacing(old, new)))
        #expect(duplicate.line == line && duplicate.column == column, "\(duplicate)")
        #expect(duplicate.message.contains("duplicate key") && duplicate.message.contains("first written at \(first)"), "\(duplicate)")
        #expect(!duplicate.message.contains("Context"), "Yams' dump of the document leaks: \(duplicate)")
    }

    @Test("a sweep file given as a scenario says so and names the command to run it")
    func sweepFile() throws {
        let sweep = try #require(error("sweep:\n  name: s\n  base: quickstart.yaml\n  seeds: 3\n"))
        #expect(sweep.message.contains("this is a sweep file") && sweep.message.contains("headroom sweep s.yaml"), "\(sweep)")
        #expect(!sweep.message.contains("node_pools"))
    }

    @Test("a directory as the scenario says it is one and lists the YAML files in it, with no Foundation error text")
    func directory() throws {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("headroom-dir-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: folder) }
        for name in ["a.yaml", "b.yml", "notes.txt"] { try "x: 1".write(to: folder.appendingPathComponent(name), atomically: true, encoding: .utf8) }
        for load in [{ _ = try Scenario.load(file: folder.path) }, { _ = try ScenarioDocument.load(file: folder.path) },
                     { _ = try SweepSpec.load(file: folder.path) }] as [() throws -> Void] {
            #expect { try load() } throws: { error in
                let text = "\(error)"
                return text.contains("is a directory") && text.contains("/a.yaml") && text.contains("/b.yml") && !text.contains("notes.txt")
                    && !text.contains("NSCocoaErrorDomain")
            }
        }
        for index in 0..<12 { try "x: 1".write(to: folder.appendingPathComponent("s\(index).yaml"), atomically: true, encoding: .utf8) }
        #expect { try Scenario.load(file: folder.path) } throws: { "\($0)".contains("holds 14 YAML files, e.g.") }
        #expect { try Scenario.load(file: folder.appendingPathComponent("missing.yaml").path) } throws: { "\($0)".contains("no such file") }
    }
}

/// The distribution keys, as the loader allows them (for the suggestion test).
enum WorkloadKeys {
    static let distribution = YAMLValue.distributionKeys
}
