import Foundation
import HeadroomEngine

/// A one-line progress indicator on stderr, only on a terminal and only once a run has taken more
/// than a second.
final class ProgressLine: Sendable {
    private let total: SimTime
    private let started = Date()
    private let enabled = isatty(2) != 0

    init(total: SimTime) { self.total = total }

    @Sendable func update(_ now: SimTime) {
        guard enabled else { return }
        let elapsed = Date().timeIntervalSince(started)
        guard elapsed > 1 else { return }
        let done = max(1e-9, now.seconds / total.seconds)
        let left = elapsed / done - elapsed
        let line = String(format: "\r  simulated %@ of %@ (%.0f%%), about %.0fs left ", now.description, total.description,
                          done * 100, left)
        FileHandle.standardError.write(Data(line.utf8))
    }

    func clear() {
        guard enabled, Date().timeIntervalSince(started) > 1 else { return }
        FileHandle.standardError.write(Data("\r\u{1B}[K".utf8))
    }
}
