/// One call of the fused recurrent op: sizes, operands, the forward recurrence, and the
/// trace the backward pass (RecurrentBackward.swift) reads.
package final class RecurrentRun {
    package let spec: RecurrentCellSpec
    package let directions: [RecurrentDirection]
    package let mask: Tensor?
    /// Batch, time steps, input features, units, gate columns, packed states.
    package let n, t, f, u, g, s: Int
    package var traces: [DirectionTrace] = []

    /// Whether the forward keeps every step for a backward pass.
    package let history: Bool
    /// Inference of a cell whose gates all add x·W + h·U: each step multiplies [x_t, h] by
    /// the stacked [W; U] at once, instead of a separate memory-bound projection of all steps.
    package let projectsInputPerStep: Bool

    package init(spec: RecurrentCellSpec, directions: [RecurrentDirection], mask: Tensor?, history: Bool) {
        self.history = history
        self.spec = spec
        self.directions = directions
        self.mask = mask
        let shape = directions[0].x.shape
        (n, t, f) = (shape[0], shape[1], shape[2])
        u = spec.units
        g = spec.kind.gateCount * u
        s = spec.kind.stateCount
        projectsInputPerStep = !history && (spec.kind == .lstm || spec.kind == .simple)
    }

    /// Batch chunks per direction: enough units of work for the threads, at least 8 rows each.
    package var chunksPerDirection: Int {
        Swift.max(1, Swift.min(Threading.threadCount / directions.count, n / 8))
    }

    package func rows(chunk: Int, of chunks: Int) -> Range<Int> { (n * chunk / chunks)..<(n * (chunk + 1) / chunks) }

    /// Whether step `time` of sample `row` is padding.
    @inline(__always)
    package func isMasked(_ mk: UnsafePointer<Float>?, row: Int, time: Int) -> Bool {
        guard let mk else { return false }
        return mk[row * t + time] == 0
    }

    @inline(__always)
    package func time(ofStep step: Int, backwards: Bool) -> Int { backwards ? t - 1 - step : step }

    /// Fills the packed output (D, N, T + S, U).
    package func forward(into out: UnsafeMutablePointer<Float>) {
        traces = directions.map { d in
            DirectionTrace(kind: spec.kind, t: t, n: n, f: f, u: u, dropout: d.recurrentDropoutMask != nil, history: history,
                           projectsInputPerStep: projectsInputPerStep)
        }
        for (d, dir) in directions.enumerated() {
            let tr = traces[d]
            if !projectsInputPerStep {
                // Time-major copy in processing order, then one GEMM for all input projections.
                let x = dir.x.storage.pointer
                for step in 0..<t {
                    let time = time(ofStep: step, backwards: dir.goBackwards)
                    for row in 0..<n {
                        (tr.xs.p + (step * n + row) * f).update(from: x + (row * t + time) * f, count: f)
                    }
                }
                Gemm.sgemm(transA: false, transB: false, m: t * n, n: g, k: f, alpha: 1, a: tr.xs.p, lda: f,
                           b: dir.kernel.storage.pointer, ldb: g, beta: 0, c: tr.z.p, ldc: g)
            }
            for (k, buffer) in [tr.h, tr.c].enumerated() {
                guard let buffer else { continue }
                if k < dir.initialStates.count {
                    buffer.p.update(from: dir.initialStates[k].storage.pointer, count: n * u)
                } else {
                    buffer.p.update(repeating: 0, count: n * u)
                }
            }
        }
        let chunks = chunksPerDirection
        let products = directions.map { dir in
            projectsInputPerStep
                ? [PackedRecurrentMatrix(stacking: dir.kernel.storage.pointer, rowStride: g, k1: f,
                                         over: dir.recurrentKernel.storage.pointer, rowStride: g, k2: u, n: g)]
                : recurrentProducts(dir.recurrentKernel.storage.pointer)
        }
        let packSize = products.flatMap { $0 }.map { $0.packedSize(rows: n) }.max()!
        let scratch = (0..<(directions.count * chunks)).map { _ in (FloatBuffer(n * g), FloatBuffer(packSize)) }
        Parallel.forEach(directions.count * chunks) { unit in
            let d = unit / chunks
            forwardRows(direction: d, rows: rows(chunk: unit % chunks, of: chunks), out: out, products: products[d],
                        scratch: scratch[unit].0.p, pack: scratch[unit].1.p)
        }
    }

    /// The recurrent kernel (U, G) packed for the per-step products: whole, or for GRU
    /// reset-before as the z|r columns and the h columns (multiplied by different states).
    package func recurrentProducts(_ wr: UnsafePointer<Float>) -> [PackedRecurrentMatrix] {
        if spec.kind == .gru(resetAfter: false) {
            return [PackedRecurrentMatrix(wr, rowStride: g, columnStride: 1, k: u, n: 2 * u),
                    PackedRecurrentMatrix(wr + 2 * u, rowStride: g, columnStride: 1, k: u, n: u)]
        }
        return [PackedRecurrentMatrix(wr, rowStride: g, columnStride: 1, k: u, n: g)]
    }

    /// The recurrence of one direction over a block of batch rows.
    package func forwardRows(direction d: Int, rows: Range<Int>, out: UnsafeMutablePointer<Float>, products: [PackedRecurrentMatrix],
                     scratch: UnsafeMutablePointer<Float>, pack: UnsafeMutablePointer<Float>) {
        let (n, t, f, u, g) = (self.n, self.t, self.f, self.u, self.g)
        let dir = directions[d], tr = traces[d]
        let x = UnsafePointer(dir.x.storage.pointer)
        let act = spec.activation, rec = spec.recurrentActivation
        let b: UnsafePointer<Float>? = dir.bias.map { UnsafePointer($0.storage.pointer) }
        let rm: UnsafePointer<Float>? = dir.recurrentDropoutMask.map { UnsafePointer($0.storage.pointer) }
        let mk: UnsafePointer<Float>? = mask.map { UnsafePointer($0.storage.pointer) }
        let n0 = rows.lowerBound, m = rows.count
        let rowStride = (t + s) * u
        let outD = out + d * n * rowStride
        for step in 0..<t {
            let time = time(ofStep: step, backwards: dir.goBackwards)
            let hp = tr.h.p + tr.stateSlot(step) * n * u, hn = tr.h.p + tr.stateSlot(step + 1) * n * u
            var hin = hp
            if let rm, let hd = tr.hDropped {
                hin = hd.p + tr.stepSlot(step) * n * u
                for i in (n0 * u)..<(rows.upperBound * u) { hin[i] = hp[i] * rm[i] }
            }
            let zs = tr.z.p + tr.gateSlot(step) * n * g
            let aux = tr.aux.map { $0.p + tr.stepSlot(step) * n * u }
            // SimpleRNN and LSTM gates: z = x·W + h·U (in one product at inference).
            if projectsInputPerStep {
                products[0].multiply(x + (n0 * t + time) * f, lda1: t * f, then: hin + n0 * u, lda2: u, m: m,
                                     into: zs + n0 * g, ldc: g, beta: 0, scratch: pack)
            } else if spec.kind == .simple || spec.kind == .lstm {
                products[0].multiply(hin + n0 * u, lda: u, m: m, into: zs + n0 * g, ldc: g, beta: 1, scratch: pack)
            }
            switch spec.kind {
            case .simple:
                for row in rows {
                    let zr = zs + row * g
                    if let b { for j in 0..<u { zr[j] += b[j] } }
                    act.apply(zr, hn + row * u, u)
                }
            case .lstm:
                let cp = tr.c!.p + tr.stateSlot(step) * n * u, cn = tr.c!.p + tr.stateSlot(step + 1) * n * u
                if FusedLSTMCell.applies(activation: act, recurrentActivation: rec) {
                    let cell = FusedLSTMCell.kernel
                    for row in rows {
                        cell(zs + row * g, b, cp + row * u, cn + row * u, aux! + row * u, hn + row * u, Int64(u))
                    }
                } else {
                    for row in rows {
                        let zr = zs + row * g
                        if let b { for j in 0..<g { zr[j] += b[j] } }
                        rec.apply(zr, zr, 2 * u)
                        act.apply(zr + 2 * u, zr + 2 * u, u)
                        rec.apply(zr + 3 * u, zr + 3 * u, u)
                        let c0 = cp + row * u, c1 = cn + row * u, a = aux! + row * u, h = hn + row * u
                        for j in 0..<u { c1[j] = zr[u + j] * c0[j] + zr[j] * zr[2 * u + j] }
                        act.apply(c1, a, u)
                        for j in 0..<u { h[j] = zr[3 * u + j] * a[j] }
                    }
                }
            case .gru(resetAfter: true):
                products[0].multiply(hin + n0 * u, lda: u, m: m, into: scratch, ldc: g, beta: 0, scratch: pack)
                for row in rows {
                    let zr = zs + row * g, rr = scratch + (row - n0) * g
                    if let b { for j in 0..<g { zr[j] += b[j]; rr[j] += b[g + j] } }
                    for j in 0..<(2 * u) { zr[j] += rr[j] }
                    rec.apply(zr, zr, 2 * u)
                    let rh = aux! + row * u
                    for j in 0..<u {
                        rh[j] = rr[2 * u + j]
                        zr[2 * u + j] += zr[u + j] * rh[j]
                    }
                    act.apply(zr + 2 * u, zr + 2 * u, u)
                    let h = hn + row * u, h0 = hp + row * u
                    for j in 0..<u { h[j] = zr[j] * h0[j] + (1 - zr[j]) * zr[2 * u + j] }
                }
            case .gru(resetAfter: false):
                products[0].multiply(hin + n0 * u, lda: u, m: m, into: zs + n0 * g, ldc: g, beta: 1, scratch: pack)
                for row in rows {
                    let zr = zs + row * g
                    if let b { for j in 0..<(2 * u) { zr[j] += b[j] } }
                    rec.apply(zr, zr, 2 * u)
                    let rh = aux! + row * u, hi = hin + row * u
                    for j in 0..<u { rh[j] = zr[u + j] * hi[j] }
                }
                products[1].multiply(aux! + n0 * u, lda: u, m: m, into: zs + n0 * g + 2 * u, ldc: g, beta: 1, scratch: pack)
                for row in rows {
                    let zr = zs + row * g
                    if let b { for j in 0..<u { zr[2 * u + j] += b[2 * u + j] } }
                    act.apply(zr + 2 * u, zr + 2 * u, u)
                    let h = hn + row * u, h0 = hp + row * u
                    for j in 0..<u { h[j] = zr[j] * h0[j] + (1 - zr[j]) * zr[2 * u + j] }
                }
            }
            // Masked steps keep the state; outputs follow Keras's zero_output_for_mask.
            for row in rows {
                let y = outD + row * rowStride + step * u
                if isMasked(mk, row: row, time: time) {
                    (hn + row * u).update(from: hp + row * u, count: u)
                    if let c = tr.c {
                        (c.p + tr.stateSlot(step + 1) * n * u + row * u).update(from: c.p + tr.stateSlot(step) * n * u + row * u, count: u)
                    }
                    if spec.zeroOutputForMask || step == 0 {
                        y.update(repeating: 0, count: u)
                    } else {
                        y.update(from: y - u, count: u)
                    }
                } else {
                    y.update(from: hn + row * u, count: u)
                }
            }
        }
        for row in rows {
            (outD + row * rowStride + t * u).update(from: tr.h.p + tr.stateSlot(t) * n * u + row * u, count: u)
            if let c = tr.c { (outD + row * rowStride + (t + 1) * u).update(from: c.p + tr.stateSlot(t) * n * u + row * u, count: u) }
        }
    }
}
