/// One cell kind's part of the fused recurrent op: what a time step does to a block of batch
/// rows, forward and backward, and how the cell's recurrent kernel (U, G) is packed and
/// differentiated. `RecurrentRun` owns everything the cells share (input projections, masks,
/// dropout, state slots, threads) and drives any kernel through this interface, specialised
/// per kind, so the time loop never switches on the cell.
package protocol FusedCellKernel {
    /// Whether every gate is x·W + h·U (SimpleRNN, LSTM): the runner adds h·U to the gates
    /// before `forward`, and inference may multiply [x_t, h] by [W; U] at once.
    var gatesAddRecurrentProduct: Bool { get }
    /// The recurrent kernel packed for the per-step products of `forward`.
    func recurrentProducts(_ wr: UnsafePointer<Float>, u: Int, g: Int) -> [PackedRecurrentMatrix]
    /// Its transpose packed for the per-step products of `backward`.
    func transposedProducts(_ wr: UnsafePointer<Float>, u: Int, g: Int) -> [PackedRecurrentMatrix]
    /// Gates (input projection, plus h·U when `gatesAddRecurrentProduct`) → activated gates and
    /// the new states of the block's rows.
    func forward(_ s: ForwardStep, products: [PackedRecurrentMatrix])
    /// Activated gates → their cotangents dZ (in place), and dhNext, the cotangent of the
    /// recurrent product's input h, for the block's unmasked rows.
    func backward(_ s: BackwardStep, products: [PackedRecurrentMatrix])
    /// The recurrent kernel's gradient from every step's states and gate cotangents.
    func recurrentKernelGradient(_ s: RecurrentKernelGradient)
}

/// The operands of one forward time step over batch rows `rows` (row-major (N, ·) buffers);
/// the packed recurrent products come as a separate argument, borrowed for the step.
package struct ForwardStep {
    package let rows: Range<Int>
    package let u: Int, g: Int
    /// This step's gates (N, G).
    package let z: UnsafeMutablePointer<Float>
    package let bias: UnsafePointer<Float>?
    /// h before the step, that h after recurrent dropout (the product's input), h after.
    package let hPrevious: UnsafeMutablePointer<Float>, hInput: UnsafeMutablePointer<Float>, hNext: UnsafeMutablePointer<Float>
    /// LSTM: c before and after the step.
    package let cPrevious: UnsafeMutablePointer<Float>?, cNext: UnsafeMutablePointer<Float>?
    /// Per-step values the backward pass needs (N, U): LSTM act(c), GRU h·U_h + b_h or r ⊙ h.
    package let aux: UnsafeMutablePointer<Float>?
    /// (rows, G) of room for a product, and the products' packing room.
    package let scratch: UnsafeMutablePointer<Float>, pack: UnsafeMutablePointer<Float>
}

/// The operands of one backward time step over batch rows `rows`. The cotangent buffers
/// (dh, dhNext, dc, tmp) hold the block's rows only: row r at (r − rows.lowerBound)·U.
package struct BackwardStep {
    package let rows: Range<Int>
    package let u: Int, g: Int
    /// In: this step's activated gates (N, G); out: their cotangents.
    package let z: UnsafeMutablePointer<Float>
    /// (N, T) of 1/0, and this step's time index in it.
    package let mask: UnsafePointer<Float>?
    package let t: Int, time: Int
    package let hPrevious: UnsafeMutablePointer<Float>, hInput: UnsafeMutablePointer<Float>, hNext: UnsafeMutablePointer<Float>
    package let cPrevious: UnsafeMutablePointer<Float>?
    package let aux: UnsafeMutablePointer<Float>?
    /// GRU reset-after: this step's recurrent-side cotangent (N, G).
    package let recurrentSide: UnsafeMutablePointer<Float>?
    /// Cotangent of h after the step; out: of the product's input h. dc: LSTM's cell
    /// cotangent (carried), GRU's direct z ⊙ h term. tmp: room for a product.
    package let dh: UnsafeMutablePointer<Float>, dhNext: UnsafeMutablePointer<Float>
    package let dc: UnsafeMutablePointer<Float>, tmp: UnsafeMutablePointer<Float>
    package let pack: UnsafeMutablePointer<Float>

    @inline(__always)
    package func isMasked(_ row: Int) -> Bool {
        guard let mask else { return false }
        return mask[row * t + time] == 0
    }

    /// Offset of `row` in the block-relative cotangent buffers.
    @inline(__always)
    package func local(_ row: Int) -> Int { (row - rows.lowerBound) * u }
}

/// The operands of the recurrent kernel's gradient: `rows` = T·N steps of states and gates.
package struct RecurrentKernelGradient {
    package let rows: Int, u: Int, g: Int
    /// The product's input h per step (after dropout), (rows, U).
    package let hInput: UnsafePointer<Float>
    /// Gate cotangents (rows, G).
    package let dz: UnsafePointer<Float>
    package let aux: UnsafePointer<Float>?
    package let recurrentSide: UnsafePointer<Float>?
    /// Out: (U, G).
    package let gradient: UnsafeMutablePointer<Float>
}

extension FusedCellKernel {
    package var gatesAddRecurrentProduct: Bool { true }

    package func recurrentProducts(_ wr: UnsafePointer<Float>, u: Int, g: Int) -> [PackedRecurrentMatrix] {
        [PackedRecurrentMatrix(wr, rowStride: g, columnStride: 1, k: u, n: g)]
    }

    package func transposedProducts(_ wr: UnsafePointer<Float>, u: Int, g: Int) -> [PackedRecurrentMatrix] {
        [PackedRecurrentMatrix(wr, rowStride: 1, columnStride: g, k: g, n: u)]
    }

    package func recurrentKernelGradient(_ s: RecurrentKernelGradient) {
        Gemm.sgemm(transA: true, transB: false, m: s.u, n: s.g, k: s.rows, alpha: 1, a: s.hInput, lda: s.u,
                   b: s.recurrentSide ?? s.dz, ldb: s.g, beta: 0, c: s.gradient, ldc: s.g)
    }
}
