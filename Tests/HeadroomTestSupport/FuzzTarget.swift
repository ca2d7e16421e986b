import Foundation
import Headroom

/// The fuzzed entry points: every input Headroom reads from users — scenario YAML, the four
/// trace formats and calibrated profiles. `make fuzz` drives them with libFuzzer (the target is
/// chosen with HEADROOM_FUZZ_TARGET); the test suite replays the saved crashing inputs. Every input must end in a value or a thrown error: a crash, a hang or a
/// sanitizer report is a bug.
public enum FuzzTarget: String, CaseIterable, Sendable {
    case scenario, azure, mooncake, burstgpt, csv, profile

    public static let current: FuzzTarget = {
        let name = ProcessInfo.processInfo.environment["HEADROOM_FUZZ_TARGET"] ?? ""
        guard let target = FuzzTarget(rawValue: name) else {
            FileHandle.standardError.write(Data("HEADROOM_FUZZ_TARGET must be one of \(allCases.map(\.rawValue))\n".utf8))
            exit(2)
        }
        return target
    }()

    /// A per-process scratch file for the trace readers, which stream from files.
    static let scratch = "/dev/shm/headroom-fuzz-\(getpid())"

    /// Feeds one input through the reader; returns normally whatever the input (errors are expected).
    public func run(_ data: Data) {
        switch self {
        case .scenario:
            // Invalid UTF-8 is the loader's to refuse, so decode leniently and let it.
            let text = String(decoding: data, as: UTF8.self)
            _ = try? ScenarioDocument(yaml: text, file: "fuzz.yaml").scenario()
        case .azure, .mooncake, .burstgpt, .csv:
            let path = Self.scratch + "." + rawValue
            guard FileManager.default.createFile(atPath: path, contents: data) else { return }
            // One pass per input (ASan makes each costly); the input's length picks the mode, so
            // the fuzzer reaches all three: skip bad rows, stop at the first, or detect the format.
            let columns = self == .csv ? TraceSpec.Columns(time: "t", prompt: "in", output: "out", timeUnitSeconds: 0.001) : nil
            let mode = data.count % 3
            let reader = mode == 2
                ? try? TraceReader(file: path)
                : try? TraceReader(file: path, format: TraceSpec.Format(rawValue: rawValue)!, columns: columns,
                                   badRows: mode == 0 ? .skip : .fail)
            guard var reader else { return }
            // A reader yields at most one record per line: more would be a runaway.
            var records = 0
            while records <= data.count + 1, (try? reader.next()) ?? nil != nil { records += 1 }
            precondition(records <= data.count + 1, "the reader yielded more records than the input has lines")
        case .profile:
            if let profile = try? CalibratedProfile.decode(data, file: "fuzz.json") { _ = profile.hardwareProfile }
        }
    }
}

