import Foundation
import HeadroomEngine
import Testing
@testable import Headroom

/// The knee form written in a scenario's `profile:` block, and in a calibrated profile's JSON.
@Suite("Knee-form profiles: YAML and JSON")
struct KneeProfileTests {
    static func scenario(profile block: String) throws(ScenarioError) -> Scenario {
        let yaml = ScenarioLoadingTests.valid.replacingOccurrences(of: "profile: h100-llama3-8b", with: "profile: \(block)")
        return try Scenario.parse(yaml: yaml, file: "s.yaml")
    }

    static func error(_ block: String) -> ScenarioError? {
        do {
            _ = try scenario(profile: block)
            return nil
        } catch {
            return error
        }
    }

    @Test("an inline knee block loads every term, the attention unit at picosecond resolution")
    func inlineKnee() throws {
        let profile = try Self.scenario(profile: "{form: knee, overhead: 1.2ms, weight_read: 5ms, per_token_compute: 20us, per_token: 1us, "
                                        + "per_decode_seq: 8us, per_context_token: 40ns, per_attention_unit: 1.63ns}").profile
        #expect(profile.form == .knee)
        #expect(profile.base == .microseconds(1200) && profile.weightRead == .milliseconds(5) && profile.perTokenCompute == .microseconds(20))
        #expect(profile.perToken == .microseconds(1) && profile.perDecodeSequence == .microseconds(8))
        #expect(profile.perContextToken == SimTime(nanoseconds: 40) && profile.perAttentionUnitPicoseconds == 1630)
        // Optional terms default to zero; `1600ps` is the same unit spelled in picoseconds.
        let short = try Self.scenario(profile: "{form: knee, overhead: 1ms, weight_read: 5ms, per_token_compute: 20us, per_attention_unit: 1600ps}").profile
        #expect(short.perToken == .zero && short.perDecodeSequence == .zero && short.perAttentionUnitPicoseconds == 1600)
        // The old block is the linear form.
        let linear = try Self.scenario(profile: "{base: 8ms, per_seq: 1ms, per_prefill_token: 50us}").profile
        #expect(linear.form == .linear && linear.base == .milliseconds(8))
        #expect(try Self.scenario(profile: "{form: linear, base: 8ms, per_seq: 1ms, per_prefill_token: 50us}").profile == linear)
    }

    @Test("a knee block is refused with the place and what is allowed", arguments: [
        ("{form: kneee, overhead: 1ms}", "profile.form", "unknown profile form `kneee`; allowed: linear, knee, table"),
        ("{form: knee, base: 1ms, weight_read: 5ms, per_token_compute: 20us}", "profile.base",
         "`base` is not a term of the knee form (it belongs to `form: linear`)"),
        ("{base: 8ms, per_seq: 1ms, per_prefill_token: 50us, weight_read: 5ms}", "profile.weight_read",
         "`weight_read` is not a term of the linear form (it belongs to `form: knee`)"),
        ("{form: knee, overhead: 1ms, per_token_compute: 20us}", "profile", "missing required key `weight_read`"),
        ("{form: knee, overhead: 1ms, weight_read: 5ms, per_token_compute: 20us, per_attention_unit: 1.6}", "profile.per_attention_unit",
         "expected a duration with a unit (ps, ns, us, ms, s)"),
        ("{form: knee, overhead: 1ms, weight_read: 5ms, per_token_compute: 20us, per_attention_unit: -2ns}", "profile.per_attention_unit",
         "must not be negative"),
        ("{form: knee, overhead: 1ms, weight_read: -5ms, per_token_compute: 20us}", "profile.weight_read", "must not be negative"),
        ("{form: knee, overhead: 1ms, weight_read: 5ms, per_token_compute: 2s}", "profile.per_token_compute", "must be between"),
        ("{form: knee, overhead: 2h, weight_read: 5ms, per_token_compute: 20us}", "profile.overhead", "must be between"),
        ("{form: knee, overhead: 1ms, weight_read: 5ms, per_token_compute: 20us, per_tokn: 1us}", "profile.per_tokn", "did you mean `per_token`?"),
    ])
    func refused(block: String, path: String, message: String) throws {
        let error = try #require(Self.error(block), "\(block) must be refused")
        #expect(error.path == path && error.message.contains(message), "\(error)")
        #expect(error.line != nil)
    }

    @Test("a calibrated profile in the knee form runs its knee fit; a file stating knee without the fit, or an unknown form, is refused")
    func calibratedJSON() throws {
        var profile = PolicyProfileMessagesTests.profile(shape: .init(name: "small", layers: 8, hidden: 1024, heads: 16, kvHeads: 16,
                                                                       intermediate: 4096, dtype: "f32", parameters: 1e8))
        profile.form = "knee"
        profile.kneeFit = .init(overhead: 1e-3, weightRead: 5e-3, perTokenCompute: 20e-6, perToken: 1e-6, perDecodeSequence: 8e-6,
                                perContextToken: 40e-9, perAttentionUnit: 1.63e-9, rSquared: 0.99, maxRelativeError: 0.08,
                                medianRelativeError: 0.02)
        let decoded = try CalibratedProfile.decode(try profile.encoded(), file: "k.json")
        #expect(decoded == profile)
        let hardware = decoded.hardwareProfile
        #expect(hardware.form == .knee && hardware.weightRead == .milliseconds(5) && hardware.perAttentionUnitPicoseconds == 1630)
        #expect(hardware.source.contains("knee form") && hardware.source.contains("the linear fit's"))
        // Served twice as deep: every term doubles.
        let deeper = try decoded.hardwareProfile(serving: ModelSpec(name: "small", weightsBytes: 1e9, kvBytesPerToken: 1, layers: 16))
        #expect(deeper.weightRead == .milliseconds(10) && deeper.perAttentionUnitPicoseconds == 3260 && deeper.source.contains("every term"))

        var text = String(decoding: try profile.encoded(), as: UTF8.self)
        text = text.replacingOccurrences(of: "\"form\" : \"knee\"", with: "\"form\" : \"roof\"")
        #expect { try CalibratedProfile.decode(Data(text.utf8), file: "k.json") } throws: {
            "\($0)" == "k.json: unknown `form` `roof`; allowed: linear, knee, table"
        }
        profile.kneeFit = nil
        #expect { try CalibratedProfile.decode(try profile.encoded(), file: "k.json") } throws: {
            "\($0)" == "k.json: `form` is knee but `knee_fit` is missing"
        }
    }
}

/// The measured profiles shipped in `profiles/` (`make measured-profiles`).
@Suite("Shipped measured profiles")
struct ShippedMeasuredProfileTests {
    static let folder = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("../../profiles").standardized.path
    static let names = ["h100-llama3.1-8b-tp1", "h100-llama3.1-70b-tp4", "h100-llama2-7b-tp1", "a100-llama3-8b-tp1", "a100-llama3-70b-tp4"]

    @Test("each is the table form, fitted better than the knee and the straight line on the same points, its tables named",
          arguments: names)
    func table(name: String) throws {
        let profile = try CalibratedProfile.load(file: "\(Self.folder)/\(name).json")
        let knee = try #require(profile.kneeFit), table = try #require(profile.tableFit)
        #expect(profile.name == name && profile.form == "table" && profile.hardwareProfile.form == .table)
        #expect(knee.maxRelativeError < profile.fit.maxRelativeError && knee.maxRelativeError < 0.3, "\(knee)")
        #expect(table.maxRelativeError < knee.maxRelativeError && table.maxRelativeError < 0.05, "\(table)")
        #expect(table.medianRelativeError < 0.01 && table.perAttentionKey > 0 && table.perAttentionUnit > 0)
        #expect(profile.source?.hasPrefix("measured: ") == true && profile.source?.contains("MIT") == true)
    }

    @Test("a scenario runs on one by path; its model's depth is the measured one")
    func runs() throws {
        let yaml = ScenarioLoadingTests.valid
            .replacingOccurrences(of: "profile: h100-llama3-8b", with: "profile: ../profiles/h100-llama3.1-8b-tp1.json")
            .replacingOccurrences(of: "name: llama\n", with: "name: Llama-3.1-8B\n")
        var scenario = try Scenario.parse(yaml: yaml, file: "\(Self.folder)/../scenarios/s.yaml")
        scenario.duration = .seconds(60)
        #expect(scenario.profile.form == .table && scenario.profile.name == "h100-llama3.1-8b-tp1")
        let result = Simulation.run(scenario)
        #expect(result.summary.requests.finished > 100 && result.brokenInvariant == nil)
    }
}
