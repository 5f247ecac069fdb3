import Foundation
import KestrelCore

/// Applies a recurrent cell over the time axis (Keras `RNN(cell)`): x (samples, time,
/// features) → the last output, or every step's with `returnSequences`, plus the final states
/// with `returnState`. States start at zero unless given as `[x, states…]`; `goBackwards`
/// reads the sequence in reverse (outputs in processing order, as Keras returns them); a
/// mask keeps the states at padded steps; `stateful` carries the final states to the next
/// batch. The built-in cells run the whole sequence as one fused op; any other cell —
/// a user's included — runs step by step through its `step`, with gradients from the tape.
public final class RNN: Layer {
    public let cell: RecurrentCell
    public let returnSequences: Bool
    public let returnState: Bool
    public let goBackwards: Bool
    public let stateful: Bool
    /// Masked steps output zeros instead of repeating the previous output.
    public let zeroOutputForMask: Bool
    /// With `stateful`, the final states of the last batch, the next batch's initial states.
    public private(set) var states: [Tensor]?

    public init(_ cell: RecurrentCell, returnSequences: Bool = false, returnState: Bool = false, goBackwards: Bool = false,
                stateful: Bool = false, zeroOutputForMask: Bool = false, name: String? = nil) {
        self.cell = cell
        self.returnSequences = returnSequences
        self.returnState = returnState
        self.goBackwards = goBackwards
        self.stateful = stateful
        self.zeroOutputForMask = zeroOutputForMask
        super.init(name: name)
    }

    public override var sublayers: [Layer] { [cell] }

    public override func kerasCallArguments(_ inputs: [Any]) -> (args: [Any], kwargs: [String: Any]) {
        recurrentCallArguments(inputs)
    }

    public override var kerasWeightGroups: [KerasWeightGroup] { cell.kerasWeightGroups.map { $0.nested(in: "cell") } }

    /// Forgets the carried states of a stateful layer (Keras `reset_states`).
    public func resetStates() { states = nil }

    public override func build(inputShapes: [[Int]]) throws {
        let shape = inputShapes[0]
        guard shape.count == 3, shape[1] > 0 else {
            throw KestrelError(.shapeMismatch, "\(name): RNN expects (samples, time, features) with at least one step; got \(shape)")
        }
        try cell.buildIfNeeded(inputShapes: [[shape[0], shape[2]]])
    }

    public override func call(_ inputs: [Tensor], training: Bool) throws -> [Tensor] {
        try call(inputs, mask: nil, training: training)
    }

    public override func call(_ inputs: [Tensor], mask: Tensor?, training: Bool) throws -> [Tensor] {
        let x = inputs[0]
        guard x.rank == 3, x.shape[1] > 0 else {
            throw KestrelError(.shapeMismatch, "\(name): RNN expects (samples, time, features) with at least one step; got \(x.shape)")
        }
        let initial = try initialStates(Array(inputs.dropFirst()), samples: x.shape[0])
        if let mask, mask.shape != Array(x.shape.prefix(2)) {
            throw KestrelError(.shapeMismatch, "\(name): the mask should have shape (samples, time) = \(Array(x.shape.prefix(2))); got \(mask.shape)")
        }
        let (y, finals) = try (cell as? FusedRecurrentCell).map {
            try runFused($0, x, initial: initial, mask: mask?.detached(), training: training)
        } ?? runSteps(x, initial: initial, mask: mask?.detached(), training: training)
        if stateful { states = finals.map { $0.detached() } }
        return returnState ? [y] + finals : [y]
    }

    /// The given initial states (checked), the carried ones of a stateful layer, or zeros.
    private func initialStates(_ given: [Tensor], samples n: Int) throws -> [Tensor] {
        let sizes = cell.stateSizes
        if given.isEmpty {
            if stateful, let states {
                guard states[0].shape[0] == n else {
                    throw KestrelError(.shapeMismatch, "\(name): a stateful RNN carries states for batches of \(states[0].shape[0]); got a batch of \(n). Use a fixed batch size or call resetStates()")
                }
                return states
            }
            return sizes.map { Tensor.zeros([n, $0]) }
        }
        guard given.count == sizes.count else {
            throw KestrelError(.invalidArgument, "\(name): the cell carries \(sizes.count) state(s); got \(given.count) initial state(s)")
        }
        for (k, (state, size)) in zip(given, sizes).enumerated() where state.shape != [n, size] {
            throw KestrelError(.shapeMismatch, "\(name): initial state \(k) should have shape (samples, \(size)) = \([n, size]); got \(state.shape)")
        }
        return given
    }

    /// The whole sequence as one fused op on the cell's weights (variational dropout masks
    /// as the SimpleRNN, LSTM and GRU layers draw them).
    private func runFused(_ cell: FusedRecurrentCell, _ x: Tensor, initial: [Tensor], mask: Tensor?, training: Bool) throws
        -> (Tensor, [Tensor]) {
        var o = cell.options
        o.zeroOutputForMask = zeroOutputForMask
        let direction = o.fusedDirection(x, kernel: cell.kernel!, recurrentKernel: cell.recurrentKernel!, bias: cell.bias,
                                         initialStates: initial, goBackwards: goBackwards, training: training, generator: &generator)
        let packed = recurrentSequence(try o.cellSpec(cell.cellKind, layer: cell.name), [direction], mask: mask)
        return unpackRecurrentOutputs(packed, index: 0, stateCount: cell.cellKind.stateCount, returnSequences: returnSequences)
    }

    /// One `cell.step` per time step; masked steps keep the states and repeat the previous
    /// output (or zeros).
    private func runSteps(_ x: Tensor, initial: [Tensor], mask: Tensor?, training: Bool) throws -> (Tensor, [Tensor]) {
        let (n, t) = (x.shape[0], x.shape[1])
        var states = initial
        var previous = Tensor.zeros([n, cell.outputSize])
        var outputs: [Tensor] = []
        for step in 0..<t {
            let time = goBackwards ? t - 1 - step : step
            var (y, next) = try cell.step(x.selecting(index: time, alongAxis: 1), states: states, training: training)
            guard y.shape == [n, cell.outputSize], next.count == states.count,
                  zip(next, states).allSatisfy({ $0.shape == $1.shape }) else {
                throw KestrelError(.shapeMismatch, "\(name): \(type(of: cell).kerasClassName).step returned an output of shape \(y.shape) and states \(next.map(\.shape)); expected (samples, \(cell.outputSize)) and \(states.map(\.shape))")
            }
            if let mask {
                let keep = mask.selecting(index: time, alongAxis: 1).expandingDimensions(at: 1)
                next = zip(next, states).map { keep * $0 + (1 - keep) * $1 }
                y = keep * y + (1 - keep) * (zeroOutputForMask ? Tensor.zeros([n, cell.outputSize]) : previous)
            }
            outputs.append(y)
            previous = y
            states = next
        }
        return (returnSequences ? Tensor.stack(outputs, alongAxis: 1) : outputs[t - 1], states)
    }

    public override var supportsMasking: Bool { true }

    public override func computeMask(_ inputs: [Tensor], mask: Tensor?) -> Tensor? {
        returnSequences ? mask : nil
    }

    public override var configuration: [String: Any] {
        ["cell": cell.kerasSerialized, "return_sequences": returnSequences, "return_state": returnState,
         "go_backwards": goBackwards, "stateful": stateful, "unroll": false, "zero_output_for_mask": zeroOutputForMask]
    }
}

extension RNN: KerasReadableLayer {
    /// The layer a Keras `RNN` config describes; absent keys take Keras's defaults.
    public static func fromKeras(_ c: KerasConfig) throws -> Layer {
        try readRecurrentRunOptions(c)
        guard let cell = try c.nestedLayer("cell") as? RecurrentCell else {
            throw c.error("cell", "a recurrent cell (SimpleRNNCell, LSTMCell, GRUCell or StackedRNNCells)")
        }
        return RNN(cell, returnSequences: try c.bool("return_sequences", default: false), returnState: try c.bool("return_state", default: false),
                   goBackwards: try c.bool("go_backwards", default: false), stateful: try c.bool("stateful", default: false),
                   zeroOutputForMask: try c.bool("zero_output_for_mask", default: false), name: c.name)
    }
}

/// Direction `index` of the fused op's packed result (D, N, T + S, U) as the layer's output
/// (the last step, or all with `returnSequences`) and the final states.
package func unpackRecurrentOutputs(_ packed: Tensor, index: Int, stateCount: Int, returnSequences: Bool) -> (Tensor, [Tensor]) {
    let (d, n, rows, u) = (packed.shape[0], packed.shape[1], packed.shape[2], packed.shape[3])
    let steps = rows - stateCount
    let p = d == 1 ? packed.reshaped([n, rows, u]) : packed.selecting(index: index, alongAxis: 0)
    let y = returnSequences ? p.sliced(alongAxis: 1, 0..<steps) : p.selecting(index: steps - 1, alongAxis: 1)
    return (y, (0..<stateCount).map { p.selecting(index: steps + $0, alongAxis: 1) })
}
