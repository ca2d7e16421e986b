import Foundation
import Headroom

/// Measures a transformer-shaped iteration on the CPU with OpenBLAS: per layer the QKV projection,
/// attention over each sequence's KV cache, the output projection and the MLP (up, gate, down),
/// times the layer count; plus memory-copy bandwidth, file-read throughput and a sequential vs a
/// streamed (double-buffered, read and copy overlapped on two threads) load of a weights-sized file.
public struct CPUBackend {
    public let shape: CalibratedProfile.ModelShape
    /// Repeats per configuration; the median is kept.
    public var repeats = 3
    private let headDim: Int
    private var weights: [[Float]]
    private let blas: OpenBLAS

    /// Fails when OpenBLAS cannot be opened (the message says what to install).
    public init(shape: CalibratedProfile.ModelShape) throws(CalibrationError) {
        blas = try OpenBLAS.shared()
        self.shape = shape
        headDim = shape.hidden / shape.heads
        let d = shape.hidden, kv = shape.kvHeads * (shape.hidden / shape.heads), f = shape.intermediate
        // QKV, output projection, up+gate, down: one layer's weights, reused for every layer.
        weights = [(d, d + 2 * kv), (d, d), (d, 2 * f), (f, d)].map { rows, columns in
            (0..<(rows * columns)).map { Float(($0 % 97)) * 1e-3 }
        }
    }

    /// `out[m × n] = a[m × k] · b[k × n]`, row-major.
    private func gemm(_ a: UnsafePointer<Float>, _ b: UnsafePointer<Float>, _ out: UnsafeMutablePointer<Float>, m: Int, n: Int, k: Int) {
        blas.sgemm(OpenBLAS.rowMajor, OpenBLAS.noTranspose, OpenBLAS.noTranspose, Int32(m), Int32(n), Int32(k), 1, a, Int32(k), b, Int32(n), 0,
                   out, Int32(n))
    }

    /// One iteration: `rows` new tokens spread over `sequences` sequences, each attending to `context` cached tokens.
    public func iteration(rows: Int, sequences: Int, context: Int) -> Double {
        let d = shape.hidden, kv = shape.kvHeads * headDim, f = shape.intermediate
        var x = [Float](repeating: 0.01, count: rows * d)
        var qkv = [Float](repeating: 0, count: rows * (d + 2 * kv))
        var projected = [Float](repeating: 0, count: rows * d)
        var mlp = [Float](repeating: 0, count: rows * 2 * f)
        let cache = [Float](repeating: 0.02, count: max(1, context) * headDim)
        var scores = [Float](repeating: 0, count: shape.heads * max(1, context + rows / max(1, sequences)))
        var attended = [Float](repeating: 0, count: shape.heads * headDim)
        let start = DispatchTime.now().uptimeNanoseconds
        for _ in 0..<shape.layers {
            gemm(x, weights[0], &qkv, m: rows, n: d + 2 * kv, k: d)
            // Attention, per sequence: queries of all heads against its cached keys, then values.
            let span = context + rows / max(1, sequences)
            for _ in 0..<sequences {
                qkv.withUnsafeBufferPointer { q in
                    gemm(q.baseAddress!, cache, &scores, m: shape.heads, n: max(1, min(span, context)), k: headDim)
                }
                gemm(scores, cache, &attended, m: shape.heads, n: headDim, k: max(1, min(span, context)))
            }
            gemm(x, weights[1], &projected, m: rows, n: d, k: d)
            gemm(projected, weights[2], &mlp, m: rows, n: 2 * f, k: d)
            gemm(mlp, weights[3], &x, m: rows, n: d, k: f)
        }
        return Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9
    }

    func median(_ measure: () -> Double) -> Double {
        _ = measure()  // warm-up
        let values = (0..<repeats).map { _ in measure() }.sorted()
        return values[values.count / 2]
    }

    /// Decode samples (batch × context) and prefill samples (prompt lengths), reporting progress.
    public func measureIterations(batches: [Int], contexts: [Int], prefills: [Int], progress: (Int, Int) -> Void = { _, _ in })
        -> [CalibratedProfile.Sample] {
        var samples: [CalibratedProfile.Sample] = []
        let total = batches.count * contexts.count + prefills.count
        for batch in batches {
            for context in contexts {
                let seconds = median { iteration(rows: batch, sequences: batch, context: context) }
                samples.append(.init(batch: batch, prefillTokens: 0, contextTokens: batch * context, seconds: seconds))
                progress(samples.count, total)
            }
        }
        for tokens in prefills {
            let seconds = median { iteration(rows: tokens, sequences: 1, context: tokens) }
            samples.append(.init(batch: 1, prefillTokens: tokens, contextTokens: 0, seconds: seconds))
            progress(samples.count, total)
        }
        return samples
    }

    /// Memory-copy bandwidth (bytes/s) over a buffer of `bytes`.
    public static func memoryCopy(bytes: Int) -> Double {
        let source = [UInt8](repeating: 1, count: bytes)
        var target = [UInt8](repeating: 0, count: bytes)
        var best = Double.infinity
        for _ in 0..<3 {
            let start = DispatchTime.now().uptimeNanoseconds
            target.withUnsafeMutableBytes { out in source.withUnsafeBytes { _ = memcpy(out.baseAddress!, $0.baseAddress!, bytes) } }
            best = min(best, Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9)
        }
        return Double(bytes) / best
    }

    /// Writes a weights-sized file, then measures plain reads of it and two loads into a second
    /// buffer: sequential (read all, then copy) and streamed (a reader thread and a copier thread,
    /// double-buffered chunks). The page cache is asked to drop the file first (posix_fadvise), so
    /// reads come from the disk where the OS honours it.
    public static func loadPath(bytes: Int, chunk: Int = 16 << 20, directory: String = NSTemporaryDirectory()) throws(CalibrationError)
        -> CalibratedProfile.LoadPath {
        let path = (directory as NSString).appendingPathComponent("headroom-weights-\(getpid()).bin")
        defer { unlink(path) }
        let block = [UInt8](repeating: 7, count: chunk)
        guard let out = FileHandle(forWritingAtPath: path) ?? (FileManager.default.createFile(atPath: path, contents: nil)
            ? FileHandle(forWritingAtPath: path) : nil) else { throw CalibrationError("cannot write \(path)") }
        var written = 0
        while written < bytes { out.write(Data(block)); written += chunk }
        try? out.synchronize()
        try? out.close()
        func dropCache() {
            let fd = open(path, O_RDONLY)
            if fd >= 0 { _ = posix_fadvise(fd, 0, 0, Int32(POSIX_FADV_DONTNEED)); close(fd) }
        }
        func readAll(into buffer: UnsafeMutableRawPointer) -> Double {
            dropCache()
            let fd = open(path, O_RDONLY)
            defer { close(fd) }
            let start = DispatchTime.now().uptimeNanoseconds
            var offset = 0
            while offset < written {
                let got = read(fd, buffer + offset, min(chunk, written - offset))
                if got <= 0 { break }
                offset += got
            }
            return Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9
        }
        let host = UnsafeMutableRawPointer.allocate(byteCount: written, alignment: 64)
        let device = UnsafeMutableRawPointer.allocate(byteCount: written, alignment: 64)
        defer { host.deallocate(); device.deallocate() }
        let readSeconds = readAll(into: host)
        let sequentialStart = DispatchTime.now().uptimeNanoseconds
        _ = readAll(into: host)
        memcpy(device, host, written)
        let sequential = Double(DispatchTime.now().uptimeNanoseconds - sequentialStart) / 1e9
        // Streamed: chunk i is copied while chunk i + 1 is read.
        dropCache()
        let fd = open(path, O_RDONLY)
        defer { close(fd) }
        let staging = [UnsafeMutableRawPointer.allocate(byteCount: chunk, alignment: 64), UnsafeMutableRawPointer.allocate(byteCount: chunk, alignment: 64)]
        defer { staging.forEach { $0.deallocate() } }
        let filled = [DispatchSemaphore(value: 0), DispatchSemaphore(value: 0)]
        let free = [DispatchSemaphore(value: 1), DispatchSemaphore(value: 1)]
        let total = written
        let chunks = (total + chunk - 1) / chunk
        // The reader thread gets the staging buffers as addresses (raw pointers are not Sendable).
        let addresses = staging.map { UInt(bitPattern: $0) }
        let streamStart = DispatchTime.now().uptimeNanoseconds
        let reader = Thread {
            for index in 0..<chunks {
                free[index % 2].wait()
                _ = read(fd, UnsafeMutableRawPointer(bitPattern: addresses[index % 2])!, min(chunk, total - index * chunk))
                filled[index % 2].signal()
            }
        }
        reader.start()
        for index in 0..<chunks {
            filled[index % 2].wait()
            memcpy(device + index * chunk, staging[index % 2], min(chunk, written - index * chunk))
            free[index % 2].signal()
        }
        let streamed = Double(DispatchTime.now().uptimeNanoseconds - streamStart) / 1e9
        return CalibratedProfile.LoadPath(
            diskRead: Double(written) / readSeconds, hostToDevicePageable: nil, hostToDevicePinned: nil,
            memoryCopy: memoryCopy(bytes: min(written, 256 << 20)), fileBytes: Double(written),
            sequentialLoadSeconds: sequential, streamedLoadSeconds: streamed)
    }
}
