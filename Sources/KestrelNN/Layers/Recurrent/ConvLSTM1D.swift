import KestrelCore

/// An LSTM whose gates are 1-D convolutions (Keras `ConvLSTM1D`), for sequences of
/// multichannel signals (samples, time, steps, channels), e.g. windows of sensor readings;
/// h and c are signals of `filters` channels. Kernel (k, channels, 4·filters), recurrent
/// kernel (k, filters, 4·filters). See `ConvLSTM` for the cell, masks, states and dropout.
public final class ConvLSTM1D: ConvLSTM {
    public init(_ filters: Int, kernelSize: Int, strides: Int = 1, padding: ConvolutionPadding = .valid, dilationRate: Int = 1,
                activation: ActivationFunction = .tanh, recurrentActivation: ActivationFunction = .sigmoid, useBias: Bool = true,
                unitForgetBias: Bool = true, dropout: Float = 0, recurrentDropout: Float = 0, returnSequences: Bool = false,
                returnState: Bool = false, goBackwards: Bool = false, stateful: Bool = false,
                kernelInitializer: Initializer = GlorotUniform(), recurrentInitializer: Initializer = Orthogonal(),
                biasInitializer: Initializer = Zeros(), name: String? = nil) {
        super.init(filters: filters, kernelSize: [kernelSize], strides: [strides], padding: padding, dilationRate: [dilationRate],
                   activation: activation, recurrentActivation: recurrentActivation, useBias: useBias,
                   unitForgetBias: unitForgetBias, dropout: dropout, recurrentDropout: recurrentDropout,
                   returnSequences: returnSequences, returnState: returnState, goBackwards: goBackwards, stateful: stateful,
                   kernelInitializer: kernelInitializer, recurrentInitializer: recurrentInitializer,
                   biasInitializer: biasInitializer, name: name)
    }
}

extension ConvLSTM1D: KerasReadableLayer {
    /// The layer a Keras `ConvLSTM1D` config describes; absent keys take Keras's defaults.
    public static func fromKeras(_ c: KerasConfig) throws -> Layer {
        let a = try ConvLSTMConfig(c, rank: 1)
        return ConvLSTM1D(a.filters, kernelSize: a.kernelSize[0], strides: a.strides[0], padding: a.padding,
                          dilationRate: a.dilationRate[0], activation: a.activation, recurrentActivation: a.recurrentActivation,
                          useBias: a.useBias, unitForgetBias: a.unitForgetBias, dropout: a.dropout,
                          recurrentDropout: a.recurrentDropout, returnSequences: a.returnSequences, returnState: a.returnState,
                          goBackwards: a.goBackwards, stateful: a.stateful, kernelInitializer: a.kernelInitializer,
                          recurrentInitializer: a.recurrentInitializer, biasInitializer: a.biasInitializer, name: c.name)
    }
}
