import Foundation
import Headroom
import Testing
@testable import HeadroomCalibration

@Suite("CPU backend")
struct CPUBackendTests {
    @Test("measurements on the tiny shape are positive, finite and grow with the work (within noise)")
    func physics() throws {
        var backend = CPUBackend(shape: ModelShapes.named("tiny")!)
        backend.repeats = 3
        let samples = backend.measureIterations(batches: [1, 16], contexts: [64, 1024], prefills: [16, 256])
        #expect(samples.count == 6)
        #expect(samples.allSatisfy { $0.seconds > 0 && $0.seconds.isFinite })
        func time(_ batch: Int, _ context: Int) -> Double { samples.first { $0.batch == batch && $0.contextTokens == batch * context }!.seconds }
        // Sixteen sequences with a 1024-token context are far more work than one with 64.
        #expect(time(16, 1024) > time(1, 64))
        let prefill = samples.filter { $0.prefillTokens > 0 }.sorted { $0.prefillTokens < $1.prefillTokens }
        #expect(prefill[1].seconds > prefill[0].seconds)
        let fit = try IterationModelFit.fit(backend.measureIterations(batches: [1, 2, 4], contexts: [64, 256], prefills: [16, 64]))
        #expect([fit.base, fit.rSquared].allSatisfy { $0.isFinite })
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
