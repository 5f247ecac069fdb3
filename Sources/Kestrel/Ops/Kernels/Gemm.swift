import CKestrelKernels
import Foundation
import Synchronization

/// Single-precision GEMM for Kestrel: row-major C = alpha * op(A) * op(B) + beta * C.
///
/// Goto/BLIS-style: op(A) is packed into MR-row micro-panels (the micro-panel, kc x MR, stays in
/// L1), op(B) into NR-column micro-panels (a kc x NC block stays in L2), and an MR x NR register
/// tile is computed by a C/SIMD micro-kernel (AVX-512 12x32, AVX2 6x16, portable 4x16). For
/// multi-threading C is split into a grid of independent sub-blocks, one per thread, each run
/// with its own packing buffers (no barriers: only the final join). Small problems (few rows,
/// non-transposed B) skip packing B and read it in place. Packing buffers come from a pool and
/// are reused, so steady-state calls do not allocate. Public so that benchmarks and callers
/// outside the module can use it like a BLAS sgemm.
public enum Gemm {
    /// Cache blocking: KC (depth of a packed panel: 12 x 384 floats of A = 18 KiB in the 32 KiB
    /// L1d), NC (columns of the packed B block: 384 x 512 floats = 768 KiB in the 1 MiB L2),
    /// MC (rows of the packed A block, L3 resident: 1536 x 384 floats = 2.25 MiB).
    static let kc = 384
    static let nc = 512
    static let mc = 1536
    /// Below this many multiply-adds (m*n*k) a call runs on one thread.
    static let parallelThreshold = 1 << 18
    /// Sub-blocks with at most this many rows read a non-transposed B in place (no packing).
    static let directBMaxRows = 96

    typealias MicroKernel = @convention(c) (Int64, UnsafePointer<Float>?, UnsafePointer<Float>?, Int64,
                                            UnsafeMutablePointer<Float>?, Int64, Float, Float, Int64, Int64) -> Void

    struct Kernel {
        let mr: Int
        let nr: Int
        let ukr: MicroKernel
        /// 1 when the packing routines may use AVX2 transposes.
        let simd: Int32
    }

    @inline(__always)
    static func kernel(for isa: KernelISA) -> Kernel {
        switch isa {
        case .avx512: return Kernel(mr: Int(KST_AVX512_MR), nr: Int(KST_AVX512_NR), ukr: kst_sgemm_ukr_avx512, simd: 1)
        case .avx2: return Kernel(mr: Int(KST_AVX2_MR), nr: Int(KST_AVX2_NR), ukr: kst_sgemm_ukr_avx2, simd: 1)
        case .portable: return Kernel(mr: Int(KST_PORTABLE_MR), nr: Int(KST_PORTABLE_NR), ukr: kst_sgemm_ukr_portable, simd: 0)
        }
    }

    /// C = alpha * op(A) * op(B) + beta * C, all row-major.
    /// op(A) is m x k: A is stored m x k (row stride lda) or, if transA, k x m.
    /// op(B) is k x n: B is stored k x n (row stride ldb) or, if transB, n x k.
    /// C is m x n with row stride ldc. beta == 0 overwrites C without reading it.
    public static func sgemm(transA: Bool, transB: Bool, m: Int, n: Int, k: Int, alpha: Float,
                      a: UnsafePointer<Float>, lda: Int, b: UnsafePointer<Float>, ldb: Int,
                      beta: Float, c: UnsafeMutablePointer<Float>, ldc: Int) {
        precondition(m >= 0 && n >= 0 && k >= 0, "sgemm: negative size")
        precondition(ldc >= max(1, n), "sgemm: ldc < n")
        precondition(lda >= max(1, transA ? m : k), "sgemm: lda too small")
        precondition(ldb >= max(1, transB ? k : n), "sgemm: ldb too small")
        if m == 0 || n == 0 { return }
        if k == 0 || alpha == 0 {
            if beta != 1 { kst_scale_matrix(c, Int64(ldc), Int64(m), Int64(n), beta) }
            return
        }
        let ker = kernel(for: CPUFeatures.activeISA)
        let p = Problem(transA: transA, transB: transB, k: k, alpha: alpha, a: a, lda: lda,
                        b: b, ldb: ldb, beta: beta, c: c, ldc: ldc, ker: ker)

        var threads = Threading.threadCount
        if m * n * k < parallelThreshold { threads = 1 }
        // Grid tm x tn of sub-blocks; prefer splitting the longer side, in whole tiles.
        let mTiles = (m + ker.mr - 1) / ker.mr, nTiles = (n + ker.nr - 1) / ker.nr
        threads = min(threads, mTiles * nTiles)
        if threads <= 1 {
            let buf = PackBufferPool.shared.take()
            p.run(rows: 0..<m, cols: 0..<n, buf: buf)
            PackBufferPool.shared.give(buf)
            return
        }
        var best = (tm: 1, tn: threads, cost: Double.infinity)
        for tm in 1...threads where threads % tm == 0 {
            let tn = threads / tm
            if tm > mTiles || tn > nTiles { continue }
            // Per-thread tile area (rounded up to whole tiles) plus a small packing-cost term.
            let rm = Double((mTiles + tm - 1) / tm * ker.mr), rn = Double((nTiles + tn - 1) / tn * ker.nr)
            let cost = rm * rn * Double(k) * 2 + (rm + rn) * Double(k) * 8
            if cost < best.cost { best = (tm, tn, cost) }
        }
        let tm = best.tm, tn = best.tn
        Parallel.forEach(tm * tn, threads: tm * tn) { t in
            let bi = t / tn, bj = t % tn
            let r0 = (mTiles * bi / tm) * ker.mr, r1 = min(m, (mTiles * (bi + 1) / tm) * ker.mr)
            let c0 = (nTiles * bj / tn) * ker.nr, c1 = min(n, (nTiles * (bj + 1) / tn) * ker.nr)
            if r0 >= r1 || c0 >= c1 { return }
            let buf = PackBufferPool.shared.take()
            p.run(rows: r0..<r1, cols: c0..<c1, buf: buf)
            PackBufferPool.shared.give(buf)
        }
    }

    /// One call's operands; `run` computes a rectangular sub-block of C on the calling thread.
    struct Problem {
        let transA: Bool, transB: Bool
        let k: Int
        let alpha: Float
        let a: UnsafePointer<Float>, lda: Int
        let b: UnsafePointer<Float>, ldb: Int
        let beta: Float
        let c: UnsafeMutablePointer<Float>, ldc: Int
        let ker: Kernel

        func run(rows: Range<Int>, cols: Range<Int>, buf: PackBuffers) {
            let mr = ker.mr, nr = ker.nr, ukr = ker.ukr
            let aRS = transA ? 1 : lda, aCS = transA ? lda : 1
            let bRS = transB ? 1 : ldb, bCS = transB ? ldb : 1
            let directB = !transB && rows.count <= Gemm.directBMaxRows
            let ap = buf.a, bp = buf.b
            // Balanced depth blocks of at most KC.
            let kBlocks = (k + Gemm.kc - 1) / Gemm.kc
            let kcStep = (k + kBlocks - 1) / kBlocks
            // Balanced column blocks of at most NC columns (whole micro-panels).
            let nBlocks = (cols.count + Gemm.nc - 1) / Gemm.nc
            let ncStep = ((cols.count + nBlocks - 1) / nBlocks + nr - 1) / nr * nr
            // Balanced row blocks of at most MC rows (whole micro-panels).
            let mBlocks = (rows.count + Gemm.mc - 1) / Gemm.mc
            let mcStep = ((rows.count + mBlocks - 1) / mBlocks + mr - 1) / mr * mr
            var ic = rows.lowerBound
            while ic < rows.upperBound {
                let mcur = min(mcStep, rows.upperBound - ic)
                var pc = 0
                while pc < k {
                    let kcur = min(kcStep, k - pc)
                    let betaEff: Float = pc == 0 ? beta : 1
                    kst_sgemm_pack_a(ker.simd, Int64(mr), a + ic * aRS + pc * aCS, Int64(aRS), Int64(aCS),
                                     Int64(mcur), Int64(kcur), ap)
                    var jc = cols.lowerBound
                    while jc < cols.upperBound {
                        let ncur = min(ncStep, cols.upperBound - jc)
                        let bBase: UnsafePointer<Float>
                        let bStride: Int, bPanelStep: Int
                        if directB {
                            bBase = b + pc * ldb + jc
                            bStride = ldb
                            bPanelStep = nr
                        } else {
                            kst_sgemm_pack_b(ker.simd, Int64(nr), b + pc * bRS + jc * bCS, Int64(bRS), Int64(bCS),
                                             Int64(kcur), Int64(ncur), bp)
                            bBase = UnsafePointer(bp)
                            bStride = nr
                            bPanelStep = nr * kcur
                        }
                        var ir = 0
                        while ir < mcur {
                            let mrr = min(mr, mcur - ir)
                            let apan = UnsafePointer(ap + ir * kcur)
                            let crow = c + (ic + ir) * ldc + jc
                            var jr = 0, q = 0
                            while jr < ncur {
                                let nrr = min(nr, ncur - jr)
                                ukr(Int64(kcur), apan, bBase + q * bPanelStep, Int64(bStride),
                                    crow + jr, Int64(ldc), alpha, betaEff, Int64(mrr), Int64(nrr))
                                jr += nr
                                q += 1
                            }
                            ir += mr
                        }
                        jc += ncur
                    }
                    pc += kcur
                }
                ic += mcur
            }
        }
    }
}

/// Per-thread packing workspace (64-byte aligned), sized for the largest micro-kernel shape.
final class PackBuffers: @unchecked Sendable {
    let a: UnsafeMutablePointer<Float>
    let b: UnsafeMutablePointer<Float>

    init() {
        let maxMR = 16, maxNR = 32
        let aCount = (Gemm.mc + maxMR) * Gemm.kc
        let bCount = Gemm.kc * (Gemm.nc + maxNR)
        var pa: UnsafeMutableRawPointer? = nil, pb: UnsafeMutableRawPointer? = nil
        guard posix_memalign(&pa, 64, aCount * MemoryLayout<Float>.stride) == 0,
              posix_memalign(&pb, 64, bCount * MemoryLayout<Float>.stride) == 0,
              let ra = pa, let rb = pb else { fatalError("Gemm: cannot allocate packing buffers") }
        a = ra.bindMemory(to: Float.self, capacity: aCount)
        b = rb.bindMemory(to: Float.self, capacity: bCount)
    }

    deinit {
        free(a)
        free(b)
    }
}

/// Thread-safe free list of packing workspaces: a call takes one per concurrently running
/// sub-block and gives it back, so the steady state allocates nothing.
final class PackBufferPool: @unchecked Sendable {
    static let shared = PackBufferPool()
    private let free = Mutex<[PackBuffers]>([])

    func take() -> PackBuffers {
        if let b = free.withLock({ $0.popLast() }) { return b }
        return PackBuffers()
    }

    func give(_ b: PackBuffers) {
        free.withLock { $0.append(b) }
    }
}
