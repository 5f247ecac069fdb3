import KestrelCore

/// The long short-term memory cell (Keras `LSTMCell`): gates i, f, c, o in the 4U columns;
/// c' = f·c + i·act(z_c), h' = o·act(c').
public final class LSTMCell: KerasRecurrentCell {
    package override var cellKind: RecurrentCellKind { .lstm }

    public convenience init(_ units: Int, activation: ActivationFunction = .tanh, recurrentActivation: ActivationFunction = .sigmoid,
                            useBias: Bool = true, unitForgetBias: Bool = true,
                            kernelInitializer: Initializer = GlorotUniform(), recurrentInitializer: Initializer = Orthogonal(),
                            biasInitializer: Initializer = Zeros(), name: String? = nil) {
        var o = RecurrentConfiguration(units: units)
        (o.activation, o.recurrentActivation, o.useBias, o.unitForgetBias) = (activation, recurrentActivation, useBias, unitForgetBias)
        (o.kernelInitializer, o.recurrentInitializer, o.biasInitializer) = (kernelInitializer, recurrentInitializer, biasInitializer)
        self.init(options: o, name: name)
    }

    public override func step(_ x: Tensor, states: [Tensor], training: Bool) throws -> (output: Tensor, states: [Tensor]) {
        let (w, u, b) = try checkedOperands(x, states, training: training)
        var z = matmul(x, w) + matmul(states[0], u)
        if let b { z = z + b }
        let (act, rec) = (options.activation, options.recurrentActivation)
        let input = rec(gate(z, 0)), forget = rec(gate(z, 1)), candidate = act(gate(z, 2)), output = rec(gate(z, 3))
        let c = forget * states[1] + input * candidate
        let h = output * act(c)
        return (h, [h, c])
    }
}

extension LSTMCell: KerasReadableLayer {
    /// The cell a Keras `LSTMCell` config describes; absent keys take Keras's defaults.
    public static func fromKeras(_ c: KerasConfig) throws -> Layer {
        LSTMCell(options: try RecurrentConfiguration(keras: c), name: c.name)
    }
}
