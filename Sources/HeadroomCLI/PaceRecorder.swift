import Foundation
import Headroom
import HeadroomEngine
import Synchronization

/// Collects `RunPace` marks from the run's progress calls: wall time and resident memory the
/// first time the run reaches each multiple of `every` (the run calls back every 65,536 events).
final class PaceRecorder: Sendable {
    private let every: SimTime
    private let started = Date()
    private let state = Mutex<(next: SimTime, marks: [RunPace.Mark])>((.zero, []))

    init(every: SimTime) {
        self.every = every
        state.withLock { $0.next = every }
    }

    @Sendable func update(_ now: SimTime) {
        state.withLock { state in
            guard now >= state.next else { return }
            state.marks.append(.init(simulated: state.next, wallSeconds: Date().timeIntervalSince(started),
                                     residentMegabytes: Self.residentMegabytes()))
            while state.next <= now { state.next = state.next + every }
        }
    }

    /// The marks so far, plus one at the run's end.
    func marks(endingAt horizon: SimTime, wallSeconds: Double) -> [RunPace.Mark] {
        state.withLock { $0.marks } + [.init(simulated: horizon, wallSeconds: wallSeconds, residentMegabytes: Self.residentMegabytes())]
    }

    /// Resident memory now (Linux: `/proc/self/statm`'s second field, in pages); nil elsewhere.
    static func residentMegabytes() -> Double? {
        guard let text = try? String(contentsOfFile: "/proc/self/statm", encoding: .utf8) else { return nil }
        let fields = text.split(separator: " ")
        guard fields.count > 1, let pages = Double(fields[1]) else { return nil }
        return pages * Double(sysconf(Int32(_SC_PAGESIZE))) / 1_048_576
    }
}
