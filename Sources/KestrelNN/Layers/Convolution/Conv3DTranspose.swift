import KestrelCore

/// Transposed 3-D convolution (Keras `Conv3DTranspose`): upsamples volumes (samples, depth,
/// rows, cols, channels) by the strides, kernel (kd, kh, kw, filters, channels). The output
/// sizes follow Keras (see `TransposedConvolutionLayer`), `outputPadding` choosing among the
/// sizes that convolve back to the input.
public final class Conv3DTranspose: TransposedConvolutionLayer {
    public init(_ filters: Int, kernelSize: (Int, Int, Int), strides: (Int, Int, Int) = (1, 1, 1), padding: ConvolutionPadding = .valid,
                outputPadding: (Int, Int, Int)? = nil, dilationRate: (Int, Int, Int) = (1, 1, 1), activation: ActivationFunction = .linear,
                useBias: Bool = true, kernelInitializer: Initializer = GlorotUniform(), biasInitializer: Initializer = Zeros(),
                kernelRegularizer: Regularizer? = nil, biasRegularizer: Regularizer? = nil, name: String? = nil) {
        super.init(filters: filters, kernelSize: [kernelSize.0, kernelSize.1, kernelSize.2], strides: [strides.0, strides.1, strides.2],
                   padding: padding, outputPadding: outputPadding.map { [$0.0, $0.1, $0.2] },
                   dilationRate: [dilationRate.0, dilationRate.1, dilationRate.2], activation: activation, useBias: useBias,
                   kernelInitializer: kernelInitializer, biasInitializer: biasInitializer,
                   kernelRegularizer: kernelRegularizer, biasRegularizer: biasRegularizer, name: name)
    }

    /// Cubic window, equal strides: `Conv3DTranspose(8, kernelSize: 3, strides: 2)`.
    public convenience init(_ filters: Int, kernelSize: Int, strides: Int = 1, padding: ConvolutionPadding = .valid,
                            activation: ActivationFunction = .linear, useBias: Bool = true, name: String? = nil) {
        self.init(filters, kernelSize: (kernelSize, kernelSize, kernelSize), strides: (strides, strides, strides), padding: padding,
                  activation: activation, useBias: useBias, name: name)
    }
}

extension Conv3DTranspose: KerasReadableLayer {
    /// The layer a Keras `Conv3DTranspose` config describes; absent keys take Keras's defaults.
    public static func fromKeras(_ c: KerasConfig) throws -> Layer {
        let a = try TransposedConvolutionLayer.KerasArguments(c, rank: 3)
        let (k, s, d) = (a.kernelSize, a.strides, a.dilationRate)
        return Conv3DTranspose(a.filters, kernelSize: (k[0], k[1], k[2]), strides: (s[0], s[1], s[2]), padding: a.padding,
                               outputPadding: a.outputPadding.map { ($0[0], $0[1], $0[2]) }, dilationRate: (d[0], d[1], d[2]),
                               activation: a.activation, useBias: a.useBias, kernelInitializer: a.kernelInitializer,
                               biasInitializer: a.biasInitializer, kernelRegularizer: a.kernelRegularizer,
                               biasRegularizer: a.biasRegularizer, name: c.name)
    }
}
