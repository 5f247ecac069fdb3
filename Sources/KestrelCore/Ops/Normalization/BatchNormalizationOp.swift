/// Batch normalization along one channel axis, as one tape op: x viewed as
/// (outer, channels, inner), each channel normalized by statistics over every other axis,
/// then scaled by `gamma` and shifted by `beta` (either may be absent).
///
/// With `statistics` = nil (training) the biased batch mean and variance are used and
/// returned, and the gradient flows through them. With given (mean, variance) (inference)
/// those are constants.
public func batchNormalization(_ x: Tensor, axis: Int, gamma: Tensor?, beta: Tensor?, epsilon: Float,
                               statistics: (mean: Tensor, variance: Tensor)? = nil) -> (output: Tensor, mean: Tensor, variance: Tensor) {
    let a = checked { try Shape.normalize(axis: axis, rank: x.rank, op: "batchNormalization") }
    let (outer, c, inner) = x.blocks(around: a)
    checkedPrecondition(gamma.map { $0.shape == [c] } ?? true && beta.map { $0.shape == [c] } ?? true,
                 "batchNormalization: gamma and beta need shape [\(c)] for input \(x.shape)")
    let count = outer * inner
    let mean: Tensor, variance: Tensor
    if let statistics {
        mean = statistics.mean.detached()
        variance = statistics.variance.detached()
    } else {
        (mean, variance) = NormalizationKernels.moments(x.storage.pointer, outer: outer, channels: c, inner: inner)
    }
    // Per-channel affine map y = x·scale + shift.
    var scale = [Float](repeating: 1, count: c), shift = [Float](repeating: 0, count: c)
    for j in 0..<c {
        let invStd = 1 / (variance.storage.pointer[j] + epsilon).squareRoot()
        let gj = gamma?.storage.pointer[j] ?? 1
        scale[j] = gj * invStd
        shift[j] = (beta?.storage.pointer[j] ?? 0) - mean.storage.pointer[j] * scale[j]
    }
    let y = Tensor(shape: x.shape) { out, _ in
        NormalizationKernels.affine(x.storage.pointer, out, scale: scale, shift: shift, outer: outer, channels: c, inner: inner)
    }
    let training = statistics == nil
    let inputs: [Tensor] = [x] + (gamma.map { [$0] } ?? []) + (beta.map { [$0] } ?? [])
    let output = y.recorded(from: inputs) { g in
        // Per channel: Σg and Σg·x̂ (x̂ the normalized input).
        let (sumG, sumGX) = NormalizationKernels.gradientSums(g.storage.pointer, x.storage.pointer, mean: mean.storage.pointer,
                                                             variance: variance.storage.pointer, epsilon: epsilon,
                                                             outer: outer, channels: c, inner: inner)
        var dx: Tensor? = nil
        if x.requiresGradient {
            // Training: dx = γ·σ⁻¹·(g − mean(g) − x̂·mean(g·x̂)); inference: dx = γ·σ⁻¹·g.
            var k1 = [Float](repeating: 0, count: c), k0 = [Float](repeating: 0, count: c), kg = [Float](repeating: 0, count: c)
            for j in 0..<c {
                let invStd = 1 / (variance.storage.pointer[j] + epsilon).squareRoot()
                kg[j] = (gamma?.storage.pointer[j] ?? 1) * invStd
                if training {
                    // dx = kg·g − kg·mean(g) − kg·x̂·mean(g·x̂), with x̂ = (x − μ)·σ⁻¹.
                    let mg = sumG[j] / Float(count), mgx = sumGX[j] / Float(count)
                    k1[j] = -kg[j] * mgx * invStd
                    k0[j] = -kg[j] * mg - k1[j] * mean.storage.pointer[j]
                }
            }
            dx = Tensor(shape: x.shape) { out, _ in
                NormalizationKernels.gradientInput(g.storage.pointer, x.storage.pointer, out, kg: kg, k1: k1, k0: k0,
                                                   outer: outer, channels: c, inner: inner)
            }
        }
        let dGamma = gamma.map { _ in Tensor(shape: [c], scalars: sumGX) }
        let dBeta = beta.map { _ in Tensor(shape: [c], scalars: sumG) }
        return [dx] + (gamma != nil ? [dGamma] : []) + (beta != nil ? [dBeta] : [])
    }
    return (output, mean, variance)
}

/// The per-channel loops of batch normalization over an (outer, channels, inner) view;
/// channels-last inputs (inner = 1) run over contiguous channel rows, in parallel blocks.
package enum NormalizationKernels {
    /// Rows per parallel block.
    package static let blockRows = 256

    /// Calls body(rowPointerOffset, channel0stride) for each (outer, inner) position in
    /// parallel blocks, with per-block accumulators of size `accumulators`·channels.
    package static func reduce(outer: Int, channels c: Int, inner: Int, accumulators: Int,
                       _ row: (_ offset: Int, _ stride: Int, _ acc: UnsafeMutablePointer<Double>) -> Void) -> [Double] {
        let rows = outer * inner
        let blocks = Swift.max(1, (rows + blockRows - 1) / blockRows)
        let size = accumulators * c
        let partial = UnsafeMutablePointer<Double>.allocate(capacity: blocks * size)
        defer { partial.deallocate() }
        partial.initialize(repeating: 0, count: blocks * size)
        Parallel.forEach(blocks) { b in
            let acc = partial + b * size
            for r in (b * blockRows)..<Swift.min(rows, (b + 1) * blockRows) {
                let o = r / inner, i = r % inner
                row(o * c * inner + i, inner, acc)
            }
        }
        var total = [Double](repeating: 0, count: size)
        for b in 0..<blocks {
            for k in 0..<size { total[k] += partial[b * size + k] }
        }
        return total
    }

    /// Biased per-channel mean and variance (two passes, double accumulators).
    package static func moments(_ x: UnsafePointer<Float>, outer: Int, channels c: Int, inner: Int) -> (Tensor, Tensor) {
        let n = Double(outer * inner)
        let sums = reduce(outer: outer, channels: c, inner: inner, accumulators: 1) { off, st, acc in
            for j in 0..<c { acc[j] += Double(x[off + j * st]) }
        }
        let mean = sums.map { $0 / n }
        let squares = mean.withUnsafeBufferPointer { m in
            reduce(outer: outer, channels: c, inner: inner, accumulators: 1) { off, st, acc in
                for j in 0..<c {
                    let d = Double(x[off + j * st]) - m[j]
                    acc[j] += d * d
                }
            }
        }
        return (Tensor(shape: [c], scalars: mean.map { Float($0) }), Tensor(shape: [c], scalars: squares.map { Float($0 / n) }))
    }

    /// Σg and Σg·x̂ per channel.
    package static func gradientSums(_ g: UnsafePointer<Float>, _ x: UnsafePointer<Float>, mean: UnsafePointer<Float>,
                             variance: UnsafePointer<Float>, epsilon: Float,
                             outer: Int, channels c: Int, inner: Int) -> ([Float], [Float]) {
        let invStd = (0..<c).map { 1 / Double((variance[$0] + epsilon).squareRoot()) }
        let sums = invStd.withUnsafeBufferPointer { inv in
            reduce(outer: outer, channels: c, inner: inner, accumulators: 2) { off, st, acc in
                for j in 0..<c {
                    let gv = Double(g[off + j * st])
                    acc[j] += gv
                    acc[c + j] += gv * (Double(x[off + j * st]) - Double(mean[j])) * inv[j]
                }
            }
        }
        return (sums[0..<c].map { Float($0) }, sums[c...].map { Float($0) })
    }

    /// out = x·scale + shift per channel.
    package static func affine(_ x: UnsafePointer<Float>, _ out: UnsafeMutablePointer<Float>, scale: [Float], shift: [Float],
                       outer: Int, channels c: Int, inner: Int) {
        scale.withUnsafeBufferPointer { s in
            shift.withUnsafeBufferPointer { t in
                forEachRow(outer: outer, channels: c, inner: inner) { off, st in
                    for j in 0..<c { out[off + j * st] = x[off + j * st] * s[j] + t[j] }
                }
            }
        }
    }

    /// out = kg·g + k1·x + k0 per channel.
    package static func gradientInput(_ g: UnsafePointer<Float>, _ x: UnsafePointer<Float>, _ out: UnsafeMutablePointer<Float>,
                              kg: [Float], k1: [Float], k0: [Float], outer: Int, channels c: Int, inner: Int) {
        kg.withUnsafeBufferPointer { a in
            k1.withUnsafeBufferPointer { b in
                k0.withUnsafeBufferPointer { d in
                    forEachRow(outer: outer, channels: c, inner: inner) { off, st in
                        for j in 0..<c { out[off + j * st] = a[j] * g[off + j * st] + b[j] * x[off + j * st] + d[j] }
                    }
                }
            }
        }
    }

    package static func forEachRow(outer: Int, channels c: Int, inner: Int, _ body: (Int, Int) -> Void) {
        let rows = outer * inner
        let blocks = Swift.max(1, (rows + blockRows - 1) / blockRows)
        Parallel.forEach(blocks) { b in
            for r in (b * blockRows)..<Swift.min(rows, (b + 1) * blockRows) {
                body((r / inner) * c * inner + r % inner, inner)
            }
        }
    }
}
