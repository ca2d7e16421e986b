import Foundation
import Testing
@testable import HeadroomStore

/// The binary's messages name the real cause (a negative seed, a zero duration, a directory, a
/// sweep file, a missing replay column, a poor calibration), `--version` answers, and help fits
/// the terminal.
@Suite("Command line messages")
struct CLIMessageTests {
    /// Runs the binary with `environment` added, stdout and stderr to files.
    static func capture(_ arguments: [String], environment: [String: String] = [:]) throws -> (status: Int32, out: String, err: String) {
        let run = try ProcessTests.capture(arguments, environment: environment.mapValues { $0 })
        return (run.status, run.out, run.err)
    }

    static func temporaryFolder(_ name: String) throws -> URL {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("headroom-\(name)-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        return folder
    }

    @Test("--version prints the version the store records with every run")
    func version() throws {
        try #require(FileManager.default.isExecutableFile(atPath: ProcessTests.binary), "build the headroom binary first (make test does)")
        let (status, out, _) = try Self.capture(["--version"])
        #expect(status == 0 && out.trimmingCharacters(in: .whitespacesAndNewlines) == RunStore.headroomVersion)
    }

    @Test("--seed and --duration say what is wrong with the value, not that it is missing or lacks a unit")
    func seedAndDuration() throws {
        try #require(FileManager.default.isExecutableFile(atPath: ProcessTests.binary))
        let cases: [([String], String)] = [
            (["--seed", "-1"], "seeds are whole numbers from 0"), (["--seed", "x"], "seeds are whole numbers from 0"),
            (["--duration", "0s"], "must be positive"), (["--duration", "-5m"], "must be positive"),
            (["--duration", "100000w"], "too large: the longest duration is 15,200w"), (["--duration", "30"], "needs a unit"),
        ]
        for (arguments, expected) in cases {
            let (status, _, err) = try Self.capture(["run", "scenarios/quickstart.yaml", "--no-store"] + arguments)
            #expect(status == 64, "\(arguments)")
            #expect(err.contains(expected), "\(arguments): \(err)")
            #expect(!err.contains("Missing value") && (expected == "needs a unit" || !err.contains("with a unit")), "\(arguments): \(err)")
        }
        let bench = try Self.capture(["bench", "scenarios/quickstart.yaml", "--duration", "-5m"])
        #expect(bench.status == 64 && bench.err.contains("must be positive"), "\(bench.err)")
    }

    @Test("a directory or a sweep file as the scenario names the real problem")
    func wrongFiles() throws {
        try #require(FileManager.default.isExecutableFile(atPath: ProcessTests.binary))
        let directory = try Self.capture(["run", "scenarios/signals", "--no-store"])
        #expect(directory.status == 1 && directory.err.contains("is a directory") && directory.err.contains("scenarios/signals/hpa-cpu.yaml"),
                "\(directory.err)")
        #expect(!directory.err.contains("NSCocoaErrorDomain") && !directory.err.contains("error 256"))
        let sweep = try Self.capture(["run", "scenarios/sweeps/signals.yaml", "--no-store"])
        #expect(sweep.status == 1 && sweep.err.contains("this is a sweep file")
                && sweep.err.contains("headroom sweep scenarios/sweeps/signals.yaml"), "\(sweep.err)")
        #expect(!sweep.err.contains("node_pools"))
    }

    @Test("profile show reads built-in profiles by name, with their source")
    func builtInProfile() throws {
        try #require(FileManager.default.isExecutableFile(atPath: ProcessTests.binary))
        let shown = try Self.capture(["profile", "show", "h100-llama3-8b"])
        #expect(shown.status == 0 && shown.out.contains("h100-llama3-8b") && shown.out.contains("roofline from the H100"), "\(shown.err)")
        let unknown = try Self.capture(["profile", "show", "h100-llama3-9b"])
        #expect(unknown.status == 1 && unknown.err.contains("did you mean `h100-llama3-8b`?") && unknown.err.contains("datasheet estimates: h100-llama3-8b"), "\(unknown.err)")
    }

    @Test("policy replay refuses a history without the policy's signal, naming the column and the file's columns")
    func replayMissingColumn() throws {
        try #require(FileManager.default.isExecutableFile(atPath: ProcessTests.binary))
        let (status, out, err) = try Self.capture(["policy", "replay", "--policy", "scenarios/signals/hpa-gpu.yaml",
                                                   "--metrics", "notebooks-data/example-metrics.csv"])
        #expect(status == 1 && out.isEmpty, "\(out)")
        #expect(err.contains("`gpu_utilization`") && err.contains("its columns: time, ready, concurrency, activator"), "\(err)")
    }

    @Test("a calibration with a poor fit warns on stderr and records the warning in the profile")
    func poorCalibration() throws {
        try #require(FileManager.default.isExecutableFile(atPath: ProcessTests.binary))
        let folder = try Self.temporaryFolder("poor-fit")
        defer { try? FileManager.default.removeItem(at: folder) }
        // Timings far from linear in batch and context, as a busy machine gives.
        let measured: [(Int, Int, Double)] = [(1, 128, 0.001), (1, 512, 0.010), (2, 256, 0.0005), (4, 512, 0.02), (8, 1024, 0.001),
                                              (8, 4096, 0.03), (2, 2048, 0.0002), (4, 128, 0.004)]
        let samples = measured.map { "{\"batch\": \($0.0), \"prefill_tokens\": 0, \"context_tokens\": \($0.1), \"seconds\": \($0.2)}" }
        let probe = """
            {"device": {"name": "GPU", "memory_bytes": 1e11, "driver": "d", "runtime": "r", "host_processor": "x86_64"},
             "model": {"name": "8b-2layers", "layers": 2, "hidden": 4096, "heads": 32, "kv_heads": 8, "intermediate": 14336, "dtype": "bf16", "parameters": 4e8},
             "samples": [\(samples.joined(separator: ", "))]}
            """
        let input = folder.appendingPathComponent("probe.json").path, output = folder.appendingPathComponent("p.json").path
        try probe.write(toFile: input, atomically: true, encoding: .utf8)
        let (status, out, err) = try Self.capture(["calibrate", "--backend", "cuda", "--input", input, "-o", output])
        #expect(status == 0, "\(err)")
        #expect(err.contains("warning: ") && err.contains("poor fit") && err.contains("validate-profile"), "\(err)")
        #expect(out.contains("warning: poor fit"))
        let written = try String(contentsOfFile: output, encoding: .utf8)
        #expect(written.contains("\"fit_warning\""))
    }

    @Test("help and usage lines wrap to the terminal width, arguments unsplit")
    func helpWraps() throws {
        try #require(FileManager.default.isExecutableFile(atPath: ProcessTests.binary))
        for width in [60, 100] {
            for command in CLITests.commands + [[]] {
                let (status, out, _) = try Self.capture(command + ["--help"], environment: ["COLUMNS": "\(width)"])
                #expect(status == 0)
                for line in out.split(separator: "\n") where line.count > width {
                    // Only a single unbreakable word (a long path in an example) may overflow.
                    #expect(!line.trimmingCharacters(in: .whitespaces).contains(" "), "\(command) at \(width): \(line)")
                }
                #expect(!out.contains("[--seed\n") && !out.contains("<sample-\n"), "an argument split across lines")
            }
        }
        let usage = try Self.capture(["compare", "--help"], environment: ["COLUMNS": "80"])
        let lines = usage.out.split(separator: "\n", omittingEmptySubsequences: false)
        let start = try #require(lines.firstIndex { $0.hasPrefix("USAGE: headroom compare") })
        #expect(lines[start + 1].hasPrefix(String(repeating: " ", count: 24) + "["), "continues under the first argument: \(lines[start + 1])")
        // A prose paragraph written over two source lines reads as one paragraph.
        let root = try Self.capture(["--help"], environment: ["COLUMNS": "300"])
        #expect(root.out.contains("when NO_COLOR is set). Shell completion:"), "\(root.out)")
        let error = try Self.capture(["run", "--no-such-flag", "x"], environment: ["COLUMNS": "60"])
        #expect(error.status == 64 && error.err.split(separator: "\n").allSatisfy { $0.count <= 60 }, "\(error.err)")
    }
}
