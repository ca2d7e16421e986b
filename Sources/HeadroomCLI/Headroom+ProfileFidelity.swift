import ArgumentParser
import Foundation
import Headroom
import HeadroomCalibration

extension Headroom.Profile {
    /// `headroom profile fidelity PROFILE [--against DIR]`: the profile's cross-validated error against
    /// its own measured points, or its error against other measurements without refitting, by band,
    /// beside the straight line's (see `ProfileFidelity`, `ProfileFidelity.judge`).
    struct Fidelity: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "fidelity",
            abstract: "Error of a profile against measured points its fit did not see: cross-validated, or judged against other measurements.",
            discussion: """
                k-fold cross-validation (sample i held out in fold i mod k): each fold refits the profile's form on the
                other folds and predicts the held-out points with the simulator's iteration model. Median and worst
                relative error per prefill token band, per decode batch band and overall, beside the straight line's
                on the same folds. A built-in profile is a datasheet estimate with no measurements of its own to cross-validate.

                With --against, the profile is not refitted: it predicts measurements it was not made from, and the same
                table shows its error, per TP of the measurements. --against takes a folder of Vidur tables
                (compute/<gpu>/<org>/<model>/mlp.csv, network/<gpu>_dgx/all_reduce.csv) or LLMServingSim tables
                (H100/<org>/<model>/tp<N>/layers.csv), composed on the calibration grid for the profile's model, GPU and TP
                (or --model, --gpu, --tp); a CSV of your own measured iterations with the header
                batch,prefill_tokens,context_tokens,seconds (batch: sequences; tokens: the batch's totals; an optional tp
                column); or another profile JSON (its samples). A built-in estimate can be judged this way too (name the
                tables' model with --model), to see how far the datasheet roofline is from the measurements.

                Example:
                  headroom profile fidelity profiles/h100-llama3.1-8b-tp1.json
                  headroom profile fidelity profiles/h100-llama2-7b-tp1.json --against measurements/vidur
                  headroom profile fidelity my-profile.json --against my-vllm-iterations.csv
                  headroom profile fidelity h100-llama3-8b --against measurements/llmservingsim --model Llama-3.1-8B
                """)
        @Argument(help: "The profile (JSON) with its measured samples; with --against, also a built-in profile's name.") var file: String
        @Option(help: "The number of folds (at least 2; two samples per fold at least; default \(ProfileFidelity.defaultFolds)).")
        var folds: Int?
        @Option(help: ArgumentHelp("Judge the profile, not refitted, against these measurements: a folder of Vidur or LLMServingSim tables, a CSV (batch,prefill_tokens,context_tokens,seconds[,tp]) or a profile JSON.", valueName: "path"))
        var against: String?
        @Option(help: "With --against tables: the model's folder in them (default: the profile's model).") var model: String?
        @Option(help: "With --against tables: the GPU, h100 or a100 (default: the profile's).") var gpu: MeasuredGPU?
        @Option(help: "With --against: a TP of the measurements to judge against (repeat for several; default: the profile's TP for tables, every TP in a CSV).")
        var tp: [Int] = []
        @Option(help: "With --against tables: the all-reduce table (default for Vidur: DIR/network/GPU_dgx/all_reduce.csv; needed for LLMServingSim above TP 1).")
        var network: String?
        @Flag(help: "Print the report as JSON.") var json = false

        func validate() throws {
            if against == nil {
                let given = [model.map { _ in "--model" }, gpu.map { _ in "--gpu" }, tp.isEmpty ? nil : "--tp", network.map { _ in "--network" }]
                    .compactMap { $0 }
                if let first = given.first { throw ValidationError("\(first) picks the measurements of --against; add --against DIR") }
            } else if let bad = tp.first(where: { $0 < 1 }) {
                throw ValidationError("--tp \(bad): a tensor parallelism is at least 1")
            } else if folds != nil {
                throw ValidationError("--folds is for cross-validation; --against judges the profile without refitting (drop --folds)")
            }
        }

        func run() throws {
            let exists = FileManager.default.fileExists(atPath: file)
            let measured = exists ? nil : MeasuredProfiles.named(file)
            let builtIn = exists ? nil : MeasuredProfiles.datasheetEstimates.first(where: { $0.name == file })
            if let against {
                let selection = MeasuredPoints.Selection(model: model, gpu: gpu, tensorParallel: tp, network: network)
                let judgement = Headroom.failing {
                    if let builtIn {
                        let points = try MeasuredPoints.load(against, for: MeasuredPoints.Subject(builtIn: builtIn), selection: selection)
                        return try ProfileFidelity.judge(builtIn: builtIn, against: points)
                    }
                    let profile = try measured ?? CalibratedProfile.load(file: file)
                    return try ProfileFidelity.judge(profile, against: try MeasuredPoints.load(against, for: profile, selection: selection))
                }
                if json { try printJSON(judgement) } else { print(judgement.table) }
                return
            }
            if measured != nil {
                Headroom.fail("'\(file)' is a measured built-in profile; the binary holds it without its samples: name its file, "
                              + "e.g. `headroom profile fidelity profiles/\(file).json`, or judge it with --against DIR")
            }
            if let builtIn {
                Headroom.fail("'\(file)' is a built-in profile, \(builtIn.source): a datasheet estimate has no measurements to check "
                              + "against (to cross-validate); judge it against measured tables with --against DIR --model NAME, or name a "
                              + "measured profile file (see `headroom profile list`)")
            }
            let report = Headroom.failing {
                try ProfileFidelity.crossValidate(try CalibratedProfile.load(file: file), folds: folds ?? ProfileFidelity.defaultFolds)
            }
            if json { try printJSON(report) } else { print(report.table) }
        }

        func printJSON(_ value: some Encodable) throws {
            let encoder = JSONEncoder()
            encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
            encoder.keyEncodingStrategy = .convertToSnakeCase
            print(String(decoding: try encoder.encode(value), as: UTF8.self))
        }
    }
}
