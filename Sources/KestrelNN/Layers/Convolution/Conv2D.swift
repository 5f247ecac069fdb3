import KestrelCore

/// 2-D convolution over channels-last images (Keras `Conv2D`): (samples, rows, cols,
/// channels) → (samples, outRows, outCols, filters), kernel (kh, kw, channels, filters).
/// Padding `valid` or `same` (the odd padding cell goes bottom/right, as in Keras).
public final class Conv2D: ConvolutionLayer {
    public init(_ filters: Int, kernelSize: (Int, Int), strides: (Int, Int) = (1, 1), padding: ConvolutionPadding = .valid,
                dilationRate: (Int, Int) = (1, 1), groups: Int = 1, activation: ActivationFunction = .linear, useBias: Bool = true,
                kernelInitializer: Initializer = GlorotUniform(), biasInitializer: Initializer = Zeros(),
                kernelRegularizer: Regularizer? = nil, biasRegularizer: Regularizer? = nil, name: String? = nil) {
        super.init(filters: filters, kernelSize: [kernelSize.0, kernelSize.1], strides: [strides.0, strides.1], padding: padding,
                   dilationRate: [dilationRate.0, dilationRate.1], groups: groups, activation: activation, useBias: useBias,
                   kernelInitializer: kernelInitializer, biasInitializer: biasInitializer,
                   kernelRegularizer: kernelRegularizer, biasRegularizer: biasRegularizer, name: name)
    }

    /// Square window, equal strides and dilation: `Conv2D(32, kernelSize: 3)`.
    public convenience init(_ filters: Int, kernelSize: Int, strides: Int = 1, padding: ConvolutionPadding = .valid,
                            dilationRate: Int = 1, groups: Int = 1, activation: ActivationFunction = .linear, useBias: Bool = true,
                            kernelInitializer: Initializer = GlorotUniform(), biasInitializer: Initializer = Zeros(),
                            kernelRegularizer: Regularizer? = nil, biasRegularizer: Regularizer? = nil, name: String? = nil) {
        self.init(filters, kernelSize: (kernelSize, kernelSize), strides: (strides, strides), padding: padding,
                  dilationRate: (dilationRate, dilationRate), groups: groups, activation: activation, useBias: useBias,
                  kernelInitializer: kernelInitializer, biasInitializer: biasInitializer,
                  kernelRegularizer: kernelRegularizer, biasRegularizer: biasRegularizer, name: name)
    }
}

extension Conv2D: KerasReadableLayer {
    /// The layer a Keras `Conv2D` config describes; absent keys take Keras's defaults.
    public static func fromKeras(_ c: KerasConfig) throws -> Layer {
        try ConvolutionConfig.checkCommon(c, allowGroups: true)
        return Conv2D(try c.int("filters"), kernelSize: try ConvolutionConfig.pair(c, "kernel_size"),
                      strides: try ConvolutionConfig.pair(c, "strides", default: 1), padding: try ConvolutionConfig.padding(c),
                      dilationRate: try ConvolutionConfig.pair(c, "dilation_rate", default: 1), groups: try c.int("groups", default: 1),
                      activation: try c.activation(), useBias: try c.bool("use_bias", default: true),
                      kernelInitializer: try c.initializer("kernel_initializer", default: GlorotUniform()),
                      biasInitializer: try c.initializer("bias_initializer", default: Zeros()),
                      kernelRegularizer: try c.regularizer("kernel_regularizer"),
                      biasRegularizer: try c.regularizer("bias_regularizer"), name: c.name)
    }
}
