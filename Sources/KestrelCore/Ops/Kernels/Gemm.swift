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
    /// L1d), NC (columns of the packed B block, from the L2 size read at startup: the KC x NC
    /// block takes at most 3/4 of one core's L2, so 512 columns = 768 KiB in a 1 MiB L2 and 256
    /// in a 512 KiB one), MC (rows of the packed A block, L3 resident: 1536 x 384 floats = 2.25 MiB).
    package static let kc = 384
    package static let nc: Int = {
        let columns = CPUFeatures.l2CacheBytes * 3 / 4 / (kc * MemoryLayout<Float>.stride)
        return Swift.max(64, Swift.min(1024, columns / 32 * 32))
    }()
    package static let mc = 1536
    /// Multi-threaded schedule. false (default): C is split into one independent sub-block per
    /// thread, a single join per call. true (`KESTREL_GEMM_SCHEDULE=strips`): shared packed A and
    /// dynamically claimed column strips (more barriers; better if cores run at unequal speed,
    /// worse when another process competes for a core). Measured equal on a quiet machine.
    nonisolated(unsafe) static var useStrips: Bool =
        ProcessInfo.processInfo.environment["KESTREL_GEMM_SCHEDULE"] == "strips"
    /// Below this many multiply-adds (m*n*k) a call runs on one thread.
    package static let parallelThreshold = 1 << 18
    /// Sub-blocks with at most this many rows read a non-transposed B in place (no packing).
    package static let directBMaxRows = 96

    package typealias MicroKernel = @convention(c) (Int64, UnsafePointer<Float>?, UnsafePointer<Float>?, Int64,
                                            UnsafeMutablePointer<Float>?, Int64, Float, Float, Int64, Int64) -> Void

    package struct Kernel {
        package let mr: Int
        package let nr: Int
        package let ukr: MicroKernel
        /// 1 when the packing routines may use AVX2 transposes.
        package let simd: Int32
        /// A kernel for shorter panels (AVX2: 4 rows), for small products whose rows would
        /// leave most of a last MR-row panel empty.
        package var short: (mr: Int, ukr: MicroKernel)? = nil
    }

    @inline(__always)
    package static func kernel(for isa: KernelISA) -> Kernel {
        switch isa {
        case .avx512: return Kernel(mr: Int(KST_AVX512_MR), nr: Int(KST_AVX512_NR), ukr: kst_sgemm_ukr_avx512, simd: 1)
        case .avx2: return Kernel(mr: Int(KST_AVX2_MR), nr: Int(KST_AVX2_NR), ukr: kst_sgemm_ukr_avx2, simd: 1,
                                  short: (4, kst_sgemm_ukr_avx2_4))
        case .portable: return Kernel(mr: Int(KST_PORTABLE_MR), nr: Int(KST_PORTABLE_NR), ukr: kst_sgemm_ukr_portable, simd: 0)
        }
    }

    /// C = alpha * op(A) * op(B) + beta * C, all row-major.
    /// op(A) is m x k: A is stored m x k (row stride lda) or, if transA, k x m.
    /// op(B) is k x n: B is stored k x n (row stride ldb) or, if transB, n x k.
    /// C is m x n with row stride ldc. beta == 0 overwrites C without reading it.
    /// `serial` keeps it on the calling thread (for callers that already run one product
    /// per worker).
    public static func sgemm(transA: Bool, transB: Bool, m: Int, n: Int, k: Int, alpha: Float,
                      a: UnsafePointer<Float>, lda: Int, b: UnsafePointer<Float>, ldb: Int,
                      beta: Float, c: UnsafeMutablePointer<Float>, ldc: Int, serial: Bool = false) {
        checkedPrecondition(m >= 0 && n >= 0 && k >= 0, "sgemm: negative size")
        checkedPrecondition(ldc >= n, "sgemm: ldc < n")
        checkedPrecondition(lda >= (transA ? m : k), "sgemm: lda too small")
        checkedPrecondition(ldb >= (transB ? k : n), "sgemm: ldb too small")
        if m == 0 || n == 0 { return }
        if k == 0 || alpha == 0 {
            if beta != 1 { kst_scale_matrix(c, Int64(ldc), Int64(m), Int64(n), beta) }
            return
        }
        let ker = kernel(for: CPUFeatures.activeISA)
        let p = Problem(transA: transA, transB: transB, k: k, alpha: alpha, a: a, lda: lda,
                        b: b, ldb: ldb, beta: beta, c: c, ldc: ldc, ker: ker)

        var threads = Threading.threadCount
        if serial || m * n * k < parallelThreshold { threads = 1 }
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
        if useStrips && tm == 1 && nTiles >= 2 * threads && !(p.directB(rows: m)) {
            // Enough columns: share one packed A block and hand out column strips dynamically.
            p.runStrips(m: m, n: n, threads: threads)
            return
        }
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
    package struct Problem {
        package let transA: Bool, transB: Bool
        package let k: Int
        package let alpha: Float
        package let a: UnsafePointer<Float>, lda: Int
        package let b: UnsafePointer<Float>, ldb: Int
        package let beta: Float
        package let c: UnsafeMutablePointer<Float>, ldc: Int
        package let ker: Kernel

        /// True when a sub-block with this many rows reads B in place instead of packing it.
        @inline(__always)
        package func directB(rows: Int) -> Bool { !transB && rows <= Gemm.directBMaxRows }

        /// Depth blocking: balanced blocks of at most KC.
        @inline(__always)
        package var kcStep: Int {
            let kBlocks = (k + Gemm.kc - 1) / Gemm.kc
            return (k + kBlocks - 1) / kBlocks
        }

        /// Balanced blocks of at most `limit` (a multiple of `unit`) covering `count`.
        @inline(__always)
        package static func step(_ count: Int, limit: Int, unit: Int) -> Int {
            let blocks = (count + limit - 1) / limit
            return ((count + blocks - 1) / blocks + unit - 1) / unit * unit
        }

        /// Packs rows ic..<ic+mcur, depth pc..<pc+kcur of op(A) into `dst` (MR micro-panels).
        @inline(__always)
        package func packA(ic: Int, mcur: Int, pc: Int, kcur: Int, dst: UnsafeMutablePointer<Float>) {
            let aRS = transA ? 1 : lda, aCS = transA ? lda : 1
            kst_sgemm_pack_a(ker.simd, Int64(ker.mr), a + ic * aRS + pc * aCS, Int64(aRS), Int64(aCS),
                             Int64(mcur), Int64(kcur), dst)
        }

        /// Macro-kernel: C[ic..<ic+mcur, jc..<jc+ncur] (+)= packed A block x B block, where
        /// B micro-panel q starts at bBase + q * bPanelStep and has row stride bStride.
        @inline(__always)
        package func macro(ap: UnsafeMutablePointer<Float>, mcur: Int, kcur: Int, bBase: UnsafePointer<Float>,
                   bStride: Int, bPanelStep: Int, ic: Int, jc: Int, ncur: Int, beta betaEff: Float) {
            let mr = ker.mr, nr = ker.nr, ukr = ker.ukr
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
        }

        /// Computes the sub-block rows x cols of C on the calling thread.
        package func run(rows: Range<Int>, cols: Range<Int>, buf: PackBuffers) {
            let nr = ker.nr
            let bRS = transB ? 1 : ldb, bCS = transB ? ldb : 1
            let direct = directB(rows: rows.count)
            let ap = buf.a, bp = buf.b
            let kcStep = self.kcStep
            let mcStep = Problem.step(rows.count, limit: Gemm.mc, unit: ker.mr)
            let ncStep = Problem.step(cols.count, limit: Gemm.nc, unit: nr)
            var ic = rows.lowerBound
            while ic < rows.upperBound {
                let mcur = min(mcStep, rows.upperBound - ic)
                var pc = 0
                while pc < k {
                    let kcur = min(kcStep, k - pc)
                    let betaEff: Float = pc == 0 ? beta : 1
                    packA(ic: ic, mcur: mcur, pc: pc, kcur: kcur, dst: ap)
                    var jc = cols.lowerBound
                    while jc < cols.upperBound {
                        let ncur = min(ncStep, cols.upperBound - jc)
                        if direct {
                            macro(ap: ap, mcur: mcur, kcur: kcur, bBase: b + pc * ldb + jc, bStride: ldb,
                                  bPanelStep: nr, ic: ic, jc: jc, ncur: ncur, beta: betaEff)
                        } else {
                            kst_sgemm_pack_b(ker.simd, Int64(nr), b + pc * bRS + jc * bCS, Int64(bRS), Int64(bCS),
                                             Int64(kcur), Int64(ncur), bp)
                            macro(ap: ap, mcur: mcur, kcur: kcur, bBase: UnsafePointer(bp), bStride: nr,
                                  bPanelStep: nr * kcur, ic: ic, jc: jc, ncur: ncur, beta: betaEff)
                        }
                        jc += ncur
                    }
                    pc += kcur
                }
                ic += mcur
            }
        }

        /// Multi-threaded variant for wide C: for each (MC, KC) block, op(A) is packed once into
        /// a shared buffer (panels split across threads), then column strips of C (a few per
        /// thread, claimed dynamically so a slower or busier core simply takes fewer) each pack
        /// their own slice of op(B) and run the macro-kernel. Each fork/join is the barrier.
        package func runStrips(m: Int, n: Int, threads: Int) {
            let mr = ker.mr, nr = ker.nr
            let nTiles = (n + nr - 1) / nr
            var strips = min(nTiles, threads * 4)
            var tilesPerStrip = (nTiles + strips - 1) / strips
            if tilesPerStrip * nr > Gemm.nc { tilesPerStrip = Gemm.nc / nr }
            strips = (nTiles + tilesPerStrip - 1) / tilesPerStrip
            let stripW = tilesPerStrip * nr
            let bRS = transB ? 1 : ldb, bCS = transB ? ldb : 1
            let shared = PackBufferPool.shared.take()
            defer { PackBufferPool.shared.give(shared) }
            let ap = shared.a
            let kcStep = self.kcStep
            let mcStep = Problem.step(m, limit: Gemm.mc, unit: mr)
            var ic = 0
            while ic < m {
                let mcur = min(mcStep, m - ic)
                var pc = 0
                while pc < k {
                    let kcur = min(kcStep, k - pc)
                    let betaEff: Float = pc == 0 ? beta : 1
                    let panels = (mcur + mr - 1) / mr
                    if panels * kcur * mr < 1 << 15 || threads <= 1 {
                        packA(ic: ic, mcur: mcur, pc: pc, kcur: kcur, dst: ap)
                    } else {
                        let chunks = min(threads, panels)
                        Parallel.forEach(chunks, threads: threads) { t in
                            let p0 = panels * t / chunks, p1 = panels * (t + 1) / chunks
                            let r0 = p0 * mr, r1 = min(mcur, p1 * mr)
                            if r0 < r1 {
                                packA(ic: ic + r0, mcur: r1 - r0, pc: pc, kcur: kcur, dst: ap + r0 * kcur)
                            }
                        }
                    }
                    Parallel.forEach(strips, threads: threads) { sIdx in
                        let jc = sIdx * stripW
                        let ncur = min(stripW, n - jc)
                        if ncur <= 0 { return }
                        let buf = PackBufferPool.shared.take()
                        kst_sgemm_pack_b(ker.simd, Int64(nr), b + pc * bRS + jc * bCS, Int64(bRS), Int64(bCS),
                                         Int64(kcur), Int64(ncur), buf.b)
                        macro(ap: ap, mcur: mcur, kcur: kcur, bBase: UnsafePointer(buf.b), bStride: nr,
                              bPanelStep: nr * kcur, ic: ic, jc: jc, ncur: ncur, beta: betaEff)
                        PackBufferPool.shared.give(buf)
                    }
                    pc += kcur
                }
                ic += mcur
            }
        }
    }
}

/// Per-thread packing workspace (64-byte aligned), sized for the largest micro-kernel shape.
package final class PackBuffers: @unchecked Sendable {
    package let a: UnsafeMutablePointer<Float>
    package let b: UnsafeMutablePointer<Float>

    package init() {
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
package final class PackBufferPool: @unchecked Sendable {
    package static let shared = PackBufferPool()
    private let free = Mutex<[PackBuffers]>([])

    package func take() -> PackBuffers {
        if let b = free.withLock({ $0.popLast() }) { return b }
        return PackBuffers()
    }

    package func give(_ b: PackBuffers) {
        free.withLock { $0.append(b) }
    }
}
