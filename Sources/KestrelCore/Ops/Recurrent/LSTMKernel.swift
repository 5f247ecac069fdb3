/// LSTM in the fused op: gates i, f, c, o; c' = f·c + i·act(z_c), h' = o·act(c'). The
/// standard activations (sigmoid gates, tanh) run as one vectorised pass per row.
package struct LSTMKernel: FusedCellKernel {
    package let activation: CellActivation
    package let recurrentActivation: CellActivation

    package func forward(_ s: ForwardStep, products: [PackedRecurrentMatrix]) {
        let (u, g) = (s.u, s.g)
        let c0 = s.cPrevious!, c1 = s.cNext!, aux = s.aux!
        if FusedLSTMCell.applies(activation: activation, recurrentActivation: recurrentActivation) {
            let cell = FusedLSTMCell.kernel
            for row in s.rows {
                cell(s.z + row * g, s.bias, c0 + row * u, c1 + row * u, aux + row * u, s.hNext + row * u, Int64(u))
            }
            return
        }
        for row in s.rows {
            let z = s.z + row * g
            if let b = s.bias { for j in 0..<g { z[j] += b[j] } }
            recurrentActivation.apply(z, z, 2 * u)
            activation.apply(z + 2 * u, z + 2 * u, u)
            recurrentActivation.apply(z + 3 * u, z + 3 * u, u)
            let cp = c0 + row * u, cn = c1 + row * u, a = aux + row * u, h = s.hNext + row * u
            for j in 0..<u { cn[j] = z[u + j] * cp[j] + z[j] * z[2 * u + j] }
            activation.apply(cn, a, u)
            for j in 0..<u { h[j] = z[3 * u + j] * a[j] }
        }
    }

    package func backward(_ s: BackwardStep, products: [PackedRecurrentMatrix]) {
        let (u, g) = (s.u, s.g)
        for row in s.rows {
            let z = s.z + row * g
            if s.isMasked(row) { z.update(repeating: 0, count: g); continue }
            gateCotangents(z, dh: s.dh + s.local(row), dc: s.dc + s.local(row), cPrevious: s.cPrevious! + row * u,
                           activatedCarry: s.aux! + row * u, units: u)
        }
        products[0].multiply(s.z + s.rows.lowerBound * g, lda: g, m: s.rows.count, into: s.dhNext, ldc: u, beta: 0, scratch: s.pack)
    }

    /// One row's step backward: activated gates `z` (4U) → their cotangents in place, given
    /// dh (of h after the step) and dc (of c after the step; out: of c before it).
    @inline(__always)
    package func gateCotangents(_ z: UnsafeMutablePointer<Float>, dh: UnsafePointer<Float>, dc: UnsafeMutablePointer<Float>,
                                cPrevious c0: UnsafePointer<Float>, activatedCarry a: UnsafePointer<Float>, units u: Int) {
        if FusedLSTMCell.applies(activation: activation, recurrentActivation: recurrentActivation) {
            // tanh and sigmoid: the derivatives in closed form, so the loop vectorises.
            for j in 0..<u {
                let i = z[j], fg = z[u + j], cand = z[2 * u + j], o = z[3 * u + j], tc = a[j]
                let dhj = dh[j]
                let dcj = dc[j] + dhj * o * (1 - tc * tc)
                z[j] = dcj * cand * (i * (1 - i))
                z[u + j] = dcj * c0[j] * (fg * (1 - fg))
                z[2 * u + j] = dcj * i * (1 - cand * cand)
                z[3 * u + j] = dhj * tc * (o * (1 - o))
                dc[j] = dcj * fg
            }
            return
        }
        let (act, rec) = (activation, recurrentActivation)
        for j in 0..<u {
            let i = z[j], fg = z[u + j], cand = z[2 * u + j], o = z[3 * u + j], tc = a[j]
            let dhj = dh[j]
            let dcj = dc[j] + dhj * o * act.derivative(tc)
            z[j] = dcj * cand * rec.derivative(i)
            z[u + j] = dcj * c0[j] * rec.derivative(fg)
            z[2 * u + j] = dcj * i * act.derivative(cand)
            z[3 * u + j] = dhj * tc * rec.derivative(o)
            dc[j] = dcj * fg
        }
    }
}
