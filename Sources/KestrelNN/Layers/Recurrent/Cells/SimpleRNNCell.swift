import KestrelCore

/// The fully connected recurrent cell (Keras `SimpleRNNCell`): h = act(x·W + h·U + b).
public final class SimpleRNNCell: KerasRecurrentCell {
    public convenience init(_ units: Int, activation: ActivationFunction = .tanh, useBias: Bool = true,
                            kernelInitializer: Initializer = GlorotUniform(), recurrentInitializer: Initializer = Orthogonal(),
                            biasInitializer: Initializer = Zeros(), name: String? = nil) {
        var o = RecurrentConfiguration(units: units)
        (o.activation, o.useBias) = (activation, useBias)
        (o.kernelInitializer, o.recurrentInitializer, o.biasInitializer) = (kernelInitializer, recurrentInitializer, biasInitializer)
        self.init(options: o, name: name)
    }

    public override func step(_ x: Tensor, states: [Tensor], training: Bool) throws -> (output: Tensor, states: [Tensor]) {
        let (w, u, b) = try checkedOperands(x, states, training: training)
        var z = matmul(x, w) + matmul(states[0], u)
        if let b { z = z + b }
        let h = options.activation(z)
        return (h, [h])
    }
}

extension SimpleRNNCell: KerasReadableLayer {
    /// The cell a Keras `SimpleRNNCell` config describes; absent keys take Keras's defaults.
    public static func fromKeras(_ c: KerasConfig) throws -> Layer {
        SimpleRNNCell(options: try RecurrentConfiguration(keras: c), name: c.name)
    }
}
