import KestrelCore

/// Gated recurrent unit (Keras `GRU`): gates z, r, h in the columns of kernel (F, 3U) and
/// recurrent_kernel (U, 3U). `resetAfter` (Keras 3's default) applies r after the recurrent
/// product and keeps input and recurrent biases as the rows of a (2, 3U) bias; otherwise
/// r multiplies h before the product and the bias is (3U). h_t = z·h + (1 − z)·n.
public final class GRU: RecurrentLayer {
    package override var cellKind: RecurrentCellKind { .gru(resetAfter: options.resetAfter) }

    public convenience init(_ units: Int, activation: ActivationFunction = .tanh, recurrentActivation: ActivationFunction = .sigmoid,
                            useBias: Bool = true, returnSequences: Bool = false, returnState: Bool = false,
                            goBackwards: Bool = false, stateful: Bool = false, resetAfter: Bool = true,
                            dropout: Float = 0, recurrentDropout: Float = 0,
                            kernelInitializer: Initializer = GlorotUniform(), recurrentInitializer: Initializer = Orthogonal(),
                            biasInitializer: Initializer = Zeros(), kernelRegularizer: Regularizer? = nil,
                            recurrentRegularizer: Regularizer? = nil, biasRegularizer: Regularizer? = nil, name: String? = nil) {
        var o = RecurrentConfiguration(units: units)
        (o.activation, o.recurrentActivation, o.useBias) = (activation, recurrentActivation, useBias)
        (o.returnSequences, o.returnState, o.goBackwards, o.stateful) = (returnSequences, returnState, goBackwards, stateful)
        (o.resetAfter, o.dropout, o.recurrentDropout) = (resetAfter, dropout, recurrentDropout)
        (o.kernelInitializer, o.recurrentInitializer, o.biasInitializer) = (kernelInitializer, recurrentInitializer, biasInitializer)
        (o.kernelRegularizer, o.recurrentRegularizer, o.biasRegularizer) = (kernelRegularizer, recurrentRegularizer, biasRegularizer)
        self.init(options: o, name: name)
    }
}

extension GRU: KerasReadableLayer {
    /// The layer a Keras `GRU` config describes; absent keys take Keras's defaults.
    public static func fromKeras(_ c: KerasConfig) throws -> Layer {
        GRU(options: try RecurrentConfiguration(keras: c), name: c.name)
    }
}
