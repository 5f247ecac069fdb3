/// Layer normalization over the last axis as one tape op: each row of `x` minus its mean,
/// divided by √(variance + ε), times `gamma`, plus `beta` (either may be absent; both have
/// the last axis's size). Rows run in blocks on the thread pool; the backward pass uses the
/// closed form dx = (ĝ − mean(ĝ) − x̂·mean(ĝ·x̂)) / σ with ĝ = g·γ, and sums dγ, dβ per block.
public func layerNormalization(_ x: Tensor, gamma: Tensor?, beta: Tensor?, epsilon: Float) -> Tensor {
    checkedPrecondition(x.rank >= 1, "layerNormalization: needs at least one axis")
    let width = x.shape[x.rank - 1], rows = x.count / Swift.max(width, 1)
    checkedPrecondition(gamma.map { $0.shape == [width] } ?? true && beta.map { $0.shape == [width] } ?? true,
                        "layerNormalization: gamma and beta need shape [\(width)] for input \(x.shape)")
    let xp = UnsafePointer(x.storage.pointer)
    let gp = gamma.map { UnsafePointer($0.storage.pointer) }, bp = beta.map { UnsafePointer($0.storage.pointer) }
    // Per row: mean and 1/σ, kept for the backward pass.
    let statistics = Tensor(shape: [rows, 2]) { _, _ in }
    let sp = statistics.storage.pointer
    let y = Tensor(shape: x.shape) { out, _ in
        Parallel.forEachBlock(rows, size: LayerNormalizationRows.blockSize(width)) { _, block in
            for r in block {
                let row = xp + r * width, o = out + r * width
                let mean = RowMath.sum(row, count: width) / Float(width)
                let inverse = 1 / (RowMath.squaredDeviation(row, from: mean, count: width) / Float(width) + epsilon).squareRoot()
                sp[2 * r] = mean
                sp[2 * r + 1] = inverse
                for j in 0..<width { o[j] = (row[j] - mean) * inverse * (gp?[j] ?? 1) + (bp?[j] ?? 0) }
            }
        }
    }
    let inputs = [x] + (gamma.map { [$0] } ?? []) + (beta.map { [$0] } ?? [])
    return y.recorded(from: inputs) { grad in
        LayerNormalizationRows.backward(grad, x: x, statistics: statistics, gamma: gamma, beta: beta, rows: rows, width: width)
    }
}

private enum LayerNormalizationRows {
    /// Rows per block on the thread pool: about 16 K floats.
    static func blockSize(_ width: Int) -> Int { (1 << 14) / Swift.max(width, 1) }

    static func backward(_ grad: Tensor, x: Tensor, statistics: Tensor, gamma: Tensor?, beta: Tensor?, rows: Int,
                         width: Int) -> [Tensor?] {
        let gp = UnsafePointer(grad.storage.pointer), xp = UnsafePointer(x.storage.pointer)
        let sp = UnsafePointer(statistics.storage.pointer), gammaP = gamma.map { UnsafePointer($0.storage.pointer) }
        let size = blockSize(width), blocks = Parallel.blockCount(rows, size: size)
        let wantParameters = gamma != nil || beta != nil
        // Per block: partial dγ and dβ, summed in block order afterwards (deterministic).
        let partials = Tensor.zeros(wantParameters ? [blocks, 2, width] : [0])
        let pp = partials.storage.pointer
        let dx = Tensor(shape: x.shape) { out, _ in
            Parallel.forEachBlock(rows, size: size) { b, block in
                ScratchPool.with(width) { scaled in
                    let dGamma = pp + b * 2 * width, dBeta = dGamma + width
                    for r in block {
                        let row = xp + r * width, g = gp + r * width, o = out + r * width
                        let mean = sp[2 * r], inverse = sp[2 * r + 1]
                        for j in 0..<width {
                            let normalized = (row[j] - mean) * inverse
                            if wantParameters {
                                dGamma[j] += g[j] * normalized
                                dBeta[j] += g[j]
                            }
                            scaled[j] = g[j] * (gammaP?[j] ?? 1)
                        }
                        let meanScaled = RowMath.sum(scaled, count: width) / Float(width)
                        var meanScaledNormalized: Float = 0
                        for j in 0..<width { meanScaledNormalized += scaled[j] * (row[j] - mean) }
                        meanScaledNormalized *= inverse / Float(width)
                        for j in 0..<width {
                            o[j] = (scaled[j] - meanScaled - (row[j] - mean) * inverse * meanScaledNormalized) * inverse
                        }
                    }
                }
            }
        }
        guard wantParameters else { return [dx] }
        let sums = partials.sum(alongAxes: [0])
        var result: [Tensor?] = [dx]
        if gamma != nil { result.append(sums.selecting(index: 0, alongAxis: 0).detached()) }
        if beta != nil { result.append(sums.selecting(index: 1, alongAxis: 0).detached()) }
        return result
    }
}
