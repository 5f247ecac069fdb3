import KestrelCore

/// One time step of a recurrent network, Keras's RNN cell API: `RNN(cell)` applies a cell
/// over the time axis. A cell is a layer (it owns its weights) whose `step` maps the input
/// at one time step and the carried states to the step's output and the new states, written
/// with tensor ops so that gradients come from the tape. Any cell works — including one
/// written in Swift by a user; the built-in SimpleRNNCell, LSTMCell and GRUCell also run on
/// the fused sequence kernels.
public protocol RecurrentCell: Layer {
    /// Sizes of the states carried between steps, one per state (LSTM: [units, units]).
    var stateSizes: [Int] { get }
    /// Size of the output at each step.
    var outputSize: Int { get }
    /// One step: `x` (samples, features) and the states (samples, size) each → the output
    /// (samples, outputSize) and the new states. `RNN` builds the cell (`build(inputShapes:)`
    /// with `[[samples, features]]`) before the first step.
    func step(_ x: Tensor, states: [Tensor], training: Bool) throws -> (output: Tensor, states: [Tensor])
}

/// A built-in cell whose whole sequence the fused recurrent op can run: the kernel kind, the
/// weights in Keras's layout and the options (activations, dropout rates).
package protocol FusedRecurrentCell: RecurrentCell {
    var cellKind: RecurrentCellKind { get }
    var options: RecurrentConfiguration { get }
    var kernel: Parameter? { get }
    var recurrentKernel: Parameter? { get }
    var bias: Parameter? { get }
}
