import CKestrelKernels

/// max-pool(relu(conv2d(x) + bias)) as one tape op, computed a few samples at a time so the
/// convolution's output never leaves the cache: it is pooled as soon as it is made, and in
/// the backward pass it is rebuilt as a gradient from the pooled gradient and the recorded
/// window winners, then consumed by the convolution's backward while still in cache. The
/// separate ops write and re-read the (usually largest) convolution output four times per
/// training step; this reads and writes only the pooled tensors. Same values and gradients
/// as `maxPool2d(conv2d(x, kernel, bias:, relu: true))`, up to the order of the weight-
/// gradient sums. `convolution` and `pooling` are the two geometries, the second over the
/// first's output.
public func conv2dReluMaxPool(_ x: Tensor, _ kernel: Tensor, bias: Tensor?, convolution cg: ConvolutionGeometry,
                       pooling pg: ConvolutionGeometry) -> Tensor {
    let cout = kernel.shape[3]
    checkedPrecondition(pg.inputShape == [cg.batch, cg.outHeight, cg.outWidth, cout], "conv2dReluMaxPool: pooling geometry \(pg.inputShape) does not follow the convolution")
    let inPlane = cg.height * cg.width * cg.inChannels
    let convPlane = cg.outPixels * cout
    let outPlane = pg.outHeight * pg.outWidth * cout
    let outShape = [cg.batch, pg.outHeight, pg.outWidth, cout]
    let blocks = ConvolutionReluMaxPool.blocks(samples: cg.batch, convPlane: convPlane)
    let inputs = bias.map { [x, kernel, $0] } ?? [x, kernel]
    let recording = GradientMode.isRecording && inputs.contains { $0.requiresGradient }
    var winners = [Int32]()
    let y = Tensor(shape: outShape) { out, _ in
        let xp = x.storage.pointer, wp = kernel.storage.pointer, bp = bias.map { UnsafePointer($0.storage.pointer) }
        func run(_ arg: UnsafeMutablePointer<Int32>?) {
            Parallel.forEach(blocks.count) { b in
                let (n0, n1) = blocks.samples(b)
                var c = cg, p = pg
                (c.batch, p.batch) = (n1 - n0, n1 - n0)
                var pc = ConvolutionKernels.cGeometry(p)
                ScratchPool.with((n1 - n0) * convPlane) { conv in
                    ConvolutionKernels.forward(x: xp + n0 * inPlane, w: wp, bias: bp, relu: true, y: conv, geometry: c, outChannels: cout)
                    ChannelLoops.maxPoolForward(conv, out + n0 * outPlane, arg.map { $0 + n0 * outPlane }, &pc, 0, Int64(n1 - n0))
                }
            }
        }
        if recording {
            winners = [Int32](unsafeUninitializedCapacity: cg.batch * outPlane) { arg, initialized in
                run(arg.baseAddress!)
                initialized = cg.batch * outPlane
            }
        } else {
            run(nil)
        }
    }
    guard recording else { return y }
    return y.recorded(from: inputs) { grad in
        let needX = x.requiresGradient, needW = kernel.requiresGradient, needB = bias?.requiresGradient ?? false
        let dx = needX ? Tensor(shape: x.shape) { _, _ in } : nil
        let k = cg.taps * cg.inChannels
        let partialSize = k * cout + cout
        // Per block: the pooled gradient through the ReLU (a winner passes it when the pooled
        // value is positive), scattered to the winners, then the convolution's backward.
        let slots = GroupedWork.groups(items: blocks.count)
        let partials = ScratchPool.take(slots * 2 * partialSize)
        defer { ScratchPool.give(partials) }
        partials.pointer.initialize(repeating: 0, count: slots * 2 * partialSize)
        let xp = x.storage.pointer, wp = kernel.storage.pointer, gp = grad.storage.pointer, yp = y.storage.pointer
        winners.withUnsafeBufferPointer { arg in
            GroupedWork.run(items: blocks.count) { slot, b in
                let total = partials.pointer + slot * 2 * partialSize, part = total + partialSize
                let (n0, n1) = blocks.samples(b)
                var c = cg, p = pg
                (c.batch, p.batch) = (n1 - n0, n1 - n0)
                var pc = ConvolutionKernels.cGeometry(p)
                let pooled = (n1 - n0) * outPlane
                ScratchPool.with((n1 - n0) * convPlane + pooled) { scratch in
                    let masked = scratch + (n1 - n0) * convPlane
                    ChannelLoops.reluMask(yp + n0 * outPlane, gp + n0 * outPlane, masked, Int64(pooled))
                    ChannelLoops.maxPoolBackward(arg.baseAddress! + n0 * outPlane, masked, scratch, &pc, 0, Int64(n1 - n0))
                    ConvolutionKernels.backward(x: xp + n0 * inPlane, w: wp, g: scratch, reluOutput: nil,
                                                dx: dx.map { $0.storage.pointer + n0 * inPlane },
                                                dw: needW ? part : nil, db: needB ? part + k * cout : nil,
                                                geometry: c, outChannels: cout)
                }
                if needW || needB { for i in 0..<partialSize { total[i] += part[i] } }
            }
        }
        let base = partials.pointer
        func summed(_ offset: Int, _ count: Int, shape: [Int]) -> Tensor {
            Tensor(shape: shape) { out, _ in
                out.initialize(from: base + offset, count: count)
                for w in 1..<slots {
                    let p = base + w * 2 * partialSize + offset
                    for i in 0..<count { out[i] += p[i] }
                }
            }
        }
        let dw = needW ? summed(0, k * cout, shape: kernel.shape) : nil
        let db = needB ? summed(k * cout, cout, shape: [cout]) : nil
        return bias == nil ? [dx, dw] : [dx, dw, db]
    }
}

/// How the fused op splits the batch.
package enum ConvolutionReluMaxPool {
    /// Blocks of whole samples whose convolution output fits in about half of L2 (at least
    /// one sample), and at least two blocks per thread so the threads finish together.
    package struct Blocks {
        package let count: Int
        package let batch: Int
        package func samples(_ b: Int) -> (Int, Int) { (batch * b / count, batch * (b + 1) / count) }
    }

    package static let cacheFloats = CPUFeatures.l2CacheBytes / 2 / MemoryLayout<Float>.stride

    package static func blocks(samples: Int, convPlane: Int) -> Blocks {
        let perBlock = Swift.max(1, cacheFloats / Swift.max(1, convPlane))
        let count = Swift.max(Swift.min(samples, 2 * Threading.threadCount), (samples + perBlock - 1) / perBlock)
        return Blocks(count: Swift.max(1, count), batch: samples)
    }
}
