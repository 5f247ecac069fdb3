/// GRU with `reset_after` (Keras 3's default) in the fused op: gates z, r, h; the reset gate
/// multiplies h·U_h + b_h, so the recurrent product of all three gates is one GEMM, kept apart
/// from the input side; h' = z·h + (1 − z)·act(x·W_h + b_h + r·(h·U_h + b_rh)).
package struct GRUResetAfterKernel: FusedCellKernel {
    package let activation: CellActivation
    package let recurrentActivation: CellActivation

    package var gatesAddRecurrentProduct: Bool { false }

    package func forward(_ s: ForwardStep, products: [PackedRecurrentMatrix]) {
        let (u, g, n0) = (s.u, s.g, s.rows.lowerBound)
        products[0].multiply(s.hInput + n0 * u, lda: u, m: s.rows.count, into: s.scratch, ldc: g, beta: 0, scratch: s.pack)
        for row in s.rows {
            let z = s.z + row * g, hz = s.scratch + (row - n0) * g
            if let b = s.bias { for j in 0..<g { z[j] += b[j]; hz[j] += b[g + j] } }
            for j in 0..<(2 * u) { z[j] += hz[j] }
            recurrentActivation.apply(z, z, 2 * u)
            let rh = s.aux! + row * u
            for j in 0..<u {
                rh[j] = hz[2 * u + j]
                z[2 * u + j] += z[u + j] * rh[j]
            }
            activation.apply(z + 2 * u, z + 2 * u, u)
            let h = s.hNext + row * u, h0 = s.hPrevious + row * u
            for j in 0..<u { h[j] = z[j] * h0[j] + (1 - z[j]) * z[2 * u + j] }
        }
    }

    package func backward(_ s: BackwardStep, products: [PackedRecurrentMatrix]) {
        let (u, g) = (s.u, s.g)
        let side = s.recurrentSide!
        for row in s.rows {
            let z = s.z + row * g, dd = side + row * g
            if s.isMasked(row) {
                z.update(repeating: 0, count: g)
                dd.update(repeating: 0, count: g)
                continue
            }
            let dh = s.dh + s.local(row), rh = s.aux! + row * u, h0 = s.hPrevious + row * u, direct = s.dc + s.local(row)
            for j in 0..<u {
                let zg = z[j], rg = z[u + j], cand = z[2 * u + j], dhj = dh[j]
                let dn = dhj * (1 - zg) * activation.derivative(cand)
                let dz = dhj * (h0[j] - cand) * recurrentActivation.derivative(zg)
                let dr = dn * rh[j] * recurrentActivation.derivative(rg)
                z[j] = dz; z[u + j] = dr; z[2 * u + j] = dn
                dd[j] = dz; dd[u + j] = dr; dd[2 * u + j] = dn * rg
                direct[j] = dhj * zg
            }
        }
        products[0].multiply(side + s.rows.lowerBound * g, lda: g, m: s.rows.count, into: s.dhNext, ldc: u, beta: 0, scratch: s.pack)
    }
}

/// GRU without `reset_after` in the fused op: the reset gate multiplies h before the
/// candidate's product, so z|r and h take separate products with different states;
/// h' = z·h + (1 − z)·act(x·W_h + (r ⊙ h)·U_h + b_h).
package struct GRUResetBeforeKernel: FusedCellKernel {
    package let activation: CellActivation
    package let recurrentActivation: CellActivation

    package var gatesAddRecurrentProduct: Bool { false }

    /// The z|r columns and the h columns, multiplied by h and by r ⊙ h.
    package func recurrentProducts(_ wr: UnsafePointer<Float>, u: Int, g: Int) -> [PackedRecurrentMatrix] {
        [PackedRecurrentMatrix(wr, rowStride: g, columnStride: 1, k: u, n: 2 * u),
         PackedRecurrentMatrix(wr + 2 * u, rowStride: g, columnStride: 1, k: u, n: u)]
    }

    /// The h rows (for d(r ⊙ h)) and the z|r rows.
    package func transposedProducts(_ wr: UnsafePointer<Float>, u: Int, g: Int) -> [PackedRecurrentMatrix] {
        [PackedRecurrentMatrix(wr + 2 * u, rowStride: 1, columnStride: g, k: u, n: u),
         PackedRecurrentMatrix(wr, rowStride: 1, columnStride: g, k: 2 * u, n: u)]
    }

    package func forward(_ s: ForwardStep, products: [PackedRecurrentMatrix]) {
        let (u, g, n0, m) = (s.u, s.g, s.rows.lowerBound, s.rows.count)
        products[0].multiply(s.hInput + n0 * u, lda: u, m: m, into: s.z + n0 * g, ldc: g, beta: 1, scratch: s.pack)
        for row in s.rows {
            let z = s.z + row * g
            if let b = s.bias { for j in 0..<(2 * u) { z[j] += b[j] } }
            recurrentActivation.apply(z, z, 2 * u)
            let rh = s.aux! + row * u, hi = s.hInput + row * u
            for j in 0..<u { rh[j] = z[u + j] * hi[j] }
        }
        products[1].multiply(s.aux! + n0 * u, lda: u, m: m, into: s.z + n0 * g + 2 * u, ldc: g, beta: 1, scratch: s.pack)
        for row in s.rows {
            let z = s.z + row * g
            if let b = s.bias { for j in 0..<u { z[2 * u + j] += b[2 * u + j] } }
            activation.apply(z + 2 * u, z + 2 * u, u)
            let h = s.hNext + row * u, h0 = s.hPrevious + row * u
            for j in 0..<u { h[j] = z[j] * h0[j] + (1 - z[j]) * z[2 * u + j] }
        }
    }

    package func backward(_ s: BackwardStep, products: [PackedRecurrentMatrix]) {
        let (u, g, n0, m) = (s.u, s.g, s.rows.lowerBound, s.rows.count)
        for row in s.rows {
            let z = s.z + row * g
            if s.isMasked(row) { z.update(repeating: 0, count: g); continue }
            let dh = s.dh + s.local(row), h0 = s.hPrevious + row * u, direct = s.dc + s.local(row)
            for j in 0..<u {
                let zg = z[j], cand = z[2 * u + j], dhj = dh[j]
                z[2 * u + j] = dhj * (1 - zg) * activation.derivative(cand)
                z[j] = dhj * (h0[j] - cand) * recurrentActivation.derivative(zg)
                direct[j] = dhj * zg
            }
        }
        // d(r ⊙ h) = dn · U_hᵀ, then the reset gate and the h it multiplied.
        products[0].multiply(s.z + n0 * g + 2 * u, lda: g, m: m, into: s.tmp, ldc: u, beta: 0, scratch: s.pack)
        for row in s.rows where !s.isMasked(row) {
            let z = s.z + row * g, hi = s.hInput + row * u, drh = s.tmp + s.local(row), next = s.dhNext + s.local(row)
            for j in 0..<u {
                let rg = z[u + j]
                z[u + j] = drh[j] * hi[j] * recurrentActivation.derivative(rg)
                next[j] = drh[j] * rg
            }
        }
        products[1].multiply(s.z + n0 * g, lda: g, m: m, into: s.dhNext, ldc: u, beta: 1, scratch: s.pack)
    }

    package func recurrentKernelGradient(_ s: RecurrentKernelGradient) {
        Gemm.sgemm(transA: true, transB: false, m: s.u, n: 2 * s.u, k: s.rows, alpha: 1, a: s.hInput, lda: s.u,
                   b: s.dz, ldb: s.g, beta: 0, c: s.gradient, ldc: s.g)
        Gemm.sgemm(transA: true, transB: false, m: s.u, n: s.u, k: s.rows, alpha: 1, a: s.aux!, lda: s.u,
                   b: s.dz + 2 * s.u, ldb: s.g, beta: 0, c: s.gradient + 2 * s.u, ldc: s.g)
    }
}
