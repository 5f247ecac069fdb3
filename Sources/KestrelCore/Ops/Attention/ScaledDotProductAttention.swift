/// Multi-head scaled dot-product attention as one tape op: for every sample and head,
/// weights = softmax(scale · q·kᵀ with the disallowed pairs at −1e9) and output = weights·v.
/// It reads the heads straight out of the projections' (samples, steps, heads·width) layout
/// and writes the output in the same layout, so no head is permuted or copied; each
/// (sample, head) runs its products on one worker, and the backward pass recomputes nothing
/// but the dropped weights.
package struct ScaledDotProductAttention {
    package let heads: Int
    package let scale: Float
    /// Zero the weights of disallowed pairs after the softmax (Keras's masked softmax, which
    /// MultiHeadAttention uses with dropout): a query with no allowed key then gets no weight
    /// instead of equal weights on all keys.
    package let zeroesDisallowed: Bool

    package init(heads: Int, scale: Float, zeroesDisallowed: Bool) {
        self.heads = heads
        self.scale = scale
        self.zeroesDisallowed = zeroesDisallowed
    }

    /// query (N, T, heads·dk), key (N, S, heads·dk), value (N, S, heads·dv) → (N, T, heads·dv).
    /// `allowed`: 1/0 per (query, key) pair, (N, T, S) or (1, T, S), the same for every head;
    /// `dropout`: the weights' multipliers, (N, heads, T, S).
    package func callAsFunction(query: Tensor, key: Tensor, value: Tensor, allowed: Tensor?, dropout: Tensor?) -> Tensor {
        let n = query.shape[0], t = query.shape[1], s = key.shape[1]
        let dk = query.shape[2] / heads, dv = value.shape[2] / heads
        checkedPrecondition(query.rank == 3 && key.rank == 3 && value.rank == 3 && query.shape[2] == heads * dk
                            && key.shape == [n, s, heads * dk] && value.shape[0] == n && value.shape[1] == s && value.shape[2] == heads * dv,
                            "attention: query \(query.shape), key \(key.shape), value \(value.shape) do not fit \(heads) heads")
        checkedPrecondition(allowed.map { ($0.shape == [n, t, s] || $0.shape == [1, t, s]) } ?? true,
                            "attention: allowed pairs \(allowed!.shape), expected \([n, t, s]) or \([1, t, s])")
        checkedPrecondition(dropout.map { $0.shape == [n, heads, t, s] } ?? true, "attention: dropout \(dropout!.shape), expected \([n, heads, t, s])")
        let shape = Shape(n: n, t: t, s: s, dk: dk, dv: dv, heads: heads)
        let weights = Tensor(shape: [n, heads, t, s]) { _, _ in }
        let qp = UnsafePointer(query.storage.pointer), kp = UnsafePointer(key.storage.pointer), vp = UnsafePointer(value.storage.pointer)
        let wp = weights.storage.pointer, ap = allowed.map { UnsafePointer($0.storage.pointer) }
        let dp = dropout.map { UnsafePointer($0.storage.pointer) }
        let allowedPerSample = allowed?.shape[0] == n
        let output = Tensor(shape: [n, t, heads * dv]) { out, _ in
            Parallel.forEach(n * heads) { job in
                let (i, h) = job.quotientAndRemainder(dividingBy: heads)
                let w = wp + job * t * s
                Gemm.sgemm(transA: false, transB: true, m: t, n: s, k: dk, alpha: scale, a: qp + i * t * heads * dk + h * dk,
                           lda: heads * dk, b: kp + i * s * heads * dk + h * dk, ldb: heads * dk, beta: 0, c: w, ldc: s, serial: true)
                let pairs = ap.map { $0 + (allowedPerSample ? i * t * s : 0) }
                softmaxRows(w, rows: t, length: s, allowed: pairs)
                let combine = { (used: UnsafePointer<Float>) in
                    Gemm.sgemm(transA: false, transB: false, m: t, n: dv, k: s, alpha: 1, a: used, lda: s,
                               b: vp + i * s * heads * dv + h * dv, ldb: heads * dv, beta: 0,
                               c: out + i * t * heads * dv + h * dv, ldc: heads * dv, serial: true)
                }
                guard let dp else { return combine(w) }
                ScratchPool.with(t * s) { dropped in
                    let d = dp + job * t * s
                    for j in 0..<(t * s) { dropped[j] = w[j] * d[j] }
                    combine(dropped)
                }
            }
        }
        return output.recorded(from: [query, key, value]) { grad in
            backward(grad, shape: shape, query: query, key: key, value: value, weights: weights, allowed: allowed,
                     allowedPerSample: allowedPerSample, dropout: dropout)
        }
    }

    private struct Shape { let n, t, s, dk, dv, heads: Int }

    /// Row softmax in place; disallowed pairs count as −1e9 before it (and as 0 after it
    /// when `zeroesDisallowed`).
    private func softmaxRows(_ w: UnsafeMutablePointer<Float>, rows: Int, length: Int, allowed: UnsafePointer<Float>?) {
        for r in 0..<rows {
            let row = w + r * length
            if let allowed { let a = allowed + r * length; for j in 0..<length where a[j] == 0 { row[j] = -1e9 } }
            RowMath.softmax(row, count: length)
            if zeroesDisallowed, let allowed { let a = allowed + r * length; for j in 0..<length { row[j] *= a[j] } }
        }
    }

    /// dv = Wᵀ·dO; dW = dO·vᵀ; the softmax's backward (through the zeroing and dropout) gives
    /// dS, zero at disallowed pairs; dq = scale·dS·k, dk = scale·dSᵀ·q.
    private func backward(_ grad: Tensor, shape sh: Shape, query: Tensor, key: Tensor, value: Tensor, weights: Tensor,
                          allowed: Tensor?, allowedPerSample: Bool, dropout: Tensor?) -> [Tensor?] {
        let (n, t, s, dk, dv, heads) = (sh.n, sh.t, sh.s, sh.dk, sh.dv, sh.heads)
        let dq = Tensor(shape: query.shape) { _, _ in }, dkey = Tensor(shape: key.shape) { _, _ in }
        let dvalue = Tensor(shape: value.shape) { _, _ in }
        let qp = UnsafePointer(query.storage.pointer), kp = UnsafePointer(key.storage.pointer), vp = UnsafePointer(value.storage.pointer)
        let gp = UnsafePointer(grad.storage.pointer), wp = UnsafePointer(weights.storage.pointer)
        let ap = allowed.map { UnsafePointer($0.storage.pointer) }, dp = dropout.map { UnsafePointer($0.storage.pointer) }
        let dqp = dq.storage.pointer, dkp = dkey.storage.pointer, dvp = dvalue.storage.pointer
        let scale = scale
        Parallel.forEach(n * heads) { job in
            let (i, h) = job.quotientAndRemainder(dividingBy: heads)
            let w = wp + job * t * s, pairs = ap.map { $0 + (allowedPerSample ? i * t * s : 0) }
            let d = dp.map { $0 + job * t * s }
            let gOut = gp + i * t * heads * dv + h * dv
            ScratchPool.with((d == nil ? 1 : 2) * t * s) { buffer in
                let dw = buffer
                // The weights the product used: after zeroing, and dropout when there is one.
                var used = w
                if let d {
                    let dropped = buffer + t * s
                    for j in 0..<(t * s) { dropped[j] = w[j] * d[j] }
                    used = UnsafePointer(dropped)
                }
                Gemm.sgemm(transA: true, transB: false, m: s, n: dv, k: t, alpha: 1, a: used, lda: s, b: gOut, ldb: heads * dv,
                           beta: 0, c: dvp + i * s * heads * dv + h * dv, ldc: heads * dv, serial: true)
                Gemm.sgemm(transA: false, transB: true, m: t, n: s, k: dv, alpha: 1, a: gOut, lda: heads * dv,
                           b: vp + i * s * heads * dv + h * dv, ldb: heads * dv, beta: 0, c: dw, ldc: s, serial: true)
                if let d { for j in 0..<(t * s) { dw[j] *= d[j] } }
                for r in 0..<t {
                    let y = w + r * s, g = dw + r * s, a = pairs.map { $0 + r * s }
                    // Σ g⊙y is the same with zeroing (w = softmax ⊙ allowed): g is masked too.
                    let dot = RowMath.dot(g, y, count: s)
                    if let a { for j in 0..<s { g[j] = a[j] == 0 ? 0 : y[j] * (g[j] - dot) * scale } }
                    else { for j in 0..<s { g[j] = y[j] * (g[j] - dot) * scale } }
                }
                Gemm.sgemm(transA: false, transB: false, m: t, n: dk, k: s, alpha: 1, a: dw, lda: s,
                           b: kp + i * s * heads * dk + h * dk, ldb: heads * dk, beta: 0,
                           c: dqp + i * t * heads * dk + h * dk, ldc: heads * dk, serial: true)
                Gemm.sgemm(transA: true, transB: false, m: s, n: dk, k: t, alpha: 1, a: dw, lda: s,
                           b: qp + i * t * heads * dk + h * dk, ldb: heads * dk, beta: 0,
                           c: dkp + i * s * heads * dk + h * dk, ldc: heads * dk, serial: true)
            }
        }
        return [dq, dkey, dvalue]
    }
}
