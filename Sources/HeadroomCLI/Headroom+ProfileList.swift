import ArgumentParser
import Foundation
import Headroom
import HeadroomCalibration

extension MeasuredGPU: ExpressibleByArgument {}

extension Headroom.Profile {
    /// `headroom profile list`: every profile a scenario can name, and where its numbers come from.
    struct List: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "List the built-in profiles and the profile files in a folder, each with its source.",
            discussion: """
                The built-in profiles are datasheet rooflines: estimates, not measurements. Files are the calibrated
                profiles (JSON) in --folder, `profiles/` by default.

                Example:
                  headroom profile list
                """)
        @Option(help: "The folder of profile files.") var folder = "profiles"

        func run() throws { print(ProfileList.lines(folder: folder).joined(separator: "\n")) }
    }
}

/// The rows of `profile list`.
enum ProfileList {
    static func lines(folder: String) -> [String] {
        var lines = ["built-in (datasheet estimates; scenarios name them with `profile: NAME`):"]
        for profile in HardwareProfile.builtIn {
            lines.append("  \(column(profile.name)) estimate: \(profile.source)")
        }
        let files = ((try? FileManager.default.contentsOfDirectory(atPath: folder)) ?? []).filter { $0.hasSuffix(".json") }.sorted()
        lines.append(files.isEmpty ? "no profile files in \(folder)/" : "files in \(folder)/ (scenarios name them with `profile: \(folder)/FILE`):")
        for file in files {
            let path = (folder as NSString).appendingPathComponent(file)
            do {
                let profile = try CalibratedProfile.load(file: path)
                let origin = profile.source ?? "calibrated (\(profile.backend)) on \(profile.device.name) for \(profile.model.name)"
                let (rSquared, worst) = profile.effectiveFitError
                lines.append("  \(column(file)) \(origin); \(profile.form ?? "linear") form, "
                             + String(format: "R² %.4f, max error %.1f %%", rSquared, worst * 100)
                             + (profile.effectiveFitWarning == nil ? "" : " (a poor fit)"))
            } catch {
                lines.append("  \(column(file)) unreadable: \(error)")
            }
        }
        return lines
    }

    /// A name padded to a column of 22, never cut.
    static func column(_ name: String) -> String { name.padding(toLength: max(22, name.count + 1), withPad: " ", startingAt: 0) }
}
