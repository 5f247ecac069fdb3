import Foundation
import KestrelCore

/// What Conv1D and Conv2D share (Keras's `BaseConv`): filters, window, strides, padding,
/// dilation, activation, bias, initializers and regularizers, and a kernel
/// (*window, inChannels, filters) with bias (filters). Both run the 2-D channels-last
/// `conv2d` op (Conv1D as a one-row image); a ReLU activation is fused into it.
public class ConvolutionLayer: Layer {
    public let filters: Int
    /// Window size per spatial axis (1 value for Conv1D, 2 for Conv2D).
    public let kernelSize: [Int]
    public let strides: [Int]
    public let padding: ConvolutionPadding
    public let dilationRate: [Int]
    public let activation: ActivationFunction
    public let useBias: Bool
    public let kernelInitializer: Initializer
    public let biasInitializer: Initializer
    public let kernelRegularizer: Regularizer?
    public let biasRegularizer: Regularizer?
    public private(set) var kernel: Parameter?
    public private(set) var bias: Parameter?

    package init(filters: Int, kernelSize: [Int], strides: [Int], padding: ConvolutionPadding, dilationRate: [Int],
         activation: ActivationFunction, useBias: Bool, kernelInitializer: Initializer, biasInitializer: Initializer,
         kernelRegularizer: Regularizer?, biasRegularizer: Regularizer?, name: String?) {
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

    package var spatialRank: Int { kernelSize.count }

    /// Whether `padding: .causal` is allowed (Conv1D only).
    package class var allowsCausalPadding: Bool { false }

    /// The 2-D geometry for an input shape (a 1-D input as one row).
    package func geometry(_ shape: [Int]) throws -> ConvolutionGeometry {
        try SpatialInput.check(shape, spatial: spatialRank, layer: self)
        let image = spatialRank == 1 ? SpatialInput.asImage(shape) : shape
        let k = spatialRank == 1 ? (1, kernelSize[0]) : (kernelSize[0], kernelSize[1])
        let s = spatialRank == 1 ? (1, strides[0]) : (strides[0], strides[1])
        let d = spatialRank == 1 ? (1, dilationRate[0]) : (dilationRate[0], dilationRate[1])
        return try ConvolutionGeometry(inputShape: image, kernel: k, strides: s, dilation: d, padding: padding,
                                       layer: "\(name) (\(Self.kerasClassName))")
    }

    public override func build(inputShapes: [[Int]]) throws {
        try SpatialInput.checkWindowArguments(of: self, counts: ["filters": filters], padding: padding,
                                              allowCausal: Self.allowsCausalPadding, strides: strides, dilation: dilationRate)
        let shape = inputShapes[0]
        _ = try geometry(shape)
        kernel = try addWeight("kernel", shape: kernelSize + [shape[shape.count - 1], filters], initializer: kernelInitializer, regularizer: kernelRegularizer)
        if useBias { bias = try addWeight("bias", shape: [filters], initializer: biasInitializer, regularizer: biasRegularizer) }
    }

    public override func call(_ inputs: [Tensor], training: Bool) throws -> [Tensor] {
        try expectInputs(inputs, count: 1)
        let x = inputs[0]
        let g = try geometry(x.shape)
        var w = kernel!.value
        guard x.shape[x.rank - 1] == w.shape[w.rank - 2] else {
            throw KestrelError(.shapeMismatch, "\(name) (\(Self.kerasClassName)) was built for \(w.shape[w.rank - 2]) input channels; got inputs of shape \(x.shape)")
        }
        if spatialRank == 1 { w = w.reshaped([1] + w.shape) }
        let fused = activation == .relu
        var y = conv2d(spatialRank == 1 ? x.reshaped(g.inputShape) : x, w, bias: bias?.value, geometry: g, relu: fused)
        if spatialRank == 1 { y = y.reshaped([g.batch, g.outWidth, filters]) }
        return [fused ? y : activation(y)]
    }

    public override var configuration: [String: Any] {
        ["filters": filters, "kernel_size": kernelSize, "strides": strides, "padding": padding.rawValue,
         "data_format": "channels_last", "dilation_rate": dilationRate, "groups": 1,
         "activation": activation.kerasName, "use_bias": useBias,
         "kernel_initializer": kernelInitializer.kerasSerialized, "bias_initializer": biasInitializer.kerasSerialized,
         "kernel_regularizer": kernelRegularizer?.kerasConfig ?? NSNull(), "bias_regularizer": biasRegularizer?.kerasConfig ?? NSNull(),
         "activity_regularizer": NSNull(), "kernel_constraint": NSNull(), "bias_constraint": NSNull()]
    }
}
