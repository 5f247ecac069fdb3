import KestrelCore

/// The plain recurrent layer (Keras `SimpleRNN`): h_t = act(x_t·kernel + h_{t−1}·recurrent_kernel + bias),
/// kernel (F, U), recurrent_kernel (U, U), bias (U). One state, h.
public final class SimpleRNN: RecurrentLayer {
    package override var cellKind: RecurrentCellKind { .simple }

    public convenience init(_ units: Int, activation: ActivationFunction = .tanh, useBias: Bool = true,
                            returnSequences: Bool = false, returnState: Bool = false, goBackwards: Bool = false,
                            stateful: Bool = false, dropout: Float = 0, recurrentDropout: Float = 0,
                            kernelInitializer: Initializer = GlorotUniform(), recurrentInitializer: Initializer = Orthogonal(),
                            biasInitializer: Initializer = Zeros(), kernelRegularizer: Regularizer? = nil,
                            recurrentRegularizer: Regularizer? = nil, biasRegularizer: Regularizer? = nil, name: String? = nil) {
        var o = RecurrentConfiguration(units: units)
        (o.activation, o.useBias) = (activation, useBias)
        (o.returnSequences, o.returnState, o.goBackwards, o.stateful) = (returnSequences, returnState, goBackwards, stateful)
        (o.dropout, o.recurrentDropout) = (dropout, recurrentDropout)
        (o.kernelInitializer, o.recurrentInitializer, o.biasInitializer) = (kernelInitializer, recurrentInitializer, biasInitializer)
        (o.kernelRegularizer, o.recurrentRegularizer, o.biasRegularizer) = (kernelRegularizer, recurrentRegularizer, biasRegularizer)
        self.init(options: o, name: name)
    }
}

extension SimpleRNN: KerasReadableLayer {
    /// The layer a Keras `SimpleRNN` config describes; absent keys take Keras's defaults.
    public static func fromKeras(_ c: KerasConfig) throws -> Layer {
        SimpleRNN(options: try RecurrentConfiguration(keras: c), name: c.name)
    }
}
