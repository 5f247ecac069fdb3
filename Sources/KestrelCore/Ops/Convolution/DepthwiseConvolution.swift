/// Depthwise 2-D convolution, channels-last (Keras `DepthwiseConv2D`): every input channel
/// c is convolved with its own `depthMultiplier` filters; output channel c·dm + m comes
/// from input channel c and filter m. x (N, H, W, C), kernel (kh, kw, C, dm), result
/// (N, OH, OW, C·dm). Direct loops (no GEMM: each output needs only kh·kw products),
/// parallel over samples; one tape op with its own backward.
public func depthwiseConv2d(_ x: Tensor, _ kernel: Tensor, geometry g: ConvolutionGeometry) -> Tensor {
    checkedPrecondition(x.shape == g.inputShape, "depthwiseConv2d: input shape \(x.shape) differs from the geometry's \(g.inputShape)")
    checkedPrecondition(kernel.rank == 4 && kernel.shape[0] == g.kernelHeight && kernel.shape[1] == g.kernelWidth
                 && kernel.shape[2] == g.inChannels, "depthwiseConv2d: kernel shape \(kernel.shape) does not match the geometry")
    let dm = kernel.shape[3]
    let y = Tensor(shape: [g.batch, g.outHeight, g.outWidth, g.inChannels * dm]) { out, _ in
        DepthwiseKernels.forward(x: x.storage.pointer, w: kernel.storage.pointer, y: out, geometry: g, multiplier: dm)
    }
    return y.recorded(from: [x, kernel]) { grad in
        let dx = x.requiresGradient ? Tensor(shape: x.shape) { out, _ in
            DepthwiseKernels.inputGradient(g: grad.storage.pointer, w: kernel.storage.pointer, dx: out, geometry: g, multiplier: dm)
        } : nil
        let dw = kernel.requiresGradient ? Tensor(shape: kernel.shape) { out, _ in
            DepthwiseKernels.kernelGradient(x: x.storage.pointer, g: grad.storage.pointer, dw: out, geometry: g, multiplier: dm)
        } : nil
        return [dx, dw]
    }
}

/// The raw-buffer loops behind `depthwiseConv2d`. For each output pixel and window tap,
/// the C·dm output channels are one contiguous multiply-add run against the kernel's tap
/// row (kh, kw) — which has the same channel order — so the inner loops vectorise.
package enum DepthwiseKernels {
    /// Calls `body(tapIndex, inputPixelOffset)` for every in-bounds tap of output pixel (oy, ox).
    @inline(__always)
    package static func forEachTap(_ g: ConvolutionGeometry, _ oy: Int, _ ox: Int, _ body: (Int, Int) -> Void) {
        for ky in 0..<g.kernelHeight {
            let iy = oy * g.strideY - g.padTop + ky * g.dilationY
            if iy < 0 || iy >= g.height { continue }
            for kx in 0..<g.kernelWidth {
                let ix = ox * g.strideX - g.padLeft + kx * g.dilationX
                if ix < 0 || ix >= g.width { continue }
                body(ky * g.kernelWidth + kx, (iy * g.width + ix) * g.inChannels)
            }
        }
    }

    package static func forward(x: UnsafePointer<Float>, w: UnsafePointer<Float>, y: UnsafeMutablePointer<Float>,
                        geometry g: ConvolutionGeometry, multiplier dm: Int) {
        let c = g.inChannels, co = c * dm
        Parallel.forEach(g.batch) { n in
            let xs = x + n * g.height * g.width * c
            for oy in 0..<g.outHeight {
                for ox in 0..<g.outWidth {
                    let out = y + ((n * g.outHeight + oy) * g.outWidth + ox) * co
                    out.initialize(repeating: 0, count: co)
                    forEachTap(g, oy, ox) { tap, offset in
                        let xp = xs + offset, wp = w + tap * co
                        if dm == 1 {
                            for j in 0..<co { out[j] += xp[j] * wp[j] }
                        } else {
                            for ci in 0..<c {
                                let v = xp[ci]
                                for m in 0..<dm { out[ci * dm + m] += v * wp[ci * dm + m] }
                            }
                        }
                    }
                }
            }
        }
    }

    package static func inputGradient(g grad: UnsafePointer<Float>, w: UnsafePointer<Float>, dx: UnsafeMutablePointer<Float>,
                              geometry g: ConvolutionGeometry, multiplier dm: Int) {
        let c = g.inChannels, co = c * dm, inPlane = g.height * g.width * c
        Parallel.forEach(g.batch) { n in
            let dxs = dx + n * inPlane
            dxs.initialize(repeating: 0, count: inPlane)
            for oy in 0..<g.outHeight {
                for ox in 0..<g.outWidth {
                    let gp = grad + ((n * g.outHeight + oy) * g.outWidth + ox) * co
                    forEachTap(g, oy, ox) { tap, offset in
                        let dp = dxs + offset, wp = w + tap * co
                        if dm == 1 {
                            for j in 0..<co { dp[j] += gp[j] * wp[j] }
                        } else {
                            for ci in 0..<c {
                                var s: Float = 0
                                for m in 0..<dm { s += gp[ci * dm + m] * wp[ci * dm + m] }
                                dp[ci] += s
                            }
                        }
                    }
                }
            }
        }
    }

    package static func kernelGradient(x: UnsafePointer<Float>, g grad: UnsafePointer<Float>, dw: UnsafeMutablePointer<Float>,
                               geometry g: ConvolutionGeometry, multiplier dm: Int) {
        let c = g.inChannels, co = c * dm, size = g.taps * co
        let slots = GroupedWork.groups(items: g.batch)
        let partials = ScratchPool.take(slots * size)
        defer { ScratchPool.give(partials) }
        partials.pointer.initialize(repeating: 0, count: slots * size)
        GroupedWork.run(items: g.batch) { slot, n in
            let part = partials.pointer + slot * size
            let xs = x + n * g.height * g.width * c
            for oy in 0..<g.outHeight {
                for ox in 0..<g.outWidth {
                    let gp = grad + ((n * g.outHeight + oy) * g.outWidth + ox) * co
                    forEachTap(g, oy, ox) { tap, offset in
                        let xp = xs + offset, dp = part + tap * co
                        for ci in 0..<c {
                            let v = xp[ci]
                            for m in 0..<dm { dp[ci * dm + m] += v * gp[ci * dm + m] }
                        }
                    }
                }
            }
        }
        dw.initialize(from: partials.pointer, count: size)
        for wk in 1..<slots {
            let p = partials.pointer + wk * size
            for i in 0..<size { dw[i] += p[i] }
        }
    }
}
