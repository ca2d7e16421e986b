import Foundation
import Headroom
import HeadroomEngine
import Testing
@testable import HeadroomCalibration

@Suite("Calibration fitting and profiles")
struct FittingTests {
    static func samples(noise: Double, seed: UInt64 = 1) -> [CalibratedProfile.Sample] {
        var random = RandomStream(seed: seed, name: "fit-test")
        var samples: [CalibratedProfile.Sample] = []
        for batch in [1, 2, 4, 8, 16, 32, 64] {
            for context in [0, 512, 2048, 8192] {
                for prefill in [0, 256, 1024] {
                    let truth = 6e-3 + 30e-6 * Double(batch) + 32e-6 * Double(prefill) + 50e-9 * Double(context * batch)
                    samples.append(.init(batch: batch, prefillTokens: prefill, contextTokens: context * batch,
                                         seconds: truth * (1 + noise * (2 * random.nextUnit() - 1))))
                }
            }
        }
        return samples
    }

    @Test("least squares recovers known coefficients exactly without noise and closely with 2 % noise")
    func recovery() throws {
        let exact = try IterationModelFit.fit(Self.samples(noise: 0))
        #expect(abs(exact.base - 6e-3) < 1e-12 && abs(exact.perSequence - 30e-6) < 1e-12)
        #expect(abs(exact.perPrefillToken - 32e-6) < 1e-12 && abs(exact.perContextToken - 50e-9) < 1e-15)
        #expect(exact.rSquared > 0.999_999 && exact.maxRelativeError < 1e-9)
        let noisy = try IterationModelFit.fit(Self.samples(noise: 0.02))
        #expect(abs(noisy.base / 6e-3 - 1) < 0.05)
        #expect(abs(noisy.perPrefillToken / 32e-6 - 1) < 0.05)
        #expect(abs(noisy.perContextToken / 50e-9 - 1) < 0.05)
        #expect(noisy.maxRelativeError < 0.05 && noisy.rSquared > 0.99)
    }

    @Test("a degenerate sample set is a clear error, not NaNs")
    func degenerate() {
        let oneBatch = Self.samples(noise: 0).filter { $0.batch == 8 }
        #expect { try IterationModelFit.fit(oneBatch) } throws: { "\($0)".contains("same batch size") }
        #expect { try IterationModelFit.fit(Array(Self.samples(noise: 0).prefix(3))) } throws: { "\($0)".contains("cannot fit") }
        #expect { try IterationModelFit.fit([]) } throws: { "\($0)".contains("no samples") }
        // Never measured prefill: that term is left out, not guessed.
        let decodeOnly = try? IterationModelFit.fit(Self.samples(noise: 0).filter { $0.prefillTokens == 0 })
        #expect(decodeOnly?.perPrefillToken == 0)
    }

    static func profile() throws -> CalibratedProfile {
        let samples = Self.samples(noise: 0)
        return CalibratedProfile(
            name: "test-cpu", backend: "cpu",
            device: .init(name: "test CPU", memoryBytes: 24e9, driver: "OpenBLAS", runtime: "n/a", hostProcessor: "x86_64"),
            model: .init(name: "tiny", layers: 2, hidden: 256, heads: 4, kvHeads: 2, intermediate: 1024, dtype: "f32", parameters: 2e6),
            samples: samples, fit: try IterationModelFit.fit(samples),
            loadPath: .init(diskRead: 2e9, hostToDevicePageable: nil, hostToDevicePinned: nil, memoryCopy: 10e9, fileBytes: 1e9,
                            sequentialLoadSeconds: 0.6, streamedLoadSeconds: 0.5))
    }

    @Test("profile JSON round trip; unknown schema versions and missing fields are refused with a message")
    func roundTrip() throws {
        let profile = try Self.profile()
        let data = try profile.encoded()
        #expect(try CalibratedProfile.decode(data, file: "p.json") == profile)
        var object = try JSONSerialization.jsonObject(with: data) as! [String: Any]
        object["schema_version"] = 7
        #expect { try CalibratedProfile.decode(try JSONSerialization.data(withJSONObject: object), file: "p.json") } throws: {
            "\($0)".contains("schema version 7 is not known")
        }
        object["schema_version"] = 1
        var fit = object["fit"] as! [String: Any]
        fit.removeValue(forKey: "per_context_token")
        object["fit"] = fit
        #expect { try CalibratedProfile.decode(try JSONSerialization.data(withJSONObject: object), file: "p.json") } throws: {
            "\($0)".contains("missing field `fit.per_context_token`")
        }
        #expect { try CalibratedProfile.decode(Data("[1, 2]".utf8), file: "p.json") } throws: { "\($0)".contains("not a JSON object") }
        #expect { try CalibratedProfile.decode(Data("{}".utf8), file: "p.json") } throws: { "\($0)".contains("missing `schema_version`") }
    }

    @Test("a scenario references a calibrated profile by path, and the simulator uses its coefficients")
    func scenarioUsesProfile() throws {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("headroom-profile-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: folder) }
        try Self.profile().encoded().write(to: folder.appendingPathComponent("cpu.json"))
        let yaml = """
            name: calibrated
            duration: 1m
            workload: {arrivals: {process: poisson, rate: 1/s}, prompt_tokens: 100, output_tokens: 10}
            model: {name: tiny, weights: 1GB, kv_bytes_per_token: 16KiB}
            profile: cpu.json
            node_pools: [{name: p, gpu: cpu, price_per_hour: 1}]
            policy: {kind: fixed, replicas: 1}
            """
        let path = folder.appendingPathComponent("s.yaml").path
        try yaml.write(toFile: path, atomically: true, encoding: .utf8)
        let scenario = try Scenario.load(file: path)
        #expect(scenario.profile.base == .milliseconds(6))
        #expect(scenario.profile.perContextToken == SimTime(nanoseconds: 50))
        #expect(scenario.profile.source.contains("calibrated (cpu)"))
        try yaml.replacingOccurrences(of: "cpu.json", with: "missing.json").write(toFile: path, atomically: true, encoding: .utf8)
        #expect { try Scenario.load(file: path) } throws: { "\($0)".contains("profile: ") && "\($0)".contains("cannot read") }
    }
}

@Suite("CUDA probe output")
struct ProbeOutputTests {
    @Test("the probe's JSON (as probe.cu prints it) is fitted into a profile; a missing field is named")
    func probeJSON() throws {
        let samples = FittingTests.samples(noise: 0).map {
            "{\"batch\": \($0.batch), \"prefill_tokens\": \($0.prefillTokens), \"context_tokens\": \($0.contextTokens), \"seconds\": \($0.seconds)}"
        }.joined(separator: ",\n")
        let json = """
            {
              "device": {"name": "NVIDIA H200", "memory_bytes": 150000000000, "driver": "CUDA driver 13000", "runtime": "CUDA runtime 13000", "host_processor": "x86_64"},
              "model": {"name": "8b-2layers", "layers": 2, "hidden": 4096, "heads": 32, "kv_heads": 8, "intermediate": 14336, "dtype": "bf16", "parameters": 436207616},
              "samples": [\(samples)],
              "load_path": {"disk_read": 2000000000, "host_to_device_pageable": 12000000000, "host_to_device_pinned": 50000000000, "file_bytes": 1073741824, "sequential_load_seconds": 0.55, "streamed_load_seconds": 0.5}
            }
            """
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("probe-\(UUID().uuidString).json").path
        try json.write(toFile: path, atomically: true, encoding: .utf8)
        let profile = try ProbeOutput.load(file: path).profile(name: "cuda-test")
        #expect(profile.backend == "cuda" && profile.model.kvHeads == 8)
        #expect(abs(profile.fit.base - 6e-3) < 1e-12)
        #expect(profile.loadPath?.hostToDevicePinned == 50e9)
        try json.replacingOccurrences(of: "\"kv_heads\": 8, ", with: "").write(toFile: path, atomically: true, encoding: .utf8)
        #expect { try ProbeOutput.load(file: path) } throws: { "\($0)".contains("missing field `model.kvHeads`") }
    }
}

/// The knee form's fit (`KneeModelFit`).
@Suite("Knee-form fitting")
struct KneeFittingTests {
    static let truth = KneeModelFit.Coefficients(
        overhead: 1.5e-3, weightRead: 6e-3, perTokenCompute: 40e-6, perToken: 2e-6, perDecode: 8e-6, perContext: 40e-9, perAttention: 1.6e-9)

    /// The composed grid's shape: prefills alone (some after cached tokens) and pure decode steps.
    static func samples(_ c: KneeModelFit.Coefficients) -> [CalibratedProfile.Sample] {
        var samples: [CalibratedProfile.Sample] = []
        func add(batch: Int, prefill: Int, context: Int) {
            let point = prefill > 0
                ? KneeModelFit.Point(tokens: Double(prefill), decodes: 0, context: 0, cached: Double(context),
                                     attentionUnits: Double(prefill) * (Double(context) + Double(prefill) / 2), seconds: 1)
                : KneeModelFit.Point(tokens: Double(batch), decodes: Double(batch), context: Double(context), cached: 0, attentionUnits: 0,
                                     seconds: 1)
            samples.append(.init(batch: batch, prefillTokens: prefill, contextTokens: context, seconds: c.predict(point)))
        }
        for tokens in [32, 64, 128, 256, 512, 1024, 2048, 4096] { add(batch: 1, prefill: tokens, context: 0) }
        for chunk in [256, 1024] { for cached in [1024, 4096, 16384] { add(batch: 1, prefill: chunk, context: cached) } }
        for batch in [1, 2, 4, 8, 16, 32, 64, 128, 256] { for context in [256, 1024, 4096] { add(batch: batch, prefill: 0, context: batch * context) } }
        return samples
    }

    @Test("the fit recovers a synthetic knee exactly, wherever it falls between measured token counts", arguments: [150e-6, 40e-6, 12e-6])
    func recoversKnee(perTokenCompute: Double) throws {
        var truth = Self.truth
        truth.perTokenCompute = perTokenCompute     // knees at 40, 150 and 500 tokens
        let fit = try KneeModelFit.fit(Self.samples(truth))
        func close(_ a: Double, _ b: Double) -> Bool { abs(a - b) <= 1e-6 * abs(b) + 1e-15 }
        #expect(close(fit.weightRead, truth.weightRead) && close(fit.perTokenCompute, truth.perTokenCompute), "\(fit)")
        #expect(close(fit.overhead, truth.overhead) && close(fit.perToken, truth.perToken) && close(fit.perDecodeSequence, truth.perDecode))
        #expect(close(fit.perContextToken, truth.perContext) && close(fit.perAttentionUnit, truth.perAttention), "\(fit)")
        #expect(abs(fit.kneeTokens - truth.weightRead / perTokenCompute) < 1e-3)
        #expect(fit.maxRelativeError < 1e-9 && fit.rSquared > 0.999_999_9)
    }

    @Test("on a knee the straight line misses and the knee fit does not")
    func beatsTheLine() throws {
        let samples = Self.samples(Self.truth)
        let line = try IterationModelFit.fit(samples), knee = try KneeModelFit.fit(samples)
        #expect(line.maxRelativeError > 0.1 && knee.maxRelativeError < 1e-9)
    }

    @Test("a knee fit is refused on samples it cannot read, or too few token counts")
    func refused() {
        let mixed = [CalibratedProfile.Sample(batch: 4, prefillTokens: 100, contextTokens: 0, seconds: 0.01)]
        #expect { try KneeModelFit.fit(mixed) } throws: { "\($0)".contains("sample 0: the knee fit reads pure decode steps or one prefill alone") }
        let two = [1, 2, 1, 2].map { CalibratedProfile.Sample(batch: $0, prefillTokens: 0, contextTokens: 0, seconds: 0.01) }
        #expect { try KneeModelFit.fit(two) } throws: { "\($0)".contains("at least 3 distinct token counts") }
        let negative = [CalibratedProfile.Sample(batch: 1, prefillTokens: 0, contextTokens: 0, seconds: -1)]
        #expect { try KneeModelFit.fit(negative) } throws: { "\($0)".contains("sample 0: the time must be positive") }
    }
}
