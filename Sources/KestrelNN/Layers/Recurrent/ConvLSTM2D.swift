import KestrelCore

/// An LSTM whose gates are 2-D convolutions (Keras `ConvLSTM2D`), for sequences of images
/// (samples, time, rows, cols, channels) such as video frames; h and c are images of
/// `filters` channels. Kernel (kh, kw, channels, 4·filters), recurrent kernel
/// (kh, kw, filters, 4·filters). See `ConvLSTM` for the cell, masks, states and dropout.
public final class ConvLSTM2D: ConvLSTM {
    public init(_ filters: Int, kernelSize: (Int, Int), strides: (Int, Int) = (1, 1), padding: ConvolutionPadding = .valid,
                dilationRate: (Int, Int) = (1, 1), activation: ActivationFunction = .tanh,
                recurrentActivation: ActivationFunction = .sigmoid, useBias: Bool = true, unitForgetBias: Bool = true,
                dropout: Float = 0, recurrentDropout: Float = 0, returnSequences: Bool = false, returnState: Bool = false,
                goBackwards: Bool = false, stateful: Bool = false, kernelInitializer: Initializer = GlorotUniform(),
                recurrentInitializer: Initializer = Orthogonal(), biasInitializer: Initializer = Zeros(), name: String? = nil) {
        super.init(filters: filters, kernelSize: [kernelSize.0, kernelSize.1], strides: [strides.0, strides.1], padding: padding,
                   dilationRate: [dilationRate.0, dilationRate.1], activation: activation, recurrentActivation: recurrentActivation,
                   useBias: useBias, unitForgetBias: unitForgetBias, dropout: dropout, recurrentDropout: recurrentDropout,
                   returnSequences: returnSequences, returnState: returnState, goBackwards: goBackwards, stateful: stateful,
                   kernelInitializer: kernelInitializer, recurrentInitializer: recurrentInitializer,
                   biasInitializer: biasInitializer, name: name)
    }

    /// A square kernel.
    public convenience init(_ filters: Int, kernelSize: Int, padding: ConvolutionPadding = .valid,
                            returnSequences: Bool = false, name: String? = nil) {
        self.init(filters, kernelSize: (kernelSize, kernelSize), padding: padding, returnSequences: returnSequences, name: name)
    }
}

extension ConvLSTM2D: KerasReadableLayer {
    /// The layer a Keras `ConvLSTM2D` config describes; absent keys take Keras's defaults.
    public static func fromKeras(_ c: KerasConfig) throws -> Layer {
        let a = try ConvLSTMConfig(c, rank: 2)
        return ConvLSTM2D(a.filters, kernelSize: (a.kernelSize[0], a.kernelSize[1]), strides: (a.strides[0], a.strides[1]),
                          padding: a.padding, dilationRate: (a.dilationRate[0], a.dilationRate[1]), activation: a.activation,
                          recurrentActivation: a.recurrentActivation, useBias: a.useBias, unitForgetBias: a.unitForgetBias,
                          dropout: a.dropout, recurrentDropout: a.recurrentDropout, returnSequences: a.returnSequences,
                          returnState: a.returnState, goBackwards: a.goBackwards, stateful: a.stateful,
                          kernelInitializer: a.kernelInitializer, recurrentInitializer: a.recurrentInitializer,
                          biasInitializer: a.biasInitializer, name: c.name)
    }
}
