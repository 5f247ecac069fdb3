import CKestrelKernels

/// What the softmax and normalization ops do to one contiguous row of floats: the softmax
/// in place through the C kernels (`kst_softmax_row_*`), and sums taken in four interleaved
/// partial sums (independent additions the CPU overlaps; deterministic for a given length).
package enum RowMath {
    package typealias SoftmaxKernel = @convention(c) (UnsafeMutablePointer<Float>?, Int64) -> Void

    /// The row softmax for the active instruction set.
    package static var softmaxKernel: SoftmaxKernel {
        CPUFeatures.pick(avx512: kst_softmax_row_avx512, avx2: kst_softmax_row_avx2, portable: kst_softmax_row_portable)
    }

    /// e^(x − max) / Σ of the row, in place, on the calling thread.
    @inline(__always)
    package static func softmax(_ x: UnsafeMutablePointer<Float>, count n: Int) {
        softmaxKernel(x, Int64(n))
    }

    @inline(__always)
    package static func sum(_ x: UnsafePointer<Float>, count n: Int) -> Float {
        reduce(n) { x[$0] }
    }

    /// Σ x·y.
    @inline(__always)
    package static func dot(_ x: UnsafePointer<Float>, _ y: UnsafePointer<Float>, count n: Int) -> Float {
        reduce(n) { x[$0] * y[$0] }
    }

    /// Σ (x − c)².
    @inline(__always)
    package static func squaredDeviation(_ x: UnsafePointer<Float>, from c: Float, count n: Int) -> Float {
        reduce(n) { (x[$0] - c) * (x[$0] - c) }
    }

    @inline(__always)
    private static func reduce(_ n: Int, _ term: (Int) -> Float) -> Float {
        var (s0, s1, s2, s3): (Float, Float, Float, Float) = (0, 0, 0, 0)
        var i = 0
        while i + 4 <= n {
            s0 += term(i); s1 += term(i + 1); s2 += term(i + 2); s3 += term(i + 3)
            i += 4
        }
        while i < n { s0 += term(i); i += 1 }
        return (s0 + s1) + (s2 + s3)
    }
}
