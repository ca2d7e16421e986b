import Foundation
import Testing

/// Every command names itself: without `commandName`, ArgumentParser derives each name with
/// `String(describing:)`, whose protocol-conformance scans cost ~34 M instructions (several
/// milliseconds) at every start of the binary, a large share of a short run.
@Suite("Command names")
struct CLICommandNameTests {
    @Test("every CommandConfiguration in the CLI sets commandName")
    func everyCommandIsNamed() throws {
        let sources = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
            .appendingPathComponent("../../Sources/HeadroomCLI").standardizedFileURL
        let files = try FileManager.default.contentsOfDirectory(atPath: sources.path).filter { $0.hasSuffix(".swift") }
        var configurations = 0
        for file in files {
            let text = try String(contentsOf: sources.appendingPathComponent(file), encoding: .utf8)
            var rest = Substring(text)
            while let start = rest.range(of: "CommandConfiguration(") {
                configurations += 1
                // The arguments up to the first `abstract:` or the end of the call's first lines.
                let head = rest[start.upperBound...].prefix(160)
                #expect(head.contains("commandName:"), "\(file): a CommandConfiguration without commandName near \(head.prefix(60))")
                rest = rest[start.upperBound...]
            }
        }
        #expect(configurations >= 25, "found only \(configurations) command configurations under \(sources.path)")
    }
}
