import Foundation
import KestrelCore

/// The common part of Keras's recurrent layers (SimpleRNN, LSTM, GRU): weights in Keras
/// layout, input and initial-state checks, dropout masks, masks, stateful carry-over and the
/// outputs `[y, states…]`. The whole sequence runs as one fused op (`recurrentSequence`).
/// Inputs are `[x]` or `[x, h0]` / `[x, h0, c0]` with x of shape (samples, time, features).
public class RecurrentLayer: Layer {
    public let options: RecurrentConfiguration
    public private(set) var kernel: Parameter?
    public private(set) var recurrentKernel: Parameter?
    public private(set) var bias: Parameter?
    /// With `stateful`, the final states of the last batch, the next batch's initial states.
    public private(set) var states: [Tensor]?

    public var units: Int { options.units }
    public var returnSequences: Bool { options.returnSequences }
    public var returnState: Bool { options.returnState }
    public var goBackwards: Bool { options.goBackwards }

    /// The cell this layer runs; subclasses choose it.
    package var cellKind: RecurrentCellKind { .simple }
    /// State names as Keras documents them, for error messages.
    package var stateNames: [String] { cellKind.stateCount == 2 ? ["h", "c"] : ["h"] }

    public required init(options: RecurrentConfiguration, name: String? = nil) {
        self.options = options
        super.init(name: name)
    }

    /// A fresh, unbuilt layer with the same options (Bidirectional's two copies).
    package func copy(name: String, goBackwards: Bool, zeroOutputForMask: Bool) -> RecurrentLayer {
        var o = options
        o.goBackwards = goBackwards
        o.zeroOutputForMask = zeroOutputForMask
        let layer = Self(options: o, name: name)
        layer.trainable = trainable
        return layer
    }

    /// Forgets the carried states of a stateful layer (Keras `reset_states`).
    public func resetStates() { states = nil }

    package func checkSequence(_ shape: [Int]) throws {
        guard shape.count == 3 else {
            let hint = shape.count == 2 ? " For one feature per step reshape to \(shape + [1])" : ""
            throw KestrelError(.shapeMismatch, "\(name): \(Self.kerasClassName) expects (samples, time, features); got \(shape).\(hint)")
        }
        guard shape[1] > 0 else {
            throw KestrelError(.shapeMismatch, "\(name): \(Self.kerasClassName) needs at least one time step; got \(shape)")
        }
    }

    public override func build(inputShapes: [[Int]]) throws {
        try checkSequence(inputShapes[0])
        try options.validate(for: self)
        let w = try options.addWeights(to: self, kind: cellKind, features: inputShapes[0][2])
        (kernel, recurrentKernel, bias) = (w.kernel, w.recurrentKernel, w.bias)
    }

    package var cellSpec: RecurrentCellSpec {
        get throws { try options.cellSpec(cellKind, layer: name) }
    }

    /// Checks `[x, states…]` and makes this layer's operands for the fused op (input dropout
    /// applied, recurrent-dropout mask drawn, stateful states filled in).
    package func direction(_ inputs: [Tensor], training: Bool) throws -> RecurrentDirection {
        let x = inputs[0]
        try checkSequence(x.shape)
        let features = kernel!.shape[0]
        guard x.shape[2] == features else {
            throw KestrelError(.shapeMismatch, "\(name): \(Self.kerasClassName) was built for \(features) features per step; got input \(x.shape)")
        }
        let n = x.shape[0], count = cellKind.stateCount
        guard inputs.count == 1 || inputs.count == 1 + count else {
            throw KestrelError(.invalidArgument, "\(name): \(Self.kerasClassName) takes x and \(count) initial state\(count == 1 ? "" : "s") (\(stateNames.joined(separator: ", "))); got \(inputs.count - 1)")
        }
        var initial = Array(inputs.dropFirst())
        for (k, state) in initial.enumerated() where state.shape != [n, units] {
            throw KestrelError(.shapeMismatch, "\(name): initial state \(stateNames[k]) should have shape (samples, units) = \([n, units]); got \(state.shape)")
        }
        if initial.isEmpty, options.stateful, let states {
            guard states[0].shape[0] == n else {
                throw KestrelError(.shapeMismatch, "\(name): a stateful \(Self.kerasClassName) carries states for batches of \(states[0].shape[0]); got a batch of \(n). Use a fixed batch size or call resetStates()")
            }
            initial = states
        }
        return options.fusedDirection(x, kernel: kernel!, recurrentKernel: recurrentKernel!, bias: bias, initialStates: initial,
                                      goBackwards: options.goBackwards, training: training, generator: &generator)
    }

    /// Direction `index` of a packed result as `[y, states…]`; stateful layers keep the states.
    package func outputs(from packed: Tensor, index: Int) -> [Tensor] {
        let (y, finals) = unpackRecurrentOutputs(packed, index: index, stateCount: cellKind.stateCount, returnSequences: returnSequences)
        if options.stateful { states = finals.map { $0.detached() } }
        return returnState ? [y] + finals : [y]
    }

    public override func call(_ inputs: [Tensor], training: Bool) throws -> [Tensor] {
        try call(inputs, mask: nil, training: training)
    }

    public override func call(_ inputs: [Tensor], mask: Tensor?, training: Bool) throws -> [Tensor] {
        let dir = try direction(inputs, training: training)
        let packed = recurrentSequence(try cellSpec, [dir], mask: try checkedMask(mask, for: inputs[0]))
        return outputs(from: packed, index: 0)
    }

    /// A (samples, time) mask as 1/0 floats.
    package func checkedMask(_ mask: Tensor?, for x: Tensor) throws -> Tensor? {
        guard let mask else { return nil }
        guard mask.shape == Array(x.shape.prefix(2)) else {
            throw KestrelError(.shapeMismatch, "\(name): the mask should have shape (samples, time) = \(Array(x.shape.prefix(2))); got \(mask.shape)")
        }
        return mask.detached()
    }

    public override var supportsMasking: Bool { true }

    public override func kerasCallArguments(_ inputs: [Any]) -> (args: [Any], kwargs: [String: Any]) {
        recurrentCallArguments(inputs)
    }

    /// Keras keeps a recurrent layer's weights in its cell.
    public override var kerasWeightGroups: [KerasWeightGroup] { super.kerasWeightGroups.map { $0.nested(in: "cell") } }

    public override func computeMask(_ inputs: [Tensor], mask: Tensor?) -> Tensor? {
        returnSequences ? mask : nil
    }

    public override var configuration: [String: Any] {
        options.cellConfiguration(cellKind).merging(options.sequenceConfiguration) { a, _ in a }
    }
}
