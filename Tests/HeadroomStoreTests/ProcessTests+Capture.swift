import Foundation

extension ProcessTests {
    /// Runs `executable` (the `headroom` binary unless named) as a script would: stdout and stderr
    /// to files (pipes, not a terminal), `environment` laid over this process's (a nil value
    /// removes a variable). A run past `timeout` seconds is killed and reported as hung, so a hang
    /// fails its test instead of stalling the suite.
    static func capture(_ arguments: [String], executable: String = binary, environment: [String: String?] = [:],
                        timeout: Double = 600) throws -> (status: Int32, out: String, err: String, hung: Bool) {
        let folder = FileManager.default.temporaryDirectory
        let outURL = folder.appendingPathComponent("headroom-out-\(UUID().uuidString)")
        let errURL = folder.appendingPathComponent("headroom-err-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: outURL); try? FileManager.default.removeItem(at: errURL) }
        let process = Process()
        process.executableURL = URL(fileURLWithPath: executable)
        process.arguments = arguments
        if !environment.isEmpty { process.environment = overlaid(environment) }
        process.standardOutput = try launchErrors(outURL)
        process.standardError = try launchErrors(errURL)
        try process.run()
        let deadline = Date().addingTimeInterval(timeout)
        while process.isRunning && Date() < deadline { usleep(20_000) }
        let hung = process.isRunning
        if hung { kill(process.processIdentifier, SIGKILL) }
        process.waitUntilExit()
        return (process.terminationStatus, try String(contentsOf: outURL, encoding: .utf8), try String(contentsOf: errURL, encoding: .utf8), hung)
    }
}
