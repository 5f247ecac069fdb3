/// Matrix products on the SGEMM kernel: 2-D, and batched over leading axes with NumPy
/// broadcasting of the batch axes. Transposed operands are read in place (the flag goes to
/// the kernel), never copied.
///
/// `a` is (…, m, k) — or (…, k, m) when `transposeA` — and `b` is (…, k, n) — or (…, n, k)
/// when `transposeB`; the result is (…, m, n).
public func matmul(_ a: Tensor, _ b: Tensor, transposeA: Bool = false, transposeB: Bool = false) -> Tensor {
    let layout = checked { try MatMulLayout(a.shape, b.shape, transposeA: transposeA, transposeB: transposeB) }
    let result = layout.compute(a, b)
    return result.recorded(from: a, b) { g in
        // C = op(A)·op(B): dA = g·op(B)ᵀ and dB = op(A)ᵀ·g, expressed with transpose flags.
        var ga: Tensor?
        var gb: Tensor?
        if a.node != nil {
            ga = transposeA ? matmul(b, g, transposeA: transposeB, transposeB: true)
                            : matmul(g, b, transposeB: !transposeB)
            ga = ga!.sumToShape(a.shape)
        }
        if b.node != nil {
            gb = transposeB ? matmul(g, a, transposeA: true, transposeB: transposeA)
                            : matmul(a, g, transposeA: !transposeA)
            gb = gb!.sumToShape(b.shape)
        }
        return (ga, gb)
    }
}

/// The checked shapes of one matmul and how to run it.
package struct MatMulLayout {
    package let m, n, k: Int
    package let transposeA, transposeB: Bool
    package let aShape, bShape: [Int]
    package let batchShape: [Int]

    package init(_ aShape: [Int], _ bShape: [Int], transposeA: Bool, transposeB: Bool) throws {
        guard aShape.count >= 2, bShape.count >= 2 else {
            throw KestrelError(.shapeMismatch, "matmul: both operands need rank ≥ 2, got \(aShape) and \(bShape)")
        }
        let (am, ak) = transposeA ? (aShape[aShape.count - 1], aShape[aShape.count - 2]) : (aShape[aShape.count - 2], aShape[aShape.count - 1])
        let (bk, bn) = transposeB ? (bShape[bShape.count - 1], bShape[bShape.count - 2]) : (bShape[bShape.count - 2], bShape[bShape.count - 1])
        guard ak == bk else {
            throw KestrelError(.shapeMismatch,
                               "matmul: inner dimensions differ: \(aShape)\(transposeA ? "ᵀ" : "") has k = \(ak) but \(bShape)\(transposeB ? "ᵀ" : "") has k = \(bk) (the last axis of the left operand must equal the second-to-last of the right)")
        }
        m = am; n = bn; k = ak
        self.transposeA = transposeA
        self.transposeB = transposeB
        self.aShape = aShape
        self.bShape = bShape
        batchShape = try Shape.broadcast(Array(aShape.dropLast(2)), Array(bShape.dropLast(2)), op: "matmul (batch axes)")
    }

    package func compute(_ a: Tensor, _ b: Tensor) -> Tensor {
        let (m, n, k) = (self.m, self.n, self.k)
        let lda = aShape[aShape.count - 1], ldb = bShape[bShape.count - 1]
        // A stack of matrices times one matrix: fold the stack into the rows of one GEMM.
        if bShape.count == 2 && !transposeA {
            let rows = Shape.count(Array(aShape.dropLast()))
            let outShape = Array(aShape.dropLast()) + [n]
            return Tensor(shape: outShape) { out, _ in
                Gemm.sgemm(transA: false, transB: transposeB, m: rows,
                           n: n, k: k, alpha: 1, a: a.storage.pointer, lda: lda, b: b.storage.pointer, ldb: ldb,
                           beta: 0, c: out, ldc: n)
            }
        }
        let batches = Shape.count(batchShape)
        let aFull = aShape.count - 2 == batchShape.count && Array(aShape.dropLast(2)) == batchShape
            ? a : a.broadcast(to: batchShape + aShape.suffix(2))
        let bFull = bShape.count - 2 == batchShape.count && Array(bShape.dropLast(2)) == batchShape
            ? b : b.broadcast(to: batchShape + bShape.suffix(2))
        let aStep = aShape[aShape.count - 1] * aShape[aShape.count - 2]
        let bStep = bShape[bShape.count - 1] * bShape[bShape.count - 2]
        return Tensor(shape: batchShape + [m, n]) { out, _ in
            let pa = aFull.storage.pointer, pb = bFull.storage.pointer
            for i in 0..<batches {
                Gemm.sgemm(transA: transposeA, transB: transposeB, m: m, n: n, k: k, alpha: 1,
                           a: pa + i * aStep, lda: lda, b: pb + i * bStep, ldb: ldb,
                           beta: 0, c: out + i * m * n, ldc: n)
            }
        }
    }
}
