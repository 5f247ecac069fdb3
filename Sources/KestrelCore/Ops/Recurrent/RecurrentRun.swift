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
    /// The cell kind's steps.
    package let kernel: any FusedCellKernel

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
        kernel = spec.kernel
        projectsInputPerStep = !history && kernel.gatesAddRecurrentProduct
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
                : kernel.recurrentProducts(dir.recurrentKernel.storage.pointer, u: u, g: g)
        }
        let packSize = products.flatMap { $0 }.map { $0.packedSize(rows: n) }.max()!
        let scratch = (0..<(directions.count * chunks)).map { _ in (FloatBuffer(n * g), FloatBuffer(packSize)) }
        Parallel.forEach(directions.count * chunks) { unit in
            let d = unit / chunks
            forwardRows(direction: d, rows: rows(chunk: unit % chunks, of: chunks), out: out, products: products[d],
                        scratch: scratch[unit].0.p, pack: scratch[unit].1.p)
        }
    }

    /// The recurrence of one direction over a block of batch rows.
    package func forwardRows(direction d: Int, rows: Range<Int>, out: UnsafeMutablePointer<Float>, products: [PackedRecurrentMatrix],
                     scratch: UnsafeMutablePointer<Float>, pack: UnsafeMutablePointer<Float>) {
        let (n, t, f, u, g) = (self.n, self.t, self.f, self.u, self.g)
        let dir = directions[d], tr = traces[d], cell = kernel
        let x = UnsafePointer(dir.x.storage.pointer)
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
            // Gates that are x·W + h·U get h·U here (and x_t·W too, at inference, in one product).
            if projectsInputPerStep {
                products[0].multiply(x + (n0 * t + time) * f, lda1: t * f, then: hin + n0 * u, lda2: u, m: m,
                                     into: zs + n0 * g, ldc: g, beta: 0, scratch: pack)
            } else if cell.gatesAddRecurrentProduct {
                products[0].multiply(hin + n0 * u, lda: u, m: m, into: zs + n0 * g, ldc: g, beta: 1, scratch: pack)
            }
            cell.forward(ForwardStep(rows: rows, u: u, g: g, z: zs, bias: b, hPrevious: hp, hInput: hin, hNext: hn,
                                     cPrevious: tr.c.map { $0.p + tr.stateSlot(step) * n * u },
                                     cNext: tr.c.map { $0.p + tr.stateSlot(step + 1) * n * u },
                                     aux: tr.aux.map { $0.p + tr.stepSlot(step) * n * u }, scratch: scratch, pack: pack),
                         products: products)
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
