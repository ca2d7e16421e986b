import Foundation
import HeadroomEngine
import Testing
@testable import Headroom

@Suite("Measured built-in profiles")
struct MeasuredProfilesTests {
    /// The profile files the built-ins are generated from (the tests run in the package root).
    static let folder = "profiles"

    /// JSON text re-encoded with sorted keys by this platform's Foundation: equal for equal content.
    static func canonical(_ data: Data, samplesEmptied: Bool = false) throws -> Data {
        var object = try #require(try JSONSerialization.jsonObject(with: data) as? [String: Any])
        if samplesEmptied { object["samples"] = [Any]() }
        return try JSONSerialization.data(withJSONObject: object, options: [.sortedKeys])
    }

    @Test("the compiled built-ins are profiles/*.json less their samples, field for field (a stale generated file fails)")
    func generatedFileIsCurrent() throws {
        let files = try FileManager.default.contentsOfDirectory(atPath: Self.folder).filter { $0.hasSuffix(".json") }.sorted()
        var expected: [(name: String, json: Data)] = []
        for file in files {
            let data = try Data(contentsOf: URL(fileURLWithPath: "\(Self.folder)/\(file)"))
            let profile = try CalibratedProfile.decode(data, file: file)
            guard MeasuredProfiles.embeddedBackends.contains(profile.backend) else { continue }
            expected.append((profile.name, try Self.canonical(data, samplesEmptied: true)))
        }
        let fix = "run `make measured-profiles` (or `headroom profile embed`) after changing profiles/"
        #expect(MeasuredProfiles.embedded.map(\.name) == expected.map(\.name), "\(fix)")
        for (embedded, file) in zip(MeasuredProfiles.embedded, expected) {
            #expect(try Self.canonical(Data(embedded.json.utf8)) == file.json, "\(embedded.name): \(fix)")
        }
        // The generator writes what is compiled in (this platform's JSON formatting aside).
        let source = try MeasuredProfiles.swiftSource(folder: Self.folder)
        #expect(expected.allSatisfy { source.contains("(\"\($0.name)\", ##\"{") })
    }

    @Test("every measured profile file is a built-in, and decodes to the file's profile less its samples")
    func builtInsAgreeWithFiles() throws {
        let files = try FileManager.default.contentsOfDirectory(atPath: Self.folder).filter { $0.hasSuffix(".json") }.sorted()
        var measured: [String] = []
        for file in files {
            var profile = try CalibratedProfile.load(file: "\(Self.folder)/\(file)")
            guard MeasuredProfiles.embeddedBackends.contains(profile.backend) else { continue }
            #expect(file == "\(profile.name).json", "a measured profile's file is named after it")
            #expect(!profile.samples.isEmpty, "\(file): the file keeps its samples for `profile fidelity`")
            measured.append(profile.name)
            profile.samples = []
            #expect(MeasuredProfiles.named(profile.name) == profile, "\(file)")
        }
        #expect(MeasuredProfiles.embedded.count == MeasuredProfiles.all.count, "every embedded text decodes")
        #expect(MeasuredProfiles.all.map(\.name) == measured)
        // The names the issue and the shipped scenarios use.
        for name in ["h100-llama2-7b-tp1", "a100-llama3-70b-tp4", "h100-llama3.1-8b-tp1", "h100-llama3.1-70b-tp4", "a100-llama3-8b-tp1"] {
            #expect(measured.contains(name), "\(name)")
        }
    }

    @Test("a measured built-in replaces the datasheet roofline of its name; the others stay, as estimates")
    func measuredFirst() throws {
        let model = ModelSpec(name: "llama-3-70b", weightsBytes: 141e9, kvBytesPerToken: 327_680)
        let replaced = try #require(try HardwareProfile.builtIn(named: "a100-llama3-70b-tp4", serving: model))
        #expect(replaced.source.hasPrefix("measured:") && replaced.form == .table)
        #expect(!MeasuredProfiles.datasheetEstimates.map(\.name).contains("a100-llama3-70b-tp4"))
        let estimate = try #require(try HardwareProfile.builtIn(named: "h100-llama3-8b", serving: model))
        #expect(estimate.source.hasPrefix("roofline"))
        #expect(try HardwareProfile.builtIn(named: "h100-llama3-9b", serving: model) == nil)
    }

    @Test("a scenario names a measured built-in from any directory: no file is read")
    func scenarioFromAnywhere() throws {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("headroom-builtin-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        let file = folder.appendingPathComponent("s.yaml").path
        try ScenarioLoadingTests.valid.replacingOccurrences(of: "profile: h100-llama3-8b", with: "profile: h100-llama3.1-8b-tp1")
            .write(toFile: file, atomically: true, encoding: .utf8)
        let scenario = try Scenario.load(file: file)
        #expect(scenario.profile.name == "h100-llama3.1-8b-tp1" && scenario.profile.source.hasPrefix("measured: LLMServingSim"))
        #expect(scenario.profile == MeasuredProfiles.named("h100-llama3.1-8b-tp1")?.hardwareProfile)
    }

    @Test("a built-in measured for a model of another width is refused at the profile's line")
    func otherWidth() throws {
        let yaml = ScenarioLoadingTests.valid.replacingOccurrences(of: "name: llama\n", with: "name: llama-3.1-70b\n")
            .replacingOccurrences(of: "profile: h100-llama3-8b", with: "profile: h100-llama3.1-8b-tp1")
        do {
            _ = try Scenario.parse(yaml: yaml, file: "s.yaml")
            Issue.record("a 70B scenario ran on an 8B profile")
        } catch {
            #expect("\(error)".contains("s.yaml:11") && "\(error)".contains("hidden 8192"), "\(error)")
        }
    }

    @Test("an unknown name: did you mean, and every built-in in short (measured grouped by model, then the estimates)")
    func unknownName() throws {
        let message = MeasuredProfiles.unknownNameMessage("h100-llama3.1-8b-tp3")
        #expect(message.contains("did you mean `h100-llama3.1-8b-tp1`?"), "\(message)")
        #expect(message.contains("measured: ") && message.contains("h100-llama3.1-8b-tp1/2") && message.contains("h100-llama2-7b-tp1/2/4/8"),
                "\(message)")
        #expect(message.contains("datasheet estimates: h100-llama3-8b, h100-llama3-70b-tp4, a100-llama3-8b"), "\(message)")
        let yaml = ScenarioLoadingTests.valid.replacingOccurrences(of: "profile: h100-llama3-8b", with: "profile: h100-llama3.1-8b-tp3")
        do {
            _ = try Scenario.parse(yaml: yaml, file: "s.yaml")
            Issue.record("an unknown profile name was accepted")
        } catch {
            #expect("\(error)".contains("s.yaml:11") && "\(error)".contains(message), "\(error)")
        }
    }
}
