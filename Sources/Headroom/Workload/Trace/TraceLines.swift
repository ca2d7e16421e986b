import Foundation
import HeadroomEngine

/// A file's lines as byte ranges, read in 64 KiB chunks into one buffer that is reused: no
/// `String`, `Data` or array per line or per chunk, and memory flat whatever the file's length
/// (one chunk plus the line in progress).
///
/// A class because it owns the buffer and the file descriptor (freed and closed in `deinit`); one
/// reader owns it and never shares it between threads.
final class TraceLines {
    /// One line: its bytes without the `\n` (and without a `\r` before it), valid until the next
    /// call to `next()`; `complete` is false for a last line with no newline.
    struct Line {
        var bytes: UnsafeBufferPointer<UInt8>
        var complete: Bool
        var text: String { String(decoding: bytes, as: UTF8.self) }
    }

    static let chunk = 1 << 16
    let file: String
    private let descriptor: Int32
    private var storage: UnsafeMutablePointer<UInt8>
    private var capacity: Int
    /// Unread bytes are `storage[start..<end]`.
    private var start = 0
    private var end = 0
    private var finished = false
    private var pushed = false
    private var last: Line?
    /// The most bytes ever held (the unread tail plus a chunk).
    private(set) var peakBufferBytes = 0

    /// Opens `file` (already checked to be a readable regular file by `InputFile.problem`).
    init?(file: String) {
        let descriptor = open(file, O_RDONLY | O_CLOEXEC)
        guard descriptor >= 0 else { return nil }
        self.file = file
        self.descriptor = descriptor
        capacity = 2 * Self.chunk
        storage = .allocate(capacity: capacity)
    }

    deinit {
        storage.deallocate()
        close(descriptor)
    }

    /// Returns the line `next()` gave last once more (the JSON lines format's first line is both
    /// the format's evidence and its first row).
    func pushBack() { pushed = last != nil }

    /// The next line, or `nil` at the end of the file; throws on an I/O error.
    ///
    /// - Complexity: amortised O(line length) (`memchr` over the buffer).
    func next() throws(TraceError) -> Line? {
        if pushed {
            pushed = false
            return last
        }
        while true {
            if end > start, let newline = memchr(storage + start, Int32(UInt8(ascii: "\n")), end - start) {
                let index = storage.distance(to: newline.assumingMemoryBound(to: UInt8.self))
                var stop = index
                if stop > start && storage[stop - 1] == UInt8(ascii: "\r") { stop -= 1 }
                let line = Line(bytes: UnsafeBufferPointer(start: storage + start, count: stop - start), complete: true)
                start = index + 1
                last = line
                return line
            }
            if finished {
                guard end > start else { return nil }
                let line = Line(bytes: UnsafeBufferPointer(start: storage + start, count: end - start), complete: false)
                start = end
                last = line
                return line
            }
            try refill()
        }
    }

    /// Moves the unread tail to the front, then reads the next chunk after it (growing the buffer
    /// only for a line longer than a chunk).
    private func refill() throws(TraceError) {
        // `last` may point into the bytes about to move: it is only returned again by a push-back
        // right after `next()`, never across a refill.
        last = nil
        let tail = end - start
        if start > 0 {
            if tail > 0 { memmove(storage, storage + start, tail) }
            start = 0
            end = tail
        }
        if end + Self.chunk > capacity {
            let larger = UnsafeMutablePointer<UInt8>.allocate(capacity: end + 2 * Self.chunk)
            larger.update(from: storage, count: end)
            storage.deallocate()
            storage = larger
            capacity = end + 2 * Self.chunk
        }
        while true {
            let count = read(descriptor, storage + end, Self.chunk)
            if count < 0 && errno == EINTR { continue }
            guard count >= 0 else {
                throw TraceError(file: file, line: nil, message: "cannot read the file (\(String(cString: strerror(errno))))")
            }
            if count == 0 { finished = true } else { end += count }
            break
        }
        peakBufferBytes = max(peakBufferBytes, end)
    }
}
