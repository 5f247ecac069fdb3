import Foundation
import KestrelCore

/// What Conv1DTranspose and Conv3DTranspose share (Keras's `BaseConvTranspose`): each input
/// cell adds its kernel-weighted copy at cell·stride + tap of the output, whose length per
/// axis Keras fixes — without `outputPadding`: n·s (`same`) or n·s + max(span − s, 0)
/// (`valid`); with it: (n − 1)·s + span − 2·pad + outputPadding, pad = span / 2 for `same`
/// and 0 for `valid`. Kernel (*window, filters, inChannels). Both run the `conv3dTranspose`
/// op (1-D with unit leading axes), the adjoint of the forward convolution from the output
/// back to the input as TensorFlow pads it.
public class TransposedConvolutionLayer: Layer {
    public let filters: Int
    public let kernelSize: [Int]
    public let strides: [Int]
    public let padding: ConvolutionPadding
    /// Extra cells at the end of each output axis (Keras `output_padding`); nil: Keras's default size.
    public let outputPadding: [Int]?
    public let dilationRate: [Int]
    public let activation: ActivationFunction
    public let useBias: Bool
    public let kernelInitializer: Initializer
    public let biasInitializer: Initializer
    public let kernelRegularizer: Regularizer?
    public let biasRegularizer: Regularizer?
    public private(set) var kernel: Parameter?
    public private(set) var bias: Parameter?

    package init(filters: Int, kernelSize: [Int], strides: [Int], padding: ConvolutionPadding, outputPadding: [Int]?,
                 dilationRate: [Int], activation: ActivationFunction, useBias: Bool, kernelInitializer: Initializer,
                 biasInitializer: Initializer, kernelRegularizer: Regularizer?, biasRegularizer: Regularizer?, name: String?) {
        self.filters = filters
        self.kernelSize = kernelSize
        self.strides = strides
        self.padding = padding
        self.outputPadding = outputPadding
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

    /// Keras's output length along spatial axis `axis` for an input of `n` cells.
    package func outputLength(_ n: Int, axis: Int) -> Int {
        let span = (kernelSize[axis] - 1) * dilationRate[axis] + 1, s = strides[axis]
        guard let extra = outputPadding?[axis] else {
            return padding == .same ? n * s : n * s + Swift.max(span - s, 0)
        }
        return (n - 1) * s + span - 2 * (padding == .same ? span / 2 : 0) + extra
    }

    /// The forward convolution this layer is the adjoint of (from the output back to the
    /// input), with unit leading axes below 3-D.
    package func geometry(_ shape: [Int]) throws -> VolumeGeometry {
        try SpatialInput.check(shape, spatial: spatialRank, layer: self)
        let units = Array(repeating: 1, count: 3 - spatialRank)
        let lengths = (0..<spatialRank).map { outputLength(shape[$0 + 1], axis: $0) }
        let what = "\(name) (\(Self.kerasClassName))"
        guard lengths.allSatisfy({ $0 > 0 }) else {
            throw KestrelError(.shapeMismatch, "\(what): input \(shape) gives an empty output \(lengths); use a larger input or less cropping padding")
        }
        let g = try VolumeGeometry(inputShape: [shape[0]] + units + lengths + [filters], kernel: units + kernelSize,
                                   strides: units + strides, dilation: units + dilationRate, padding: padding, layer: what)
        let inputCells = units + Array(shape[1...spatialRank])
        guard g.outSize == inputCells else {
            throw KestrelError(.shapeMismatch, "\(what): an output of \(lengths) does not convolve back to the input \(Array(shape[1...spatialRank])) (kernel \(kernelSize), strides \(strides), padding \(padding.rawValue), output padding \(outputPadding ?? [])); change the output padding or the strides")
        }
        return g
    }

    public override func build(inputShapes: [[Int]]) throws {
        try SpatialInput.checkWindowArguments(of: self, counts: ["filters": filters], padding: padding,
                                              strides: strides, dilation: dilationRate)
        if let outputPadding {
            try require(outputPadding.count == spatialRank && zip(outputPadding, strides).allSatisfy { $0 >= 0 && $0 < $1 },
                        "output padding \(outputPadding) must be \(spatialRank) values each ≥ 0 and smaller than its stride \(strides) (as in Keras); lower it")
        }
        let shape = inputShapes[0]
        _ = try geometry(shape)
        kernel = try addWeight("kernel", shape: kernelSize + [filters, shape[shape.count - 1]], initializer: kernelInitializer,
                               regularizer: kernelRegularizer)
        if useBias { bias = try addWeight("bias", shape: [filters], initializer: biasInitializer, regularizer: biasRegularizer) }
    }

    public override func call(_ inputs: [Tensor], training: Bool) throws -> [Tensor] {
        try expectInputs(inputs, count: 1)
        let x = inputs[0]
        let g = try geometry(x.shape)
        let w = kernel!.value
        guard x.shape[x.rank - 1] == w.shape[w.rank - 1] else {
            throw KestrelError(.shapeMismatch, "\(name) (\(Self.kerasClassName)) was built for \(w.shape[w.rank - 1]) input channels; got inputs of shape \(x.shape)")
        }
        let units = Array(repeating: 1, count: 3 - spatialRank)
        let volume = x.reshaped([g.batch] + g.outSize + [x.shape[x.rank - 1]])
        let y = conv3dTranspose(volume, w.reshaped(units + w.shape), bias: bias?.value, geometry: g)
        return [activation(y.reshaped([g.batch] + Array(g.size.dropFirst(3 - spatialRank)) + [filters]))]
    }

    public override var configuration: [String: Any] {
        ["filters": filters, "kernel_size": kernelSize, "strides": strides, "padding": padding.rawValue,
         "output_padding": outputPadding.map { $0 as Any } ?? NSNull(), "data_format": "channels_last",
         "dilation_rate": dilationRate, "activation": activation.kerasName, "use_bias": useBias,
         "kernel_initializer": kernelInitializer.kerasSerialized, "bias_initializer": biasInitializer.kerasSerialized,
         "kernel_regularizer": kernelRegularizer?.kerasConfig ?? NSNull(), "bias_regularizer": biasRegularizer?.kerasConfig ?? NSNull(),
         "activity_regularizer": NSNull(), "kernel_constraint": NSNull(), "bias_constraint": NSNull()]
    }

    /// The arguments both subclasses read from a Keras config, `rank` values per tuple.
    package struct KerasArguments {
        package var filters: Int
        package var kernelSize, strides, dilationRate: [Int]
        package var outputPadding: [Int]?
        package var padding: ConvolutionPadding
        package var activation: ActivationFunction
        package var useBias: Bool
        package var kernelInitializer, biasInitializer: Initializer
        package var kernelRegularizer, biasRegularizer: Regularizer?

        package init(_ c: KerasConfig, rank: Int) throws {
            try ConvolutionConfig.checkCommon(c)
            func tuple(_ key: String, default value: Int? = nil) throws -> [Int] {
                let v = try c.ints(key, count: rank, default: value.map { Array(repeating: $0, count: rank) })
                guard v.count == rank else { throw c.error(key, "\(rank) integer\(rank == 1 ? "" : "s")") }
                return v
            }
            filters = try c.int("filters")
            kernelSize = try tuple("kernel_size")
            strides = try tuple("strides", default: 1)
            dilationRate = try tuple("dilation_rate", default: 1)
            outputPadding = c.isNull("output_padding") ? nil : try tuple("output_padding")
            padding = try ConvolutionConfig.padding(c)
            activation = try c.activation()
            useBias = try c.bool("use_bias", default: true)
            kernelInitializer = try c.initializer("kernel_initializer", default: GlorotUniform())
            biasInitializer = try c.initializer("bias_initializer", default: Zeros())
            kernelRegularizer = try c.regularizer("kernel_regularizer")
            biasRegularizer = try c.regularizer("bias_regularizer")
        }
    }
}
