import HeadroomCPUHints
import Testing

/// When a simulating command asks glibc for huge pages (HeadroomCPUHints.h): only where the kernel
/// gives them on request, glibc has the tunable, and nobody set it already.
@Suite("Huge pages")
struct HugePagesTests {
    static let madvise = "always [madvise] never\n"

    /// The new `GLIBC_TUNABLES`, or nil where nothing changes.
    static func tunables(_ current: String?, mode: String = madvise, glibc: String = "2.36", room: Int = 256) -> String? {
        var out = [CChar](repeating: 0, count: room)
        let changed = headroom_huge_pages_tunables(current, mode, glibc, &out, UInt(room))
        return changed != 0 ? String(decoding: out.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self) : nil
    }

    @Test("sets the tunable, before the user's own, where the kernel's mode is madvise")
    func setsIt() {
        #expect(Self.tunables(nil) == "glibc.malloc.hugetlb=1")
        #expect(Self.tunables("") == "glibc.malloc.hugetlb=1")
        #expect(Self.tunables("glibc.malloc.check=0") == "glibc.malloc.hugetlb=1:glibc.malloc.check=0")
        #expect(Self.tunables(nil, glibc: "2.35") != nil)
        #expect(Self.tunables(nil, glibc: "3.0") != nil)
    }

    @Test("leaves it: already named (the user's choice, or the second start), other modes, old or unknown glibc, no room")
    func leavesIt() {
        #expect(Self.tunables("glibc.malloc.hugetlb=0") == nil)
        #expect(Self.tunables("glibc.malloc.hugetlb=1:glibc.malloc.check=0") == nil)
        #expect(Self.tunables("glibc.malloc.check=0:glibc.malloc.hugetlb=1") == nil)
        #expect(Self.tunables(nil, mode: "[always] madvise never\n") == nil)
        #expect(Self.tunables(nil, mode: "always madvise [never]\n") == nil)
        #expect(Self.tunables(nil, glibc: "2.34") == nil)
        #expect(Self.tunables(nil, glibc: "1.99") == nil)
        #expect(Self.tunables(nil, glibc: "unknown") == nil)
        #expect(Self.tunables(nil, room: 22) == nil)  // "glibc.malloc.hugetlb=1" and its NUL need 23
        #expect(Self.tunables(nil, room: 23) == "glibc.malloc.hugetlb=1")
    }
}
