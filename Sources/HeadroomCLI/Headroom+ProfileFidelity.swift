import ArgumentParser
import Foundation
import Headroom
import HeadroomCalibration

extension Headroom.Profile {
    /// `headroom profile fidelity PROFILE`: the profile's cross-validated error against its own
    /// measured points, by band, beside the straight line's (see `ProfileFidelity`).
    struct Fidelity: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Cross-validated error of a measured profile against measured points its fit did not see.",
            discussion: """
                k-fold cross-validation (sample i held out in fold i mod k): each fold refits the profile's form on the
                other folds and predicts the held-out points with the simulator's iteration model. Median and worst
                relative error per prefill token band, per decode batch band and overall, beside the straight line's
                on the same folds. A built-in profile is a datasheet estimate and has no measurements to check against.

                Example:
                  headroom profile fidelity profiles/h100-llama3.1-8b-tp1.json
                """)
        @Argument(help: "The profile (JSON) with its measured samples.") var file: String
        @Option(help: "The number of folds (at least 2; two samples per fold at least).") var folds = ProfileFidelity.defaultFolds
        @Flag(help: "Print the report as JSON.") var json = false

        func run() throws {
            if !FileManager.default.fileExists(atPath: file), MeasuredProfiles.named(file) != nil {
                Headroom.fail("'\(file)' is a measured built-in profile; the binary holds it without its samples: name its file, "
                              + "e.g. `headroom profile fidelity profiles/\(file).json`")
            }
            if !FileManager.default.fileExists(atPath: file), let builtIn = MeasuredProfiles.datasheetEstimates.first(where: { $0.name == file }) {
                Headroom.fail("'\(file)' is a built-in profile, \(builtIn.source): a datasheet estimate has no measurements "
                              + "to check against; name a measured profile file (see `headroom profile list`)")
            }
            let report = Headroom.failing {
                try ProfileFidelity.crossValidate(try CalibratedProfile.load(file: file), folds: folds)
            }
            if json {
                let encoder = JSONEncoder()
                encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
                encoder.keyEncodingStrategy = .convertToSnakeCase
                print(String(decoding: try encoder.encode(report), as: UTF8.self))
            } else {
                print(report.table)
            }
        }
    }
}
