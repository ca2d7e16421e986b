import Foundation
import Testing

/// OpenBLAS starts spinning worker threads as soon as it is loaded, so only a calibration may load it.
extension CLITests {
    #if os(Linux)
    @Test("a run never loads OpenBLAS (glibc's loader log names every library it opens)")
    func runDoesNotLoadOpenBLAS() throws {
        try #require(FileManager.default.isExecutableFile(atPath: ProcessTests.binary))
        let run = try ProcessTests.capture(["run", "scenarios/quickstart.yaml", "--duration", "1m", "--no-store"],
                                           environment: ["LD_DEBUG": "libs"])
        #expect(run.status == 0)
        #expect(run.err.contains("calling init"), "the loader logged its work")
        #expect(!run.err.contains("openblas"), "OpenBLAS was loaded by a command that does not calibrate")
    }
    #endif
}
