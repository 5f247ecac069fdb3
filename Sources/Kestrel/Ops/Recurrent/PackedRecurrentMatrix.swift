import CKestrelKernels

/// A recurrent weight block packed once per call into the GEMM micro-kernel's column panels.
/// Every time step multiplies a small block of states by the same matrix; packing it once
/// lets each step's product read it contiguously and pack only the few state rows, on the
/// calling thread (batch chunks run these products concurrently without synchronising).
final class PackedRecurrentMatrix {
    let k: Int
    let n: Int
    private let kernel: Gemm.Kernel
    private let panels: FloatBuffer

    /// B is k × n with element (p, j) at `b[p * rowStride + j * columnStride]`
    /// (a transposed view has rowStride 1).
    init(_ b: UnsafePointer<Float>, rowStride: Int, columnStride: Int, k: Int, n: Int) {
        kernel = Gemm.kernel(for: CPUFeatures.activeISA)
        self.k = k
        self.n = n
        panels = FloatBuffer((n + kernel.nr - 1) / kernel.nr * kernel.nr * k)
        kst_sgemm_pack_b(kernel.simd, Int64(kernel.nr), b, Int64(rowStride), Int64(columnStride), Int64(k), Int64(n), panels.p)
    }

    /// Scratch floats a caller needs to pack up to `rows` rows of A.
    func packedSize(rows: Int) -> Int { (rows + kernel.mr - 1) / kernel.mr * kernel.mr * k }

    /// C (m × n, row stride ldc) = A (m × k, row stride lda) · B + beta · C.
    func multiply(_ a: UnsafePointer<Float>, lda: Int, m: Int, into c: UnsafeMutablePointer<Float>, ldc: Int,
                  beta: Float, scratch: UnsafeMutablePointer<Float>) {
        let (mr, nr, k, n) = (kernel.mr, kernel.nr, self.k, self.n)
        kst_sgemm_pack_a(kernel.simd, Int64(mr), a, Int64(lda), 1, Int64(m), Int64(k), scratch)
        var ir = 0
        while ir < m {
            let rows = Int64(Swift.min(mr, m - ir))
            var jr = 0
            while jr < n {
                kernel.ukr(Int64(k), scratch + ir * k, panels.p + jr * k, Int64(nr), c + ir * ldc + jr, Int64(ldc),
                           1, beta, rows, Int64(Swift.min(nr, n - jr)))
                jr += nr
            }
            ir += mr
        }
    }
}
