import Foundation
import Headroom
import Testing
@testable import HeadroomCalibration

/// `profile fidelity --against` on the measured tables shipped in `measurements/` (tests run from
/// the package root), and every refusal naming its place.
@Suite("Profile fidelity against measured tables")
struct ProfileFidelityAgainstTablesTests {
    static let vidur = "measurements/vidur"

    /// The profile `calibrate --backend vidur` makes from the shipped Llama-2-7B H100 table.
    static func vidurProfile(tp: Int = 1) throws -> CalibratedProfile {
        let composition = try MeasuredCalibration.composition(project: .vidur, input: vidur, model: "Llama-2-7b-hf", gpu: .h100, tp: tp)
        return try MeasuredCalibration.profile(project: .vidur, composition: composition, gpu: .h100)
    }

    @Test("a profile judged against the tables it was made from: exactly its in-sample fit errors")
    func consistency() throws {
        let profile = try Self.vidurProfile()
        let points = try MeasuredPoints.load(Self.vidur, for: profile)
        #expect(points.source.kind == .vidur && points.source.gpu == "h100" && points.source.model == "Llama-2-7b-hf")
        #expect(points.source.tensorParallel == [1] && points.byTensorParallel[1] == profile.samples)
        #expect(points.source.files == ["\(Self.vidur)/compute/h100/meta-llama/Llama-2-7b-hf/mlp.csv"])
        #expect(points.source.summary.contains("measured at TP 1, 2, 4, 8); used TP 1"), "\(points.source.summary)")
        let judgement = try ProfileFidelity.judge(profile, against: points)
        let inSample = ProfileFidelity.errors(profile.hardwareProfile, profile.samples)
        #expect(judgement.form.bands == ProfileFidelity.BandError.bands(inSample))
        #expect(judgement.form.form == profile.form && judgement.line != nil)
        let worst = try #require(judgement.form.bands.last?.worstRelativeError)
        #expect(abs(worst - profile.effectiveFitError.maxRelativeError) < 0.01, "\(worst) vs the fit's own")
        #expect(judgement.method.hasPrefix("judged against \(profile.samples.count) measured points from \(Self.vidur), not refitted"))
    }

    @Test("the same tables judge another GPU's profile far off, and the profile's own TP is the default")
    func otherGPU() throws {
        let a100 = try CalibratedProfile.load(file: "profiles/a100-llama3-8b-tp1.json")
        #expect(MeasuredPoints.Subject(a100).gpu == .a100)
        let points = try MeasuredPoints.load(Self.vidur, for: a100, selection: .init(model: "Llama-2-7b-hf", gpu: .h100))
        let judgement = try ProfileFidelity.judge(a100, against: points)
        let overall = try #require(judgement.form.bands.last)
        #expect((overall.medianRelativeError ?? 0) > 0.3, "an A100 profile predicts H100 times \(overall)")
        #expect(points.source.summary.contains("note: the tables' model Llama-2-7b-hf (32 layers, hidden 4096) is not the profile's Meta-Llama-3-8B"), "\(points.source.summary)")
        // Several TPs: one report each; the TP 2 points carry the all-reduce table.
        let two = try MeasuredPoints.load(Self.vidur, for: try Self.vidurProfile(), selection: .init(tensorParallel: [2, 1]))
        #expect(two.source.tensorParallel == [1, 2] && two.source.files.last == "\(Self.vidur)/network/h100_dgx/all_reduce.csv")
        let report = try ProfileFidelity.judge(try Self.vidurProfile(), against: two)
        #expect(report.byTensorParallel.map(\.tensorParallel) == [1, 2] && report.samples == two.count)
    }

    @Test("LLMServingSim's layout is detected and composed for the profile's model")
    func llmServingSim() throws {
        let profile = try CalibratedProfile.load(file: "profiles/h100-llama3.1-8b-tp1.json")
        let points = try MeasuredPoints.load("measurements/llmservingsim", for: profile)
        #expect(points.source.kind == .llmservingsim && points.source.tensorParallel == [1] && points.count > 30)
        #expect(points.source.summary.contains("H100/meta-llama/Llama-3.1-8B/tp1/layers.csv"), "\(points.source.summary)")
    }

    @Test("another profile's samples, and the profile itself: its in-sample errors")
    func otherProfile() throws {
        let profile = try CalibratedProfile.load(file: "profiles/h100-llama2-7b-tp1.json")
        let points = try MeasuredPoints.load("profiles/h100-llama2-7b-tp1.json", for: profile)
        #expect(points.source.kind == .profile && points.byTensorParallel[1] == profile.samples)
        let judgement = try ProfileFidelity.judge(profile, against: points)
        #expect(judgement.form.bands == ProfileFidelity.BandError.bands(ProfileFidelity.errors(profile.hardwareProfile, profile.samples)))
    }

    @Test("a built-in datasheet estimate judged against the tables of the model it is named for: its GPU and TP from its name")
    func builtInEstimate() throws {
        let roofline = try #require(HardwareProfile.builtIn(named: "h100-llama3-8b"))
        let subject = MeasuredPoints.Subject(builtIn: roofline)
        #expect(subject.gpu == .h100 && subject.tensorParallel == 1 && subject.model == nil)
        #expect(MeasuredPoints.Subject(builtIn: try #require(HardwareProfile.builtIn(named: "a100-llama3-70b-tp4"))).tensorParallel == 4)
        let points = try MeasuredPoints.load("measurements/llmservingsim", for: subject, selection: .init(model: "Llama-3.1-8B"))
        let judgement = try ProfileFidelity.judge(builtIn: roofline, against: points)
        #expect(judgement.line == nil && judgement.form.form == roofline.form.rawValue && judgement.samples == points.count)
        #expect((judgement.form.bands.last?.medianRelativeError ?? 0) > 0.05, "the roofline is an estimate: \(judgement.form.bands)")
        do {
            _ = try MeasuredPoints.load("measurements/llmservingsim", for: subject)
            Issue.record("a built-in estimate has no model of its own")
        } catch {
            #expect(error.description == "measurements/llmservingsim: `h100-llama3-8b` is a built-in estimate of no measured model: "
                        + "name the tables' model with --model")
        }
    }

    /// The error's text, or a failure when `body` does not throw.
    static func refusal(_ path: String, for profile: CalibratedProfile? = nil,
                        _ selection: MeasuredPoints.Selection = .init()) throws -> String {
        do {
            let points = try MeasuredPoints.load(path, for: try profile ?? vidurProfile(), selection: selection)
            Issue.record("accepted \(path): \(points.source.summary)")
            return ""
        } catch {
            return "\(error)"
        }
    }

    @Test("a missing path, an empty folder, an unknown layout: refused naming the path and what is expected")
    func badPaths() throws {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("headroom-against-\(UUID().uuidString)").path
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: folder) }
        #expect(try Self.refusal("\(folder)/nothing").hasPrefix("\(folder)/nothing: no such file or folder; expected a folder of Vidur"))
        #expect(try Self.refusal(folder).hasPrefix("\(folder): the folder is empty"))
        try "x".write(toFile: "\(folder)/notes.txt", atomically: true, encoding: .utf8)
        #expect(try Self.refusal(folder) .hasPrefix("\(folder): unknown layout (found notes.txt); expected"))
        try FileManager.default.createDirectory(atPath: "\(folder)/compute", withIntermediateDirectories: true)
        #expect(try Self.refusal(folder).contains("\(folder)/compute: no tables for h100 (measured: ); pick one with --gpu"))
    }

    @Test("a model, GPU or TP the tables lack: refused naming the file and what was measured")
    func missingTables() throws {
        let model = try Self.refusal(Self.vidur, .init(model: "gpt-5"))
        #expect(model.contains("\(Self.vidur)/compute/h100") && model.contains("(measured: Qwen-72B, CodeLlama-34b-Instruct-hf, internlm-20b, Llama-2-70b-hf, Llama-2-7b-hf, phi-2); pick one with --model"), "\(model)")
        let gpu = try Self.refusal(Self.vidur, .init(gpu: .a100))
        #expect(gpu == "\(Self.vidur)/compute: no tables for a100 (measured: h100); pick one with --gpu", "\(gpu)")
        let tp = try Self.refusal(Self.vidur, .init(tensorParallel: [3]))
        #expect(tp.contains("mlp.csv, column `num_tensor_parallel_workers`: no rows at TP 3 (measured: 1, 2, 4, 8)"), "\(tp)")
        let network = try Self.refusal(Self.vidur, .init(network: "\(Self.vidur)/network/h100_dgx/all_reduce.csv"))
        #expect(network.contains("all_reduce.csv: an all-reduce table is read above TP 1 only"), "\(network)")
        let zero = try Self.refusal(Self.vidur, .init(tensorParallel: [0]))
        #expect(zero == "\(Self.vidur): TP 0: a tensor parallelism is at least 1", "\(zero)")
        let cpu = try CalibratedProfile.load(file: "profiles/cpu-small.json")
        let unknown = try Self.refusal(Self.vidur, for: cpu)
        #expect(unknown.contains("names no GPU the tables cover; pick one with --gpu (h100, a100)"), "\(unknown)")
        let servingSimTP = try Self.refusal("measurements/llmservingsim", for: try CalibratedProfile.load(file: "profiles/h100-llama3.1-8b-tp1.json"),
                                            .init(tensorParallel: [4]))
        #expect(servingSimTP.contains("Llama-3.1-8B: no table at TP 4 for Llama-3.1-8B (measured: 1)"), "\(servingSimTP)")
        let servingSimModel = try Self.refusal("measurements/llmservingsim", .init(model: "gpt-5"))
        #expect(servingSimModel.contains("H100: no table for model `gpt-5` (measured: Llama-3.1-70B, Llama-3.1-8B, Mixtral-8x7B-v0.1); pick one with --model"), "\(servingSimModel)")
    }

    @Test("bad CSV rows and files: refused with the file, line and column")
    func badCSV() throws {
        func refusal(_ text: String, _ selection: MeasuredPoints.Selection = .init()) throws -> (path: String, error: String) {
            let path = try ProfileFidelityAgainstTests.file(text)
            defer { ProfileFidelityAgainstTests.remove(path) }
            return (path, try Self.refusal(path, for: ProfileFidelityAgainstTests.lineProfile(), selection))
        }
        let cases: [(text: String, selection: MeasuredPoints.Selection, expected: String)] = [
            ("batch,prefill_tokens,seconds\n1,2,0.1\n", .init(), ":1, column `context_tokens`: missing column"),
            ("batch,prefill_tokens,context_tokens,seconds\n1,128,0,0.01\n1,abc,0,0.01\n", .init(), ":3, column `prefill_tokens`: `abc` is not a number"),
            ("batch,prefill_tokens,context_tokens,seconds\n0,128,0,0.01\n", .init(), ":2, column `batch`: `0` is not a whole number ≥ 1"),
            ("batch,prefill_tokens,context_tokens,seconds\n1,128,0,0\n", .init(), ":2, column `seconds`: `0` is not a positive time in seconds"),
            ("batch,prefill_tokens,context_tokens,seconds\n1,128,0\n", .init(), ":2: expected 4 fields as in the header, found 3"),
            ("batch,prefill_tokens,context_tokens,seconds,tp\n1,128,0,0.1,1.5\n", .init(), ":2, column `tp`: `1.5` is not a whole number ≥ 1"),
            ("batch,prefill_tokens,context_tokens,seconds,tp\n1,128,0,0.1,1\n", .init(tensorParallel: [4]), ", column `tp`: no points at TP 4 (measured: 1)"),
            ("batch,prefill_tokens,context_tokens,seconds\n1,128,0,0.1\n", .init(tensorParallel: [1, 2]), ":1, column `tp`: no `tp` column"),
            ("batch,prefill_tokens,context_tokens,seconds\n", .init(), ":2: the table has a header but no rows"),
            ("batch,prefill_tokens,context_tokens,seconds\n1,128,0,0.1\n", .init(gpu: .h100), ": this is a CSV of measured iterations, used as it is: --gpu"),
        ]
        for (text, selection, expected) in cases {
            let (path, error) = try refusal(text, selection)
            #expect(error.hasPrefix(path) && error.contains(expected), "\(error) lacks \(expected)")
        }
    }

    @Test("a profile JSON without samples, or not a profile: refused naming the file")
    func badProfile() throws {
        let notProfile = try ProfileFidelityAgainstTests.file("{\"name\": 1}", name: "other.json")
        defer { ProfileFidelityAgainstTests.remove(notProfile) }
        #expect(try Self.refusal(notProfile) == "\(notProfile): missing `schema_version`; is this a Headroom profile?")
        var empty = ProfileFidelityAgainstTests.lineProfile()
        empty.name = "empty"
        let path = try ProfileFidelityAgainstTests.file(String(decoding: try empty.encoded(), as: UTF8.self), name: "empty.json")
        defer { ProfileFidelityAgainstTests.remove(path) }
        #expect(try Self.refusal(path) == "\(path): the profile `empty` has no samples: nothing measured to judge against")
    }
}
