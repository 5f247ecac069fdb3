import CKestrelKernels

/// Element-wise transcendental functions over Float buffers, y = f(x) (in place allowed),
/// dispatched to the AVX-512 / AVX2 / portable C kernels. Accurate to a few ulp; tanh and
/// sigmoid saturate cleanly at large |x|; NaN propagates. Large buffers are split across
/// `Threading.threadCount` threads.
package enum VectorMath {
    package typealias MapKernel = @convention(c) (UnsafePointer<Float>?, UnsafeMutablePointer<Float>?, Int64) -> Void

    /// Elements per parallel chunk (large enough that fork/join cost is negligible).
    package static let parallelChunk = 1 << 15

    package static func exp(_ x: UnsafePointer<Float>, _ y: UnsafeMutablePointer<Float>, count: Int) {
        map(x, y, count, kst_vexp_avx512, kst_vexp_avx2, kst_vexp_portable)
    }

    package static func log(_ x: UnsafePointer<Float>, _ y: UnsafeMutablePointer<Float>, count: Int) {
        map(x, y, count, kst_vlog_avx512, kst_vlog_avx2, kst_vlog_portable)
    }

    package static func tanh(_ x: UnsafePointer<Float>, _ y: UnsafeMutablePointer<Float>, count: Int) {
        map(x, y, count, kst_vtanh_avx512, kst_vtanh_avx2, kst_vtanh_portable)
    }

    package static func sigmoid(_ x: UnsafePointer<Float>, _ y: UnsafeMutablePointer<Float>, count: Int) {
        map(x, y, count, kst_vsigmoid_avx512, kst_vsigmoid_avx2, kst_vsigmoid_portable)
    }

    @inline(__always)
    private static func map(_ x: UnsafePointer<Float>, _ y: UnsafeMutablePointer<Float>, _ count: Int,
                            _ k512: MapKernel, _ k2: MapKernel, _ kp: MapKernel) {
        if count <= 0 { return }
        let f = CPUFeatures.pick(avx512: k512, avx2: k2, portable: kp)
        if count < 2 * parallelChunk || Threading.threadCount <= 1 {
            f(x, y, Int64(count))
            return
        }
        let chunks = (count + parallelChunk - 1) / parallelChunk
        Parallel.forEach(chunks) { i in
            let lo = i * parallelChunk
            f(x + lo, y + lo, Int64(min(parallelChunk, count - lo)))
        }
    }
}
