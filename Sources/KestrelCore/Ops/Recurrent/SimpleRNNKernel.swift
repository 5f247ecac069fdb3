/// SimpleRNN in the fused op: h' = act(x·W + h·U + b).
package struct SimpleRNNKernel: FusedCellKernel {
    package let activation: CellActivation

    package func forward(_ s: ForwardStep, products: [PackedRecurrentMatrix]) {
        for row in s.rows {
            let z = s.z + row * s.g
            if let b = s.bias { for j in 0..<s.u { z[j] += b[j] } }
            activation.apply(z, s.hNext + row * s.u, s.u)
        }
    }

    package func backward(_ s: BackwardStep, products: [PackedRecurrentMatrix]) {
        for row in s.rows {
            let dz = s.z + row * s.g
            if s.isMasked(row) { dz.update(repeating: 0, count: s.g); continue }
            let dh = s.dh + s.local(row), h = s.hNext + row * s.u
            for j in 0..<s.u { dz[j] = dh[j] * activation.derivative(h[j]) }
        }
        products[0].multiply(s.z + s.rows.lowerBound * s.g, lda: s.g, m: s.rows.count, into: s.dhNext, ldc: s.u, beta: 0, scratch: s.pack)
    }
}
