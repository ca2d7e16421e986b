#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// OpenBLAS, opened with `dlopen` the first time a calibration needs it, never linked into the
/// binary. The library's constructor starts its worker threads at load time, and they spin before
/// they sleep: linked, every command paid for them, including `run` and `sweep` that never
/// calibrate (a short run's CPU time doubled, and more so with many cores). Only the two routines
/// used here are looked up.
struct OpenBLAS: @unchecked Sendable {
    /// `cblas_sgemm(order, transA, transB, M, N, K, alpha, A, lda, B, ldb, beta, C, ldc)`.
    typealias SGEMM = @convention(c) (
        Int32, Int32, Int32, Int32, Int32, Int32, Float, UnsafePointer<Float>?, Int32, UnsafePointer<Float>?, Int32, Float,
        UnsafeMutablePointer<Float>?, Int32
    ) -> Void
    /// LAPACK's Fortran `dgels_` (Debian builds OpenBLAS without LAPACKE), with the hidden trailing
    /// length of the `trans` string.
    typealias DGELS = @convention(c) (
        UnsafePointer<CChar>?, UnsafePointer<Int32>?, UnsafePointer<Int32>?, UnsafePointer<Int32>?, UnsafeMutablePointer<Double>?,
        UnsafePointer<Int32>?, UnsafeMutablePointer<Double>?, UnsafePointer<Int32>?, UnsafeMutablePointer<Double>?,
        UnsafePointer<Int32>?, UnsafeMutablePointer<Int32>?, Int
    ) -> Void

    /// CBLAS's enum values (`cblas.h`): row-major storage, no transpose.
    static let rowMajor: Int32 = 101, noTranspose: Int32 = 111

    let sgemm: SGEMM
    let dgels: DGELS

    /// The library, opened once per process; the error says what to install when it is missing.
    static func shared() throws(CalibrationError) -> OpenBLAS { try loaded.get() }

    /// The sonames tried in order: Debian's runtime package, the development symlink, macOS.
    static let names = ["libopenblas.so.0", "libopenblas.so", "libopenblas.dylib"]

    private static let loaded: Result<OpenBLAS, CalibrationError> = open()

    private static func open() -> Result<OpenBLAS, CalibrationError> {
        guard let handle = names.lazy.compactMap({ dlopen($0, RTLD_NOW | RTLD_LOCAL) }).first else {
            return .failure(CalibrationError("OpenBLAS is not installed (tried \(names.joined(separator: ", "))); "
                                             + "install it, e.g. `apt install libopenblas0`"))
        }
        guard let sgemm = dlsym(handle, "cblas_sgemm"), let dgels = dlsym(handle, "dgels_") else {
            return .failure(CalibrationError("the OpenBLAS found lacks cblas_sgemm or dgels_; install Debian's libopenblas0"))
        }
        return .success(OpenBLAS(sgemm: unsafeBitCast(sgemm, to: SGEMM.self), dgels: unsafeBitCast(dgels, to: DGELS.self)))
    }
}
