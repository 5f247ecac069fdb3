import KestrelCore

/// 1-D convolution over sequences (Keras `Conv1D`): (samples, steps, channels) →
/// (samples, outSteps, filters), kernel (k, channels, filters). Padding `valid`, `same`, or
/// `causal` ((k − 1)·dilation zeros before the sequence only, so step t sees no future).
public final class Conv1D: ConvolutionLayer {
    public init(_ filters: Int, kernelSize: Int, strides: Int = 1, padding: ConvolutionPadding = .valid,
                dilationRate: Int = 1, activation: ActivationFunction = .linear, useBias: Bool = true,
                kernelInitializer: Initializer = GlorotUniform(), biasInitializer: Initializer = Zeros(),
                kernelRegularizer: Regularizer? = nil, biasRegularizer: Regularizer? = nil, name: String? = nil) {
        super.init(filters: filters, kernelSize: [kernelSize], strides: [strides], padding: padding,
                   dilationRate: [dilationRate], activation: activation, useBias: useBias,
                   kernelInitializer: kernelInitializer, biasInitializer: biasInitializer,
                   kernelRegularizer: kernelRegularizer, biasRegularizer: biasRegularizer, name: name)
    }
}
