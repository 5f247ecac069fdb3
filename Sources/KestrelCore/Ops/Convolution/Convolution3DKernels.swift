/// The three passes of a channels-last 3-D (optionally grouped) convolution on raw buffers,
/// as vol2col chunks fed to `Gemm.sgemm`: forward y = x ⊛ w (+ bias), the input gradient
/// (GEMM with wᵀ per group, then col2vol scatter-add) and the kernel/bias gradients
/// (colᵀ · g per group, one partial per work group, summed in group order so results do not
/// depend on which thread ran what). Chunks of output cells keep one vol2col block near L2;
/// scratch memory comes from `ScratchPool`. A pointwise ungrouped convolution skips vol2col.
///
/// Kernel layout (kd, kh, kw, cin/groups, cout) = a (taps·cin/groups) × cout matrix whose
/// columns g·cout/groups ..< (g+1)·cout/groups belong to group g.
package enum Convolution3DKernels {
    /// Output cells per vol2col chunk for a GEMM depth of `k`.
    package static func chunkRows(_ k: Int, cells: Int) -> Int {
        Swift.max(1, Swift.min(cells, ConvolutionKernels.chunkFloats / Swift.max(k, 1)))
    }

    /// Threads for the per-sample loops: all of them when there are enough samples, else one
    /// (each GEMM then splits over the cores itself).
    package static func sampleThreads(_ batch: Int) -> Int {
        batch >= Threading.threadCount ? Threading.threadCount : 1
    }

    /// Rows p0..<p1 (output cells of one sample `xs`) of group `group`'s vol2col matrix.
    package static func vol2col(_ xs: UnsafePointer<Float>, _ g: VolumeGeometry, cells: Range<Int>, group: Int,
                                _ col: UnsafeMutablePointer<Float>) {
        let walk = WindowWalk(g, group: group)
        for p in cells {
            walk.visitRows(output: p, row: col + (p - cells.lowerBound) * walk.rowLength) { dst, source, w0, contiguous in
                guard let source else {
                    dst.initialize(repeating: 0, count: walk.run)
                    return
                }
                if contiguous {
                    dst.initialize(from: xs + source, count: walk.run)
                    return
                }
                for t in 0..<walk.kw {
                    let iw = w0 + t * walk.dw
                    if iw >= 0 && iw < walk.w {
                        WindowWalk.copy(xs + source + iw * walk.c, to: dst + t * walk.cg, count: walk.cg)
                    } else {
                        (dst + t * walk.cg).initialize(repeating: 0, count: walk.cg)
                    }
                }
            }
        }
    }

    /// Adds rows of group `group`'s vol2col matrix back onto the cells of one sample `dxs`.
    package static func col2vol(_ col: UnsafePointer<Float>, _ g: VolumeGeometry, cells: Range<Int>, group: Int,
                                _ dxs: UnsafeMutablePointer<Float>) {
        let walk = WindowWalk(g, group: group)
        for p in cells {
            walk.visitRows(output: p, row: UnsafeMutablePointer(mutating: col) + (p - cells.lowerBound) * walk.rowLength) { src, source, w0, contiguous in
                guard let source else { return }
                if contiguous {
                    WindowWalk.add(src, to: dxs + source, count: walk.run)
                    return
                }
                for t in 0..<walk.kw {
                    let iw = w0 + t * walk.dw
                    if iw >= 0 && iw < walk.w { WindowWalk.add(src + t * walk.cg, to: dxs + source + iw * walk.c, count: walk.cg) }
                }
            }
        }
    }

    /// y (N·cells × cout) = vol2col(x) · w per group, then + bias.
    package static func forward(x: UnsafePointer<Float>, w: UnsafePointer<Float>, bias: UnsafePointer<Float>?,
                                y: UnsafeMutablePointer<Float>, geometry g: VolumeGeometry, outChannels cout: Int) {
        let k = g.taps * g.groupChannels, coutG = cout / g.groups
        let cells = g.outPositions, inPlane = g.inPositions * g.inChannels
        if g.batch * cells == 0 { return }
        if g.isPointwise && g.groups == 1 {
            Gemm.sgemm(transA: false, transB: false, m: g.batch * cells, n: cout, k: k, alpha: 1, a: x, lda: k,
                       b: w, ldb: cout, beta: 0, c: y, ldc: cout)
            ConvolutionKernels.epilogue(y, rows: g.batch * cells, cout: cout, bias: bias, relu: false)
            return
        }
        let rows = chunkRows(k, cells: cells)
        let perSample = (cells + rows - 1) / rows
        Parallel.forEach(g.batch * perSample) { item in
            let n = item / perSample, p0 = item % perSample * rows, p1 = Swift.min(cells, p0 + rows)
            let out = y + (n * cells + p0) * cout
            ScratchPool.with((p1 - p0) * k) { col in
                for group in 0..<g.groups {
                    vol2col(x + n * inPlane, g, cells: p0..<p1, group: group, col)
                    Gemm.sgemm(transA: false, transB: false, m: p1 - p0, n: coutG, k: k, alpha: 1, a: col, lda: k,
                               b: w + group * coutG, ldb: cout, beta: 0, c: out + group * coutG, ldc: cout)
                }
            }
            ConvolutionKernels.epilogue(out, rows: p1 - p0, cout: cout, bias: bias, relu: false)
        }
    }

    /// dx (overwritten) from the output cotangent `grad` (N·cells × cout): per group
    /// grad · wᵀ, scattered back by col2vol.
    package static func inputGradient(grad: UnsafePointer<Float>, w: UnsafePointer<Float>, dx: UnsafeMutablePointer<Float>,
                                      geometry g: VolumeGeometry, outChannels cout: Int) {
        let k = g.taps * g.groupChannels, coutG = cout / g.groups
        let cells = g.outPositions, inPlane = g.inPositions * g.inChannels
        if g.isPointwise && g.groups == 1 {
            Gemm.sgemm(transA: false, transB: true, m: g.batch * cells, n: k, k: cout, alpha: 1, a: grad, lda: cout,
                       b: w, ldb: cout, beta: 0, c: dx, ldc: k)
            return
        }
        let rows = chunkRows(k, cells: cells)
        Parallel.forEach(g.batch, threads: sampleThreads(g.batch)) { n in
            let dxs = dx + n * inPlane
            dxs.initialize(repeating: 0, count: inPlane)
            ScratchPool.with(rows * k) { col in
                var p0 = 0
                while p0 < cells {
                    let p1 = Swift.min(cells, p0 + rows)
                    for group in 0..<g.groups {
                        Gemm.sgemm(transA: false, transB: true, m: p1 - p0, n: k, k: coutG, alpha: 1,
                                   a: grad + (n * cells + p0) * cout + group * coutG, lda: cout,
                                   b: w + group * coutG, ldb: cout, beta: 0, c: col, ldc: k)
                        col2vol(col, g, cells: p0..<p1, group: group, dxs)
                    }
                    p0 = p1
                }
            }
        }
    }

    /// dw (kernel layout) and db (cout), each overwritten when given, from the input `x` and
    /// the output cotangent `grad`.
    package static func weightGradients(x: UnsafePointer<Float>, grad: UnsafePointer<Float>, dw: UnsafeMutablePointer<Float>?,
                                        db: UnsafeMutablePointer<Float>?, geometry g: VolumeGeometry, outChannels cout: Int) {
        let k = g.taps * g.groupChannels, coutG = cout / g.groups
        let cells = g.outPositions, inPlane = g.inPositions * g.inChannels
        let rows = chunkRows(k, cells: cells)
        let threads = sampleThreads(g.batch)
        let slots = GroupedWork.groups(items: g.batch, threads: threads)
        let partialSize = k * cout + cout
        let partials = ScratchPool.take(slots * partialSize)
        defer { ScratchPool.give(partials) }
        partials.pointer.initialize(repeating: 0, count: slots * partialSize)
        GroupedWork.run(items: g.batch, threads: threads) { slot, n in
            let part = partials.pointer + slot * partialSize
            let gs = grad + n * cells * cout
            if dw != nil {
                ScratchPool.with(rows * k) { col in
                    var p0 = 0
                    while p0 < cells {
                        let p1 = Swift.min(cells, p0 + rows)
                        for group in 0..<g.groups {
                            vol2col(x + n * inPlane, g, cells: p0..<p1, group: group, col)
                            Gemm.sgemm(transA: true, transB: false, m: k, n: coutG, k: p1 - p0, alpha: 1, a: col, lda: k,
                                       b: gs + p0 * cout + group * coutG, ldb: cout, beta: 1, c: part + group * coutG, ldc: cout)
                        }
                        p0 = p1
                    }
                }
            }
            if db != nil { ChannelLoops.addColumns(gs, Int64(cells), Int64(cout), part + k * cout) }
        }
        let base = partials.pointer
        if let dw {
            dw.initialize(from: base, count: k * cout)
            for slot in 1..<slots {
                let p = base + slot * partialSize
                for i in 0..<k * cout { dw[i] += p[i] }
            }
        }
        if let db {
            db.initialize(from: base + k * cout, count: cout)
            for slot in 1..<slots {
                let p = base + slot * partialSize + k * cout
                for j in 0..<cout { db[j] += p[j] }
            }
        }
    }
}
