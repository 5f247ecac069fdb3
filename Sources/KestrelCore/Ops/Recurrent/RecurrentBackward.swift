/// Backpropagation through time for the fused recurrent op: per direction and batch chunk,
/// the steps run in reverse turning the output and state cotangents into gate cotangents dZ
/// (stored over the gates in the trace) and one GEMM per step carries dh to the previous
/// step. The weight, bias and input gradients then come from single GEMMs over all steps.
extension RecurrentRun {
    /// Gradients for `directions.flatMap(\.tapeInputs)` from the packed output's cotangent.
    package func backward(_ gradient: Tensor) -> [Tensor?] {
        let chunks = chunksPerDirection
        let gp = gradient.storage.pointer
        let stateGrads = directions.map { _ in (0..<s).map { _ in FloatBuffer(n * u) } }
        // GRU reset-after keeps the recurrent-side cotangent separately: (T, N, 3U).
        let recurrentSide: [FloatBuffer?] = directions.map { _ in spec.kind == .gru(resetAfter: true) ? FloatBuffer(t * n * g) : nil }
        let scratch = (0..<(directions.count * chunks)).map { _ in FloatBuffer(5 * n * u, zeroed: true) }
        // Transposed recurrent kernels packed once for the per-step products dZ · Uᵀ.
        let products = directions.map { kernel.transposedProducts($0.recurrentKernel.storage.pointer, u: u, g: g) }
        let packSize = products.flatMap { $0 }.map { $0.packedSize(rows: n) }.max()!
        let packs = (0..<(directions.count * chunks)).map { _ in FloatBuffer(packSize) }
        Parallel.forEach(directions.count * chunks) { unit in
            let d = unit / chunks
            backwardRows(direction: d, rows: rows(chunk: unit % chunks, of: chunks), gradient: gp, products: products[d],
                         stateGrads: stateGrads[d].map(\.p), recurrentSide: recurrentSide[d]?.p, scratch: scratch[unit].p,
                         pack: packs[unit].p)
        }
        var grads: [Tensor?] = []
        for (d, dir) in directions.enumerated() {
            grads += weightGradients(direction: d, recurrentSide: recurrentSide[d]?.p)
            for (k, state) in dir.initialStates.enumerated() {
                grads.append(state.requiresGradient ? Tensor(shape: [n, u]) { p, c in p.update(from: stateGrads[d][k].p, count: c) } : nil)
            }
        }
        return grads
    }

    /// Reverse recurrence of one direction over a block of batch rows; leaves dZ in the
    /// trace's gate buffer and the initial-state cotangents in `stateGrads`.
    package func backwardRows(direction d: Int, rows: Range<Int>, gradient: UnsafePointer<Float>, products: [PackedRecurrentMatrix],
                      stateGrads: [UnsafeMutablePointer<Float>], recurrentSide: UnsafeMutablePointer<Float>?,
                      scratch: UnsafeMutablePointer<Float>, pack: UnsafeMutablePointer<Float>) {
        let (n, t, u, g) = (self.n, self.t, self.u, self.g)
        let dir = directions[d], tr = traces[d], cell = kernel
        let rm: UnsafePointer<Float>? = dir.recurrentDropoutMask.map { UnsafePointer($0.storage.pointer) }
        let mk: UnsafePointer<Float>? = mask.map { UnsafePointer($0.storage.pointer) }
        let n0 = rows.lowerBound
        let rowStride = (t + s) * u
        let gD = gradient + d * n * rowStride
        // Per-row cotangents of h, c (GRU: the direct z ⊙ h term), the carried output, the
        // next dh, and a GEMM result.
        var dh = scratch, dhNext = scratch + n * u
        let dc = scratch + 2 * n * u, dyCarry = scratch + 3 * n * u, tmp = scratch + 4 * n * u
        for row in rows {
            let r = row - n0
            (dh + r * u).update(from: gD + row * rowStride + t * u, count: u)
            if spec.kind == .lstm { (dc + r * u).update(from: gD + row * rowStride + (t + 1) * u, count: u) }
        }
        // GRU's h' = z ⊙ h + … also reaches h directly, besides through the product.
        let gru = spec.kind != .lstm && spec.kind != .simple
        for step in stride(from: t - 1, through: 0, by: -1) {
            let time = time(ofStep: step, backwards: dir.goBackwards)
            let hp = tr.h.p + step * n * u, hn = hp + n * u
            let hin = tr.hDropped.map { $0.p + step * n * u } ?? hp
            let zs = tr.z.p + step * n * g
            let aux = tr.aux.map { $0.p + step * n * u }
            // Output cotangents reach h at unmasked steps; masked ones pass to the previous output.
            for row in rows {
                let gy = gD + row * rowStride + step * u, dhr = dh + (row - n0) * u
                if mk == nil {
                    for j in 0..<u { dhr[j] += gy[j] }
                } else if !isMasked(mk, row: row, time: time) {
                    let carry = dyCarry + (row - n0) * u
                    for j in 0..<u { dhr[j] += gy[j] + carry[j]; carry[j] = 0 }
                } else if !spec.zeroOutputForMask {
                    let carry = dyCarry + (row - n0) * u
                    for j in 0..<u { carry[j] += gy[j] }
                }
            }
            cell.backward(BackwardStep(rows: rows, u: u, g: g, z: zs, mask: mk, t: t, time: time, hPrevious: hp, hInput: hin,
                                       hNext: hn, cPrevious: tr.c.map { $0.p + step * n * u }, aux: aux,
                                       recurrentSide: recurrentSide.map { $0 + step * n * g }, dh: dh, dhNext: dhNext, dc: dc,
                                       tmp: tmp, pack: pack),
                          products: products)
            // dhNext holds the cotangent of the recurrent product's (dropped-out) input h; the
            // GRU's z ⊙ h term uses h itself. Masked rows carry dh over unchanged.
            for row in rows {
                let r = row - n0
                let next = dhNext + r * u
                if isMasked(mk, row: row, time: time) {
                    next.update(from: dh + r * u, count: u)
                    continue
                }
                if let rm {
                    let mr = rm + row * u
                    for j in 0..<u { next[j] *= mr[j] }
                }
                if gru {
                    let direct = dc + r * u
                    for j in 0..<u { next[j] += direct[j] }
                }
            }
            swap(&dh, &dhNext)
        }
        for row in rows {
            let r = row - n0
            (stateGrads[0] + row * u).update(from: dh + r * u, count: u)
            if spec.kind == .lstm { (stateGrads[1] + row * u).update(from: dc + r * u, count: u) }
        }
    }

    /// Gradients of x, kernel, recurrent kernel and bias of one direction from its dZ.
    package func weightGradients(direction d: Int, recurrentSide: UnsafeMutablePointer<Float>?) -> [Tensor?] {
        let (n, t, f, u, g) = (self.n, self.t, self.f, self.u, self.g)
        let dir = directions[d], tr = traces[d]
        let rows = t * n
        let dz = tr.z.p
        let hin = tr.hDropped?.p ?? tr.h.p
        var grads: [Tensor?] = []
        if dir.x.requiresGradient {
            let dxs = FloatBuffer(rows * f)
            Gemm.sgemm(transA: false, transB: true, m: rows, n: f, k: g, alpha: 1, a: dz, lda: g,
                       b: dir.kernel.storage.pointer, ldb: g, beta: 0, c: dxs.p, ldc: f)
            grads.append(Tensor(shape: [n, t, f]) { dx, _ in
                for step in 0..<t {
                    let time = time(ofStep: step, backwards: dir.goBackwards)
                    for row in 0..<n { (dx + (row * t + time) * f).update(from: dxs.p + (step * n + row) * f, count: f) }
                }
            })
        } else {
            grads.append(nil)
        }
        grads.append(Tensor(shape: [f, g]) { dw, _ in
            Gemm.sgemm(transA: true, transB: false, m: f, n: g, k: rows, alpha: 1, a: tr.xs.p, lda: f,
                       b: dz, ldb: g, beta: 0, c: dw, ldc: g)
        })
        grads.append(Tensor(shape: [u, g]) { dwr, _ in
            kernel.recurrentKernelGradient(RecurrentKernelGradient(rows: rows, u: u, g: g, hInput: hin, dz: dz,
                                                                   aux: tr.aux.map { UnsafePointer($0.p) },
                                                                   recurrentSide: recurrentSide.map { UnsafePointer($0) }, gradient: dwr))
        })
        if let bias = dir.bias {
            grads.append(Tensor(shape: bias.shape) { db, _ in
                columnSums(dz, rows: rows, columns: g, into: db)
                if let recurrentSide { columnSums(recurrentSide, rows: rows, columns: g, into: db + g) }
            })
        }
        return grads
    }

    private func columnSums(_ a: UnsafePointer<Float>, rows: Int, columns: Int, into out: UnsafeMutablePointer<Float>) {
        out.update(repeating: 0, count: columns)
        for r in 0..<rows {
            let row = a + r * columns
            for j in 0..<columns { out[j] += row[j] }
        }
    }
}
