import CKestrelKernels

/// 2-D max pooling, channels-last: each output pixel is the per-channel maximum over its
/// window's real cells (padding never wins, as if it were -inf). The gradient goes to the
/// first maximal cell of each window, which the forward records when a backward will run
/// (so the backward reads neither the input nor the output again). `geometry` gives pool
/// size, strides and padding.
public func maxPool2d(_ x: Tensor, geometry g: ConvolutionGeometry) -> Tensor {
    checkedPrecondition(x.shape == g.inputShape, "maxPool2d: input shape \(x.shape) differs from the geometry's \(g.inputShape)")
    let outShape = [g.batch, g.outHeight, g.outWidth, g.inChannels]
    guard GradientMode.isRecording && x.requiresGradient else {
        return Tensor(shape: outShape) { out, _ in
            PoolingKernels.perSampleBlock(g) { cg, n0, n1 in ChannelLoops.maxPoolForward(x.storage.pointer, out, nil, &cg, n0, n1) }
        }
    }
    let count = outShape.reduce(1, *)
    var winners = [Int32]()
    let y = Tensor(shape: outShape) { out, _ in
        winners = [Int32](unsafeUninitializedCapacity: count) { arg, initialized in
            let a = arg.baseAddress!
            PoolingKernels.perSampleBlock(g) { cg, n0, n1 in ChannelLoops.maxPoolForward(x.storage.pointer, out, a, &cg, n0, n1) }
            initialized = count
        }
    }
    return y.recorded(from: x) { grad in
        Tensor(shape: x.shape) { dx, _ in
            winners.withUnsafeBufferPointer { arg in
                PoolingKernels.perSampleBlock(g) { cg, n0, n1 in
                    ChannelLoops.maxPoolBackward(arg.baseAddress!, grad.storage.pointer, dx, &cg, n0, n1)
                }
            }
        }
    }
}

/// 2-D average pooling, channels-last: each output pixel is the mean of its window's real
/// cells — with `same` padding a border window divides by the number of real cells, as
/// Keras does (not by the pool size).
public func averagePool2d(_ x: Tensor, geometry g: ConvolutionGeometry) -> Tensor {
    checkedPrecondition(x.shape == g.inputShape, "averagePool2d: input shape \(x.shape) differs from the geometry's \(g.inputShape)")
    let y = Tensor(shape: [g.batch, g.outHeight, g.outWidth, g.inChannels]) { out, _ in
        PoolingKernels.averageForward(x.storage.pointer, out, g)
    }
    return y.recorded(from: x) { grad in
        Tensor(shape: x.shape) { dx, _ in PoolingKernels.averageBackward(grad.storage.pointer, dx, g) }
    }
}

/// Pooling loops: parallel over samples, vectorised over channels (max pooling in C).
package enum PoolingKernels {
    /// Clipped window of output pixel (oy, ox): input rows y0..<y1, columns x0..<x1.
    @inline(__always)
    package static func window(_ g: ConvolutionGeometry, _ oy: Int, _ ox: Int) -> (y0: Int, y1: Int, x0: Int, x1: Int) {
        let ty = oy * g.strideY - g.padTop, tx = ox * g.strideX - g.padLeft
        return (Swift.max(ty, 0), Swift.min(ty + g.kernelHeight, g.height),
                Swift.max(tx, 0), Swift.min(tx + g.kernelWidth, g.width))
    }

    /// Runs `body(geometry, n0, n1)` over blocks of whole samples in parallel.
    package static func perSampleBlock(_ g: ConvolutionGeometry, _ body: (inout kst_conv_geom, Int64, Int64) -> Void) {
        let cg = ConvolutionKernels.cGeometry(g)
        let blocks = Swift.min(g.batch, 4 * Threading.threadCount)
        Parallel.forEach(blocks) { b in
            var local = cg
            body(&local, Int64(g.batch * b / blocks), Int64(g.batch * (b + 1) / blocks))
        }
    }

    package static func averageForward(_ x: UnsafePointer<Float>, _ y: UnsafeMutablePointer<Float>, _ g: ConvolutionGeometry) {
        let c = g.inChannels
        Parallel.forEach(g.batch) { n in
            let xs = x + n * g.height * g.width * c
            for oy in 0..<g.outHeight {
                for ox in 0..<g.outWidth {
                    let out = y + ((n * g.outHeight + oy) * g.outWidth + ox) * c
                    let w = window(g, oy, ox)
                    out.initialize(repeating: 0, count: c)
                    for iy in w.y0..<w.y1 {
                        for ix in w.x0..<w.x1 {
                            let xp = xs + (iy * g.width + ix) * c
                            for j in 0..<c { out[j] += xp[j] }
                        }
                    }
                    let scale = 1 / Float((w.y1 - w.y0) * (w.x1 - w.x0))
                    for j in 0..<c { out[j] *= scale }
                }
            }
        }
    }

    package static func averageBackward(_ grad: UnsafePointer<Float>, _ dx: UnsafeMutablePointer<Float>, _ g: ConvolutionGeometry) {
        let c = g.inChannels, inPlane = g.height * g.width * c
        Parallel.forEach(g.batch) { n in
            let dxs = dx + n * inPlane
            dxs.initialize(repeating: 0, count: inPlane)
            for oy in 0..<g.outHeight {
                for ox in 0..<g.outWidth {
                    let gp = grad + ((n * g.outHeight + oy) * g.outWidth + ox) * c
                    let w = window(g, oy, ox)
                    let scale = 1 / Float((w.y1 - w.y0) * (w.x1 - w.x0))
                    for iy in w.y0..<w.y1 {
                        for ix in w.x0..<w.x1 {
                            let dp = dxs + (iy * g.width + ix) * c
                            for j in 0..<c { dp[j] += gp[j] * scale }
                        }
                    }
                }
            }
        }
    }
}
