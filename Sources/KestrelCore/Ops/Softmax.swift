import Foundation

/// Numerically stable softmax and log-softmax along one axis (the max is subtracted
/// before exponentiating), each with its closed-form gradient.
extension Tensor {
    /// Calls `body(rowStart, length, stride)` for every 1-D line along `axis`.
    package func forEachLine(alongAxis a: Int, _ body: (Int, Int, Int) -> Void) {
        let (outer, length, inner) = blocks(around: a)
        for o in 0..<outer {
            for i in 0..<inner { body(o * length * inner + i, length, inner) }
        }
    }
}

/// e^x / Σ e^x along `axis` (the last by default).
public func softmax(_ x: Tensor, alongAxis axis: Int = -1) -> Tensor {
    let a = checked { try Shape.normalize(axis: axis, rank: x.rank, op: "softmax") }
    let src = x.storage.pointer
    let (outer, length, inner) = x.blocks(around: a)
    let y = Tensor(shape: x.shape) { out, _ in
        if inner == 1 {
            // Contiguous rows: SIMD per row, blocks of rows on the thread pool.
            Parallel.forEachBlock(outer, size: 8192 / Swift.max(length, 1)) { _, rows in
                for r in rows {
                    (out + r * length).update(from: src + r * length, count: length)
                    RowMath.softmax(out + r * length, count: length)
                }
            }
            return
        }
        x.forEachLine(alongAxis: a) { start, n, s in
            var m = -Float.infinity
            for j in 0..<n { m = Swift.max(m, src[start + j * s]) }
            var total: Float = 0
            for j in 0..<n {
                let e = Foundation.exp(src[start + j * s] - m)
                out[start + j * s] = e
                total += e
            }
            let inv = 1 / total
            for j in 0..<n { out[start + j * s] *= inv }
        }
    }
    return y.recorded(from: x) { g in
        // dx = y ⊙ (g − Σ g⊙y)
        let dot = (g * y).sum(alongAxes: [a], keepingDimensions: true)
        return y * (g - dot)
    }
}

/// x − log Σ e^x along `axis` (the last by default).
public func logSoftmax(_ x: Tensor, alongAxis axis: Int = -1) -> Tensor {
    let a = checked { try Shape.normalize(axis: axis, rank: x.rank, op: "logSoftmax") }
    let src = x.storage.pointer
    let y = Tensor(shape: x.shape) { out, _ in
        x.forEachLine(alongAxis: a) { start, n, s in
            var m = -Float.infinity
            for j in 0..<n { m = Swift.max(m, src[start + j * s]) }
            var total: Float = 0
            for j in 0..<n { total += Foundation.exp(src[start + j * s] - m) }
            let logTotal = Foundation.log(total)
            for j in 0..<n { out[start + j * s] = (src[start + j * s] - m) - logTotal }
        }
    }
    return y.recorded(from: x) { g in
        // dx = g − softmax(x) · Σ g
        g - exp(y) * g.sum(alongAxes: [a], keepingDimensions: true)
    }
}
