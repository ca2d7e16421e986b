import Foundation
import Headroom
import HeadroomEngine

/// The fuzzed entry points: every input Headroom reads from users — scenario YAML, the four
/// trace formats, calibrated profiles, and the paths naming them (`path`: directories, FIFOs,
/// unreadable, missing and dangling files given to every file loader). `make fuzz` drives them with libFuzzer (the target is
/// chosen with HEADROOM_FUZZ_TARGET); the test suite replays the saved crashing inputs. Every input must end in a value or a thrown error: a crash, a hang or a
/// sanitizer report is a bug.
public enum FuzzTarget: String, CaseIterable, Sendable {
    case scenario, azure, mooncake, burstgpt, csv, profile, path

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
        case .path:
            let bytes = [UInt8](data)
            let kind = PathKind.allCases[Int(bytes.first ?? 0) % PathKind.allCases.count]
            let loader = PathLoader.allCases[Int(bytes.dropFirst().first ?? 0) % PathLoader.allCases.count]
            let path = Self.scratch + ".path"
            guard kind.make(at: path, contents: Data(bytes.dropFirst(2))) else { return }
            defer { PathKind.remove(path) }
            _ = loader.load(kind.target(path))
        }
    }

    /// What a fuzzed path names.
    public enum PathKind: CaseIterable, Sendable {
        case regular, directory, fifo, unreadable, missing, danglingLink, linkToDirectory, underAFile

        /// Creates the thing at `path` (a regular or unreadable file holds `contents`).
        public func make(at path: String, contents: Data) -> Bool {
            Self.remove(path)
            switch self {
            case .regular: return FileManager.default.createFile(atPath: path, contents: contents)
            case .directory: return mkdir(path, 0o755) == 0
            case .fifo: return mkfifo(path, 0o644) == 0
            case .unreadable: return FileManager.default.createFile(atPath: path, contents: contents, attributes: [.posixPermissions: 0])
            case .missing: return true
            case .danglingLink: return symlink(path + ".nowhere", path) == 0
            case .linkToDirectory: return symlink("/", path) == 0
            case .underAFile:
                // `path` is a file and the loader is given `path/x`.
                return FileManager.default.createFile(atPath: path, contents: contents)
            }
        }

        /// The path a loader is given.
        public func target(_ path: String) -> String { self == .underAFile ? path + "/x" : path }

        public static func remove(_ path: String) {
            // A link first: chmod follows it, and `linkToDirectory` points at `/`.
            if (try? FileManager.default.destinationOfSymbolicLink(atPath: path)) != nil { unlink(path); return }
            chmod(path, 0o644)
            var info = stat()
            if lstat(path, &info) == 0, info.st_mode & S_IFMT == S_IFDIR { rmdir(path) } else { unlink(path) }
        }
    }

    /// Every library entry point that opens a user-named file.
    public enum PathLoader: CaseIterable, Sendable {
        case traceReader, traceStatistics, traceFit, traceReplay, scenario, scenarioDocument, sweep, profile, inputFile

        /// Loads `path`; returns the error's text, or nil when it loaded. Never traps or blocks.
        @discardableResult
        public func load(_ path: String) -> String? {
            do {
                switch self {
                case .traceReader:
                    var reader = try TraceReader(file: path)
                    while try reader.next() != nil {}
                case .traceStatistics: _ = try TraceStatistics(file: path)
                case .traceFit: _ = try TraceFit(file: path)
                case .traceReplay:
                    var replay = try TraceReplay(TraceSpec(file: path), seed: 1, loopPeriod: nil)
                    while replay.next() != nil {}
                case .scenario: _ = try Scenario.load(file: path)
                case .scenarioDocument: _ = try ScenarioDocument.load(file: path)
                case .sweep: _ = try SweepSpec.load(file: path)
                case .profile: _ = try CalibratedProfile.load(file: path)
                case .inputFile: if case let .failure(error) = InputFile.contents(path) { throw error }
                }
                return nil
            } catch {
                return "\(error)"
            }
        }
    }
}

