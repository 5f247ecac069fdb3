/// 3-D max pooling, channels-last (Keras `MaxPooling3D`): each output cell is the
/// per-channel maximum over its window's real cells (padding never wins). The gradient goes
/// to the first maximal cell of each window, which the forward records when a backward will
/// run. `geometry` gives pool size (as the kernel), strides and padding.
public func maxPool3d(_ x: Tensor, geometry g: VolumeGeometry) -> Tensor {
    checkedPrecondition(x.shape == g.inputShape, "maxPool3d: input shape \(x.shape) differs from the geometry's \(g.inputShape)")
    checkedPrecondition(g.inPositions * g.inChannels <= Int(Int32.max), "maxPool3d: a sample of \(g.inputShape) is too large")
    let outShape = [g.batch] + g.outSize + [g.inChannels]
    let recording = GradientMode.isRecording && x.requiresGradient
    let count = recording ? Shape.count(outShape) : 0
    var winners = [Int32](repeating: -1, count: count)
    let y = Tensor(shape: outShape) { out, _ in
        winners.withUnsafeMutableBufferPointer { arg in
            Pooling3DKernels.maxForward(x.storage.pointer, out, recording ? arg.baseAddress : nil, g)
        }
    }
    guard recording else { return y }
    let recorded = winners
    return y.recorded(from: x) { grad in
        Tensor(shape: x.shape) { dx, _ in
            recorded.withUnsafeBufferPointer { arg in
                guard let a = arg.baseAddress else { return }
                Pooling3DKernels.maxBackward(a, grad.storage.pointer, dx, g)
            }
        }
    }
}

/// 3-D average pooling, channels-last (Keras `AveragePooling3D`): each output cell is the
/// mean of its window's real cells — with `same` padding a border window divides by the
/// number of real cells, as Keras on TensorFlow does.
public func averagePool3d(_ x: Tensor, geometry g: VolumeGeometry) -> Tensor {
    checkedPrecondition(x.shape == g.inputShape, "averagePool3d: input shape \(x.shape) differs from the geometry's \(g.inputShape)")
    let y = Tensor(shape: [g.batch] + g.outSize + [g.inChannels]) { out, _ in
        Pooling3DKernels.averageForward(x.storage.pointer, out, g)
    }
    return y.recorded(from: x) { grad in
        Tensor(shape: x.shape) { dx, _ in Pooling3DKernels.averageBackward(grad.storage.pointer, dx, g) }
    }
}

/// The 3-D pooling loops: parallel over samples, contiguous over channels.
package enum Pooling3DKernels {
    package static func maxForward(_ x: UnsafePointer<Float>, _ y: UnsafeMutablePointer<Float>, _ winners: UnsafeMutablePointer<Int32>?,
                                   _ g: VolumeGeometry) {
        let c = g.inChannels, cells = g.outPositions, inPlane = g.inPositions * c
        Parallel.forEach(g.batch) { n in
            let xs = x + n * inPlane
            for p in 0..<cells {
                let o = (n * cells + p) * c
                let out = y + o
                out.initialize(repeating: -Float.infinity, count: c)
                g.forEachTap(output: p) { _, cell in
                    guard cell >= 0 else { return }
                    let xp = xs + cell * c
                    for j in 0..<c { out[j] = Swift.max(out[j], xp[j]) }
                }
                // The winner of each channel is the first tap holding its maximum.
                guard let winners else { continue }
                let win = winners + o
                win.initialize(repeating: -1, count: c)
                g.forEachTap(output: p) { _, cell in
                    guard cell >= 0 else { return }
                    let xp = xs + cell * c
                    for j in 0..<c where win[j] < 0 && xp[j] == out[j] { win[j] = Int32(cell * c + j) }
                }
            }
        }
    }

    package static func maxBackward(_ winners: UnsafePointer<Int32>, _ grad: UnsafePointer<Float>, _ dx: UnsafeMutablePointer<Float>,
                                    _ g: VolumeGeometry) {
        let c = g.inChannels, cells = g.outPositions, inPlane = g.inPositions * c
        Parallel.forEach(g.batch) { n in
            let dxs = dx + n * inPlane
            dxs.initialize(repeating: 0, count: inPlane)
            let base = n * cells * c
            for i in base..<(base + cells * c) where winners[i] >= 0 { dxs[Int(winners[i])] += grad[i] }
        }
    }

    /// Real cells in the window of output cell `p`.
    @inline(__always)
    package static func realCells(_ g: VolumeGeometry, _ p: Int) -> Int {
        var count = 0
        g.forEachTap(output: p) { _, cell in if cell >= 0 { count += 1 } }
        return count
    }

    package static func averageForward(_ x: UnsafePointer<Float>, _ y: UnsafeMutablePointer<Float>, _ g: VolumeGeometry) {
        let c = g.inChannels, cells = g.outPositions, inPlane = g.inPositions * c
        Parallel.forEach(g.batch) { n in
            let xs = x + n * inPlane
            for p in 0..<cells {
                let out = y + (n * cells + p) * c
                out.initialize(repeating: 0, count: c)
                g.forEachTap(output: p) { _, cell in
                    guard cell >= 0 else { return }
                    let xp = xs + cell * c
                    for j in 0..<c { out[j] += xp[j] }
                }
                let scale = 1 / Float(Swift.max(realCells(g, p), 1))
                for j in 0..<c { out[j] *= scale }
            }
        }
    }

    package static func averageBackward(_ grad: UnsafePointer<Float>, _ dx: UnsafeMutablePointer<Float>, _ g: VolumeGeometry) {
        let c = g.inChannels, cells = g.outPositions, inPlane = g.inPositions * c
        Parallel.forEach(g.batch) { n in
            let dxs = dx + n * inPlane
            dxs.initialize(repeating: 0, count: inPlane)
            for p in 0..<cells {
                let gp = grad + (n * cells + p) * c
                let scale = 1 / Float(Swift.max(realCells(g, p), 1))
                g.forEachTap(output: p) { _, cell in
                    guard cell >= 0 else { return }
                    let dp = dxs + cell * c
                    for j in 0..<c { dp[j] += gp[j] * scale }
                }
            }
        }
    }
}
