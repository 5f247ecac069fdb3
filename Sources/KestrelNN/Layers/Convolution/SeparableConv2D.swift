import Foundation
import KestrelCore

/// Depthwise-separable 2-D convolution (Keras `SeparableConv2D`): a depthwise convolution
/// (kernel (kh, kw, channels, depthMultiplier); strides, padding and dilation apply here)
/// followed by a 1×1 convolution mixing the channels (pointwise kernel
/// (1, 1, channels·depthMultiplier, filters)), then the bias (filters). Far fewer weights
/// than a full Conv2D of the same window.
public final class SeparableConv2D: Layer {
    public let filters: Int
    public let kernelSize: (Int, Int)
    public let strides: (Int, Int)
    public let padding: ConvolutionPadding
    public let depthMultiplier: Int
    public let dilationRate: (Int, Int)
    public let activation: ActivationFunction
    public let useBias: Bool
    public let depthwiseInitializer: Initializer
    public let pointwiseInitializer: Initializer
    public let biasInitializer: Initializer
    public let depthwiseRegularizer: Regularizer?
    public let pointwiseRegularizer: Regularizer?
    public let biasRegularizer: Regularizer?
    public private(set) var depthwiseKernel: Parameter?
    public private(set) var pointwiseKernel: Parameter?
    public private(set) var bias: Parameter?

    public init(_ filters: Int, kernelSize: (Int, Int), strides: (Int, Int) = (1, 1), padding: ConvolutionPadding = .valid,
                depthMultiplier: Int = 1, dilationRate: (Int, Int) = (1, 1), activation: ActivationFunction = .linear,
                useBias: Bool = true, depthwiseInitializer: Initializer = GlorotUniform(),
                pointwiseInitializer: Initializer = GlorotUniform(), biasInitializer: Initializer = Zeros(),
                depthwiseRegularizer: Regularizer? = nil, pointwiseRegularizer: Regularizer? = nil,
                biasRegularizer: Regularizer? = nil, name: String? = nil) {
        self.filters = filters
        self.kernelSize = kernelSize
        self.strides = strides
        self.padding = padding
        self.depthMultiplier = depthMultiplier
        self.dilationRate = dilationRate
        self.activation = activation
        self.useBias = useBias
        self.depthwiseInitializer = depthwiseInitializer
        self.pointwiseInitializer = pointwiseInitializer
        self.biasInitializer = biasInitializer
        self.depthwiseRegularizer = depthwiseRegularizer
        self.pointwiseRegularizer = pointwiseRegularizer
        self.biasRegularizer = biasRegularizer
        super.init(name: name)
    }

    package func geometry(_ shape: [Int]) throws -> ConvolutionGeometry {
        try SpatialInput.check(shape, spatial: 2, layer: self)
        return try ConvolutionGeometry(inputShape: shape, kernel: kernelSize, strides: strides, dilation: dilationRate,
                                       padding: padding, layer: "\(name) (SeparableConv2D)")
    }

    public override func build(inputShapes: [[Int]]) throws {
        try SpatialInput.checkWindowArguments(of: self, counts: ["filters": filters, "depthMultiplier": depthMultiplier],
                                              padding: padding, strides: [strides.0, strides.1],
                                              dilation: [dilationRate.0, dilationRate.1])
        let shape = inputShapes[0]
        _ = try geometry(shape)
        let mid = shape[3] * depthMultiplier
        depthwiseKernel = try addWeight("depthwise_kernel", shape: [kernelSize.0, kernelSize.1, shape[3], depthMultiplier],
                                    initializer: depthwiseInitializer, regularizer: depthwiseRegularizer)
        pointwiseKernel = try addWeight("pointwise_kernel", shape: [1, 1, mid, filters], initializer: pointwiseInitializer,
                                    regularizer: pointwiseRegularizer)
        if useBias { bias = try addWeight("bias", shape: [filters], initializer: biasInitializer, regularizer: biasRegularizer) }
    }

    public override func call(_ inputs: [Tensor], training: Bool) throws -> [Tensor] {
        try expectInputs(inputs, count: 1)
        let x = inputs[0]
        let g = try geometry(x.shape)
        guard x.shape[3] == depthwiseKernel!.shape[2] else {
            throw KestrelError(.shapeMismatch, "\(name) (SeparableConv2D) was built for \(depthwiseKernel!.shape[2]) channels; got inputs of shape \(x.shape)")
        }
        let mid = depthwiseConv2d(x, depthwiseKernel!.value, geometry: g)
        let pointwise = try ConvolutionGeometry(inputShape: mid.shape, kernel: (1, 1), padding: .valid, layer: name)
        let fused = activation == .relu
        let y = conv2d(mid, pointwiseKernel!.value, bias: bias?.value, geometry: pointwise, relu: fused)
        return [fused ? y : activation(y)]
    }

    public override var configuration: [String: Any] {
        ["filters": filters, "depth_multiplier": depthMultiplier, "kernel_size": [kernelSize.0, kernelSize.1],
         "strides": [strides.0, strides.1], "padding": padding.rawValue, "data_format": "channels_last",
         "dilation_rate": [dilationRate.0, dilationRate.1], "activation": activation.kerasName, "use_bias": useBias,
         "depthwise_initializer": depthwiseInitializer.kerasSerialized, "pointwise_initializer": pointwiseInitializer.kerasSerialized,
         "bias_initializer": biasInitializer.kerasSerialized,
         "depthwise_regularizer": depthwiseRegularizer?.kerasConfig ?? NSNull(),
         "pointwise_regularizer": pointwiseRegularizer?.kerasConfig ?? NSNull(),
         "bias_regularizer": biasRegularizer?.kerasConfig ?? NSNull(), "activity_regularizer": NSNull(),
         "depthwise_constraint": NSNull(), "pointwise_constraint": NSNull(), "bias_constraint": NSNull()]
    }
}

extension SeparableConv2D: KerasReadableLayer {
    /// The layer a Keras `SeparableConv2D` config describes; absent keys take Keras's defaults.
    public static func fromKeras(_ c: KerasConfig) throws -> Layer {
        try ConvolutionConfig.checkCommon(c, kernel: "depthwise")
        try c.rejectUnlessNull("pointwise_constraint")
        // tf_keras writes its base convolution's kernel options, which a separable one never uses.
        c.ignore("kernel_initializer", "kernel_regularizer", "kernel_constraint")
        return SeparableConv2D(try c.int("filters"), kernelSize: try ConvolutionConfig.pair(c, "kernel_size"),
                               strides: try ConvolutionConfig.pair(c, "strides", default: 1),
                               padding: try ConvolutionConfig.padding(c), depthMultiplier: try c.int("depth_multiplier", default: 1),
                               dilationRate: try ConvolutionConfig.pair(c, "dilation_rate", default: 1),
                               activation: try c.activation(), useBias: try c.bool("use_bias", default: true),
                               depthwiseInitializer: try c.initializer("depthwise_initializer", default: GlorotUniform()),
                               pointwiseInitializer: try c.initializer("pointwise_initializer", default: GlorotUniform()),
                               biasInitializer: try c.initializer("bias_initializer", default: Zeros()),
                               depthwiseRegularizer: try c.regularizer("depthwise_regularizer"),
                               pointwiseRegularizer: try c.regularizer("pointwise_regularizer"),
                               biasRegularizer: try c.regularizer("bias_regularizer"), name: c.name)
    }
}
