import Foundation
import Testing

extension ProcessTests {
    /// Whether this machine's kernel gives huge pages only on request and glibc has the tunable
    /// that asks for them (≥ 2.35): where `headroom run` starts itself again with it.
    static var asksForHugePages: Bool {
        guard let mode = try? String(contentsOfFile: "/sys/kernel/mm/transparent_hugepage/enabled", encoding: .utf8),
              mode.contains("[madvise]") else { return false }
        var text = [CChar](repeating: 0, count: 64)  // "glibc 2.36"
        guard confstr(Int32(_CS_GNU_LIBC_VERSION), &text, text.count) > 0 else { return false }
        let version = String(decoding: text.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
            .drop { $0 != " " }.dropFirst().split(separator: ".").compactMap { Int($0) }
        return version.count >= 2 && (version[0], version[1]) >= (2, 35)
    }

    @Test("a run started again with glibc's huge-page tunable prints what it prints without, and its process names the tunable")
    func hugePages() throws {
        try #require(FileManager.default.isExecutableFile(atPath: Self.binary))
        let run = ["run", "scenarios/quickstart.yaml", "--no-store", "--json", "--duration", "2m"]
        let plain = try Self.capture(run, environment: ["HEADROOM_HUGE_PAGES": "0", "GLIBC_TUNABLES": nil])
        let huge = try Self.capture(run, environment: ["HEADROOM_HUGE_PAGES": nil, "GLIBC_TUNABLES": nil])
        let users = try Self.capture(run, environment: ["HEADROOM_HUGE_PAGES": nil, "GLIBC_TUNABLES": "glibc.malloc.check=0"])
        #expect(plain.status == 0 && huge.status == 0 && users.status == 0, "\(plain.err)\(huge.err)\(users.err)")
        #expect(!plain.out.isEmpty && huge.out == plain.out && users.out == plain.out)
        guard Self.asksForHugePages else { return }
        // A long run, read from outside while it runs: the environment of its (second) image. (glibc
        // ends the variable's text in place after the first tunable it reads, which is ours.)
        for tunables in [nil, "glibc.malloc.check=0"] {
            let process = try Self.launch(["run", "scenarios/benchmark-day-kpa.yaml", "--no-store"],
                                          environment: ["HEADROOM_HUGE_PAGES": nil, "GLIBC_TUNABLES": tunables])
            defer { if process.isRunning { kill(process.processIdentifier, SIGKILL) }; process.waitUntilExit() }
            var seen: String?
            let deadline = Date().addingTimeInterval(60)
            while seen == nil && process.isRunning && Date() < deadline {
                let environ = (try? Data(contentsOf: URL(fileURLWithPath: "/proc/\(process.processIdentifier)/environ"))) ?? Data()
                seen = environ.split(separator: 0).map { String(decoding: $0, as: UTF8.self) }
                    .first { $0.hasPrefix("GLIBC_TUNABLES=glibc.malloc.hugetlb") }
                if seen == nil { usleep(10_000) }
            }
            #expect(seen?.hasPrefix("GLIBC_TUNABLES=glibc.malloc.hugetlb=1") == true, "\(seen ?? "not set")")
        }
    }
}
