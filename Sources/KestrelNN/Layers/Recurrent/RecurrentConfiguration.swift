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
