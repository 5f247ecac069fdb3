import Foundation
import KestrelCore

/// What Conv1D, Conv2D and Conv3D share (Keras's `BaseConv`): filters, window, strides,
/// padding, dilation, channel groups, activation, bias, initializers and regularizers, and a
/// kernel (*window, inChannels/groups, filters) with bias (filters). Ungrouped 1-D and 2-D
/// layers run the 2-D channels-last `conv2d` op (Conv1D as a one-row image; a ReLU activation
/// is fused into it); Conv3D and grouped layers run `conv3d` (with unit leading axes below 3-D).
public class ConvolutionLayer: Layer {
    public let filters: Int
    /// Window size per spatial axis (1 value for Conv1D, 2 for Conv2D).
    public let kernelSize: [Int]
    public let strides: [Int]
    public let padding: ConvolutionPadding
    public let dilationRate: [Int]
    /// Channel groups: input channel block i only feeds filter block i (Keras `groups`).
    public let groups: Int
    public let activation: ActivationFunction
    public let useBias: Bool
    public let kernelInitializer: Initializer
    public let biasInitializer: Initializer
    public let kernelRegularizer: Regularizer?
    public let biasRegularizer: Regularizer?
    public private(set) var kernel: Parameter?
    public private(set) var bias: Parameter?

    package init(filters: Int, kernelSize: [Int], strides: [Int], padding: ConvolutionPadding, dilationRate: [Int], groups: Int = 1,
         activation: ActivationFunction, useBias: Bool, kernelInitializer: Initializer, biasInitializer: Initializer,
         kernelRegularizer: Regularizer?, biasRegularizer: Regularizer?, name: String?) {
        self.filters = filters
        self.kernelSize = kernelSize
        self.strides = strides
        self.padding = padding
        self.dilationRate = dilationRate
        self.groups = groups
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

    /// Whether `call` runs the 3-D op (3-D layers and grouped ones).
    package var runsVolumeOp: Bool { spatialRank == 3 || groups > 1 }

    /// The 3-D geometry for an input shape (1-D and 2-D inputs with unit leading axes).
    package func volumeGeometry(_ shape: [Int]) throws -> VolumeGeometry {
        try SpatialInput.check(shape, spatial: spatialRank, layer: self)
        let units = Array(repeating: 1, count: 3 - spatialRank)
        return try VolumeGeometry(inputShape: [shape[0]] + units + Array(shape.dropFirst()), kernel: units + kernelSize,
                                  strides: units + strides, dilation: units + dilationRate, padding: padding, groups: groups,
                                  layer: "\(name) (\(Self.kerasClassName))")
    }

    public override func build(inputShapes: [[Int]]) throws {
        try SpatialInput.checkWindowArguments(of: self, counts: ["filters": filters, "groups": groups], padding: padding,
                                              allowCausal: Self.allowsCausalPadding, strides: strides, dilation: dilationRate)
        let shape = inputShapes[0]
        if runsVolumeOp { _ = try volumeGeometry(shape) } else { _ = try geometry(shape) }
        try require(filters % groups == 0, "filters \(filters) cannot be split into \(groups) groups; use a number of filters divisible by groups")
        kernel = try addWeight("kernel", shape: kernelSize + [shape[shape.count - 1] / groups, filters], initializer: kernelInitializer, regularizer: kernelRegularizer)
        if useBias { bias = try addWeight("bias", shape: [filters], initializer: biasInitializer, regularizer: biasRegularizer) }
    }

    public override func call(_ inputs: [Tensor], training: Bool) throws -> [Tensor] {
        try expectInputs(inputs, count: 1)
        let x = inputs[0]
        var w = kernel!.value
        try SpatialInput.check(x.shape, spatial: spatialRank, layer: self)
        guard x.shape[x.rank - 1] == w.shape[w.rank - 2] * groups else {
            throw KestrelError(.shapeMismatch, "\(name) (\(Self.kerasClassName)) was built for \(w.shape[w.rank - 2] * groups) input channels; got inputs of shape \(x.shape)")
        }
        if runsVolumeOp {
            let v = try volumeGeometry(x.shape)
            let units = Array(repeating: 1, count: 3 - spatialRank)
            let y = conv3d(x.reshaped(v.inputShape), w.reshaped(units + w.shape), bias: bias?.value, geometry: v)
            return [activation(y.reshaped([v.batch] + Array(v.outSize.dropFirst(3 - spatialRank)) + [filters]))]
        }
        let g = try geometry(x.shape)
        if spatialRank == 1 { w = w.reshaped([1] + w.shape) }
        let fused = activation == .relu
        var y = conv2d(spatialRank == 1 ? x.reshaped(g.inputShape) : x, w, bias: bias?.value, geometry: g, relu: fused)
        if spatialRank == 1 { y = y.reshaped([g.batch, g.outWidth, filters]) }
        return [fused ? y : activation(y)]
    }

    public override var configuration: [String: Any] {
        ["filters": filters, "kernel_size": kernelSize, "strides": strides, "padding": padding.rawValue,
         "data_format": "channels_last", "dilation_rate": dilationRate, "groups": groups,
         "activation": activation.kerasName, "use_bias": useBias,
         "kernel_initializer": kernelInitializer.kerasSerialized, "bias_initializer": biasInitializer.kerasSerialized,
         "kernel_regularizer": kernelRegularizer?.kerasConfig ?? NSNull(), "bias_regularizer": biasRegularizer?.kerasConfig ?? NSNull(),
         "activity_regularizer": NSNull(), "kernel_constraint": NSNull(), "bias_constraint": NSNull()]
    }
}
