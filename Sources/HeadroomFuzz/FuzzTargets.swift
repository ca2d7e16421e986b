import Foundation
import Headroom

/// libFuzzer entry points for every input Headroom reads from users: scenario YAML, the four
/// trace formats and calibrated profiles. Built only by `make fuzz` (HEADROOM_FUZZ=1 adds this
/// target to the package, compiled with -sanitize=fuzzer,address); the target is chosen with
/// HEADROOM_FUZZ_TARGET. Every input must end in a value or a thrown error: a crash, a hang or a
/// sanitizer report is a bug.
enum FuzzTarget: String, CaseIterable {
    case scenario, azure, mooncake, burstgpt, csv, profile

    static let current: FuzzTarget = {
        let name = ProcessInfo.processInfo.environment["HEADROOM_FUZZ_TARGET"] ?? ""
        guard let target = FuzzTarget(rawValue: name) else {
            FileHandle.standardError.write(Data("HEADROOM_FUZZ_TARGET must be one of \(allCases.map(\.rawValue))\n".utf8))
            exit(2)
        }
        return target
    }()

    /// A per-process scratch file for the trace readers, which stream from files.
    static let scratch = "/dev/shm/headroom-fuzz-\(getpid())"

    func run(_ data: Data) {
        switch self {
        case .scenario:
            // Invalid UTF-8 is the loader's to refuse, so decode leniently and let it.
            let text = String(decoding: data, as: UTF8.self)
            _ = try? ScenarioDocument(yaml: text, file: "fuzz.yaml").scenario()
        case .azure, .mooncake, .burstgpt, .csv:
            let path = Self.scratch + "." + rawValue
            guard FileManager.default.createFile(atPath: path, contents: data) else { return }
            let format = TraceSpec.Format(rawValue: rawValue)!
            let columns = self == .csv ? TraceSpec.Columns(time: "t", prompt: "in", output: "out", timeUnitSeconds: 0.001) : nil
            for badRows in [TraceSpec.BadRows.skip, .fail] {
                guard var reader = try? TraceReader(file: path, format: format, columns: columns, badRows: badRows) else { continue }
                // A reader yields at most one record per line: more would be a runaway.
                var records = 0
                while records <= data.count + 1, (try? reader.next()) != nil { records += 1 }
                precondition(records <= data.count + 1, "the reader yielded more records than the input has lines")
            }
            // Detection from the header, as a scenario without `format:` does.
            if var reader = try? TraceReader(file: path) { while (try? reader.next()) ?? nil != nil {} }
        case .profile:
            if let profile = try? CalibratedProfile.decode(data, file: "fuzz.json") { _ = profile.hardwareProfile }
        }
    }
}

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzOneInput(_ bytes: UnsafePointer<UInt8>, _ count: Int) -> CInt {
    FuzzTarget.current.run(Data(bytes: bytes, count: count))
    return 0
}

/// libFuzzer's driver (in the runtime -sanitize=fuzzer links).
@_silgen_name("LLVMFuzzerRunDriver")
func LLVMFuzzerRunDriver(
    _ argc: UnsafeMutablePointer<CInt>, _ argv: UnsafeMutablePointer<UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?>,
    _ callback: @convention(c) (UnsafePointer<UInt8>, Int) -> CInt
) -> CInt

/// SwiftPM links an executable's entry point as `<Target>_main` (and aliases `main` to it), so
/// libFuzzer's own `main` is not used: this one hands the arguments to libFuzzer's driver.
@_cdecl("HeadroomFuzz_main")
public func headroomFuzzMain(_ argc: CInt, _ argv: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?) -> CInt {
    var count = argc
    var arguments = argv
    return LLVMFuzzerRunDriver(&count, &arguments) { bytes, size in fuzzOneInput(bytes, size) }
}
