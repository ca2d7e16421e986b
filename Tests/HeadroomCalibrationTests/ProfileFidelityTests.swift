import Foundation
import Headroom
import Testing
@testable import HeadroomCalibration

/// `ProfileFidelity`: k-fold cross-validated error of a profile, by band.
@Suite("Profile fidelity")
struct ProfileFidelityTests {
    typealias Sample = CalibratedProfile.Sample

    @Test("the band report on hand-made points: counts, medians (even counts average the middle two) and worst")
    func bandsOnHandMadePoints() {
        func prefill(_ tokens: Int, _ error: Double) -> (sample: Sample, error: Double) {
            (Sample(batch: 1, prefillTokens: tokens, contextTokens: 0, seconds: 1), error)
        }
        func decode(_ batch: Int, _ error: Double) -> (sample: Sample, error: Double) {
            (Sample(batch: batch, prefillTokens: 0, contextTokens: 256 * batch, seconds: 1), error)
        }
        let bands = ProfileFidelity.BandError.bands([
            prefill(16, 0.1), prefill(32, 0.3), prefill(100, 0.2), prefill(5000, 0.5),
            decode(1, 0.04), decode(8, 0.02), decode(4, 0.06), decode(64, 0.1), decode(300, 0.7),
        ])
        let expected: [(String, Int, Double?, Double?)] = [
            ("1–32", 2, 0.2, 0.3), ("33–256", 1, 0.2, 0.2), ("257–1,024", 0, nil, nil), ("1,025–4,096", 0, nil, nil),
            ("> 4,096", 1, 0.5, 0.5),
            ("1–8", 3, 0.04, 0.06), ("9–64", 1, 0.1, 0.1), ("65–256", 0, nil, nil), ("> 256", 1, 0.7, 0.7),
            ("all", 9, 0.1, 0.7),
        ]
        #expect(bands.map(\.kind) == Array(repeating: .prefill, count: 5) + Array(repeating: .decode, count: 4) + [.overall])
        #expect(bands.count == expected.count)
        func same(_ a: Double?, _ b: Double?) -> Bool {
            a == nil && b == nil || (a.flatMap { x in b.map { abs(x - $0) < 1e-12 } } ?? false)
        }
        for (band, (name, count, median, worst)) in zip(bands, expected) {
            #expect(band.band == name && band.count == count && same(band.medianRelativeError, median)
                        && same(band.worstRelativeError, worst),
                    "\(band) vs \(name) \(count) \(String(describing: median)) \(String(describing: worst))")
        }
    }

    @Test("folds are assigned by sample index modulo k, and the report is the same on every run")
    func foldsDeterministic() throws {
        #expect(ProfileFidelity.foldIndices(count: 12, folds: 5) == [[0, 5, 10], [1, 6, 11], [2, 7], [3, 8], [4, 9]])
        let profile = try Self.profile(Self.kneeSamples(), form: .knee)
        #expect(try ProfileFidelity.crossValidate(profile) == ProfileFidelity.crossValidate(profile))
    }

    /// Whole nanoseconds (and whole picoseconds for attention), so the simulator's rounding adds nothing.
    static let truth = KneeModelFit.Coefficients(
        overhead: 1.5e-3, weightRead: 6e-3, perTokenCompute: 40e-6, perToken: 2e-6, perDecode: 8e-6, perContext: 40e-9,
        perAttention: 2e-12)

    static func kneeSamples() -> [Sample] { KneeFittingTests.samples(truth) }

    static func profile(_ samples: [Sample], form: HardwareProfile.Form, source: String? = nil) throws -> CalibratedProfile {
        var profile = CalibratedProfile(
            name: "synthetic", backend: "test",
            device: .init(name: "GPU × 2", memoryBytes: 160e9, driver: "-", runtime: "-", hostProcessor: "-"),
            model: .init(name: "m", layers: 1, hidden: 1, heads: 1, kvHeads: 1, intermediate: 1, dtype: "bf16", parameters: 1),
            samples: samples, fit: try IterationModelFit.fit(samples), loadPath: nil)
        if form == .knee {
            profile.form = form.rawValue
            profile.kneeFit = try KneeModelFit.fit(samples)
        }
        profile.source = source
        return profile
    }

    @Test("samples that follow the knee form exactly: held-out error ~0 in every band; the straight line misses")
    func exactKneeHasNoError() throws {
        let report = try ProfileFidelity.crossValidate(try Self.profile(Self.kneeSamples(), form: .knee))
        #expect(report.folds == 5 && report.samples == Self.kneeSamples().count && report.form.form == "knee")
        for band in report.form.bands where band.count > 0 {
            #expect((band.worstRelativeError ?? 1) < 1e-5, "\(band)")
        }
        let overallLine = try #require(report.line?.bands.last)
        #expect(overallLine.kind == .overall && (overallLine.worstRelativeError ?? 0) > 0.05, "\(overallLine)")
        #expect(report.tensorParallel == 2)   // from the device, `GPU × 2`
        #expect(report.table.contains("5-fold cross-validation") && report.table.contains("TP 2"), "\(report.table)")
    }

    @Test("a linear profile is validated in its own form, with no line column")
    func linearProfile() throws {
        let samples = FittingTests.samples(noise: 0)
        let report = try ProfileFidelity.crossValidate(try Self.profile(samples, form: .linear, source: "measured, TP 8"))
        #expect(report.form.form == "linear" && report.line == nil && report.tensorParallel == 8)
        #expect((report.form.bands.last?.worstRelativeError ?? 1) < 1e-4)
    }

    @Test("too few samples for the folds, and no samples at all, are refused with the reason")
    func refused() throws {
        let few = try Self.profile(Array(Self.kneeSamples().prefix(6)), form: .linear)
        #expect { try ProfileFidelity.crossValidate(few) } throws: {
            "\($0)".contains("synthetic has 6 samples; 5-fold cross-validation needs at least 10")
        }
        var empty = few
        empty.samples = []
        #expect { try ProfileFidelity.crossValidate(empty) } throws: {
            "\($0)".contains("no samples: nothing measured to check against")
        }
        #expect { try ProfileFidelity.crossValidate(few, folds: 1) } throws: { "\($0)".contains("at least 2") }
    }
}
