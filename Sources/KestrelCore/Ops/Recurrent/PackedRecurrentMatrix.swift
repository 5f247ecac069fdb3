import CKestrelKernels

/// A recurrent weight block packed once per call into the GEMM micro-kernel's column panels.
/// Every time step multiplies a small block of states by the same matrix; packing it once
/// lets each step's product read it contiguously and pack only the few state rows, on the
/// calling thread (batch chunks run these products concurrently without synchronising).
///
/// The block may be two matrices stacked along k, [B1; B2], multiplied by the rows [A1, A2]
/// side by side: inference uses this to compute x_t·W + h·U as one product per step.
package final class PackedRecurrentMatrix {
    package let k: Int
    package let n: Int
    /// Rows of the first stacked block (k when there is one block).
    private let k1: Int
    private let kernel: Gemm.Kernel
    private let panels: FloatBuffer

    /// B is k × n with element (p, j) at `b[p * rowStride + j * columnStride]`
    /// (a transposed view has rowStride 1).
    package convenience init(_ b: UnsafePointer<Float>, rowStride: Int, columnStride: Int, k: Int, n: Int) {
        self.init(stacking: (b, rowStride, columnStride, k), nil, n: n)
    }

    /// [B1; B2]: B1 is k1 × n and B2 is k2 × n, both row-major with their own row strides.
    package convenience init(stacking b1: UnsafePointer<Float>, rowStride ld1: Int, k1: Int,
                     over b2: UnsafePointer<Float>, rowStride ld2: Int, k2: Int, n: Int) {
        self.init(stacking: (b1, ld1, 1, k1), (b2, ld2, 1, k2), n: n)
    }

    private init(stacking top: (UnsafePointer<Float>, Int, Int, Int), _ bottom: (UnsafePointer<Float>, Int, Int, Int)?, n: Int) {
        kernel = Gemm.kernel(for: CPUFeatures.activeISA)
        k1 = top.3
        k = top.3 + (bottom?.3 ?? 0)
        self.n = n
        let nr = kernel.nr
        panels = FloatBuffer((n + nr - 1) / nr * nr * k)
        var jr = 0
        while jr < n {
            let cols = Int64(Swift.min(nr, n - jr)), panel = panels.p + jr * k
            kst_sgemm_pack_b(kernel.simd, Int64(nr), top.0 + jr * top.2, Int64(top.1), Int64(top.2), Int64(k1), cols, panel)
            if let bottom {
                kst_sgemm_pack_b(kernel.simd, Int64(nr), bottom.0 + jr * bottom.2, Int64(bottom.1), Int64(bottom.2),
                                 Int64(bottom.3), cols, panel + k1 * nr)
            }
            jr += nr
        }
    }

    /// Scratch floats a caller needs to pack up to `rows` rows of A.
    package func packedSize(rows: Int) -> Int { (rows + kernel.mr - 1) / kernel.mr * kernel.mr * k }

    /// How m rows split into panels: `full` panels of MR rows, then the rest in panels of the
    /// short kernel's height where that wastes fewer rows (with 6 and 4: 32 = 4·6 + 2·4, not
    /// 6·6 with four empty rows). Never needs more scratch than MR-row panels alone.
    private func split(_ m: Int) -> (full: Int, shortRows: Int) {
        let mr = kernel.mr
        guard let short = kernel.short?.mr else { return ((m + mr - 1) / mr, 0) }
        let q = m / mr, r = m % mr
        if r == 0 { return (q, 0) }
        if q > 0 && r + mr <= 2 * short { return (q - 1, r + mr) }
        if r <= short { return (q, r) }
        return (q + 1, 0)
    }

    /// C (m × n, row stride ldc) = A (m × k, row stride lda) · B + beta · C.
    package func multiply(_ a: UnsafePointer<Float>, lda: Int, m: Int, into c: UnsafeMutablePointer<Float>, ldc: Int,
                  beta: Float, scratch: UnsafeMutablePointer<Float>) {
        let (full, shortRows) = split(m)
        let fullRows = Swift.min(m, full * kernel.mr)
        kst_sgemm_pack_a(kernel.simd, Int64(kernel.mr), a, Int64(lda), 1, Int64(fullRows), Int64(k), scratch)
        if shortRows > 0, let short = kernel.short {
            kst_sgemm_pack_a(kernel.simd, Int64(short.mr), a + fullRows * lda, Int64(lda), 1, Int64(shortRows), Int64(k),
                             scratch + fullRows * k)
        }
        run(m: m, into: c, ldc: ldc, beta: beta, packed: scratch)
    }

    /// C = [A1, A2] · [B1; B2] + beta · C, for a matrix made with `init(stacking:…)`;
    /// A1 is m × k1 and A2 is m × k2, each with its own row stride.
    package func multiply(_ a1: UnsafePointer<Float>, lda1: Int, then a2: UnsafePointer<Float>, lda2: Int, m: Int,
                  into c: UnsafeMutablePointer<Float>, ldc: Int, beta: Float, scratch: UnsafeMutablePointer<Float>) {
        let (k, k1) = (self.k, self.k1)
        forEachPanel(m) { ir, rows, height, _ in
            let panel = scratch + ir * k
            kst_sgemm_pack_a(kernel.simd, Int64(height), a1 + ir * lda1, Int64(lda1), 1, Int64(rows), Int64(k1), panel)
            kst_sgemm_pack_a(kernel.simd, Int64(height), a2 + ir * lda2, Int64(lda2), 1, Int64(rows), Int64(k - k1),
                             panel + k1 * height)
        }
        run(m: m, into: c, ldc: ldc, beta: beta, packed: scratch)
    }

    /// Calls `body(first row, rows, panel height, kernel)` for each panel of `split(m)`.
    @inline(__always)
    private func forEachPanel(_ m: Int, _ body: (Int, Int, Int, Gemm.MicroKernel) -> Void) {
        let (full, shortRows) = split(m)
        let mr = kernel.mr
        var ir = 0
        for _ in 0..<full where ir < m {
            body(ir, Swift.min(mr, m - ir), mr, kernel.ukr)
            ir += mr
        }
        if let short = kernel.short {
            while ir < m && shortRows > 0 {
                body(ir, Swift.min(short.mr, m - ir), short.mr, short.ukr)
                ir += short.mr
            }
        }
    }

    private func run(m: Int, into c: UnsafeMutablePointer<Float>, ldc: Int, beta: Float, packed: UnsafeMutablePointer<Float>) {
        let (nr, k, n) = (kernel.nr, self.k, self.n)
        forEachPanel(m) { ir, rows, _, ukr in
            var jr = 0
            while jr < n {
                ukr(Int64(k), packed + ir * k, panels.p + jr * k, Int64(nr), c + ir * ldc + jr, Int64(ldc),
                    1, beta, Int64(rows), Int64(Swift.min(nr, n - jr)))
                jr += nr
            }
        }
    }
}
