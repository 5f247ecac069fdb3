/// The recurrence of Keras's ConvLSTM layers over a whole sequence as one tape op: at each
/// step the gates z = projected_t + conv_same(h·mask, recurrentKernel) (i, f, c, o), then
/// c' = f·c + i·act(z_c), h' = o·act(c') at every pixel. One op instead of a dozen per step
/// keeps the tape short, and its backward through time, written by hand, sums the kernel
/// gradient of all steps without the per-step slices a taped loop pays for.
package struct ConvLSTMRecurrence {
    /// The recurrent convolution over the states (samples, rows, cols, filters): stride 1,
    /// padding same; its `inChannels` is the filter count.
    package let geometry: ConvolutionGeometry
    package let activation: CellActivation
    package let recurrentActivation: CellActivation
    package let goBackwards: Bool

    package init(geometry: ConvolutionGeometry, activation: CellActivation, recurrentActivation: CellActivation,
                 goBackwards: Bool) {
        self.geometry = geometry
        self.activation = activation
        self.recurrentActivation = recurrentActivation
        self.goBackwards = goBackwards
    }

    private var cell: LSTMKernel { LSTMKernel(activation: activation, recurrentActivation: recurrentActivation) }

    /// Runs the sequence. `projected` (samples, time, rows, cols, 4·filters) is the input
    /// convolution of every step, bias included; `initialStates` (h, c), each (samples, rows,
    /// cols, filters), default to zeros; `mask` (samples, time) of 1/0 keeps a sample's states
    /// and repeats its previous output at its 0 steps; `recurrentDropoutMask` (samples, rows,
    /// cols, filters) multiplies h before the recurrent convolution. Returns (samples,
    /// time + 1, rows, cols, filters): h after each step in processing order, then the last c.
    package func callAsFunction(_ projected: Tensor, recurrentKernel: Tensor, initialStates: (h: Tensor, c: Tensor)?,
                                mask: Tensor?, recurrentDropoutMask: Tensor?) -> Tensor {
        let g = geometry, n = g.batch, pixels = g.height * g.width, u = g.inChannels, gates = 4 * u
        let statesShape = [n, g.height, g.width, u]
        checkedPrecondition(projected.rank == 5 && projected.shape[0] == n && Array(projected.shape[2...]) == [g.height, g.width, gates],
                            "ConvLSTM recurrence: projected input \(projected.shape), expected (\(n), time, \(g.height), \(g.width), \(gates))")
        checkedPrecondition(recurrentKernel.shape == [g.kernelHeight, g.kernelWidth, u, gates],
                            "ConvLSTM recurrence: recurrent kernel \(recurrentKernel.shape), expected \([g.kernelHeight, g.kernelWidth, u, gates])")
        checkedPrecondition(initialStates.map { $0.h.shape == statesShape && $0.c.shape == statesShape } ?? true,
                            "ConvLSTM recurrence: initial states should have shape \(statesShape)")
        let steps = projected.shape[1], rows = n * pixels, plane = rows * u
        checkedPrecondition(mask.map { $0.shape == [n, steps] } ?? true, "ConvLSTM recurrence: mask should have shape \([n, steps])")
        checkedPrecondition(recurrentDropoutMask.map { $0.shape == statesShape } ?? true,
                            "ConvLSTM recurrence: recurrent dropout mask should have shape \(statesShape)")
        var inputs = [projected, recurrentKernel]
        if let initialStates { inputs += [initialStates.h, initialStates.c] }
        let recording = GradientMode.isRecording && inputs.contains { $0.node != nil }
        let run = Saved(steps: steps, rows: rows, units: u, dropout: recurrentDropoutMask != nil, keepsHistory: recording)
        if let initialStates {
            run.h(after: 0).update(from: initialStates.h.storage.pointer, count: plane)
            run.c(after: 0).update(from: initialStates.c.storage.pointer, count: plane)
        } else {
            run.h(after: 0).initialize(repeating: 0, count: plane)
            run.c(after: 0).initialize(repeating: 0, count: plane)
        }
        let p = projected.storage.pointer, k = UnsafePointer(recurrentKernel.storage.pointer)
        let m = mask.map { UnsafePointer($0.storage.pointer) }, drop = recurrentDropoutMask.map { UnsafePointer($0.storage.pointer) }
        let cell = cell, sample = pixels * u
        let output = Tensor(shape: [n, steps + 1, g.height, g.width, u]) { out, _ in
            for s in 0..<steps {
                let t = goBackwards ? steps - 1 - s : s
                let input = run.recurrentInput(step: s, mask: drop)
                let zs = run.gates(s), aux = run.activatedCarry(s)
                let h0 = run.h(after: s), c0 = run.c(after: s), h1 = run.h(after: s + 1), c1 = run.c(after: s + 1)
                ConvolutionKernels.forward(x: input, w: k, bias: nil, relu: false, y: zs, geometry: g, outChannels: gates)
                Parallel.forEachBlock(rows, size: Self.rowsPerBlock) { _, block in
                    for row in block {
                        let (i, pixel) = row.quotientAndRemainder(dividingBy: pixels)
                        let source = p + ((i * steps + t) * pixels + pixel) * gates, target = zs + row * gates
                        for j in 0..<gates { target[j] += source[j] }
                    }
                    cell.forward(ForwardStep(rows: block, u: u, g: gates, z: zs, bias: nil, hPrevious: h0, hInput: input, hNext: h1,
                                             cPrevious: c0, cNext: c1, aux: aux, scratch: zs, pack: zs), products: [])
                    guard let m else { return }
                    for row in block where m[row / pixels * steps + t] == 0 {
                        (h1 + row * u).update(from: h0 + row * u, count: u)
                        (c1 + row * u).update(from: c0 + row * u, count: u)
                    }
                }
                for i in 0..<n { (out + (i * (steps + 1) + s) * sample).update(from: h1 + i * sample, count: sample) }
            }
            for i in 0..<n { (out + (i * (steps + 1) + steps) * sample).update(from: run.c(after: steps) + i * sample, count: sample) }
        }
        let hasInitialStates = initialStates != nil
        return output.recorded(from: inputs) { grad in
            let (dProjected, dKernel, dh0, dc0) = backward(grad, saved: run, projected: projected, recurrentKernel: recurrentKernel,
                                                           mask: mask, recurrentDropoutMask: recurrentDropoutMask)
            return hasInitialStates ? [dProjected, dKernel, dh0, dc0] : [dProjected, dKernel]
        }
    }

    /// Backward through time: the cotangents of the projected input, the recurrent kernel
    /// and the initial states.
    private func backward(_ grad: Tensor, saved run: Saved, projected: Tensor, recurrentKernel: Tensor, mask: Tensor?,
                          recurrentDropoutMask: Tensor?) -> (Tensor, Tensor, Tensor, Tensor) {
        let g = geometry, n = g.batch, pixels = g.height * g.width, u = g.inChannels, gates = 4 * u
        let steps = run.steps, rows = run.rows, plane = rows * u, sample = pixels * u
        let statesShape = [n, g.height, g.width, u]
        let gp = grad.storage.pointer, k = UnsafePointer(recurrentKernel.storage.pointer)
        let m = mask.map { UnsafePointer($0.storage.pointer) }, drop = recurrentDropoutMask.map { UnsafePointer($0.storage.pointer) }
        let cell = cell
        let dProjected = Tensor(shape: projected.shape) { _, _ in }
        let dKernel = Tensor.zeros(recurrentKernel.shape)
        let dH = Tensor.zeros(statesShape), dC = Tensor(shape: statesShape) { out, _ in
            for i in 0..<n { (out + i * sample).update(from: gp + (i * (steps + 1) + steps) * sample, count: sample) }
        }
        let dp = dProjected.storage.pointer, dk = dKernel.storage.pointer, dHp = dH.storage.pointer, dCp = dC.storage.pointer
        let kernelCount = recurrentKernel.shape.reduce(1, *)
        let scratch = ScratchPool.take(rows * gates + 2 * plane + kernelCount)
        defer { ScratchPool.give(scratch) }
        let dz = scratch.pointer, dh = dz + rows * gates, dhInput = dh + plane, dkStep = dhInput + plane
        for s in (0..<steps).reversed() {
            let t = goBackwards ? steps - 1 - s : s
            let z = run.gates(s), aux = run.activatedCarry(s), c0 = run.c(after: s)
            Parallel.forEachBlock(rows, size: Self.rowsPerBlock) { _, block in
                for row in block {
                    let (i, pixel) = row.quotientAndRemainder(dividingBy: pixels)
                    let dhRow = dh + row * u, carried = dHp + row * u, fromOutput = gp + ((i * (steps + 1) + s) * pixels + pixel) * u
                    for j in 0..<u { dhRow[j] = carried[j] + fromOutput[j] }
                    let dzRow = dz + row * gates
                    if let m, m[i * steps + t] == 0 {
                        dzRow.update(repeating: 0, count: gates)
                    } else {
                        dzRow.update(from: z + row * gates, count: gates)
                        cell.gateCotangents(dzRow, dh: dhRow, dc: dCp + row * u, cPrevious: c0 + row * u,
                                            activatedCarry: aux + row * u, units: u)
                    }
                    (dp + ((i * steps + t) * pixels + pixel) * gates).update(from: dzRow, count: gates)
                }
            }
            ConvolutionKernels.backward(x: run.recurrentInput(step: s, mask: nil), w: k, g: dz, reluOutput: nil, dx: dhInput,
                                        dw: dkStep, db: nil, geometry: g, outChannels: gates)
            for j in 0..<kernelCount { dk[j] += dkStep[j] }
            Parallel.forEachBlock(rows, size: Self.rowsPerBlock) { _, block in
                for row in block {
                    let carried = dHp + row * u, fromConvolution = dhInput + row * u
                    if let drop { for j in 0..<u { carried[j] = fromConvolution[j] * drop[row * u + j] } }
                    else { carried.update(from: fromConvolution, count: u) }
                    if let m, m[row / pixels * steps + t] == 0 {
                        let passed = dh + row * u
                        for j in 0..<u { carried[j] += passed[j] }
                    }
                }
            }
        }
        return (dProjected, dKernel, dH, dC)
    }

    /// Pixel rows per block of the gate passes on the thread pool.
    private static let rowsPerBlock = 256

    /// What the forward pass keeps for the backward, in one pooled buffer given back when the
    /// tape lets go of it: per step the activated gates and act(c), and h and c before and
    /// after every step (index 0: the initial states), plus h after recurrent dropout when
    /// there is one. Without a tape (inference) only the current step is kept.
    private final class Saved {
        let steps: Int, rows: Int, units: Int, keepsHistory: Bool, dropout: Bool
        private let buffer: ScratchBuffer

        init(steps: Int, rows: Int, units: Int, dropout: Bool, keepsHistory: Bool) {
            (self.steps, self.rows, self.units, self.dropout, self.keepsHistory) = (steps, rows, units, dropout, keepsHistory)
            let kept = keepsHistory ? steps : 1
            buffer = ScratchPool.take(rows * units * (kept * (4 + 1 + (dropout ? 1 : 0)) + 2 * (kept + 1)))
        }

        deinit { ScratchPool.give(buffer) }

        private var plane: Int { rows * units }
        private var kept: Int { keepsHistory ? steps : 1 }
        /// Slot of step `s` in a per-step array (the only slot without history).
        private func slot(_ s: Int) -> Int { keepsHistory ? s : 0 }
        /// Slot of the states after `s` steps (two slots, alternating, without history).
        private func stateSlot(_ s: Int) -> Int { keepsHistory ? s : s % 2 }

        func gates(_ s: Int) -> UnsafeMutablePointer<Float> { buffer.pointer + slot(s) * 4 * plane }
        func activatedCarry(_ s: Int) -> UnsafeMutablePointer<Float> { buffer.pointer + (4 * kept + slot(s)) * plane }
        /// h and c after `s` steps.
        func h(after s: Int) -> UnsafeMutablePointer<Float> { buffer.pointer + (5 * kept + stateSlot(s)) * plane }
        func c(after s: Int) -> UnsafeMutablePointer<Float> { buffer.pointer + (6 * kept + 1 + stateSlot(s)) * plane }

        /// The recurrent convolution's input at step `s`: h before it, times the dropout
        /// mask when there is one (computed when `mask` is given, read back otherwise).
        func recurrentInput(step s: Int, mask: UnsafePointer<Float>?) -> UnsafeMutablePointer<Float> {
            let h0 = h(after: s)
            guard dropout else { return h0 }
            let dropped = buffer.pointer + (7 * kept + 2 + slot(s)) * plane
            if let mask { for j in 0..<plane { dropped[j] = h0[j] * mask[j] } }
            return dropped
        }
    }
}
