import KestrelCore

/// A (semi-)orthogonal matrix scaled by `gain` (Keras `Orthogonal`), the usual recurrent
/// kernel initializer. As Keras does, the shape is flattened to `(rows, cols)` with
/// `cols` the last axis, a normal matrix of shape `(max, min)` is factored `A = QR`, `Q`
/// is sign-corrected so that `R` has a positive diagonal, and `Q` is transposed when
/// there are fewer rows than columns. The factorization is modified Gram–Schmidt with
/// re-orthogonalisation in Double, which yields that sign-corrected `Q` directly.
public struct Orthogonal: Initializer {
    public var gain: Double
    public var seed: Int?

    public init(gain: Double = 1, seed: Int? = nil) {
        self.gain = gain
        self.seed = seed
    }

    public func callAsFunction(shape: [Int], generator: inout RandomGenerator) -> Tensor {
        checkedPrecondition(shape.count >= 2, "Orthogonal: needs a shape of rank 2 or more, got \(shape)")
        let rows = shape.dropLast().reduce(1, *), cols = shape[shape.count - 1]
        let m = Swift.max(rows, cols), n = Swift.min(rows, cols)
        let a = drawing(seed: seed, &generator) { Tensor.randomNormal([m, n], generator: &$0) }.scalars
        // q[j] is column j of Q, of length m.
        var q = (0..<n).map { j in (0..<m).map { i in Double(a[i * n + j]) } }
        for j in 0..<n {
            for _ in 0..<2 {
                for k in 0..<j {
                    var dot = 0.0
                    for i in 0..<m { dot += q[k][i] * q[j][i] }
                    for i in 0..<m { q[j][i] -= dot * q[k][i] }
                }
            }
            var norm = 0.0
            for i in 0..<m { norm += q[j][i] * q[j][i] }
            norm = norm.squareRoot()
            for i in 0..<m { q[j][i] /= norm }
        }
        // Q is m × n; the result is rows × cols: Q itself when rows >= cols, else Qᵀ.
        var out = [Float](repeating: 0, count: rows * cols)
        for r in 0..<rows {
            for c in 0..<cols {
                out[r * cols + c] = Float(gain) * Float(rows >= cols ? q[c][r] : q[r][c])
            }
        }
        return Tensor(shape: shape, scalars: out)
    }

    public var kerasClassName: String { "Orthogonal" }
    public var kerasConfig: [String: Any] { ["gain": gain, "seed": kerasSeed(seed)] }
}
