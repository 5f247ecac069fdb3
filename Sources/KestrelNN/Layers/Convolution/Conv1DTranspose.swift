import KestrelCore

/// Transposed 1-D convolution (Keras `Conv1DTranspose`): upsamples sequences (samples,
/// steps, channels) by the stride, kernel (k, filters, channels); output length as Keras
/// computes it (see `TransposedConvolutionLayer`). Runs the 3-D transposed op with unit
/// leading axes, which carries `outputPadding`.
public final class Conv1DTranspose: TransposedConvolutionLayer {
    public init(_ filters: Int, kernelSize: Int, strides: Int = 1, padding: ConvolutionPadding = .valid, outputPadding: Int? = nil,
                dilationRate: Int = 1, activation: ActivationFunction = .linear, useBias: Bool = true,
                kernelInitializer: Initializer = GlorotUniform(), biasInitializer: Initializer = Zeros(),
                kernelRegularizer: Regularizer? = nil, biasRegularizer: Regularizer? = nil, name: String? = nil) {
        super.init(filters: filters, kernelSize: [kernelSize], strides: [strides], padding: padding,
                   outputPadding: outputPadding.map { [$0] }, dilationRate: [dilationRate], activation: activation,
                   useBias: useBias, kernelInitializer: kernelInitializer, biasInitializer: biasInitializer,
                   kernelRegularizer: kernelRegularizer, biasRegularizer: biasRegularizer, name: name)
    }
}

extension Conv1DTranspose: KerasReadableLayer {
    /// The layer a Keras `Conv1DTranspose` config describes; absent keys take Keras's defaults.
    public static func fromKeras(_ c: KerasConfig) throws -> Layer {
        let a = try TransposedConvolutionLayer.KerasArguments(c, rank: 1)
        return Conv1DTranspose(a.filters, kernelSize: a.kernelSize[0], strides: a.strides[0], padding: a.padding,
                               outputPadding: a.outputPadding?[0], dilationRate: a.dilationRate[0], activation: a.activation,
                               useBias: a.useBias, kernelInitializer: a.kernelInitializer, biasInitializer: a.biasInitializer,
                               kernelRegularizer: a.kernelRegularizer, biasRegularizer: a.biasRegularizer, name: c.name)
    }
}
