import Foundation
import Headroom
import Testing
@testable import HeadroomCalibration

@Suite("CPU backend")
struct CPUBackendTests {
    /// One OpenBLAS thread: with the suite's other tests on every core, a second OpenBLAS thread
    /// waits for a core each call, and that wait (a scheduler quantum) swamps the tiny shape's work
    /// (a 512-row and a 16-row iteration both measured 27 ms). The library reads the setting when it
    /// is opened, on first use, and only this suite opens it in the test process.
    init() { setenv("OPENBLAS_NUM_THREADS", "1", 1) }

    @Test("measurements on the tiny shape are positive, finite and grow with the work (within noise)")
    func physics() throws {
        var backend = try CPUBackend(shape: ModelShapes.named("tiny")!)
        backend.repeats = 3
        let samples = backend.measureIterations(batches: [1, 16], contexts: [64, 1024], prefills: [16, 256])
        #expect(samples.count == 6)
        #expect(samples.allSatisfy { $0.seconds > 0 && $0.seconds.isFinite })
        // The work, not the wall: each iteration's CPU time on this thread (OpenBLAS runs in it,
        // with one thread), best of several, so that waits for a core (other work on a busy
        // machine) cannot invert the order. 32 sequences over 2048 cached tokens are hundreds of
        // times the attention work of one over 16, and a 512-token prefill far more than a
        // 16-token one.
        func best(_ rows: Int, _ sequences: Int, _ context: Int) -> Double {
            (0..<7).map { _ in
                let start = Self.threadCPUSeconds()
                _ = backend.iteration(rows: rows, sequences: sequences, context: context)
                return Self.threadCPUSeconds() - start
            }.min()!
        }
        #expect(best(32, 32, 2048) > best(1, 1, 16))
        #expect(best(512, 1, 512) > best(16, 1, 16))
        let fit = try IterationModelFit.fit(backend.measureIterations(batches: [1, 2, 4], contexts: [64, 256], prefills: [16, 64]))
        #expect([fit.base, fit.rSquared].allSatisfy { $0.isFinite })
    }

    /// CPU time consumed by the calling thread.
    static func threadCPUSeconds() -> Double {
        var time = timespec()
        clock_gettime(CLOCK_THREAD_CPUTIME_ID, &time)
        return Double(time.tv_sec) + Double(time.tv_nsec) / 1e9
    }

    @Test("load path: bandwidths positive, the streamed load no slower than sequential by much")
    func loadPath() throws {
        let path = try CPUBackend.loadPath(bytes: 32 << 20, chunk: 4 << 20)
        #expect(path.diskRead > 0 && (path.memoryCopy ?? 0) > 0)
        #expect(path.fileBytes == Double(32 << 20))
        #expect(path.sequentialLoadSeconds > 0 && path.streamedLoadSeconds > 0)
        #expect(path.streamedLoadSeconds < path.sequentialLoadSeconds * 2)
    }
}
