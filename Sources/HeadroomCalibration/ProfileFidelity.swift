import Headroom

/// How far a profile's iteration model is from measured points it was not fitted on (issue 17,
/// "Fidelity, published"): k-fold cross-validation over the profile's own samples.
///
/// Sample `i` is held out in fold `i mod k` (deterministic, and each fold takes points from every
/// part of the calibration grid, which lists prefills, cached chunks and decode steps in turn).
/// Each fold refits the profile's form on the other `k − 1` folds with the calibration's own fit
/// (`KneeModelFit`, `IterationModelFit`) and predicts the held-out points with the simulator's
/// iteration model (`HardwareProfile.iterationTime`, whole-nanosecond coefficients), so the error
/// is the one a simulation sees. The straight line is refitted on the same folds for comparison.
public struct ProfileFidelity: Codable, Sendable, Equatable {
    /// The profile's name and tensor parallelism (one profile is measured at one TP).
    public var profile: String
    public var tensorParallel: Int
    public var samples: Int
    public var folds: Int
    /// The method in words, for the report.
    public var method: String
    /// The profile's own form, cross-validated.
    public var form: FormError
    /// The straight line on the same folds (the old form), for a knee- or table-form profile; nil for a linear one.
    public var line: FormError?
    /// The datasheet roofline of the same model, GPU and TP on the same points (what the built-in
    /// estimates do), nil when the profile's GPU has no datasheet figures here.
    public var roofline: FormError?
    public var rooflineSource: String?

    /// One form's held-out errors, by band.
    public struct FormError: Codable, Sendable, Equatable {
        public var form: String
        public var bands: [BandError]
    }

    public static let defaultFolds = 5

    /// Cross-validates `profile` over `folds` folds. Refused: no samples (nothing measured), fewer
    /// than two samples per fold, or a fold whose training points the fit cannot read.
    public static func crossValidate(_ profile: CalibratedProfile,
                                     folds: Int = defaultFolds) throws(CalibrationError) -> ProfileFidelity {
        guard folds >= 2 else { throw CalibrationError("the fold count must be at least 2 (found \(folds))") }
        guard !profile.samples.isEmpty else {
            throw CalibrationError("\(profile.name) has no samples: nothing measured to check against")
        }
        guard profile.samples.count >= 2 * folds else {
            throw CalibrationError("\(profile.name) has \(profile.samples.count) samples; \(folds)-fold cross-validation needs "
                                   + "at least \(2 * folds) (two held out per fold): measure more configurations, "
                                   + "or ask for fewer folds")
        }
        let primary = profile.form.flatMap(HardwareProfile.Form.init(rawValue:)) ?? .linear
        let form = try heldOut(profile, form: primary, folds: folds)
        let line = primary != .linear ? try heldOut(profile, form: .linear, folds: folds) : nil
        return ProfileFidelity(
            profile: profile.name, tensorParallel: tensorParallel(of: profile), samples: profile.samples.count, folds: folds,
            method: "\(folds)-fold cross-validation: sample i is held out in fold i mod \(folds); each fold refits the form "
                + "on the other \(folds - 1) folds with the calibration's fit and predicts the held-out points with the "
                + "simulator's iteration model; error = |predicted − measured| / measured",
            form: FormError(form: primary.rawValue, bands: BandError.bands(form)),
            line: line.map { FormError(form: HardwareProfile.Form.linear.rawValue, bands: BandError.bands($0)) },
            roofline: roofline(of: profile).map { model in
                FormError(form: "roofline", bands: BandError.bands(profile.samples.map { ($0, relativeError(of: model, on: $0)) }))
            },
            rooflineSource: roofline(of: profile)?.source)
    }

    /// `|predicted − measured| / measured` of `model` on `sample`.
    static func relativeError(of model: HardwareProfile, on sample: CalibratedProfile.Sample) -> Double {
        let predicted = model.iterationTime(batch: sample.batch, prefillTokens: sample.prefillTokens,
                                            contextTokens: Int64(sample.contextTokens)).seconds
        return abs(predicted - sample.seconds) / sample.seconds
    }

    /// The built-in estimates' datasheet roofline for the profile's model, GPU (H100 or A100, read
    /// from its device) and TP; nil for another device.
    static func roofline(of profile: CalibratedProfile) -> HardwareProfile? {
        let device = profile.device.name.uppercased()
        guard let gpu = MeasuredGPU.allCases.first(where: { device.contains($0.rawValue.uppercased()) }) else { return nil }
        let shape = profile.model, tp = tensorParallel(of: profile)
        let kvBytesPerToken = 2 * Double(shape.layers * shape.kvHeads * (shape.hidden / max(1, shape.heads))) * 2
        return .roofline(name: "roofline", gpu: gpu.figures, parameters: shape.parameters, kvBytesPerToken: kvBytesPerToken,
                         tensorParallel: tp)
    }

    /// Fold `f` holds the samples whose index is `f` modulo `folds`.
    public static func foldIndices(count: Int, folds: Int) -> [[Int]] {
        (0..<folds).map { fold in Array(stride(from: fold, to: count, by: folds)) }
    }

    /// Every sample with its relative error when predicted by `form` fitted without its fold.
    static func heldOut(_ profile: CalibratedProfile, form: HardwareProfile.Form,
                        folds: Int) throws(CalibrationError) -> [(sample: CalibratedProfile.Sample, error: Double)] {
        var errors: [(sample: CalibratedProfile.Sample, error: Double)] = []
        for (fold, held) in foldIndices(count: profile.samples.count, folds: folds).enumerated() {
            let heldSet = Set(held)
            let training = profile.samples.indices.filter { !heldSet.contains($0) }.map { profile.samples[$0] }
            let model: HardwareProfile
            do {
                model = try refit(profile, on: training, form: form)
            } catch {
                let heldList = held.map(String.init).joined(separator: ", ")
                throw CalibrationError("fold \(fold + 1) of \(folds) (samples \(heldList) held out): "
                                       + "the \(form.rawValue) fit on the other folds failed: \(error)")
            }
            for index in held { errors.append((profile.samples[index], relativeError(of: model, on: profile.samples[index]))) }
        }
        return errors
    }

    /// The simulator's model of `form` fitted on `samples`, through the profile's own conversion.
    static func refit(_ profile: CalibratedProfile, on samples: [CalibratedProfile.Sample],
                      form: HardwareProfile.Form) throws(CalibrationError) -> HardwareProfile {
        var copy = profile
        copy.samples = samples
        switch form {
        case .knee:
            copy.form = HardwareProfile.Form.knee.rawValue
            copy.kneeFit = try KneeModelFit.fit(samples)
        case .table:
            guard let table = profile.tableFit else { throw CalibrationError("\(profile.name): the table form without `table_fit`") }
            copy.form = HardwareProfile.Form.table.rawValue
            copy.tableFit = try TableModelFit.refit(table, on: samples)
        case .linear:
            copy.form = HardwareProfile.Form.linear.rawValue
            copy.kneeFit = nil
            copy.fit = try IterationModelFit.fit(samples)
        }
        return copy.hardwareProfile
    }

    /// The TP the profile was measured at: from its `source` (`TP 4`), else its device (`× 4`), else 1.
    static func tensorParallel(of profile: CalibratedProfile) -> Int {
        if let source = profile.source, let match = source.firstMatch(of: /TP (\d+)/), let tp = Int(match.1) { return tp }
        if let match = profile.device.name.firstMatch(of: /× (\d+)$/), let tp = Int(match.1) { return tp }
        return 1
    }
}
