import Foundation
import Headroom

extension ProfileFidelity {
    /// A profile judged against measurements it was not made from (`profile fidelity --against`):
    /// no refit; the profile's iteration model, as the simulator runs it, predicts each measured
    /// point. The fields of the cross-validated report (`folds` 0: nothing refitted), the points'
    /// `against` source, and one report per TP the points hold.
    public struct Judgement: Codable, Sendable, Equatable {
        public var profile: String
        /// The profile's TP (each entry of `byTensorParallel` carries the measurements' own).
        public var tensorParallel: Int
        public var samples: Int
        public var folds: Int
        public var method: String
        /// Over every point, all TPs together.
        public var form: FormError
        public var line: FormError?
        public var against: MeasuredPoints.Source
        public var byTensorParallel: [ProfileFidelity]
    }

    /// Judges `profile` against `points`. Each point's error is |predicted − measured| / measured
    /// with the prediction from `HardwareProfile.iterationTime` on the profile's own conversion
    /// (`CalibratedProfile.hardwareProfile(serving:)` when the points' model has another depth, as
    /// a scenario serving that model would run it). A profile in another form than the straight
    /// line is judged beside its own stored straight-line fit (`fit`, made on the same samples).
    public static func judge(_ profile: CalibratedProfile, against points: MeasuredPoints) throws(CalibrationError) -> Judgement {
        let formName = profile.form ?? HardwareProfile.Form.linear.rawValue
        var straight: HardwareProfile?
        if formName != HardwareProfile.Form.linear.rawValue {
            var line = profile
            line.form = HardwareProfile.Form.linear.rawValue
            straight = try predictor(line, for: points)
        }
        return try judge(name: profile.name, form: formName, tensorParallel: tensorParallel(of: profile),
                         model: try predictor(profile, for: points), line: straight, against: points)
    }

    /// Judges a built-in profile (a datasheet estimate) as it is: no line beside it, no scaling
    /// (it models the whole model it is named for).
    public static func judge(builtIn profile: HardwareProfile, against points: MeasuredPoints) throws(CalibrationError) -> Judgement {
        try judge(name: profile.name, form: profile.form.rawValue, tensorParallel: MeasuredPoints.Subject(builtIn: profile).tensorParallel,
                  model: profile, line: nil, against: points)
    }

    static func judge(name: String, form formName: String, tensorParallel profileTP: Int, model primary: HardwareProfile,
                      line straight: HardwareProfile?, against points: MeasuredPoints) throws(CalibrationError) -> Judgement {
        guard points.count > 0 else { throw CalibrationError("\(points.source.path): no measured points to judge against") }
        let method = "judged against \(points.count) measured points from \(points.source.path), not refitted: the profile's "
            + "iteration model as the simulator runs it predicts each point; error = |predicted − measured| / measured"
            + (straight == nil ? "" : "; the line columns are the profile's own straight-line fit, on the same points")
        var all: [(sample: CalibratedProfile.Sample, error: Double)] = [], allLine = all
        var reports: [ProfileFidelity] = []
        for tp in points.byTensorParallel.keys.sorted() {
            let samples = points.byTensorParallel[tp] ?? []
            let errors = Self.errors(primary, samples), lineErrors = straight.map { Self.errors($0, samples) }
            all += errors
            allLine += lineErrors ?? []
            reports.append(ProfileFidelity(
                profile: name, tensorParallel: tp, samples: samples.count, folds: 0, method: method,
                form: FormError(form: formName, bands: BandError.bands(errors)),
                line: lineErrors.map { FormError(form: HardwareProfile.Form.linear.rawValue, bands: BandError.bands($0)) }))
        }
        return Judgement(profile: name, tensorParallel: profileTP, samples: points.count, folds: 0, method: method,
                         form: FormError(form: formName, bands: BandError.bands(all)),
                         line: straight.map { _ in FormError(form: HardwareProfile.Form.linear.rawValue, bands: BandError.bands(allLine)) },
                         against: points.source, byTensorParallel: reports)
    }

    /// The model the simulator would run: as measured, or scaled to the points' depth.
    static func predictor(_ profile: CalibratedProfile, for points: MeasuredPoints) throws(CalibrationError) -> HardwareProfile {
        guard let shape = points.model, shape.layers != profile.model.layers else { return profile.hardwareProfile }
        do {
            return try profile.hardwareProfile(serving: ModelSpec(name: shape.name, weightsBytes: 1, kvBytesPerToken: 1, layers: shape.layers))
        } catch {
            throw CalibrationError("\(points.source.path): \(error.description)")
        }
    }

    static func errors(_ model: HardwareProfile,
                       _ samples: [CalibratedProfile.Sample]) -> [(sample: CalibratedProfile.Sample, error: Double)] {
        samples.map { sample in
            let predicted = model.iterationTime(batch: sample.batch, prefillTokens: sample.prefillTokens,
                                                contextTokens: Int64(sample.contextTokens)).seconds
            return (sample, abs(predicted - sample.seconds) / sample.seconds)
        }
    }
}

extension ProfileFidelity.Judgement {
    /// The report as text: what the points are and how they were judged, then the band table of
    /// each TP the points hold (the cross-validated report's rows).
    public var table: String {
        var lines = [
            "\(profile) (\(form.form) form, TP \(tensorParallel)) — \(samples) measured points",
            "against: \(against.summary)",
            "method: \(method)",
        ]
        for report in byTensorParallel {
            lines.append("")
            var title = "TP \(report.tensorParallel): \(report.samples) points"
            if report.tensorParallel != tensorParallel { title += " (the profile is for TP \(tensorParallel))" }
            lines.append(title)
            // The cross-validated table without its title and method lines (said once above).
            lines += report.table.split(separator: "\n", omittingEmptySubsequences: false).dropFirst(3).map(String.init)
        }
        return lines.joined(separator: "\n")
    }
}
