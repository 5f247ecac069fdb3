import KestrelCore

/// 3-D convolution over channels-last volumes (Keras `Conv3D`): (samples, depth, rows,
/// cols, channels) → (samples, outDepth, outRows, outCols, filters), kernel (kd, kh, kw,
/// channels/groups, filters). Padding `valid` or `same` (the odd padding cell goes after);
/// `groups` splits the channels into independent blocks.
public final class Conv3D: ConvolutionLayer {
    public init(_ filters: Int, kernelSize: (Int, Int, Int), strides: (Int, Int, Int) = (1, 1, 1), padding: ConvolutionPadding = .valid,
                dilationRate: (Int, Int, Int) = (1, 1, 1), groups: Int = 1, activation: ActivationFunction = .linear, useBias: Bool = true,
                kernelInitializer: Initializer = GlorotUniform(), biasInitializer: Initializer = Zeros(),
                kernelRegularizer: Regularizer? = nil, biasRegularizer: Regularizer? = nil, name: String? = nil) {
        super.init(filters: filters, kernelSize: [kernelSize.0, kernelSize.1, kernelSize.2], strides: [strides.0, strides.1, strides.2],
                   padding: padding, dilationRate: [dilationRate.0, dilationRate.1, dilationRate.2], groups: groups,
                   activation: activation, useBias: useBias, kernelInitializer: kernelInitializer, biasInitializer: biasInitializer,
                   kernelRegularizer: kernelRegularizer, biasRegularizer: biasRegularizer, name: name)
    }

    /// Cubic window, equal strides and dilation: `Conv3D(8, kernelSize: 3)`.
    public convenience init(_ filters: Int, kernelSize: Int, strides: Int = 1, padding: ConvolutionPadding = .valid,
                            dilationRate: Int = 1, groups: Int = 1, activation: ActivationFunction = .linear, useBias: Bool = true,
                            name: String? = nil) {
        self.init(filters, kernelSize: (kernelSize, kernelSize, kernelSize), strides: (strides, strides, strides), padding: padding,
                  dilationRate: (dilationRate, dilationRate, dilationRate), groups: groups, activation: activation,
                  useBias: useBias, name: name)
    }
}

extension Conv3D: KerasReadableLayer {
    /// The layer a Keras `Conv3D` config describes; absent keys take Keras's defaults.
    public static func fromKeras(_ c: KerasConfig) throws -> Layer {
        try ConvolutionConfig.checkCommon(c, allowGroups: true)
        let k = try ConvolutionConfig.triple(c, "kernel_size"), s = try ConvolutionConfig.triple(c, "strides", default: 1)
        let d = try ConvolutionConfig.triple(c, "dilation_rate", default: 1)
        return Conv3D(try c.int("filters"), kernelSize: (k[0], k[1], k[2]), strides: (s[0], s[1], s[2]),
                      padding: try ConvolutionConfig.padding(c), dilationRate: (d[0], d[1], d[2]),
                      groups: try c.int("groups", default: 1), activation: try c.activation(),
                      useBias: try c.bool("use_bias", default: true),
                      kernelInitializer: try c.initializer("kernel_initializer", default: GlorotUniform()),
                      biasInitializer: try c.initializer("bias_initializer", default: Zeros()),
                      kernelRegularizer: try c.regularizer("kernel_regularizer"),
                      biasRegularizer: try c.regularizer("bias_regularizer"), name: c.name)
    }
}
