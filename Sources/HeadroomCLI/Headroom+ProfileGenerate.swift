import ArgumentParser
import Foundation
import Headroom
import HeadroomCalibration

extension Headroom.Profile {
    /// `headroom profile generate` (hidden; `make measured-profiles`): a measured profile for every
    /// model × GPU × TP of the tables (`MeasuredCatalog`), each as `calibrate --backend vidur|
    /// llmservingsim` writes it.
    struct Generate: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "generate",
            abstract: "Calibrate a profile for every model, GPU and TP of a folder of measured tables (make measured-profiles).",
            shouldDisplay: false)
        @Option(help: "The folder with vidur/ and llmservingsim/ (run from its parent so that sources name it relatively).")
        var input = "measurements"
        @Option(name: [.short, .customLong("output")], help: "The folder to write the profiles to.") var out = "profiles"

        func run() throws {
            let (found, skipped) = MeasuredCatalog.configurations(root: input)
            for reason in skipped { print("skipped \(reason)") }
            guard !found.isEmpty else { Headroom.fail("\(input): no measured tables found (expected vidur/ and llmservingsim/ under it)") }
            for configuration in found {
                let path = (out as NSString).appendingPathComponent("\(configuration.name).json")
                do {
                    let composition = try MeasuredCalibration.composition(
                        project: configuration.project, input: configuration.input, model: configuration.model, gpu: configuration.gpu,
                        tp: configuration.tp, network: configuration.network)
                    var profile = try MeasuredCalibration.profile(project: configuration.project, composition: composition, gpu: configuration.gpu)
                    profile.name = configuration.name
                    try FileManager.default.createDirectory(atPath: out, withIntermediateDirectories: true)
                    try profile.encoded().write(to: URL(fileURLWithPath: path))
                } catch {
                    Headroom.fail("\(configuration.name): \(error)")
                }
                print("wrote \(path)")
            }
            print("\(found.count) profiles, \(skipped.count) skipped")
        }
    }

    /// `headroom profile embed` (hidden; `make measured-profiles`): the measured profiles in a
    /// folder, less their samples, as the Swift source of the built-ins (`MeasuredProfiles`).
    struct Embed: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "embed",
            abstract: "Write the measured profiles of a folder into the Swift source of the built-ins (make measured-profiles).",
            shouldDisplay: false)
        @Option(help: "The folder of profile files.") var folder = "profiles"
        @Option(name: [.short, .customLong("output")], help: "The generated Swift file.") var out = MeasuredProfiles.generatedFile

        func run() throws {
            let source = Headroom.failing { try MeasuredProfiles.swiftSource(folder: folder) }
            do { try Data(source.utf8).write(to: URL(fileURLWithPath: out)) } catch {
                Headroom.fail("\(out): cannot write the generated source (\(error))")
            }
            print("wrote \(out)")
        }
    }
}
