import Foundation
import KestrelCore

/// Depthwise 2-D convolution (Keras `DepthwiseConv2D`): each input channel is filtered on
/// its own by `depthMultiplier` kernels, no mixing across channels — the cheap spatial
/// half of a separable convolution. Kernel (kh, kw, channels, depthMultiplier) (Keras 3
/// names it `kernel`); output channel c·depthMultiplier + m; bias (channels·multiplier).
public final class DepthwiseConv2D: Layer {
    public let kernelSize: (Int, Int)
    public let strides: (Int, Int)
    public let padding: ConvolutionPadding
    public let depthMultiplier: Int
    public let dilationRate: (Int, Int)
    public let activation: ActivationFunction
    public let useBias: Bool
    public let depthwiseInitializer: Initializer
    public let biasInitializer: Initializer
    public let depthwiseRegularizer: Regularizer?
    public let biasRegularizer: Regularizer?
    public private(set) var kernel: Parameter?
    public private(set) var bias: Parameter?

    public init(kernelSize: (Int, Int), strides: (Int, Int) = (1, 1), padding: ConvolutionPadding = .valid,
                depthMultiplier: Int = 1, dilationRate: (Int, Int) = (1, 1), activation: ActivationFunction = .linear,
                useBias: Bool = true, depthwiseInitializer: Initializer = GlorotUniform(), biasInitializer: Initializer = Zeros(),
                depthwiseRegularizer: Regularizer? = nil, biasRegularizer: Regularizer? = nil, name: String? = nil) {
        self.kernelSize = kernelSize
        self.strides = strides
        self.padding = padding
        self.depthMultiplier = depthMultiplier
        self.dilationRate = dilationRate
        self.activation = activation
        self.useBias = useBias
        self.depthwiseInitializer = depthwiseInitializer
        self.biasInitializer = biasInitializer
        self.depthwiseRegularizer = depthwiseRegularizer
        self.biasRegularizer = biasRegularizer
        super.init(name: name)
    }

    package func geometry(_ shape: [Int]) throws -> ConvolutionGeometry {
        try SpatialInput.check(shape, spatial: 2, layer: self)
        return try ConvolutionGeometry(inputShape: shape, kernel: kernelSize, strides: strides, dilation: dilationRate,
                                       padding: padding, layer: "\(name) (DepthwiseConv2D)")
    }

    public override func build(inputShapes: [[Int]]) throws {
        try SpatialInput.checkWindowArguments(of: self, counts: ["depthMultiplier": depthMultiplier], padding: padding,
                                              strides: [strides.0, strides.1], dilation: [dilationRate.0, dilationRate.1])
        let shape = inputShapes[0]
        _ = try geometry(shape)
        kernel = try addWeight("kernel", shape: [kernelSize.0, kernelSize.1, shape[3], depthMultiplier], initializer: depthwiseInitializer,
                           regularizer: depthwiseRegularizer)
        if useBias { bias = try addWeight("bias", shape: [shape[3] * depthMultiplier], initializer: biasInitializer,
                                         regularizer: biasRegularizer) }
    }

    public override func call(_ inputs: [Tensor], training: Bool) throws -> [Tensor] {
        try expectInputs(inputs, count: 1)
        let x = inputs[0]
        let g = try geometry(x.shape)
        guard x.shape[3] == kernel!.shape[2] else {
            throw KestrelError(.shapeMismatch, "\(name) (DepthwiseConv2D) was built for \(kernel!.shape[2]) channels; got inputs of shape \(x.shape)")
        }
        var y = depthwiseConv2d(x, kernel!.value, geometry: g)
        if let bias { y = y + bias.value }
        return [activation(y)]
    }

    public override var configuration: [String: Any] {
        ["depth_multiplier": depthMultiplier, "kernel_size": [kernelSize.0, kernelSize.1], "strides": [strides.0, strides.1],
         "padding": padding.rawValue, "data_format": "channels_last", "dilation_rate": [dilationRate.0, dilationRate.1],
         "activation": activation.kerasName, "use_bias": useBias,
         "depthwise_initializer": depthwiseInitializer.kerasSerialized, "bias_initializer": biasInitializer.kerasSerialized,
         "depthwise_regularizer": depthwiseRegularizer?.kerasConfig ?? NSNull(), "bias_regularizer": biasRegularizer?.kerasConfig ?? NSNull(),
         "activity_regularizer": NSNull(), "depthwise_constraint": NSNull(), "bias_constraint": NSNull()]
    }
}

extension DepthwiseConv2D: KerasReadableLayer {
    /// The layer a Keras `DepthwiseConv2D` config describes; absent keys take Keras's defaults.
    public static func fromKeras(_ c: KerasConfig) throws -> Layer {
        try ConvolutionConfig.checkCommon(c, kernel: "depthwise")
        return DepthwiseConv2D(kernelSize: try ConvolutionConfig.pair(c, "kernel_size"),
                               strides: try ConvolutionConfig.pair(c, "strides", default: 1),
                               padding: try ConvolutionConfig.padding(c), depthMultiplier: try c.int("depth_multiplier", default: 1),
                               dilationRate: try ConvolutionConfig.pair(c, "dilation_rate", default: 1),
                               activation: try c.activation(), useBias: try c.bool("use_bias", default: true),
                               depthwiseInitializer: try c.initializer("depthwise_initializer", default: GlorotUniform()),
                               biasInitializer: try c.initializer("bias_initializer", default: Zeros()),
                               depthwiseRegularizer: try c.regularizer("depthwise_regularizer"),
                               biasRegularizer: try c.regularizer("bias_regularizer"), name: c.name)
    }
}
