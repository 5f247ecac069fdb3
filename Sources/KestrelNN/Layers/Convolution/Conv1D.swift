import KestrelCore

/// 1-D convolution over sequences (Keras `Conv1D`): (samples, steps, channels) →
/// (samples, outSteps, filters), kernel (k, channels, filters). Padding `valid`, `same`, or
/// `causal` ((k − 1)·dilation zeros before the sequence only, so step t sees no future).
public final class Conv1D: ConvolutionLayer {
    public init(_ filters: Int, kernelSize: Int, strides: Int = 1, padding: ConvolutionPadding = .valid,
                dilationRate: Int = 1, groups: Int = 1, activation: ActivationFunction = .linear, useBias: Bool = true,
                kernelInitializer: Initializer = GlorotUniform(), biasInitializer: Initializer = Zeros(),
                kernelRegularizer: Regularizer? = nil, biasRegularizer: Regularizer? = nil, name: String? = nil) {
        super.init(filters: filters, kernelSize: [kernelSize], strides: [strides], padding: padding,
                   dilationRate: [dilationRate], groups: groups, activation: activation, useBias: useBias,
                   kernelInitializer: kernelInitializer, biasInitializer: biasInitializer,
                   kernelRegularizer: kernelRegularizer, biasRegularizer: biasRegularizer, name: name)
    }

    package override class var allowsCausalPadding: Bool { true }
}

extension Conv1D: KerasReadableLayer {
    /// The layer a Keras `Conv1D` config describes; absent keys take Keras's defaults.
    public static func fromKeras(_ c: KerasConfig) throws -> Layer {
        try ConvolutionConfig.checkCommon(c, allowGroups: true)
        return Conv1D(try c.int("filters"), kernelSize: try c.ints("kernel_size", count: 1)[0],
                      strides: try c.ints("strides", count: 1, default: [1])[0],
                      padding: try ConvolutionConfig.padding(c, allowCausal: true),
                      dilationRate: try c.ints("dilation_rate", count: 1, default: [1])[0], groups: try c.int("groups", default: 1),
                      activation: try c.activation(), useBias: try c.bool("use_bias", default: true),
                      kernelInitializer: try c.initializer("kernel_initializer", default: GlorotUniform()),
                      biasInitializer: try c.initializer("bias_initializer", default: Zeros()),
                      kernelRegularizer: try c.regularizer("kernel_regularizer"),
                      biasRegularizer: try c.regularizer("bias_regularizer"), name: c.name)
    }
}
