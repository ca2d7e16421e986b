import Foundation
import HeadroomTestSupport
import Testing

/// Every input the fuzzers ever crashed (kept in Tests/FuzzRegressions/TARGET/ once fixed), and the
/// seeds they start from, go through the same entry points in the normal debug build: each must
/// end in a value or an error, never a trap.
@Suite("Fuzz regressions")
struct FuzzRegressionTests {
    static let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("..")

    static func files(_ folder: String) -> [URL] {
        let url = root.appendingPathComponent(folder)
        let names = (try? FileManager.default.contentsOfDirectory(atPath: url.path)) ?? []
        return names.sorted().map { url.appendingPathComponent($0) }
    }

    @Test("saved crashing inputs now read or fail cleanly", arguments: FuzzTarget.allCases)
    func regressions(target: FuzzTarget) throws {
        for file in Self.files("FuzzRegressions/\(target.rawValue)") {
            target.run(try Data(contentsOf: file))
        }
    }

    @Test("the hand-written seeds run through their targets")
    func seeds() throws {
        FuzzTarget.burstgpt.run(try Data(contentsOf: Self.root.appendingPathComponent("Fuzz/seeds/burstgpt.csv")))
        FuzzTarget.csv.run(try Data(contentsOf: Self.root.appendingPathComponent("Fuzz/seeds/generic.csv")))
        #expect(!Self.files("Fuzz/seeds").isEmpty)
    }
}
