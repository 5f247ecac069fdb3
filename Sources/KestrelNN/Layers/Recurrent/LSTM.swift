import KestrelCore

/// Long short-term memory (Keras `LSTM`): gates i, f, c, o in the columns of kernel (F, 4U),
/// recurrent_kernel (U, 4U) and bias (4U); c_t = f·c + i·g, h_t = o·tanh(c_t). States h, c.
public final class LSTM: RecurrentLayer {
    package override var cellKind: RecurrentCellKind { .lstm }

    public convenience init(_ units: Int, activation: ActivationFunction = .tanh, recurrentActivation: ActivationFunction = .sigmoid,
                            useBias: Bool = true, returnSequences: Bool = false, returnState: Bool = false,
                            goBackwards: Bool = false, stateful: Bool = false, unitForgetBias: Bool = true,
                            dropout: Float = 0, recurrentDropout: Float = 0,
                            kernelInitializer: Initializer = GlorotUniform(), recurrentInitializer: Initializer = Orthogonal(),
                            biasInitializer: Initializer = Zeros(), kernelRegularizer: Regularizer? = nil,
                            recurrentRegularizer: Regularizer? = nil, biasRegularizer: Regularizer? = nil, name: String? = nil) {
        var o = RecurrentConfiguration(units: units)
        (o.activation, o.recurrentActivation, o.useBias) = (activation, recurrentActivation, useBias)
        (o.returnSequences, o.returnState, o.goBackwards, o.stateful) = (returnSequences, returnState, goBackwards, stateful)
        (o.unitForgetBias, o.dropout, o.recurrentDropout) = (unitForgetBias, dropout, recurrentDropout)
        (o.kernelInitializer, o.recurrentInitializer, o.biasInitializer) = (kernelInitializer, recurrentInitializer, biasInitializer)
        (o.kernelRegularizer, o.recurrentRegularizer, o.biasRegularizer) = (kernelRegularizer, recurrentRegularizer, biasRegularizer)
        self.init(options: o, name: name)
    }
}

extension LSTM: KerasReadableLayer {
    /// The layer a Keras `LSTM` config describes; absent keys take Keras's defaults.
    public static func fromKeras(_ c: KerasConfig) throws -> Layer {
        LSTM(options: try RecurrentConfiguration(keras: c), name: c.name)
    }
}
