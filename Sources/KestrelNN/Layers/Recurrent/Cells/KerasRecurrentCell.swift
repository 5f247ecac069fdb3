import Foundation
import KestrelCore

/// What SimpleRNNCell, LSTMCell and GRUCell share: Keras's cell options and weights
/// (kernel (F, G), recurrent_kernel (U, G), bias), their Keras config, and the readable step
/// each subclass writes from tensor ops. Inside `RNN` they run on the fused kernels; their
/// `step` is the reference those kernels are checked against and what `StackedRNNCells` uses.
public class KerasRecurrentCell: Layer, FusedRecurrentCell {
    public let options: RecurrentConfiguration
    public private(set) var kernel: Parameter?
    public private(set) var recurrentKernel: Parameter?
    public private(set) var bias: Parameter?

    public var units: Int { options.units }
    package var cellKind: RecurrentCellKind { .simple }
    public var stateSizes: [Int] { Array(repeating: units, count: cellKind.stateCount) }
    public var outputSize: Int { units }

    public required init(options: RecurrentConfiguration, name: String? = nil) {
        self.options = options
        super.init(name: name)
    }

    public override func build(inputShapes: [[Int]]) throws {
        guard inputShapes[0].count == 2 else {
            throw KestrelError(.shapeMismatch, "\(name): \(Self.kerasClassName) takes one time step of shape (samples, features); got \(inputShapes[0])")
        }
        try options.validate(for: self)
        let w = try options.addWeights(to: self, kind: cellKind, features: inputShapes[0][1])
        (kernel, recurrentKernel, bias) = (w.kernel, w.recurrentKernel, w.bias)
    }

    /// The cell run as a layer on `[x, states…]` returns `[output, states…]` (Keras cell call).
    public override func call(_ inputs: [Tensor], training: Bool) throws -> [Tensor] {
        let expected = 1 + stateSizes.count
        guard inputs.count == expected else {
            throw KestrelError(.invalidArgument, "\(name): \(Self.kerasClassName) takes x and \(stateSizes.count) state(s); got \(inputs.count - 1)")
        }
        let (y, states) = try step(inputs[0], states: Array(inputs.dropFirst()), training: training)
        return [y] + states
    }

    public func step(_ x: Tensor, states: [Tensor], training: Bool) throws -> (output: Tensor, states: [Tensor]) {
        throw KestrelError(.unsupported, "\(name): \(Self.kerasClassName) does not implement step")
    }

    /// The weights' values for one step, after checking the step's operands. Dropout is drawn
    /// per sequence by `RNN`'s fused path; a cell stepped on its own in training cannot apply it.
    package func checkedOperands(_ x: Tensor, _ states: [Tensor], training: Bool) throws
        -> (kernel: Tensor, recurrentKernel: Tensor, bias: Tensor?) {
        if training, options.dropout > 0 || options.recurrentDropout > 0 {
            throw KestrelError(.unsupported, "\(name): dropout and recurrent_dropout of a cell apply when RNN runs the cell directly; inside StackedRNNCells or a custom loop use Dropout layers instead")
        }
        guard let kernel, let recurrentKernel else {
            throw KestrelError(.invalidArgument, "\(name): the cell is not built; call it on (samples, features) first or use it inside RNN")
        }
        guard x.rank == 2, x.shape[1] == kernel.shape[0] else {
            throw KestrelError(.shapeMismatch, "\(name): expected a step of shape (samples, \(kernel.shape[0])); got \(x.shape)")
        }
        for (k, state) in states.enumerated() where state.shape != [x.shape[0], units] {
            throw KestrelError(.shapeMismatch, "\(name): state \(k) should have shape (samples, units) = \([x.shape[0], units]); got \(state.shape)")
        }
        guard states.count == stateSizes.count else {
            throw KestrelError(.invalidArgument, "\(name): \(Self.kerasClassName) carries \(stateSizes.count) state(s); got \(states.count)")
        }
        return (kernel.value, recurrentKernel.value, bias?.value)
    }

    /// Column block `k` (of U columns) of a gate product.
    package func gate(_ z: Tensor, _ k: Int) -> Tensor { z.sliced(alongAxis: 1, (k * units)..<((k + 1) * units)) }

    public override var configuration: [String: Any] { options.cellConfiguration(cellKind) }
}
