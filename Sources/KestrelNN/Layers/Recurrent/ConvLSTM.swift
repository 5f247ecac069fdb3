import Foundation
import KestrelCore

/// What Keras's ConvLSTM1D and ConvLSTM2D share (Shi et al. 2015): an LSTM whose gates are
/// convolutions, over sequences of 1-D signals or images. At each step the gates
/// `conv(x_t, kernel) + bias + conv_same(h, recurrentKernel)` (i, f, c, o: Keras's order) give
/// `c = f·c + i·activation(g)`, `h = o·activation(c)`, h and c having `filters` channels.
/// The input convolution takes `strides`, `padding` and `dilationRate`; the recurrent one is
/// stride 1, padding "same". Weights in Keras's layout: kernel (k…, channels, 4·filters),
/// recurrent kernel (k…, filters, 4·filters), bias (4·filters). Inputs are `[x]` or
/// `[x, h0, c0]`; a (samples, time) mask keeps a sample's states over its masked steps.
/// `dropout` draws four masks per batch (one per gate, as Keras) over the input frames,
/// `recurrentDropout` one over h; both are the same at every step. The input convolution of
/// all steps runs in one call and the recurrence as one fused op (`ConvLSTMRecurrence`).
public class ConvLSTM: Layer {
    public let filters: Int
    public let kernelSize: [Int]
    public let strides: [Int]
    public let padding: ConvolutionPadding
    public let dilationRate: [Int]
    public let activation: ActivationFunction
    public let recurrentActivation: ActivationFunction
    public let useBias: Bool
    public let unitForgetBias: Bool
    public let dropout: Float
    public let recurrentDropout: Float
    public let returnSequences: Bool
    public let returnState: Bool
    public let goBackwards: Bool
    public let stateful: Bool
    public let kernelInitializer: Initializer
    public let recurrentInitializer: Initializer
    public let biasInitializer: Initializer
    public private(set) var kernel: Parameter?
    public private(set) var recurrentKernel: Parameter?
    public private(set) var bias: Parameter?
    /// With `stateful`, the last batch's final (h, c), the next batch's initial states.
    public private(set) var states: (h: Tensor, c: Tensor)?

    package init(filters: Int, kernelSize: [Int], strides: [Int], padding: ConvolutionPadding, dilationRate: [Int],
                 activation: ActivationFunction, recurrentActivation: ActivationFunction, useBias: Bool, unitForgetBias: Bool,
                 dropout: Float, recurrentDropout: Float, returnSequences: Bool, returnState: Bool, goBackwards: Bool,
                 stateful: Bool, kernelInitializer: Initializer, recurrentInitializer: Initializer, biasInitializer: Initializer,
                 name: String?) {
        self.filters = filters
        self.kernelSize = kernelSize
        self.strides = strides
        self.padding = padding
        self.dilationRate = dilationRate
        self.activation = activation
        self.recurrentActivation = recurrentActivation
        self.useBias = useBias
        self.unitForgetBias = unitForgetBias
        self.dropout = dropout
        self.recurrentDropout = recurrentDropout
        self.returnSequences = returnSequences
        self.returnState = returnState
        self.goBackwards = goBackwards
        self.stateful = stateful
        self.kernelInitializer = kernelInitializer
        self.recurrentInitializer = recurrentInitializer
        self.biasInitializer = biasInitializer
        super.init(name: name)
    }

    /// 1 for ConvLSTM1D, 2 for ConvLSTM2D.
    package var spatialRank: Int { kernelSize.count }
    private var layout: String {
        spatialRank == 1 ? "(samples, time, steps, channels)" : "(samples, time, rows, cols, channels)"
    }
    private var label: String { "\(name) (\(Self.kerasClassName))" }

    /// Forgets the carried states of a stateful layer (Keras `reset_states`).
    public func resetStates() { states = nil }

    public override func build(inputShapes: [[Int]]) throws {
        try SpatialInput.checkWindowArguments(of: self, counts: ["filters": filters], padding: padding,
                                              strides: strides, dilation: dilationRate)
        for (key, rate) in [("dropout", dropout), ("recurrentDropout", recurrentDropout)] where !(rate >= 0 && rate < 1) {
            throw KestrelError(.invalidArgument, "\(label): \(key) must be in [0, 1); got \(rate)")
        }
        _ = try cellActivations
        let shape = inputShapes[0]
        guard shape.count == spatialRank + 3 else {
            throw KestrelError(.shapeMismatch, "\(label) expects \(layout); got \(shape)")
        }
        _ = try inputGeometry(shape)
        let gates = 4 * filters
        kernel = try addWeight("kernel", shape: kernelSize + [shape.last!, gates], initializer: kernelInitializer)
        recurrentKernel = try addWeight("recurrent_kernel", shape: kernelSize + [filters, gates], initializer: recurrentInitializer)
        if useBias {
            bias = try addWeight("bias", shape: [gates], initializer: unitForgetBias ? UnitForgetBias(base: biasInitializer) : biasInitializer)
        }
    }

    private var cellActivations: (CellActivation, CellActivation) {
        get throws {
            (try CellActivation(activation, layer: label, argument: "activation"),
             try CellActivation(recurrentActivation, layer: label, argument: "recurrent_activation"))
        }
    }

    /// A 1-D shape (samples, steps, channels) as one image row, (samples, 1, steps, channels).
    private func asImage(_ frame: [Int]) -> [Int] { spatialRank == 1 ? SpatialInput.asImage(frame) : frame }

    /// The input convolution over all (samples × time) frames, as a 2-D geometry.
    private func inputGeometry(_ shape: [Int]) throws -> ConvolutionGeometry {
        let window = { (v: [Int]) in self.spatialRank == 1 ? (1, v[0]) : (v[0], v[1]) }
        return try ConvolutionGeometry(inputShape: asImage([shape[0] * shape[1]] + Array(shape[2...])), kernel: window(kernelSize),
                                       strides: window(strides), dilation: window(dilationRate), padding: padding, layer: label)
    }

    public override func call(_ inputs: [Tensor], training: Bool) throws -> [Tensor] {
        try call(inputs, mask: nil, training: training)
    }

    public override func call(_ inputs: [Tensor], mask: Tensor?, training: Bool) throws -> [Tensor] {
        let x = inputs[0]
        guard let kernel, let recurrentKernel, x.rank == spatialRank + 3, x.shape.last == kernel.shape[spatialRank] else {
            throw KestrelError(.shapeMismatch, "\(label) expects \(layout) with \(self.kernel?.shape[spatialRank] ?? 0) channels; got \(x.shape)")
        }
        let (n, steps) = (x.shape[0], x.shape[1])
        guard steps > 0 else { throw KestrelError(.shapeMismatch, "\(label) needs at least one time step; got \(x.shape)") }
        let g = try inputGeometry(x.shape)
        let imageKernel = kernel.value.reshaped([g.kernelHeight, g.kernelWidth] + Array(kernel.shape.suffix(2)))
        let frames = x.reshaped(g.inputShape)
        let projected = inputProjection(frames, kernel: imageKernel, geometry: g, samples: n, training: training)
            .reshaped([n, steps, g.outHeight, g.outWidth, 4 * filters])
        let statesShape = [n, g.outHeight, g.outWidth, filters]
        let outputShape = spatialRank == 1 ? [n, g.outWidth, filters] : statesShape
        let recurrent = try ConvolutionGeometry(inputShape: statesShape, kernel: (g.kernelHeight, g.kernelWidth), padding: .same,
                                                layer: "\(label) recurrent convolution")
        let initial = try initialStates(Array(inputs.dropFirst()), shape: statesShape, outputShape: outputShape)
        let (act, rec) = try cellActivations
        let run = ConvLSTMRecurrence(geometry: recurrent, activation: act, recurrentActivation: rec, goBackwards: goBackwards)
        let dropMask = training && recurrentDropout > 0 ? dropoutMask(statesShape, rate: recurrentDropout, generator: &generator) : nil
        let packed = run(projected, recurrentKernel: recurrentKernel.value.reshaped([g.kernelHeight, g.kernelWidth, filters, 4 * filters]),
                         initialStates: initial, mask: try checkedMask(mask, samples: n, steps: steps), recurrentDropoutMask: dropMask)
        let h = packed.selecting(index: steps - 1, alongAxis: 1), c = packed.selecting(index: steps, alongAxis: 1)
        if stateful { states = (h.detached(), c.detached()) }
        let sequenceShape = [n, steps] + Array(outputShape.dropFirst())
        let output = returnSequences ? packed.sliced(alongAxis: 1, 0..<steps).reshaped(sequenceShape) : h.reshaped(outputShape)
        return returnState ? [output, h.reshaped(outputShape), c.reshaped(outputShape)] : [output]
    }

    /// The gates' input part of every frame: one convolution, or with dropout in training
    /// one per gate, each over the frames times its own mask (Keras's four masks).
    private func inputProjection(_ frames: Tensor, kernel: Tensor, geometry g: ConvolutionGeometry, samples n: Int,
                                 training: Bool) -> Tensor {
        guard training, dropout > 0 else { return conv2d(frames, kernel, bias: bias?.value, geometry: g) }
        let steps = g.batch / n, frame = Array(frames.shape.dropFirst())
        let kernels = kernel.split(count: 4, alongAxis: -1), biases = bias?.value.split(count: 4, alongAxis: 0)
        let perGate = (0..<4).map { gate in
            let mask = dropoutMask([n, 1] + frame, rate: dropout, generator: &generator)
            let dropped = (frames.reshaped([n, steps] + frame) * mask).reshaped(frames.shape)
            return conv2d(dropped, kernels[gate], bias: biases?[gate], geometry: g)
        }
        return Tensor.concatenate(perGate, alongAxis: -1)
    }

    /// Given [h0, c0], or a stateful layer's carried states, as (samples, rows, cols, filters).
    private func initialStates(_ given: [Tensor], shape: [Int], outputShape: [Int]) throws -> (h: Tensor, c: Tensor)? {
        guard given.isEmpty || given.count == 2 else {
            throw KestrelError(.invalidArgument, "\(label) takes x and 2 initial states (h, c); got \(given.count)")
        }
        for (state, name) in zip(given, ["h", "c"]) where state.shape != outputShape {
            throw KestrelError(.shapeMismatch, "\(label): initial state \(name) should have shape \(outputShape); got \(state.shape)")
        }
        if given.count == 2 { return (given[0].reshaped(shape), given[1].reshaped(shape)) }
        guard stateful, let states else { return nil }
        guard states.h.shape[0] == shape[0] else {
            throw KestrelError(.shapeMismatch, "\(label): a stateful layer carries states for batches of \(states.h.shape[0]); got a batch of \(shape[0]). Use a fixed batch size or call resetStates()")
        }
        return (states.h.reshaped(shape), states.c.reshaped(shape))
    }

    private func checkedMask(_ mask: Tensor?, samples: Int, steps: Int) throws -> Tensor? {
        guard let mask else { return nil }
        guard mask.shape == [samples, steps] else {
            throw KestrelError(.shapeMismatch, "\(label): the mask should have shape (samples, time) = \([samples, steps]); got \(mask.shape)")
        }
        return mask.detached()
    }

    public override func computeMask(_ inputs: [Tensor], mask: Tensor?) -> Tensor? {
        returnSequences ? mask : nil
    }

    public override func kerasCallArguments(_ inputs: [Any]) -> (args: [Any], kwargs: [String: Any]) {
        recurrentCallArguments(inputs)
    }

    /// Keras keeps a ConvLSTM's weights in its cell.
    public override var kerasWeightGroups: [KerasWeightGroup] { super.kerasWeightGroups.map { $0.nested(in: "cell") } }

    public override var configuration: [String: Any] {
        ["filters": filters, "kernel_size": kernelSize, "strides": strides, "padding": padding.rawValue,
         "data_format": "channels_last", "dilation_rate": dilationRate, "activation": activation.kerasName,
         "recurrent_activation": recurrentActivation.kerasName, "use_bias": useBias, "unit_forget_bias": unitForgetBias,
         "return_sequences": returnSequences, "return_state": returnState, "go_backwards": goBackwards, "stateful": stateful,
         "dropout": Double(dropout), "recurrent_dropout": Double(recurrentDropout),
         "kernel_initializer": kernelInitializer.kerasSerialized, "recurrent_initializer": recurrentInitializer.kerasSerialized,
         "bias_initializer": biasInitializer.kerasSerialized]
    }
}

/// The arguments of a Keras ConvLSTM1D/2D config, with Keras's defaults for absent keys.
package struct ConvLSTMConfig {
    package let filters: Int
    package let kernelSize: [Int], strides: [Int], dilationRate: [Int]
    package let padding: ConvolutionPadding
    package let activation: ActivationFunction, recurrentActivation: ActivationFunction
    package let useBias: Bool, unitForgetBias: Bool
    package let dropout: Float, recurrentDropout: Float
    package let returnSequences: Bool, returnState: Bool, goBackwards: Bool, stateful: Bool
    package let kernelInitializer: Initializer, recurrentInitializer: Initializer, biasInitializer: Initializer

    package init(_ c: KerasConfig, rank: Int) throws {
        try ConvolutionConfig.checkCommon(c)
        try c.rejectUnlessNull("kernel_regularizer", "recurrent_regularizer", "bias_regularizer", "recurrent_constraint")
        filters = try c.int("filters")
        kernelSize = try c.ints("kernel_size", count: rank)
        strides = try c.ints("strides", count: rank, default: Array(repeating: 1, count: rank))
        dilationRate = try c.ints("dilation_rate", count: rank, default: Array(repeating: 1, count: rank))
        padding = try ConvolutionConfig.padding(c)
        activation = c["activation"] == nil ? .tanh : try c.activation()
        recurrentActivation = c["recurrent_activation"] == nil ? .sigmoid : try c.activation("recurrent_activation")
        useBias = try c.bool("use_bias", default: true)
        unitForgetBias = try c.bool("unit_forget_bias", default: true)
        dropout = Float(try c.double("dropout", default: 0))
        recurrentDropout = Float(try c.double("recurrent_dropout", default: 0))
        returnSequences = try c.bool("return_sequences", default: false)
        returnState = try c.bool("return_state", default: false)
        goBackwards = try c.bool("go_backwards", default: false)
        stateful = try c.bool("stateful", default: false)
        try c.acceptSwitches("zero_output_for_mask")
        try readRecurrentRunOptions(c)
        kernelInitializer = try c.initializer("kernel_initializer", default: GlorotUniform())
        recurrentInitializer = try c.initializer("recurrent_initializer", default: Orthogonal())
        biasInitializer = try c.initializer("bias_initializer", default: Zeros())
    }
}
