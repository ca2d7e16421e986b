import Foundation
import Testing
@testable import HeadroomStore

/// The summary's `Capacity` line: spot interruptions, stockouts by pool, time waiting for a node.
@Suite("Command line: capacity line")
struct CLISpotTests {
    @Test("the shipped spot scenario prints its interruptions and stockouts by pool")
    func capacityLine() throws {
        try #require(FileManager.default.isExecutableFile(atPath: ProcessTests.binary), "build the headroom binary first (make test does)")
        let run = try ProcessTests.capture(["run", "scenarios/fleets/spot-fallback.yaml", "--no-store"])
        #expect(run.status == 0, "\(run.err)")
        let line = run.out.split(separator: "\n").first { $0.hasPrefix("Capacity") }.map(String.init) ?? ""
        #expect(line.contains("spot interruptions") && line.contains("requests retried") && line.contains("stockouts od 0, spot"), "\(run.out)")
    }

    @Test("a run without spot, stockouts or waiting prints no capacity line")
    func noLine() throws {
        try #require(FileManager.default.isExecutableFile(atPath: ProcessTests.binary))
        let run = try ProcessTests.capture(["run", "scenarios/quickstart.yaml", "--no-store"])
        #expect(run.status == 0 && !run.out.contains("Capacity"), "\(run.out)")
    }
}
