import CKestrelKernels

/// The three passes of a channels-last 2-D convolution on raw buffers, as packed im2col
/// chunks fed to `Gemm.sgemm`: forward y = x ⊛ w (+ bias, optional fused ReLU), the
/// input gradient (GEMM with wᵀ, then col2im scatter-add) and the kernel/bias gradients
/// (colᵀ · g, one partial per work group, summed in group order). Chunks of output pixels are
/// sized so one im2col block stays in L2; chunks run in parallel on the thread pool and
/// use pooled scratch memory. A 1×1 stride-1 unpadded convolution skips im2col.
///
/// Kernel layout (kh, kw, cin, cout) = a (kh·kw·cin) × cout matrix.
package enum ConvolutionKernels {
    /// Floats of im2col data per chunk (512 KiB: half the L2, so the GEMM's depth per call
    /// stays in the hundreds).
    package static let chunkFloats = 128 * 1024

    package static func cGeometry(_ g: ConvolutionGeometry) -> kst_conv_geom {
        kst_conv_geom(H: Int64(g.height), W: Int64(g.width), C: Int64(g.inChannels), KH: Int64(g.kernelHeight),
                      KW: Int64(g.kernelWidth), SY: Int64(g.strideY), SX: Int64(g.strideX), DY: Int64(g.dilationY),
                      DX: Int64(g.dilationX), PT: Int64(g.padTop), PL: Int64(g.padLeft),
                      OH: Int64(g.outHeight), OW: Int64(g.outWidth))
    }

    /// Output pixels per forward chunk: about `chunkFloats` of im2col data, whole GEMM tiles.
    package static func forwardChunk(_ k: Int, total: Int) -> Int {
        let rows = Swift.max(24, Swift.min(4096, chunkFloats / Swift.max(k, 1)) / 12 * 12)
        let perThread = (total + Threading.threadCount - 1) / Threading.threadCount
        return Swift.max(1, Swift.min(rows, perThread))
    }

    /// y (N·OH·OW × cout) = im2col(x) · w, then + bias, then max(·, 0) when `relu`.
    package static func forward(x: UnsafePointer<Float>, w: UnsafePointer<Float>, bias: UnsafePointer<Float>?, relu: Bool,
                        y: UnsafeMutablePointer<Float>, geometry g: ConvolutionGeometry, outChannels cout: Int) {
        let k = g.taps * g.inChannels
        let total = g.batch * g.outPixels
        if total == 0 { return }
        if g.isPointwise {
            Gemm.sgemm(transA: false, transB: false, m: total, n: cout, k: k, alpha: 1, a: x, lda: k, b: w, ldb: cout,
                       beta: 0, c: y, ldc: cout)
            epilogue(y, rows: total, cout: cout, bias: bias, relu: relu)
            return
        }
        var cg = cGeometry(g)
        if prefersDirect(g, outChannels: cout) {
            direct(x: x, w: w, bias: bias, relu: relu, y: y, geometry: &cg, outChannels: cout, batch: g.batch)
            return
        }
        let chunk = forwardChunk(k, total: total)
        let chunks = (total + chunk - 1) / chunk
        Parallel.forEach(chunks) { c in
            let p0 = c * chunk, p1 = Swift.min(total, p0 + chunk)
            ScratchPool.with((p1 - p0) * k) { col in
                kst_im2col_nhwc(x, &cg, Int64(p0), Int64(p1), col)
                Gemm.sgemm(transA: false, transB: false, m: p1 - p0, n: cout, k: k, alpha: 1, a: col, lda: k,
                           b: w, ldb: cout, beta: 0, c: y + p0 * cout, ldc: cout)
            }
            epilogue(y + p0 * cout, rows: p1 - p0, cout: cout, bias: bias, relu: relu)
        }
    }

    /// The direct NHWC kernel wins over im2col + GEMM for the forward pass up to 64 output
    /// channels (measured on the W2/W5 shapes: no im2col copy, no packing), and for short
    /// windows (k = window × input channels < 64), where im2col's copy costs as much as the
    /// products. Wider layers use the GEMM.
    package static func prefersDirect(_ g: ConvolutionGeometry, outChannels cout: Int) -> Bool {
        CPUFeatures.activeISA != .portable && (cout <= 64 || g.taps * g.inChannels < 64)
    }

    /// For the stride-1 input gradient (a direct convolution of g with the flipped kernel)
    /// the GEMM + col2im route measured faster unless the layer is thin.
    package static func prefersDirectInputGradient(_ g: ConvolutionGeometry, outChannels cout: Int) -> Bool {
        CPUFeatures.activeISA != .portable && (cout < 32 || g.taps * g.inChannels < 64)
    }

    /// Runs the direct kernel over the batch, in parallel blocks of whole samples (each
    /// block pads its samples into its own scratch buffer).
    package static func direct(x: UnsafePointer<Float>, w: UnsafePointer<Float>, bias: UnsafePointer<Float>?, relu: Bool,
                       y: UnsafeMutablePointer<Float>, geometry cg: inout kst_conv_geom, outChannels cout: Int, batch: Int) {
        let geometry = cg
        let scratch = Int(kst_conv_direct_scratch(&cg, Int64(cout)))
        let blocks = Swift.min(batch, 4 * Threading.threadCount)
        Parallel.forEach(blocks) { b in
            var local = geometry
            let n0 = batch * b / blocks, n1 = batch * (b + 1) / blocks
            ScratchPool.with(scratch) { buffer in
                kst_conv_direct_avx2(x, w, bias, relu ? 1 : 0, y, &local, Int64(cout), Int64(n0), Int64(n1), buffer)
            }
        }
    }

    /// dx of a stride-1 convolution: the direct convolution of g (cout channels) with the
    /// kernel flipped in space and with its channel axes swapped, padded by span − 1 − pad.
    package static func inputGradientDirect(g: UnsafePointer<Float>, w: UnsafePointer<Float>, dx: UnsafeMutablePointer<Float>,
                                    geometry geo: ConvolutionGeometry, outChannels cout: Int) {
        let cin = geo.inChannels, kh = geo.kernelHeight, kw = geo.kernelWidth
        ScratchPool.with(kh * kw * cin * cout) { flipped in
            for ky in 0..<kh { for kx in 0..<kw { for c in 0..<cin { for o in 0..<cout {
                flipped[(((kh - 1 - ky) * kw + (kw - 1 - kx)) * cout + o) * cin + c] = w[((ky * kw + kx) * cin + c) * cout + o]
            }}}}
            let padTop = (kh - 1) * geo.dilationY - geo.padTop, padLeft = (kw - 1) * geo.dilationX - geo.padLeft
            checkedPrecondition(padTop >= 0 && padLeft >= 0, "conv backward: padding larger than the window")
            var cg = kst_conv_geom(H: Int64(geo.outHeight), W: Int64(geo.outWidth), C: Int64(cout), KH: Int64(kh), KW: Int64(kw),
                                   SY: 1, SX: 1, DY: Int64(geo.dilationY), DX: Int64(geo.dilationX),
                                   PT: Int64(padTop), PL: Int64(padLeft), OH: Int64(geo.height), OW: Int64(geo.width))
            direct(x: g, w: flipped, bias: nil, relu: false, y: dx, geometry: &cg, outChannels: cin, batch: geo.batch)
        }
    }

    /// Windows of at most this many values take the thin kernel-gradient path.
    package static let thinTaps = 16

    /// dw (k × cout) += Σ_p window_p ⊗ g_p over output pixels `rows`: the GEMM Aᵀ·G with A's
    /// micro-panels packed straight from the image (no im2col) and G read in place.
    package static func thinWeightGradient(x: UnsafePointer<Float>, g: UnsafePointer<Float>, rows: Range<Int>, geometry cg: inout kst_conv_geom,
                                   outChannels cout: Int, dw: UnsafeMutablePointer<Float>, panel: UnsafeMutablePointer<Float>) {
        let kernel = Gemm.kernel(for: CPUFeatures.activeISA)
        let (mr, nr, k) = (kernel.mr, kernel.nr, Int(cg.KH * cg.KW * cg.C))
        var t0 = 0
        while t0 < k {
            kst_conv_window_panel(x, &cg, Int64(rows.lowerBound), Int64(rows.upperBound), Int64(t0), Int64(mr), panel)
            var j0 = 0
            while j0 < cout {
                kernel.ukr(Int64(rows.count), panel, g + j0, Int64(cout), dw + t0 * cout + j0, Int64(cout), 1, 1,
                           Int64(Swift.min(mr, k - t0)), Int64(Swift.min(nr, cout - j0)))
                j0 += nr
            }
            t0 += mr
        }
    }

    /// Adds the bias to every row and applies ReLU, in place.
    @inline(__always)
    package static func epilogue(_ y: UnsafeMutablePointer<Float>, rows: Int, cout: Int, bias: UnsafePointer<Float>?, relu: Bool) {
        if let bias {
            for r in 0..<rows {
                let row = y + r * cout
                if relu {
                    for j in 0..<cout { row[j] = Swift.max(row[j] + bias[j], 0) }
                } else {
                    for j in 0..<cout { row[j] += bias[j] }
                }
            }
        } else if relu {
            for i in 0..<rows * cout { y[i] = Swift.max(y[i], 0) }
        }
    }

    /// The gradients of one convolution from the output cotangent `g` (N·OH·OW × cout).
    /// `reluOutput`: the forward output of a fused ReLU, whose zeros mask `g`.
    /// dx (the input gradient, overwritten) needs only w; dw/db (overwritten) need x.
    package static func backward(x: UnsafePointer<Float>?, w: UnsafePointer<Float>, g: UnsafePointer<Float>,
                         reluOutput: UnsafePointer<Float>?, dx: UnsafeMutablePointer<Float>?,
                         dw: UnsafeMutablePointer<Float>?, db: UnsafeMutablePointer<Float>?,
                         geometry geo: ConvolutionGeometry, outChannels cout: Int) {
        let k = geo.taps * geo.inChannels
        let plane = geo.outPixels
        let inPlane = geo.height * geo.width * geo.inChannels
        let wantWeights = dw != nil || db != nil
        checkedPrecondition(!wantWeights || x != nil, "conv backward: the kernel gradient needs the input")
        if geo.batch * plane == 0 {
            if let dx { dx.initialize(repeating: 0, count: geo.batch * inPlane) }
            if let dw { dw.initialize(repeating: 0, count: k * cout) }
            if let db { db.initialize(repeating: 0, count: cout) }
            return
        }
        let total = geo.batch * plane
        // Stride 1 thin layers: the input gradient is a direct convolution of g with the
        // flipped kernel, which needs the whole ReLU-masked cotangent first. Otherwise each
        // chunk masks its own rows while they are in cache.
        let directInput = dx != nil && geo.strideY == 1 && geo.strideX == 1 && prefersDirectInputGradient(geo, outChannels: cout)
        // A thin window (e.g. 3×3 over one channel) packs its window values straight into GEMM
        // panels; up to 16 output channels the kernel gradient also runs without im2col.
        let thinWeights = dw != nil && x != nil && k <= thinTaps
        let directWeights = !thinWeights && dw != nil && x != nil && cout <= 16 && prefersDirectInputGradient(geo, outChannels: cout)
        let wholeMask = reluOutput != nil && (directInput || directWeights)
        let maskedBuffer = wholeMask ? ScratchPool.take(total * cout) : nil
        defer { if let maskedBuffer { ScratchPool.give(maskedBuffer) } }
        var gWhole = g
        if let reluOutput, let maskedBuffer {
            let m = maskedBuffer.pointer
            let step = 1 << 14, reluMask = ChannelLoops.reluMask
            Parallel.forEach((total * cout + step - 1) / step) { b in
                let lo = b * step
                reluMask(reluOutput + lo, g + lo, m + lo, Int64(Swift.min(step, total * cout - lo)))
            }
            gWhole = UnsafePointer(m)
        }
        let gAll = gWhole
        var dxPending = dx
        if let dxp = dx, directInput {
            inputGradientDirect(g: gAll, w: w, dx: dxp, geometry: geo, outChannels: cout)
            dxPending = nil
        }
        guard wantWeights || dxPending != nil else { return }
        let maskPerChunk = reluOutput != nil && !wholeMask
        // dW as colᵀ·g (k × cout) or, when cout is thin, gᵀ·col (cout × k): whichever wastes
        // less of the 12×32 GEMM tile.
        func waste(_ m: Int, _ n: Int) -> Double {
            Double((m + 11) / 12 * 12) / Double(m) * Double((n + 31) / 32 * 32) / Double(n)
        }
        let transposedDW = !directWeights && !thinWeights && waste(cout, k) < waste(k, cout)
        // Chunks of whole samples: col2im of different chunks touches disjoint inputs.
        // At least four chunks per thread so the workers finish together.
        let samplesPerChunk = Swift.max(1, Swift.min(chunkFloats / Swift.max(1, plane * k),
                                                     geo.batch / (4 * Threading.threadCount)))
        let chunks = (geo.batch + samplesPerChunk - 1) / samplesPerChunk
        let slots = GroupedWork.groups(items: chunks)
        let partialSize = k * cout + cout
        let partials = wantWeights ? ScratchPool.take(slots * partialSize) : nil
        defer { if let partials { ScratchPool.give(partials) } }
        let started = UnsafeMutableBufferPointer<Bool>.allocate(capacity: slots)
        started.initialize(repeating: false)
        defer { started.deallocate() }
        var cg = cGeometry(geo)
        let directScratch = directWeights ? Int(kst_conv_direct_scratch(&cg, Int64(cout))) : 0
        let mr = Gemm.kernel(for: CPUFeatures.activeISA).mr
        let pointwise = geo.isPointwise
        GroupedWork.run(items: chunks) { slot, c in
            let n0 = c * samplesPerChunk, n1 = Swift.min(geo.batch, n0 + samplesPerChunk)
            let p0 = n0 * plane, rows = (n1 - n0) * plane
            let scratch = ScratchPool.take(Swift.max(rows * Swift.max(k, mr) + (maskPerChunk ? rows * cout : 0), directScratch))
            defer { ScratchPool.give(scratch) }
            let col = scratch.pointer
            var gc = gAll + p0 * cout
            if maskPerChunk, let reluOutput {
                let masked = col + rows * Swift.max(k, mr)
                ChannelLoops.reluMask(reluOutput + p0 * cout, gc, masked, Int64(rows * cout))
                gc = UnsafePointer(masked)
            }
            if wantWeights, let x {
                let part = partials!.pointer + slot * partialSize
                let first = !started[slot]
                started[slot] = true
                if thinWeights {
                    if first { part.initialize(repeating: 0, count: k * cout) }
                    thinWeightGradient(x: x, g: gc, rows: p0..<(p0 + rows), geometry: &cg, outChannels: cout, dw: part, panel: col)
                } else if directWeights {
                    if first { part.initialize(repeating: 0, count: k * cout) }
                    var local = cg
                    kst_conv_weight_grad_direct_avx2(x, gAll, part, &local, Int64(cout), Int64(n0), Int64(n1), col)
                } else if dw != nil {
                    let a: UnsafePointer<Float>
                    if pointwise {
                        a = x + p0 * k
                    } else {
                        kst_im2col_nhwc(x, &cg, Int64(p0), Int64(p0 + rows), col)
                        a = UnsafePointer(col)
                    }
                    if transposedDW {
                        Gemm.sgemm(transA: true, transB: false, m: cout, n: k, k: rows, alpha: 1, a: gc, lda: cout,
                                   b: a, ldb: k, beta: first ? 0 : 1, c: part, ldc: k)
                    } else {
                        Gemm.sgemm(transA: true, transB: false, m: k, n: cout, k: rows, alpha: 1, a: a, lda: k,
                                   b: gc, ldb: cout, beta: first ? 0 : 1, c: part, ldc: cout)
                    }
                }
                if db != nil {
                    let bp = part + k * cout
                    if first { bp.initialize(repeating: 0, count: cout) }
                    ChannelLoops.addColumns(gc, Int64(rows), Int64(cout), bp)
                }
            }
            if let dx = dxPending {
                if pointwise {
                    Gemm.sgemm(transA: false, transB: true, m: rows, n: k, k: cout, alpha: 1, a: gc, lda: cout,
                               b: w, ldb: cout, beta: 0, c: dx + n0 * inPlane, ldc: k)
                } else {
                    Gemm.sgemm(transA: false, transB: true, m: rows, n: k, k: cout, alpha: 1, a: gc, lda: cout,
                               b: w, ldb: cout, beta: 0, c: col, ldc: k)
                    (dx + n0 * inPlane).initialize(repeating: 0, count: (n1 - n0) * inPlane)
                    kst_col2im_nhwc(col, &cg, Int64(p0), Int64(p0 + rows), dx)
                }
            }
        }
        guard let partials else { return }
        // Sum the groups' partials in group order.
        let used = (0..<slots).filter { started[$0] }
        let base = partials.pointer
        if let dw {
            dw.initialize(from: base + used[0] * partialSize, count: k * cout)
            for wk in used.dropFirst() {
                let p = base + wk * partialSize
                for i in 0..<k * cout { dw[i] += p[i] }
            }
            if transposedDW {
                // The sum is cout × k; the kernel layout is k × cout.
                ScratchPool.with(k * cout) { t in
                    t.initialize(from: dw, count: k * cout)
                    for o in 0..<cout { for i in 0..<k { dw[i * cout + o] = t[o * k + i] } }
                }
            }
        }
        if let db {
            db.initialize(from: base + used[0] * partialSize + k * cout, count: cout)
            for wk in used.dropFirst() {
                let p = base + wk * partialSize + k * cout
                for j in 0..<cout { db[j] += p[j] }
            }
        }
    }
}
