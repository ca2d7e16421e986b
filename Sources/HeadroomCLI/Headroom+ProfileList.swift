import ArgumentParser
import Foundation
import Headroom
import HeadroomCalibration

extension MeasuredGPU: ExpressibleByArgument {}

extension Headroom.Profile {
    /// `headroom profile list`: every profile a scenario can name, and where its numbers come from.
    struct List: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "list",
            abstract: "List the built-in profiles and the profile files in a folder, each with its source.",
            discussion: """
                Built in: first the profiles composed from measured GPU tables (Vidur's, LLMServingSim's), one per model,
                GPU and tensor parallelism, named GPU-MODEL-tpN; then the datasheet rooflines kept where no measurement
                exists: estimates, not measurements. Scenarios name either with `profile: NAME`. Then the profile files
                (JSON) in --folder, `profiles/` by default, less those that are the measured built-ins with their samples.

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
        var lines = ["measured, built in (scenarios name them with `profile: NAME`):"]
        for profile in MeasuredProfiles.all { lines.append("  " + measuredRow(profile)) }
        lines.append("datasheet estimates, built in (rooflines, not measured: for comparison, and where no measurement exists):")
        for profile in MeasuredProfiles.datasheetEstimates {
            lines.append("  \(column(profile.name)) estimate: \(profile.source)")
        }
        let files = ((try? FileManager.default.contentsOfDirectory(atPath: folder)) ?? []).filter { $0.hasSuffix(".json") }.sorted()
        var rows: [String] = [], builtIns = 0
        for file in files {
            let path = (folder as NSString).appendingPathComponent(file)
            do {
                let profile = try CalibratedProfile.load(file: path)
                var embedded = profile
                embedded.samples = []
                // A measured built-in's own file (its samples beside it, for `profile fidelity`): counted, not repeated.
                if file == "\(profile.name).json", MeasuredProfiles.named(profile.name) == embedded {
                    builtIns += 1
                    continue
                }
                let origin = profile.source ?? "calibrated (\(profile.backend)) on \(profile.device.name) for \(profile.model.name)"
                let (rSquared, worst) = profile.effectiveFitError
                rows.append("  \(column(file)) \(origin); \(profile.form ?? "linear") form, "
                            + String(format: "R² %.4f, max error %.1f %%", rSquared, worst * 100)
                            + (profile.effectiveFitWarning == nil ? "" : " (a poor fit)"))
            } catch {
                rows.append("  \(column(file)) unreadable: \(error)")
            }
        }
        if files.isEmpty {
            lines.append("no profile files in \(folder)/")
        } else {
            lines.append("files in \(folder)/ (scenarios name them with `profile: \(folder)/FILE`):")
            lines += rows
            if builtIns > 0 {
                lines.append("  and \(builtIns) measured built-ins' own files (NAME.json, with the samples `profile fidelity` reads)")
            }
        }
        return lines
    }

    /// `h100-llama3.1-8b-tp1   Llama-3.1-8B   H100 × 1   LLMServingSim's tables; knee form, R² 0.9888, max error 17.6 %`.
    static func measuredRow(_ profile: CalibratedProfile) -> String {
        let gpu = profile.device.name.split(separator: "-").first.map(String.init) ?? profile.device.name
        let tp = profile.device.name.components(separatedBy: " × ").last ?? "1"
        let tables = ["vidur": "Vidur's tables", "llmservingsim": "LLMServingSim's tables"][profile.backend] ?? profile.backend
        let (rSquared, worst) = profile.effectiveFitError
        return column(profile.name) + profile.model.name.padding(toLength: max(26, profile.model.name.count + 1), withPad: " ", startingAt: 0)
            + "\(gpu) × \(tp)".padding(toLength: 10, withPad: " ", startingAt: 0)
            + "\(tables); \(profile.form ?? "linear") form, " + String(format: "R² %.4f, max error %.1f %%", rSquared, worst * 100)
            + (profile.effectiveFitWarning == nil ? "" : " (a poor fit)")
    }

    /// A name padded to a column of 24, never cut.
    static func column(_ name: String) -> String { name.padding(toLength: max(24, name.count + 1), withPad: " ", startingAt: 0) }
}
