import Foundation
import KestrelCore

/// Depthwise 1-D convolution (Keras `DepthwiseConv1D`): each channel of (samples, steps,
/// channels) filtered on its own by `depthMultiplier` kernels; kernel (k, channels,
/// depthMultiplier), bias (channels·depthMultiplier), output channel c·depthMultiplier + m.
/// Runs the 2-D depthwise op on a one-row image.
public final class DepthwiseConv1D: Layer {
    public let kernelSize: Int
    public let strides: Int
    public let padding: ConvolutionPadding
    public let depthMultiplier: Int
    public let dilationRate: Int
    public let activation: ActivationFunction
    public let useBias: Bool
    public let depthwiseInitializer: Initializer
    public let biasInitializer: Initializer
    public let depthwiseRegularizer: Regularizer?
    public let biasRegularizer: Regularizer?
    public private(set) var kernel: Parameter?
    public private(set) var bias: Parameter?

    public init(kernelSize: Int, strides: Int = 1, padding: ConvolutionPadding = .valid, depthMultiplier: Int = 1,
                dilationRate: Int = 1, activation: ActivationFunction = .linear, useBias: Bool = true,
                depthwiseInitializer: Initializer = GlorotUniform(), biasInitializer: Initializer = Zeros(),
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

    public override func build(inputShapes: [[Int]]) throws {
        try SpatialInput.checkWindowArguments(of: self, counts: ["depthMultiplier": depthMultiplier], padding: padding,
                                              strides: [strides], dilation: [dilationRate])
        let shape = inputShapes[0]
        _ = try SequenceWindow.geometry(shape, kernel: kernelSize, strides: strides, dilation: dilationRate, padding: padding, layer: self)
        kernel = try addWeight("kernel", shape: [kernelSize, shape[2], depthMultiplier], initializer: depthwiseInitializer,
                               regularizer: depthwiseRegularizer)
        if useBias { bias = try addWeight("bias", shape: [shape[2] * depthMultiplier], initializer: biasInitializer, regularizer: biasRegularizer) }
    }

    public override func call(_ inputs: [Tensor], training: Bool) throws -> [Tensor] {
        try expectInputs(inputs, count: 1)
        let x = inputs[0]
        let g = try SequenceWindow.geometry(x.shape, kernel: kernelSize, strides: strides, dilation: dilationRate, padding: padding, layer: self)
        let w = kernel!.value
        guard x.shape[2] == w.shape[1] else {
            throw KestrelError(.shapeMismatch, "\(name) (DepthwiseConv1D) was built for \(w.shape[1]) channels; got inputs of shape \(x.shape)")
        }
        var y = depthwiseConv2d(x.reshaped(g.inputShape), w.reshaped([1] + w.shape), geometry: g)
        y = y.reshaped([g.batch, g.outWidth, g.inChannels * depthMultiplier])
        if let bias { y = y + bias.value }
        return [activation(y)]
    }

    public override var configuration: [String: Any] {
        ["depth_multiplier": depthMultiplier, "kernel_size": [kernelSize], "strides": [strides], "padding": padding.rawValue,
         "data_format": "channels_last", "dilation_rate": [dilationRate], "activation": activation.kerasName, "use_bias": useBias,
         "depthwise_initializer": depthwiseInitializer.kerasSerialized, "bias_initializer": biasInitializer.kerasSerialized,
         "depthwise_regularizer": depthwiseRegularizer?.kerasConfig ?? NSNull(), "bias_regularizer": biasRegularizer?.kerasConfig ?? NSNull(),
         "activity_regularizer": NSNull(), "depthwise_constraint": NSNull(), "bias_constraint": NSNull()]
    }
}

/// Depthwise-separable 1-D convolution (Keras `SeparableConv1D`): a depthwise convolution
/// (kernel (k, channels, depthMultiplier); strides, padding and dilation apply here), then
/// a pointwise one mixing the channels (kernel (1, channels·depthMultiplier, filters)), then
/// the bias (filters). Runs the 2-D depthwise and 1×1 convolution ops on a one-row image.
public final class SeparableConv1D: Layer {
    public let filters: Int
    public let kernelSize: Int
    public let strides: Int
    public let padding: ConvolutionPadding
    public let depthMultiplier: Int
    public let dilationRate: Int
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

    public init(_ filters: Int, kernelSize: Int, strides: Int = 1, padding: ConvolutionPadding = .valid, depthMultiplier: Int = 1,
                dilationRate: Int = 1, activation: ActivationFunction = .linear, useBias: Bool = true,
                depthwiseInitializer: Initializer = GlorotUniform(), pointwiseInitializer: Initializer = GlorotUniform(),
                biasInitializer: Initializer = Zeros(), depthwiseRegularizer: Regularizer? = nil,
                pointwiseRegularizer: Regularizer? = nil, biasRegularizer: Regularizer? = nil, name: String? = nil) {
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

    public override func build(inputShapes: [[Int]]) throws {
        try SpatialInput.checkWindowArguments(of: self, counts: ["filters": filters, "depthMultiplier": depthMultiplier],
                                              padding: padding, strides: [strides], dilation: [dilationRate])
        let shape = inputShapes[0]
        _ = try SequenceWindow.geometry(shape, kernel: kernelSize, strides: strides, dilation: dilationRate, padding: padding, layer: self)
        depthwiseKernel = try addWeight("depthwise_kernel", shape: [kernelSize, shape[2], depthMultiplier],
                                        initializer: depthwiseInitializer, regularizer: depthwiseRegularizer)
        pointwiseKernel = try addWeight("pointwise_kernel", shape: [1, shape[2] * depthMultiplier, filters],
                                        initializer: pointwiseInitializer, regularizer: pointwiseRegularizer)
        if useBias { bias = try addWeight("bias", shape: [filters], initializer: biasInitializer, regularizer: biasRegularizer) }
    }

    public override func call(_ inputs: [Tensor], training: Bool) throws -> [Tensor] {
        try expectInputs(inputs, count: 1)
        let x = inputs[0]
        let g = try SequenceWindow.geometry(x.shape, kernel: kernelSize, strides: strides, dilation: dilationRate, padding: padding, layer: self)
        let dw = depthwiseKernel!.value, pw = pointwiseKernel!.value
        guard x.shape[2] == dw.shape[1] else {
            throw KestrelError(.shapeMismatch, "\(name) (SeparableConv1D) was built for \(dw.shape[1]) channels; got inputs of shape \(x.shape)")
        }
        let mid = depthwiseConv2d(x.reshaped(g.inputShape), dw.reshaped([1] + dw.shape), geometry: g)
        let pointwise = try ConvolutionGeometry(inputShape: mid.shape, kernel: (1, 1), padding: .valid, layer: name)
        let fused = activation == .relu
        let y = conv2d(mid, pw.reshaped([1] + pw.shape), bias: bias?.value, geometry: pointwise, relu: fused)
            .reshaped([g.batch, g.outWidth, filters])
        return [fused ? y : activation(y)]
    }

    public override var configuration: [String: Any] {
        ["filters": filters, "depth_multiplier": depthMultiplier, "kernel_size": [kernelSize], "strides": [strides],
         "padding": padding.rawValue, "data_format": "channels_last", "dilation_rate": [dilationRate],
         "activation": activation.kerasName, "use_bias": useBias,
         "depthwise_initializer": depthwiseInitializer.kerasSerialized, "pointwise_initializer": pointwiseInitializer.kerasSerialized,
         "bias_initializer": biasInitializer.kerasSerialized,
         "depthwise_regularizer": depthwiseRegularizer?.kerasConfig ?? NSNull(),
         "pointwise_regularizer": pointwiseRegularizer?.kerasConfig ?? NSNull(),
         "bias_regularizer": biasRegularizer?.kerasConfig ?? NSNull(), "activity_regularizer": NSNull(),
         "depthwise_constraint": NSNull(), "pointwise_constraint": NSNull(), "bias_constraint": NSNull()]
    }
}

/// The one-row 2-D geometry of a 1-D window over (samples, steps, channels).
package enum SequenceWindow {
    package static func geometry(_ shape: [Int], kernel: Int, strides: Int, dilation: Int, padding: ConvolutionPadding,
                                 layer: Layer) throws -> ConvolutionGeometry {
        try SpatialInput.check(shape, spatial: 1, layer: layer)
        return try ConvolutionGeometry(inputShape: SpatialInput.asImage(shape), kernel: (1, kernel), strides: (1, strides),
                                       dilation: (1, dilation), padding: padding,
                                       layer: "\(layer.name) (\(type(of: layer).kerasClassName))")
    }
}

extension DepthwiseConv1D: KerasReadableLayer {
    /// The layer a Keras `DepthwiseConv1D` config describes; absent keys take Keras's defaults.
    public static func fromKeras(_ c: KerasConfig) throws -> Layer {
        try ConvolutionConfig.checkCommon(c, kernel: "depthwise")
        return DepthwiseConv1D(kernelSize: try ConvolutionConfig.single(c, "kernel_size"),
                               strides: try ConvolutionConfig.single(c, "strides", default: 1),
                               padding: try ConvolutionConfig.padding(c), depthMultiplier: try c.int("depth_multiplier", default: 1),
                               dilationRate: try ConvolutionConfig.single(c, "dilation_rate", default: 1),
                               activation: try c.activation(), useBias: try c.bool("use_bias", default: true),
                               depthwiseInitializer: try c.initializer("depthwise_initializer", default: GlorotUniform()),
                               biasInitializer: try c.initializer("bias_initializer", default: Zeros()),
                               depthwiseRegularizer: try c.regularizer("depthwise_regularizer"),
                               biasRegularizer: try c.regularizer("bias_regularizer"), name: c.name)
    }
}

extension SeparableConv1D: KerasReadableLayer {
    /// The layer a Keras `SeparableConv1D` config describes; absent keys take Keras's defaults.
    public static func fromKeras(_ c: KerasConfig) throws -> Layer {
        try ConvolutionConfig.checkCommon(c, kernel: "depthwise")
        try c.rejectUnlessNull("pointwise_constraint")
        // tf_keras writes its base convolution's kernel options, which a separable one never uses.
        c.ignore("kernel_initializer", "kernel_regularizer", "kernel_constraint")
        return SeparableConv1D(try c.int("filters"), kernelSize: try ConvolutionConfig.single(c, "kernel_size"),
                               strides: try ConvolutionConfig.single(c, "strides", default: 1),
                               padding: try ConvolutionConfig.padding(c), depthMultiplier: try c.int("depth_multiplier", default: 1),
                               dilationRate: try ConvolutionConfig.single(c, "dilation_rate", default: 1),
                               activation: try c.activation(), useBias: try c.bool("use_bias", default: true),
                               depthwiseInitializer: try c.initializer("depthwise_initializer", default: GlorotUniform()),
                               pointwiseInitializer: try c.initializer("pointwise_initializer", default: GlorotUniform()),
                               biasInitializer: try c.initializer("bias_initializer", default: Zeros()),
                               depthwiseRegularizer: try c.regularizer("depthwise_regularizer"),
                               pointwiseRegularizer: try c.regularizer("pointwise_regularizer"),
                               biasRegularizer: try c.regularizer("bias_regularizer"), name: c.name)
    }
}
