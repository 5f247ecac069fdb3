import KestrelCore

/// The gated recurrent unit cell (Keras `GRUCell`): gates z, r, h in the 3U columns;
/// h' = z·h + (1 − z)·act(candidate). With `resetAfter` (Keras 3's default) r multiplies
/// h·U + b_h and the bias is (2, 3U); otherwise r multiplies h before the product.
public final class GRUCell: KerasRecurrentCell {
    package override var cellKind: RecurrentCellKind { .gru(resetAfter: options.resetAfter) }

    public convenience init(_ units: Int, activation: ActivationFunction = .tanh, recurrentActivation: ActivationFunction = .sigmoid,
                            useBias: Bool = true, resetAfter: Bool = true,
                            kernelInitializer: Initializer = GlorotUniform(), recurrentInitializer: Initializer = Orthogonal(),
                            biasInitializer: Initializer = Zeros(), name: String? = nil) {
        var o = RecurrentConfiguration(units: units)
        (o.activation, o.recurrentActivation, o.useBias, o.resetAfter) = (activation, recurrentActivation, useBias, resetAfter)
        (o.kernelInitializer, o.recurrentInitializer, o.biasInitializer) = (kernelInitializer, recurrentInitializer, biasInitializer)
        self.init(options: o, name: name)
    }

    public override func step(_ x: Tensor, states: [Tensor], training: Bool) throws -> (output: Tensor, states: [Tensor]) {
        let (w, u, b) = try checkedOperands(x, states, training: training)
        let h = states[0]
        let (act, rec) = (options.activation, options.recurrentActivation)
        var xz = matmul(x, w)
        let candidate: Tensor, update: Tensor
        if options.resetAfter {
            var hz = matmul(h, u)
            if let b {
                xz = xz + b.selecting(index: 0, alongAxis: 0)
                hz = hz + b.selecting(index: 1, alongAxis: 0)
            }
            update = rec(gate(xz, 0) + gate(hz, 0))
            let reset = rec(gate(xz, 1) + gate(hz, 1))
            candidate = act(gate(xz, 2) + reset * gate(hz, 2))
        } else {
            if let b { xz = xz + b }
            update = rec(gate(xz, 0) + matmul(h, gate(u, 0)))
            let reset = rec(gate(xz, 1) + matmul(h, gate(u, 1)))
            candidate = act(gate(xz, 2) + matmul(reset * h, gate(u, 2)))
        }
        let next = update * h + (1 - update) * candidate
        return (next, [next])
    }
}

extension GRUCell: KerasReadableLayer {
    /// The cell a Keras `GRUCell` config describes; absent keys take Keras's defaults.
    public static func fromKeras(_ c: KerasConfig) throws -> Layer {
        GRUCell(options: try RecurrentConfiguration(keras: c), name: c.name)
    }
}
