import Foundation
import KestrelCore

/// Everything that defines a Keras recurrent layer besides its name: SimpleRNN, LSTM and
/// GRU share these options (Keras's `RNN` plus cell arguments). Kept as one value so
/// Bidirectional can make the forward and backward copies of a layer.
public struct RecurrentConfiguration {
    public var units: Int
    public var activation: ActivationFunction = .tanh
    public var recurrentActivation: ActivationFunction = .sigmoid
    public var useBias = true
    public var returnSequences = false
    public var returnState = false
    public var goBackwards = false
    public var stateful = false
    /// Keras `zero_output_for_mask`: masked steps output zeros rather than repeating the
    /// previous output. Bidirectional sets it when it returns sequences.
    public var zeroOutputForMask = false
    /// LSTM only: the forget-gate block of the initial bias is ones.
    public var unitForgetBias = true
    /// GRU only: the Keras 3 default `reset_after` variant with a (2, 3U) bias.
    public var resetAfter = true
    /// Training-only dropout of the inputs and of h before the recurrent product. Each is one
    /// mask per sequence, shared by all time steps (variational dropout) and, unlike Keras's
    /// per-gate masks, by all gates, so the cell stays a single GEMM per step.
    public var dropout: Float = 0
    public var recurrentDropout: Float = 0
    public var kernelInitializer: Initializer = GlorotUniform()
    public var recurrentInitializer: Initializer = Orthogonal()
    public var biasInitializer: Initializer = Zeros()
    public var kernelRegularizer: Regularizer?
    public var recurrentRegularizer: Regularizer?
    public var biasRegularizer: Regularizer?

    public init(units: Int) {
        self.units = units
    }

    /// The options a Keras SimpleRNN, LSTM or GRU config holds; absent keys keep the defaults
    /// declared above (sizes and rates are checked by `KerasLayerRegistry.validateSizes`).
    public init(keras c: KerasConfig) throws {
        try c.rejectUnlessNull("activity_regularizer", "kernel_constraint", "recurrent_constraint", "bias_constraint")
        self.init(units: try c.int("units"))
        if !c.isNull("activation") { activation = try c.activation() }
        if !c.isNull("recurrent_activation") { recurrentActivation = try c.activation("recurrent_activation") }
        useBias = try c.bool("use_bias", default: useBias)
        returnSequences = try c.bool("return_sequences", default: returnSequences)
        returnState = try c.bool("return_state", default: returnState)
        goBackwards = try c.bool("go_backwards", default: goBackwards)
        stateful = try c.bool("stateful", default: stateful)
        zeroOutputForMask = try c.bool("zero_output_for_mask", default: zeroOutputForMask)
        try readRecurrentRunOptions(c)
        unitForgetBias = try c.bool("unit_forget_bias", default: unitForgetBias)
        resetAfter = try c.bool("reset_after", default: resetAfter)
        dropout = try c.float("dropout", default: dropout)
        recurrentDropout = try c.float("recurrent_dropout", default: recurrentDropout)
        guard self.dropout >= 0, self.dropout < 1 else { throw c.error("dropout", "a rate in [0, 1)") }
        guard self.recurrentDropout >= 0, self.recurrentDropout < 1 else { throw c.error("recurrent_dropout", "a rate in [0, 1)") }
        kernelInitializer = try c.initializer("kernel_initializer", default: kernelInitializer)
        recurrentInitializer = try c.initializer("recurrent_initializer", default: recurrentInitializer)
        biasInitializer = try c.initializer("bias_initializer", default: biasInitializer)
        kernelRegularizer = try c.regularizer("kernel_regularizer")
        recurrentRegularizer = try c.regularizer("recurrent_regularizer")
        biasRegularizer = try c.regularizer("bias_regularizer")
        guard self.units > 0 else { throw c.error("units", "a positive integer") }
    }
}

/// What SimpleRNN, LSTM and GRU layers and their cells (SimpleRNNCell, LSTMCell, GRUCell)
/// share beyond reading: the Keras keys they write and their weights (with regularizers).
extension RecurrentConfiguration {
    /// The cell's Keras keys (what a `*Cell` config holds).
    package func cellConfiguration(_ kind: RecurrentCellKind) -> [String: Any] {
        var c: [String: Any] = [
            "units": units, "activation": activation.kerasName, "use_bias": useBias,
            "kernel_initializer": kernelInitializer.kerasSerialized,
            "recurrent_initializer": recurrentInitializer.kerasSerialized,
            "bias_initializer": biasInitializer.kerasSerialized,
            "kernel_regularizer": kernelRegularizer?.kerasConfig ?? NSNull(),
            "recurrent_regularizer": recurrentRegularizer?.kerasConfig ?? NSNull(),
            "bias_regularizer": biasRegularizer?.kerasConfig ?? NSNull(),
            "dropout": Double(dropout), "recurrent_dropout": Double(recurrentDropout),
        ]
        if kind != .simple { c["recurrent_activation"] = recurrentActivation.kerasName }
        if kind == .lstm { c["unit_forget_bias"] = unitForgetBias }
        if case .gru = kind { c["reset_after"] = resetAfter }
        return c
    }

    /// The sequence keys of an `RNN`-style layer (Keras `RNN`'s own arguments).
    package var sequenceConfiguration: [String: Any] {
        ["return_sequences": returnSequences, "return_state": returnState, "go_backwards": goBackwards,
         "stateful": stateful, "unroll": false, "zero_output_for_mask": zeroOutputForMask]
    }

    /// Checks the sizes and rates before `layer` creates its weights.
    package func validate(for layer: Layer) throws {
        try layer.require(units > 0, "units must be positive, got \(units); pass a number ≥ 1")
        try layer.require(dropout >= 0 && dropout < 1, "dropout must be in [0, 1), got \(dropout); it is the fraction of inputs to drop")
        try layer.require(recurrentDropout >= 0 && recurrentDropout < 1,
                          "recurrent_dropout must be in [0, 1), got \(recurrentDropout); it is the fraction of the state to drop")
    }

    /// Creates kernel (F, G), recurrent_kernel (U, G) and bias on `layer` in Keras's layout.
    package func addWeights(to layer: Layer, kind: RecurrentCellKind, features: Int) throws
        -> (kernel: Parameter, recurrentKernel: Parameter, bias: Parameter?) {
        let g = kind.gateCount * units
        let kernel = try layer.addWeight("kernel", shape: [features, g], initializer: kernelInitializer, regularizer: kernelRegularizer)
        let recurrent = try layer.addWeight("recurrent_kernel", shape: [units, g], initializer: recurrentInitializer,
                                        regularizer: recurrentRegularizer)
        guard useBias else { return (kernel, recurrent, nil) }
        let shape = kind == .gru(resetAfter: true) ? [2, g] : [g]
        let initializer = kind == .lstm && unitForgetBias ? UnitForgetBias(base: biasInitializer) : biasInitializer
        return (kernel, recurrent, try layer.addWeight("bias", shape: shape, initializer: initializer, regularizer: biasRegularizer))
    }

    /// One direction's operands for the fused op, with this configuration's variational
    /// dropout drawn in training: one input mask (N, 1, F) and one recurrent mask (N, U) per
    /// sequence.
    package func fusedDirection(_ x: Tensor, kernel: Parameter, recurrentKernel: Parameter, bias: Parameter?, initialStates: [Tensor],
                                goBackwards: Bool, training: Bool, generator: inout RandomGenerator) -> RecurrentDirection {
        let (n, f) = (x.shape[0], x.shape[2])
        var input = x
        var recurrentMask: Tensor?
        if training, dropout > 0 { input = x * dropoutMask([n, 1, f], rate: dropout, generator: &generator) }
        if training, recurrentDropout > 0 {
            recurrentMask = dropoutMask([n, units], rate: recurrentDropout, generator: &generator)
        }
        return RecurrentDirection(x: input, kernel: kernel.value, recurrentKernel: recurrentKernel.value, bias: bias?.value,
                                  initialStates: initialStates, goBackwards: goBackwards, recurrentDropoutMask: recurrentMask)
    }

    /// The cell's activations as the fused kernels apply them.
    package func cellSpec(_ kind: RecurrentCellKind, layer: String) throws -> RecurrentCellSpec {
        RecurrentCellSpec(kind: kind, units: units,
                          activation: try CellActivation(activation, layer: layer, argument: "activation"),
                          recurrentActivation: try CellActivation(recurrentActivation, layer: layer, argument: "recurrent_activation"),
                          zeroOutputForMask: zeroOutputForMask)
    }
}

/// LSTM's `unit_forget_bias`: the bias initializer on the i, c and o blocks and ones on the
/// forget block `[U, 2U)` (Keras builds the initial bias the same way).
package struct UnitForgetBias: Initializer {
    package let base: Initializer

    package func callAsFunction(shape: [Int], generator: inout RandomGenerator) -> Tensor {
        let units = shape[0] / 4
        return Tensor.concatenate([base(shape: [units], generator: &generator), Tensor.ones([units]),
                                   base(shape: [2 * units], generator: &generator)], alongAxis: 0)
    }

    package var kerasClassName: String { base.kerasClassName }
    package var kerasConfig: [String: Any] { base.kerasConfig }
}

/// How Keras runs a recurrent layer, not what it computes: `unroll`, and Keras 2's
/// `implementation` (1 or 2: how it groups its products). `time_major` inputs (steps first)
/// are not supported.
package func readRecurrentRunOptions(_ c: KerasConfig) throws {
    try c.acceptSwitches("unroll")
    if let mode = try c.optionalInt("implementation"), mode != 1, mode != 2 { throw c.error("implementation", "1 or 2") }
    try c.requireUnset("time_major", orEqualTo: false, what: "steps-first inputs; pass (samples, steps, features)")
}
