import Foundation
import KestrelCore

/// An LSTM whose gates are convolutions (Keras `ConvLSTM2D`, Shi et al. 2015), for
/// sequences of images (samples, time, rows, cols, channels) such as video frames: at each
/// step `z = conv(x_t, kernel) + bias + conv_same(h, recurrentKernel)` is split into the
/// i, f, c, o gates (Keras's order) and `c = f·c + i·activation(g)`, `h = o·activation(c)`,
/// with h and c images of `filters` channels. The input convolution takes `strides`,
/// `padding` and `dilationRate`; the recurrent one is always stride 1, padding "same".
/// Weights in Keras's layout: kernel (kh, kw, channels, 4·filters), recurrent kernel
/// (kh, kw, filters, 4·filters), bias (4·filters). States start at zero; the step loop
/// runs on the tape, the input convolution of all steps in one call.
public final class ConvLSTM2D: Layer {
    public let filters: Int
    public let kernelSize: (Int, Int)
    public let strides: (Int, Int)
    public let padding: ConvolutionPadding
    public let dilationRate: (Int, Int)
    public let activation: ActivationFunction
    public let recurrentActivation: ActivationFunction
    public let useBias: Bool
    public let unitForgetBias: Bool
    public let returnSequences: Bool
    public let returnState: Bool
    public let goBackwards: Bool
    public let kernelInitializer: Initializer
    public let recurrentInitializer: Initializer
    public let biasInitializer: Initializer
    public private(set) var kernel: Parameter?
    public private(set) var recurrentKernel: Parameter?
    public private(set) var bias: Parameter?

    public init(_ filters: Int, kernelSize: (Int, Int), strides: (Int, Int) = (1, 1), padding: ConvolutionPadding = .valid,
                dilationRate: (Int, Int) = (1, 1), activation: ActivationFunction = .tanh,
                recurrentActivation: ActivationFunction = .sigmoid, useBias: Bool = true, unitForgetBias: Bool = true,
                returnSequences: Bool = false, returnState: Bool = false, goBackwards: Bool = false,
                kernelInitializer: Initializer = GlorotUniform(), recurrentInitializer: Initializer = Orthogonal(),
                biasInitializer: Initializer = Zeros(), name: String? = nil) {
        self.filters = filters
        self.kernelSize = kernelSize
        self.strides = strides
        self.padding = padding
        self.dilationRate = dilationRate
        self.activation = activation
        self.recurrentActivation = recurrentActivation
        self.useBias = useBias
        self.unitForgetBias = unitForgetBias
        self.returnSequences = returnSequences
        self.returnState = returnState
        self.goBackwards = goBackwards
        self.kernelInitializer = kernelInitializer
        self.recurrentInitializer = recurrentInitializer
        self.biasInitializer = biasInitializer
        super.init(name: name)
    }

    public convenience init(_ filters: Int, kernelSize: Int, padding: ConvolutionPadding = .valid,
                            returnSequences: Bool = false, name: String? = nil) {
        self.init(filters, kernelSize: (kernelSize, kernelSize), padding: padding, returnSequences: returnSequences, name: name)
    }

    public override func build(inputShapes: [[Int]]) throws {
        try SpatialInput.checkWindowArguments(of: self, counts: ["filters": filters], padding: padding,
                                              strides: [strides.0, strides.1], dilation: [dilationRate.0, dilationRate.1])
        let shape = inputShapes[0]
        guard shape.count == 5 else {
            throw KestrelError(.shapeMismatch, "\(name) (ConvLSTM2D) expects (samples, time, rows, cols, channels); got \(shape)")
        }
        _ = try inputGeometry(shape)
        let gates = 4 * filters
        kernel = try addWeight("kernel", shape: [kernelSize.0, kernelSize.1, shape[4], gates], initializer: kernelInitializer)
        recurrentKernel = try addWeight("recurrent_kernel", shape: [kernelSize.0, kernelSize.1, filters, gates],
                                        initializer: recurrentInitializer)
        if useBias {
            bias = try addWeight("bias", shape: [gates], initializer: unitForgetBias ? UnitForgetBias(base: biasInitializer) : biasInitializer)
        }
    }

    /// The input convolution over all (samples × steps) frames.
    private func inputGeometry(_ shape: [Int]) throws -> ConvolutionGeometry {
        try ConvolutionGeometry(inputShape: [shape[0] * shape[1], shape[2], shape[3], shape[4]], kernel: kernelSize,
                                strides: strides, dilation: dilationRate, padding: padding, layer: "\(name) (ConvLSTM2D)")
    }

    public override func call(_ inputs: [Tensor], training: Bool) throws -> [Tensor] {
        try expectInputs(inputs, count: 1)
        let x = inputs[0]
        guard x.rank == 5, let kernel, let recurrentKernel, x.shape[4] == kernel.shape[2] else {
            throw KestrelError(.shapeMismatch, "\(name) (ConvLSTM2D) expects (samples, time, rows, cols, \(self.kernel?.shape[2] ?? 0)); got \(x.shape)")
        }
        let (n, steps) = (x.shape[0], x.shape[1])
        let g = try inputGeometry(x.shape)
        let frames = x.reshaped([n * steps, x.shape[2], x.shape[3], x.shape[4]])
        let projected = conv2d(frames, kernel.value, bias: bias?.value, geometry: g)
            .reshaped([n, steps, g.outHeight, g.outWidth, 4 * filters])
        let stateShape = [n, g.outHeight, g.outWidth, filters]
        let recurrent = try ConvolutionGeometry(inputShape: stateShape, kernel: kernelSize, padding: .same,
                                                layer: "\(name) (ConvLSTM2D) recurrent convolution")
        var h = Tensor.zeros(stateShape), c = Tensor.zeros(stateShape)
        var outputs: [Tensor] = []
        for t in (goBackwards ? Array((0..<steps).reversed()) : Array(0..<steps)) {
            let z = projected.selecting(index: t, alongAxis: 1) + conv2d(h, recurrentKernel.value, geometry: recurrent)
            let gate = z.split(sizes: Array(repeating: filters, count: 4), alongAxis: -1)
            let i = recurrentActivation(gate[0]), f = recurrentActivation(gate[1]), o = recurrentActivation(gate[3])
            c = f * c + i * activation(gate[2])
            h = o * activation(c)
            if returnSequences { outputs.append(h) }
        }
        let output = returnSequences ? Tensor.stack(outputs, alongAxis: 1) : h
        return returnState ? [output, h, c] : [output]
    }

    public override var configuration: [String: Any] {
        ["filters": filters, "kernel_size": [kernelSize.0, kernelSize.1], "strides": [strides.0, strides.1],
         "padding": padding.rawValue, "data_format": "channels_last", "dilation_rate": [dilationRate.0, dilationRate.1],
         "activation": activation.kerasName, "recurrent_activation": recurrentActivation.kerasName, "use_bias": useBias,
         "unit_forget_bias": unitForgetBias, "return_sequences": returnSequences, "return_state": returnState,
         "go_backwards": goBackwards, "stateful": false, "dropout": 0.0, "recurrent_dropout": 0.0,
         "kernel_initializer": kernelInitializer.kerasSerialized, "recurrent_initializer": recurrentInitializer.kerasSerialized,
         "bias_initializer": biasInitializer.kerasSerialized]
    }
}

extension ConvLSTM2D: KerasReadableLayer {
    /// The layer a Keras `ConvLSTM2D` config describes; absent keys take Keras's defaults.
    public static func fromKeras(_ c: KerasConfig) throws -> Layer {
        try ConvolutionConfig.checkCommon(c)
        try c.rejectUnlessNull("kernel_regularizer", "recurrent_regularizer", "bias_regularizer", "activity_regularizer",
                               "kernel_constraint", "recurrent_constraint", "bias_constraint")
        for key in ["dropout", "recurrent_dropout"] where try c.double(key, default: 0) != 0 {
            throw KestrelError(.unsupported, "\(c.name ?? "ConvLSTM2D") config: \(key) = \(c.values[key]!) is not supported by Kestrel's ConvLSTM2D; use 0")
        }
        if try c.bool("stateful", default: false) {
            throw KestrelError(.unsupported, "\(c.name ?? "ConvLSTM2D") config: stateful ConvLSTM2D is not supported; use stateful false")
        }
        return ConvLSTM2D(try c.int("filters"), kernelSize: try ConvolutionConfig.pair(c, "kernel_size"),
                          strides: try ConvolutionConfig.pair(c, "strides", default: 1), padding: try ConvolutionConfig.padding(c),
                          dilationRate: try ConvolutionConfig.pair(c, "dilation_rate", default: 1),
                          activation: c.values["activation"] == nil ? .tanh : try c.activation(),
                          recurrentActivation: c.values["recurrent_activation"] == nil ? .sigmoid : try c.activation("recurrent_activation"),
                          useBias: try c.bool("use_bias", default: true), unitForgetBias: try c.bool("unit_forget_bias", default: true),
                          returnSequences: try c.bool("return_sequences", default: false),
                          returnState: try c.bool("return_state", default: false), goBackwards: try c.bool("go_backwards", default: false),
                          kernelInitializer: try c.initializer("kernel_initializer", default: GlorotUniform()),
                          recurrentInitializer: try c.initializer("recurrent_initializer", default: Orthogonal()),
                          biasInitializer: try c.initializer("bias_initializer", default: Zeros()), name: c.name)
    }
}
