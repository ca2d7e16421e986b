import ArgumentParser
import Foundation
import Headroom
import HeadroomCalibration

extension Headroom {
    struct Calibrate: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "calibrate",
            abstract: "Calibrate: measure this CPU with OpenBLAS, fit the CUDA probe's output or measured GPU tables, write a profile.",
            discussion: """
                Shapes (cpu): \(ModelShapes.all.map(\.name).joined(separator: ", ")). With --backend vidur or llmservingsim,
                --model names a model folder of the tables under --input (e.g. Llama-2-7b-hf, Llama-3.1-8B), and --gpu and
                --tp pick the table; the profile is in the knee form (the straight line beside it). With --backend config,
                a model no one measured: its Hugging Face config.json (--config) at the GPU's rates fitted to the measured
                tables, labelled an estimate (docs/estimated-profiles.md). The profile is JSON; scenarios use it with
                `profile: path/to/profile.json`.

                Example:
                  headroom calibrate --backend cpu --model tiny -o profiles/cpu-tiny.json
                  headroom calibrate --backend vidur --input measurements/vidur --model Llama-2-7b-hf --gpu h100 --tp 1 -o h100-llama2-7b-tp1.json
                  headroom calibrate --backend config --config Qwen2-7B/config.json --gpu h100 --tp 1 -o h100-qwen2-7b-tp1.json
                """)

        enum Backend: String, ExpressibleByArgument, CaseIterable { case cpu, cuda, vidur, llmservingsim, config }

        @Option(help: "The backend: cpu (measure here with OpenBLAS), cuda (fit the CUDA probe's output, --input), vidur or llmservingsim (compose from measured tables in --input).")
        var backend: Backend = .cpu
        @Option(help: "The CUDA probe's JSON output (--backend cuda), or the folder of measured tables (vidur: with compute/ and network/; llmservingsim: with H100/; config: Vidur's tables to refit the GPU's rates to, default the shipped rates).")
        var input: String?
        @Option(help: "The model shape (cpu), or the model's folder in the measured tables.") var model = "tiny"
        @Option(help: "The GPU of the measured tables: h100 or a100.") var gpu: MeasuredGPU = .h100
        @Option(help: "Tensor parallelism of the measured tables.") var tp = 1
        @Option(help: "The all-reduce table (default for vidur: INPUT/network/GPU_dgx/all_reduce.csv; for config: measurements/vidur/network/GPU_dgx/all_reduce.csv; needed for llmservingsim at --tp above 1).")
        var network: String?
        @Option(help: "A measured attention table (Vidur's attention layout) to refit the attention rates from (default: the rates fitted to LLMServingSim's H100 tables).")
        var attention: String?
        @Option(help: "A Hugging Face config.json (--backend config): the shape of the model to estimate.") var config: String?
        @Option(help: "The profile's name (default: from the backend, GPU, model and TP).") var name: String?
        @Option(name: [.short, .customLong("output"), .customLong("out")], help: "Where to write the profile (--out is an older spelling).") var out: String
        @Option(help: "Size of the weights file for the load-path measurement.", transform: { text in
            guard let bytes = Units.bytes(text), bytes > 0 else { throw ValidationError("'\(text)' is not a size such as 256MB") }
            return bytes
        }) var loadSize: Double = 256e6

        func validate() throws {
            if backend == .config {
                guard config != nil else { throw ValidationError("--backend config needs --config PATH/config.json (the model's Hugging Face config)") }
                guard tp >= 1 else { throw ValidationError("--tp must be at least 1") }
                return
            }
            if backend == .vidur || backend == .llmservingsim {
                guard input != nil else { throw ValidationError("--backend \(backend.rawValue) needs --input DIR (the folder of measured tables)") }
                guard tp >= 1 else { throw ValidationError("--tp must be at least 1") }
                return
            }
            guard ModelShapes.named(model) != nil else {
                throw ValidationError("unknown model shape '\(model)'; shapes: \(ModelShapes.all.map(\.name).joined(separator: ", "))")
            }
        }

        func run() throws {
            if backend == .config, let config {
                let profile: CalibratedProfile
                do {
                    let model = try ModelConfig.read(file: config)
                    let rates = try input.map { try GPURates.fit(vidur: $0, gpu: gpu) } ?? GPURates.fitted(gpu)
                    let composition = try ShapeEstimate.composition(model: model, file: config, tp: tp, rates: rates,
                                                                    network: tp > 1 ? network ?? ShapeEstimate.defaultNetwork(gpu) : nil)
                    profile = try ShapeEstimate.profile(composition: composition)
                } catch {
                    Headroom.fail("\(error)")
                }
                try write(profile)
                return
            }
            if backend == .vidur || backend == .llmservingsim, let input {
                let project = MeasuredCalibration.Project(rawValue: backend.rawValue)!
                let profile: CalibratedProfile
                do {
                    let composition = try MeasuredCalibration.composition(project: project, input: input, model: model, gpu: gpu, tp: tp,
                                                                          network: network, attentionTable: attention)
                    if let problem = MeasuredCalibration.memoryProblem(model: composition.model, tp: tp, gpu: gpu) {
                        Headroom.fail("\(model) at TP \(tp) on \(gpu.rawValue): \(problem); no engine can serve it, so there is no profile to fit")
                    }
                    var measured = try MeasuredCalibration.profile(project: project, composition: composition, gpu: gpu)
                    // Named as the built-ins are (`h100-llama2-7b-tp1`) unless --name says otherwise.
                    measured.name = MeasuredCatalog.profileName(gpu: gpu, model: composition.model.name, tp: tp)
                    profile = measured
                } catch {
                    Headroom.fail("\(error)")
                }
                try write(profile)
                return
            }
            if backend == .cuda {
                guard let input else { throw ValidationError("--backend cuda needs --input PROBE.json (the CUDA probe's output)") }
                let profile: CalibratedProfile
                do {
                    let probe = try ProbeOutput.load(file: input)
                    profile = try probe.profile(name: "cuda-\(probe.model.name)")
                } catch {
                    Headroom.fail("\(error)")
                }
                try write(profile)
                return
            }
            let shape = ModelShapes.named(model)!
            let backendRunner: CPUBackend
            do { backendRunner = try CPUBackend(shape: shape) } catch { Headroom.fail("\(error)") }
            let bar = ProgressBar()
            let large = shape.hidden >= 4096
            let samples = backendRunner.measureIterations(
                batches: large ? [1, 2, 4, 8] : [1, 2, 4, 8, 16, 32], contexts: large ? [128, 512] : [128, 512, 2048],
                prefills: large ? [32, 128] : [32, 128, 512], progress: bar.update)
            bar.clear()
            let fit: CalibratedProfile.Fit
            do { fit = try IterationModelFit.fit(samples) } catch { Headroom.fail("\(error)") }
            let loadPath: CalibratedProfile.LoadPath
            do { loadPath = try CPUBackend.loadPath(bytes: Int(loadSize)) } catch { Headroom.fail("\(error)") }
            var host = utsname()
            uname(&host)
            let machine = withUnsafeBytes(of: &host.machine) { String(decoding: $0.prefix { $0 != 0 }, as: UTF8.self) }
            let profile = CalibratedProfile(
                name: "cpu-\(shape.name)", backend: backend.rawValue,
                device: .init(name: "CPU (\(ProcessInfo.processInfo.activeProcessorCount) cores)",
                              memoryBytes: Double(ProcessInfo.processInfo.physicalMemory), driver: "OpenBLAS", runtime: "LAPACK dgels",
                              hostProcessor: machine),
                model: shape, samples: samples, fit: fit, loadPath: loadPath)
            try write(profile)
        }

        func write(_ profile: CalibratedProfile) throws {
            var profile = profile
            if let name { profile.name = name }
            do {
                let url = URL(fileURLWithPath: out)
                try FileManager.default.createDirectory(at: url.deletingLastPathComponent(), withIntermediateDirectories: true)
                try profile.encoded().write(to: url)
            } catch {
                Headroom.fail("\(out): cannot write the profile (\(error))")
            }
            print(ProfileFormat.describe(profile))
            print("\nwrote \(out)")
            if let warning = profile.fitWarning {
                FileHandle.standardError.write(Data("warning: \(out): \(warning)\n".utf8))
            }
        }
    }

    struct Profile: ParsableCommand {
        static let configuration = CommandConfiguration(commandName: "profile", abstract: "Read calibrated profiles (see also validate-profile).",
                                                        subcommands: [List.self, Show.self, Compare.self, Fidelity.self, Generate.self, Embed.self])

        struct Show: ParsableCommand {
            static let configuration = CommandConfiguration(
                commandName: "show",
                abstract: "Print a profile readably: a calibrated profile's file or a built-in profile's name.",
                discussion: """
                    Built-in: every name `headroom profile list` shows (a measured one prints as its file does, less the samples).

                    With --tokens or --batch, print instead what the profile predicts for single iterations, as a
                    simulation prices them — a prefill of each listed token count (after --cached tokens of the same
                    prompt), and a decode step of --batch sequences holding --context tokens each — split into linear
                    operators, attention and communication, to hold against your own measurements.

                    Example:
                      headroom profile show profiles/cpu-small.json
                      headroom profile show h100-llama3.1-8b-tp1
                      headroom profile show h100-llama3.1-8b-tp1 --tokens 128,2048 --batch 64 --context 1024
                    """)
            @Argument(help: "The profile: a JSON file, or a built-in profile's name.") var file: String
            @Option(help: "Prefill chunks to price, comma-separated token counts (e.g. 128,2048).") var tokens: String?
            @Option(help: "Tokens of the same prompt cached before each --tokens chunk.") var cached = 0
            @Option(help: "Sequences in a decode step to price.") var batch: Int?
            @Option(help: "Cached tokens per decoding sequence (with --batch).") var context = 1024
            @Flag(help: "The breakdown as JSON (with --tokens or --batch).") var json = false

            func validate() throws {
                if tokens == nil && batch == nil && (json || cached != 0 || context != 1024) {
                    throw ValidationError("--json, --cached and --context go with --tokens or --batch")
                }
                if let batch, batch < 1 || batch > 1 << 20 { throw ValidationError("--batch must be 1 to 1,048,576 sequences, got \(batch)") }
                if cached < 0 || context < 0 || cached > 1 << 24 || context > 1 << 24 {
                    throw ValidationError("--cached and --context must be 0 to 16,777,216 tokens")
                }
                _ = try chunks()
            }

            /// `--tokens` as counts; each 1 to 2^24.
            func chunks() throws -> [Int] {
                guard let tokens else { return [] }
                return try tokens.split(separator: ",", omittingEmptySubsequences: false).map { part in
                    let text = part.trimmingCharacters(in: .whitespaces)
                    guard let count = Int(text), count >= 1, count <= 1 << 24 else {
                        throw ValidationError("--tokens: `\(text)` is not a token count from 1 to 16,777,216 (e.g. --tokens 128,2048)")
                    }
                    return count
                }
            }

            func run() throws {
                // A file of that name wins, so a profile saved as `h100-llama3-8b` is still readable.
                let exists = FileManager.default.fileExists(atPath: file)
                let measured = exists ? nil : MeasuredProfiles.named(file)
                let estimate = exists ? nil : MeasuredProfiles.datasheetEstimates.first(where: { $0.name == file })
                guard tokens != nil || batch != nil else {
                    if let measured {
                        // The binary holds it without its samples: the fits' sample counts are those of its file.
                        print(ProfileFormat.describe(measured).replacingOccurrences(of: " over 0 samples", with: " over the samples")
                              + "\nbuilt in; its samples are in profiles/\(file).json (`make measured-profiles` writes both)")
                    } else if let estimate {
                        print(ProfileFormat.describe(estimate))
                    } else {
                        print(ProfileFormat.describe(try load(file)))
                    }
                    return
                }
                let profile = try measured?.hardwareProfile ?? estimate ?? (try load(file)).hardwareProfile
                let breakdown = ProfileBreakdown(profile, tokens: try chunks(), cached: cached, batch: batch, context: context)
                if json {
                    let encoder = JSONEncoder()
                    encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
                    encoder.keyEncodingStrategy = .convertToSnakeCase
                    print(String(decoding: try encoder.encode(breakdown), as: UTF8.self))
                } else {
                    print(breakdown.text)
                }
            }
        }

        struct Compare: ParsableCommand {
            static let configuration = CommandConfiguration(commandName: "compare", abstract: "Two profiles side by side.",
                                                            discussion: "Example:\n  headroom profile compare a.json b.json")
            @Argument(help: "The first profile.") var first: String
            @Argument(help: "The second profile.") var second: String
            func run() throws { print(ProfileFormat.compare(try load(first), try load(second))) }
        }
    }
}

private func load(_ file: String) throws -> CalibratedProfile {
    do { return try CalibratedProfile.load(file: file) } catch {
        // A name without a path or `.json` was most likely meant as a built-in profile.
        if !FileManager.default.fileExists(atPath: file), !file.contains("/"), !file.hasSuffix(".json") {
            if let measured = MeasuredProfiles.named(file) { return measured }
            Headroom.fail("no profile file named '\(file)', and \(MeasuredProfiles.unknownNameMessage(file))")
        }
        Headroom.fail("\(error)")
    }
}

/// Profiles as text.
enum ProfileFormat {
    static func describe(_ p: CalibratedProfile) -> String {
        var lines = [
            "\(p.name) — \(p.backend) on \(p.device.name) (\(p.device.hostProcessor)), \(p.device.driver)",
            "model \(p.model.name): \(p.model.layers) layers, hidden \(p.model.hidden), \(p.model.heads) heads (\(p.model.kvHeads) KV), "
                + "MLP \(p.model.intermediate), \(p.model.dtype)",
            String(format: "iteration = %.3f ms + %.2f µs × batch + %.2f µs × prefill token + %.3f ns × context token",
                   p.fit.base * 1e3, p.fit.perSequence * 1e6, p.fit.perPrefillToken * 1e6, p.fit.perContextToken * 1e9),
            String(format: "fit over %d samples: R² %.4f, max relative error %.1f %%", p.samples.count, p.fit.rSquared, p.fit.maxRelativeError * 100),
        ]
        if p.form == HardwareProfile.Form.knee.rawValue, let knee = p.kneeFit {
            lines[2] = "linear form (not used; the best straight line on the same samples): " + lines[2]
            lines[3] = "  " + lines[3]
            lines.insert(contentsOf: kneeLines(knee, samples: p.samples.count), at: 2)
        } else if p.form == HardwareProfile.Form.table.rawValue, let table = p.tableFit {
            lines[2] = "linear form (not used; the best straight line on the same samples): " + lines[2]
            lines[3] = "  " + lines[3]
            lines.insert(contentsOf: tableLines(table, samples: p.samples.count), at: 2)
        }
        if let source = p.source { lines.insert("source: \(source)", at: 2) }
        if let warning = p.fitWarning ?? p.effectiveFitWarning { lines.append("warning: \(warning)") }
        if let load = p.loadPath {
            lines.append(String(format: "load path (%.0f MB file): disk read %.2f GB/s, memory copy %@, sequential load %.3f s, streamed %.3f s",
                                load.fileBytes / 1e6, load.diskRead / 1e9, load.memoryCopy.map { String(format: "%.2f GB/s", $0 / 1e9) } ?? "—",
                                load.sequentialLoadSeconds, load.streamedLoadSeconds))
        }
        return lines.joined(separator: "\n")
    }

    /// The knee form's equation and fit quality.
    static func kneeLines(_ k: CalibratedProfile.KneeFit, samples: Int) -> [String] {
        [
            String(format: "iteration (knee form) = %.3f ms + max(%.3f ms, %.2f µs × tokens) + %.3f µs × token + %.2f µs × decoding sequence "
                   + "+ %.3f ns × context token + %.1f ps × chunk × (cached + chunk/2); knee at %.0f tokens",
                   k.overhead * 1e3, k.weightRead * 1e3, k.perTokenCompute * 1e6, k.perToken * 1e6, k.perDecodeSequence * 1e6,
                   k.perContextToken * 1e9, k.perAttentionUnit * 1e12, k.kneeTokens),
            String(format: "knee fit over %d samples: R² %.4f, median relative error %.1f %%, max %.1f %%", samples, k.rSquared,
                   k.medianRelativeError * 100, k.maxRelativeError * 100),
        ]
    }

    /// The table form's equation, its knots and fit quality.
    static func tableLines(_ t: CalibratedProfile.TableFit, samples: Int) -> [String] {
        let knots = zip(t.tokens, zip(t.linear, t.communication)).map { tokens, cost in
            String(format: "%d → %.3f", tokens, (cost.0 + cost.1) * 1e3)
        }
        return [
            String(format: "iteration (table form) = table(tokens) + %.2f µs × decoding sequence + %.3f ns × context token "
                   + "+ Σ prefilling max(%.0f ps × (cached + chunk), %.3f ps × chunk × (cached + chunk/2))",
                   t.perDecodeSequence * 1e6, t.perContextToken * 1e9, t.perAttentionKey * 1e12, t.perAttentionUnit * 1e12),
            "  table (tokens → ms, linear operators + all-reduces, interpolated): " + knots.joined(separator: ", "),
            String(format: "table fit over %d samples: R² %.4f, median relative error %.1f %%, max %.1f %%", samples, t.rSquared,
                   t.medianRelativeError * 100, t.maxRelativeError * 100),
        ]
    }

    /// A built-in (or inline) profile: its coefficients and where they come from.
    static func describe(_ p: HardwareProfile) -> String {
        let equation: String
        switch p.form {
        case .linear:
            equation = String(format: "iteration = %.3f ms + %.2f µs × batch + %.2f µs × prefill token + %.3f ns × context token",
                              p.base.seconds * 1e3, p.perSequence.seconds * 1e6, p.perPrefillToken.seconds * 1e6, p.perContextToken.seconds * 1e9)
        case .knee:
            equation = String(format: "iteration (knee form) = %.3f ms + max(%.3f ms, %.2f µs × tokens) + %.3f µs × token + %.2f µs × decoding "
                              + "sequence + %.3f ns × context token + %d ps × chunk × (cached + chunk/2)",
                              p.base.seconds * 1e3, p.weightRead.seconds * 1e3, p.perTokenCompute.seconds * 1e6, p.perToken.seconds * 1e6,
                              p.perDecodeSequence.seconds * 1e6, p.perContextToken.seconds * 1e9, p.perAttentionUnitPicoseconds)
        case .table:
            let knots = p.tokenTable.map { table in
                zip(table.tokens, table.total).map { String(format: "%d → %.3f", $0, Double($1) / 1e6) }.joined(separator: ", ")
            } ?? ""
            equation = String(format: "iteration (table form) = table(tokens) + %.2f µs × decoding sequence + %.3f ns × context token "
                              + "+ Σ prefilling max(%d ps × (cached + chunk), %d ps × chunk × (cached + chunk/2))",
                              p.perDecodeSequence.seconds * 1e6, p.perContextToken.seconds * 1e9, p.perAttentionKeyPicoseconds,
                              p.perAttentionUnitPicoseconds)
                + "\n  table (tokens → ms): " + knots
        }
        return ["\(p.name) — built-in", "source: \(p.source)", equation].joined(separator: "\n")
    }

    static func compare(_ a: CalibratedProfile, _ b: CalibratedProfile) -> String {
        let rows: [(String, Double, Double, String)] = [
            ("base", a.fit.base * 1e3, b.fit.base * 1e3, "ms"), ("per sequence", a.fit.perSequence * 1e6, b.fit.perSequence * 1e6, "µs"),
            ("per prefill token", a.fit.perPrefillToken * 1e6, b.fit.perPrefillToken * 1e6, "µs"),
            ("per context token", a.fit.perContextToken * 1e9, b.fit.perContextToken * 1e9, "ns"),
            ("R²", a.fit.rSquared, b.fit.rSquared, ""), ("max relative error", a.fit.maxRelativeError * 100, b.fit.maxRelativeError * 100, "%"),
        ]
        var lines = ["".padding(toLength: 20, withPad: " ", startingAt: 0) + a.name.padding(toLength: 18, withPad: " ", startingAt: 0) + b.name]
        for (name, x, y, unit) in rows {
            let left = String(format: "%.4g %@", x, unit), right = String(format: "%.4g %@", y, unit)
            lines.append(name.padding(toLength: 20, withPad: " ", startingAt: 0) + left.padding(toLength: 18, withPad: " ", startingAt: 0) + right)
        }
        return lines.joined(separator: "\n")
    }

    static func validation(_ p: CalibratedProfile) -> String {
        let model = p.hardwareProfile
        var lines = ["batch  prefill  context    measured   predicted   error"]
        var worst = 0.0
        for sample in p.samples {
            let predicted = model.iterationTime(batch: sample.batch, prefillTokens: sample.prefillTokens,
                                                contextTokens: Int64(sample.contextTokens)).seconds
            let error = (predicted - sample.seconds) / sample.seconds
            worst = max(worst, abs(error))
            lines.append(String(format: "%5d  %7d  %7d  %8.3f ms  %8.3f ms  %+5.1f %%", sample.batch, sample.prefillTokens, sample.contextTokens,
                                sample.seconds * 1e3, predicted * 1e3, error * 100))
        }
        lines.append(String(format: "largest error %.1f %% over %d configurations", worst * 100, p.samples.count))
        return lines.joined(separator: "\n")
    }
}

extension Headroom {
    /// `headroom validate-profile FILE`: the fidelity table.
    struct ValidateProfile: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "validate-profile",
            abstract: "Predicted (the simulator's iteration model with the profile's coefficients) vs measured iteration times.",
            discussion: "Example:\n  headroom validate-profile profiles/cpu-small.json")
        @Argument(help: "The profile (JSON).") var file: String
        func run() throws {
            let profile = try load(file)
            if profile.samples.isEmpty, MeasuredProfiles.named(file) != nil {
                Headroom.fail("'\(file)' is a measured built-in profile; the binary holds it without its samples: name its file, "
                              + "e.g. `headroom validate-profile profiles/\(file).json`")
            }
            print(ProfileFormat.validation(profile))
        }
    }
}
