import Foundation
import HeadroomEngine
import Testing
@testable import Headroom

/// Checks that every policy makes alike, replay histories that lack a signal, and calibrated
/// profiles used for a model deeper than the shape they were measured on.
@Suite("Policy and profile messages")
struct PolicyProfileMessagesTests {
    func policyError(_ block: String) -> ScenarioError? {
        do {
            _ = try Scenario.parse(yaml: ScenarioLoadingTests.valid.replacingOccurrences(of: "policy: {kind: fixed, replicas: 2}", with: block),
                                   file: "s.yaml")
            return nil
        } catch {
            return error
        }
    }

    @Test("KPA min-scale above max-scale is refused naming both annotations, as HPA and KEDA refuse min above max")
    func kpaMinAboveMax() throws {
        let annotations = try #require(policyError("""
            policy:
              kind: kpa
              annotations:
                autoscaling.knative.dev/min-scale: "5"
                autoscaling.knative.dev/max-scale: "3"
            """))
        #expect(annotations.message.contains("autoscaling.knative.dev/min-scale (5) is greater than autoscaling.knative.dev/max-scale (3)"),
                "\(annotations)")
        #expect(annotations.path == "policy.annotations.autoscaling.knative.dev/min-scale" && annotations.line != nil)
        let config = try #require(policyError("policy: {kind: kpa, config: {min-scale: 4, max-scale: 2}}"))
        #expect(config.message.contains("config.min-scale (4) is greater than config.max-scale (2)"), "\(config)")
        // max-scale 0 is Knative's "no limit"; equal bounds are fine.
        #expect(policyError("policy: {kind: kpa, config: {min-scale: 4, max-scale: 0}}") == nil)
        #expect(policyError("policy: {kind: kpa, config: {min-scale: 3, max-scale: 3}}") == nil)
        // The other two policies, for comparison.
        #expect(policyError("policy: {kind: hpa, spec: {minReplicas: 5, maxReplicas: 3}}") != nil)
    }

    @Test("replaying a history that lacks the policy's signal is refused up front, naming the column and the file's columns")
    func replayMissingSignal() throws {
        let csv = "time,ready,concurrency,activator\n0,1,3,0\n10,1,4,0\n"
        var step = StepScalingPolicy()
        step.signal = .gpuUtilization
        #expect { try PolicyReplay.requireSignals(of: step, columns: PolicyReplay.columns(csv: csv), file: "m.csv") } throws: { error in
            let text = "\(error)"
            return text.hasPrefix("m.csv:1: ") && text.contains("`gpu_utilization`")
                && text.contains("its columns: time, ready, concurrency, activator")
        }
        step.signal = .concurrency
        try PolicyReplay.requireSignals(of: step, columns: PolicyReplay.columns(csv: csv), file: "m.csv")
        try PolicyReplay.requireSignals(of: FixedPolicy(replicas: 2), columns: ["time", "ready"], file: "m.csv")
    }

    static func profile(shape: CalibratedProfile.ModelShape, maxRelativeError: Double = 0.1) -> CalibratedProfile {
        CalibratedProfile(
            name: "cpu-\(shape.name)", backend: "cpu",
            device: .init(name: "test CPU", memoryBytes: 24e9, driver: "OpenBLAS", runtime: "n/a", hostProcessor: "x86_64"),
            model: shape, samples: [],
            fit: .init(base: 0.5e-3, perSequence: 10e-6, perPrefillToken: 20e-6, perContextToken: 2e-9, rSquared: 0.99,
                       maxRelativeError: maxRelativeError),
            loadPath: nil)
    }

    static let twoLayers8B = CalibratedProfile.ModelShape(name: "llama3-8b-2layers", layers: 2, hidden: 4096, heads: 32, kvHeads: 8,
                                                          intermediate: 14336, dtype: "f32", parameters: 4.36e8)

    /// Loads the test scenario with `model` and the profile written next to it.
    func load(model: String, profile: CalibratedProfile) throws -> Scenario {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("headroom-depth-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: folder) }
        try profile.encoded().write(to: folder.appendingPathComponent("p.json"))
        let yaml = ScenarioLoadingTests.valid
            .replacingOccurrences(of: "profile: h100-llama3-8b", with: "profile: p.json")
            .replacingOccurrences(of: "model:\n  name: llama\n", with: "model:\n" + model)
        let path = folder.appendingPathComponent("s.yaml").path
        try yaml.write(toFile: path, atomically: true, encoding: .utf8)
        return try Scenario.load(file: path)
    }

    @Test("a profile measured on 2 layers serving Llama 3.1 8B is scaled ×16, every term, and says so")
    func scaledToDepth() throws {
        let profile = Self.profile(shape: Self.twoLayers8B)
        let byName = try load(model: "  name: llama-3.1-8b\n", profile: profile).profile
        #expect(byName.base == .milliseconds(8))
        #expect(byName.perSequence == .microseconds(160) && byName.perPrefillToken == .microseconds(320))
        #expect(byName.perContextToken == SimTime(nanoseconds: 32))
        #expect(byName.source.contains("scaled ×16 from 2 to 32 layers"), "\(byName.source)")
        let stated = try load(model: "  name: my-model\n  layers: 8\n", profile: profile).profile
        #expect(stated.base == .milliseconds(2) && stated.source.contains("from 2 to 8 layers"))
        // The measured shape itself is served as measured.
        let same = try load(model: "  name: llama3-8b-2layers\n", profile: profile).profile
        #expect(same.base == .microseconds(500) && !same.source.contains("scaled"))
        #expect(CalibratedProfile.knownShape(forModelNamed: "meta-llama/Meta-Llama-3.1-70B-Instruct")?.layers == 80)
        #expect(CalibratedProfile.knownShape(forModelNamed: "Llama3-8B")?.layers == 32)
        #expect(CalibratedProfile.knownShape(forModelNamed: "mistral-7b") == nil)
    }

    @Test("an unknown depth or another layer width is refused, naming both shapes")
    func refused() throws {
        #expect { try load(model: "  name: my-model\n", profile: Self.profile(shape: Self.twoLayers8B)) } throws: { error in
            let text = "\(error)"
            return text.contains("llama3-8b-2layers (2 layers, hidden 4096)") && text.contains("`my-model`") && text.contains("layers: N")
        }
        let tiny = CalibratedProfile.ModelShape(name: "tiny", layers: 2, hidden: 256, heads: 4, kvHeads: 2, intermediate: 1024,
                                                dtype: "f32", parameters: 2.6e6)
        #expect { try load(model: "  name: llama-3.1-8b\n", profile: Self.profile(shape: tiny)) } throws: { error in
            let text = "\(error)"
            return text.contains("tiny (2 layers, hidden 256)") && text.contains("hidden 4096 (32 layers)")
        }
    }

    @Test("a poor fit carries a warning that says what it means and what to do, and the profile file records it")
    func poorFit() throws {
        let poor = Self.profile(shape: Self.twoLayers8B, maxRelativeError: 0.87)
        let warning = try #require(poor.fitWarning)
        #expect(warning.contains("87 %") && warning.contains("validate-profile") && warning.contains("calibrate again"))
        let decoded = try CalibratedProfile.decode(try poor.encoded(), file: "p.json")
        #expect(decoded.fitWarning == warning)
        #expect(poor.hardwareProfile.source.contains("poor fit"))
        #expect(Self.profile(shape: Self.twoLayers8B, maxRelativeError: 0.28).fitWarning == nil)
    }
}
