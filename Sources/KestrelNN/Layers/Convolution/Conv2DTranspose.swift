import Foundation
import KestrelCore

/// Transposed 2-D convolution (Keras `Conv2DTranspose`, "deconvolution"): each input pixel
/// (i, j) adds its kernel-weighted copy at (i·s + a, j·s + b) of the output. `valid` keeps
/// the full map of size n·s + max(k − s, 0); `same` keeps n·s cells, cropping k − s cells
/// ((k − s)/2 at the top/left, the rest at the bottom/right). Kernel (kh, kw, filters,
/// inChannels) — output and input channel axes are swapped relative to Conv2D.
public final class Conv2DTranspose: Layer {
    public let filters: Int
    public let kernelSize: (Int, Int)
    public let strides: (Int, Int)
    public let padding: ConvolutionPadding
    public let dilationRate: (Int, Int)
    public let activation: ActivationFunction
    public let useBias: Bool
    public let kernelInitializer: Initializer
    public let biasInitializer: Initializer
    public let kernelRegularizer: Regularizer?
    public let biasRegularizer: Regularizer?
    public private(set) var kernel: Parameter?
    public private(set) var bias: Parameter?

    public init(_ filters: Int, kernelSize: (Int, Int), strides: (Int, Int) = (1, 1), padding: ConvolutionPadding = .valid,
                dilationRate: (Int, Int) = (1, 1), activation: ActivationFunction = .linear, useBias: Bool = true,
                kernelInitializer: Initializer = GlorotUniform(), biasInitializer: Initializer = Zeros(),
                kernelRegularizer: Regularizer? = nil, biasRegularizer: Regularizer? = nil, name: String? = nil) {
        self.filters = filters
        self.kernelSize = kernelSize
        self.strides = strides
        self.padding = padding
        self.dilationRate = dilationRate
        self.activation = activation
        self.useBias = useBias
        self.kernelInitializer = kernelInitializer
        self.biasInitializer = biasInitializer
        self.kernelRegularizer = kernelRegularizer
        self.biasRegularizer = biasRegularizer
        super.init(name: name)
    }

    /// Square window, equal strides: `Conv2DTranspose(16, kernelSize: 3, strides: 2)`.
    public convenience init(_ filters: Int, kernelSize: Int, strides: Int = 1, padding: ConvolutionPadding = .valid,
                            activation: ActivationFunction = .linear, useBias: Bool = true, name: String? = nil) {
        self.init(filters, kernelSize: (kernelSize, kernelSize), strides: (strides, strides), padding: padding,
                  activation: activation, useBias: useBias, name: name)
    }

    /// Keras's output length along one axis.
    package func outputLength(_ n: Int, _ k: Int, _ s: Int, _ d: Int) -> Int {
        let span = (k - 1) * d + 1
        return padding == .same ? n * s : n * s + Swift.max(span - s, 0)
    }

    /// The forward convolution this layer is the adjoint of: from the output back to the input.
    package func geometry(_ shape: [Int]) throws -> ConvolutionGeometry {
        try SpatialInput.check(shape, spatial: 2, layer: self)
        let out = [shape[0], outputLength(shape[1], kernelSize.0, strides.0, dilationRate.0),
                   outputLength(shape[2], kernelSize.1, strides.1, dilationRate.1), filters]
        let g = try ConvolutionGeometry(inputShape: out, kernel: kernelSize, strides: strides, dilation: dilationRate,
                                        padding: padding, layer: "\(name) (Conv2DTranspose)")
        checkedPrecondition(g.outHeight == shape[1] && g.outWidth == shape[2], "Conv2DTranspose: inconsistent geometry \(g) for \(shape)")
        return g
    }

    public override func build(inputShapes: [[Int]]) throws {
        try SpatialInput.checkWindowArguments(of: self, counts: ["filters": filters], padding: padding,
                                              strides: [strides.0, strides.1])
        let shape = inputShapes[0]
        _ = try geometry(shape)
        kernel = try addWeight("kernel", shape: [kernelSize.0, kernelSize.1, filters, shape[3]], initializer: kernelInitializer)
        if useBias { bias = try addWeight("bias", shape: [filters], initializer: biasInitializer) }
    }

    public override func call(_ inputs: [Tensor], training: Bool) throws -> [Tensor] {
        try expectInputs(inputs, count: 1)
        let x = inputs[0]
        let g = try geometry(x.shape)
        let w = kernel!.value
        guard x.shape[3] == w.shape[3] else {
            throw KestrelError(.shapeMismatch, "\(name) (Conv2DTranspose) was built for \(w.shape[3]) input channels; got inputs of shape \(x.shape)")
        }
        return [activation(conv2dTranspose(x, w, bias: bias?.value, geometry: g))]
    }

    public override var configuration: [String: Any] {
        ["filters": filters, "kernel_size": [kernelSize.0, kernelSize.1], "strides": [strides.0, strides.1],
         "padding": padding.rawValue, "output_padding": NSNull(), "data_format": "channels_last",
         "dilation_rate": [dilationRate.0, dilationRate.1], "activation": activation.kerasName, "use_bias": useBias,
         "kernel_initializer": kernelInitializer.kerasSerialized, "bias_initializer": biasInitializer.kerasSerialized,
         "kernel_regularizer": kernelRegularizer?.kerasConfig ?? NSNull(), "bias_regularizer": biasRegularizer?.kerasConfig ?? NSNull(),
         "activity_regularizer": NSNull(), "kernel_constraint": NSNull(), "bias_constraint": NSNull()]
    }

    public override var regularizationLosses: [Tensor] {
        var losses: [Tensor] = []
        if let r = kernelRegularizer, let k = kernel { losses.append(r.penalty(k.value)) }
        if let r = biasRegularizer, let b = bias { losses.append(r.penalty(b.value)) }
        return losses
    }
}

extension Conv2DTranspose: KerasReadableLayer {
    /// The layer a Keras `Conv2DTranspose` config describes; absent keys take Keras's defaults.
    public static func fromKeras(_ c: KerasConfig) throws -> Layer {
        try ConvolutionConfig.checkCommon(c)
        try c.rejectUnlessNull("output_padding")
        return Conv2DTranspose(try c.int("filters"), kernelSize: try ConvolutionConfig.pair(c, "kernel_size"),
                               strides: try ConvolutionConfig.pair(c, "strides", default: 1),
                               padding: try ConvolutionConfig.padding(c),
                               dilationRate: try ConvolutionConfig.pair(c, "dilation_rate", default: 1),
                               activation: try c.activation(), useBias: try c.bool("use_bias", default: true),
                               kernelInitializer: try c.initializer("kernel_initializer", default: GlorotUniform()),
                               biasInitializer: try c.initializer("bias_initializer", default: Zeros()),
                               kernelRegularizer: try c.regularizer("kernel_regularizer"),
                               biasRegularizer: try c.regularizer("bias_regularizer"), name: c.name)
    }
}
