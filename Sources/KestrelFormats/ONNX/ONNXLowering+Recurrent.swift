import Foundation
import KestrelCore
import KestrelNN

/// SimpleRNN, LSTM and GRU as ONNX's RNN, LSTM and GRU ops (time-major, so the sequence is
/// transposed in and out); Bidirectional as one bidirectional op with Keras's merge;
/// TimeDistributed by folding time into the batch.
extension ONNXLowering {
    func lowerRecurrent() throws -> [String]? {
        switch layer {
        case let l as RecurrentLayer:
            return try recurrent([Direction(l)], x, features: inputs[0].shape[2], states: inputs.dropFirst().map(\.name), run: Run(l))
        case let l as Bidirectional:
            guard !l.forwardLayer.goBackwards, l.backwardLayer.goBackwards else {
                throw unsupported("a forward layer that runs backwards")
            }
            return try recurrent([Direction(l.forwardLayer), Direction(l.backwardLayer)], x, features: inputs[0].shape[2],
                                 states: inputs.dropFirst().map(\.name), run: Run(l.forwardLayer), merge: l.mergeMode)
        case let l as RNN:
            return try rnn(l)
        case let l as TimeDistributed:
            let shape = inputs[0].shape
            let folded = graph.op("Reshape", [x, graph.int64s([-1] + shape.dropFirst(2))], base + "_folded")
            let inner = try ONNXExport.lower(l.layer, [ONNXGraph.Value(name: folded, shape: [shape[1]] + shape.dropFirst(2))], into: graph)
            return [graph.op("Reshape", [inner[0].name, graph.int64s([-1, shape[1]] + outputShapes[0].dropFirst(2))], base)]
        default:
            return nil
        }
    }

    /// One direction's cell: its kind, activations and weights.
    private struct Direction {
        let kind: RecurrentCellKind
        let options: RecurrentConfiguration
        let kernel: Tensor, recurrentKernel: Tensor, bias: Tensor?

        init(_ l: RecurrentLayer) {
            (kind, options, kernel, recurrentKernel, bias) = (l.cellKind, l.options, l.kernel!.value, l.recurrentKernel!.value, l.bias?.value)
        }

        init(_ c: KerasRecurrentCell) {
            (kind, options, kernel, recurrentKernel, bias) = (c.cellKind, c.options, c.kernel!.value, c.recurrentKernel!.value, c.bias?.value)
        }
    }

    /// What the layer returns and how it walks the sequence.
    fileprivate struct Run {
        let returnSequences: Bool, returnState: Bool, goBackwards: Bool, stateful: Bool
    }

    /// Keras's RNN over one built-in cell, or over StackedRNNCells as one op per cell.
    private func rnn(_ l: RNN) throws -> [String] {
        let cells = (l.cell as? StackedRNNCells)?.cells ?? [l.cell]
        var current = x, features = inputs[0].shape[2]
        var states = inputs.dropFirst().map(\.name)
        var finalStates: [String] = []
        for (index, cell) in cells.enumerated() {
            guard let cell = cell as? KerasRecurrentCell else { throw unsupported("a cell other than SimpleRNNCell, LSTMCell or GRUCell") }
            let last = index == cells.count - 1
            let count = cell.cellKind.stateCount
            let mine = states.isEmpty ? [] : Array(states.prefix(count))
            states = Array(states.dropFirst(mine.count))
            let run = Run(returnSequences: last ? l.returnSequences : true, returnState: l.returnState,
                          goBackwards: index == 0 && l.goBackwards, stateful: l.stateful)
            let results = try recurrent([Direction(cell)], current, features: features, states: mine, run: run)
            current = results[0]
            finalStates += results.dropFirst()
            features = cell.units
        }
        return [current] + finalStates
    }

    /// One recurrent op over one direction or both ([forward, backward]).
    private func recurrent(_ layers: [Direction], _ input: String, features: Int, states: [String], run: Run,
                           merge: Bidirectional.MergeMode? = .concat) throws -> [String] {
        let first = layers[0]
        guard !run.stateful else { throw unsupported("a stateful layer (ONNX graphs carry no state between calls)") }
        let kind = first.kind
        let (op, order, activations): (String, [Int], [ActivationFunction]) = switch kind {
        case .simple: ("RNN", [0], [first.options.activation])
        case .lstm: ("LSTM", [0, 3, 1, 2], [first.options.recurrentActivation, first.options.activation, first.options.activation])
        case .gru: ("GRU", [0, 1, 2], [first.options.recurrentActivation, first.options.activation])
        }
        let units = first.options.units
        let directions = layers.count
        var w: [Float] = [], r: [Float] = [], b: [Float] = []
        for l in layers {
            w += Self.gateRows(l.kernel, order: order, units: units)
            r += Self.gateRows(l.recurrentKernel, order: order, units: units)
            b += Self.biases(l.bias, kind: kind, order: order, units: units)
        }
        let gates = order.count * units
        var sequence = graph.op("Transpose", [input], base + "_time_major", [("perm", .ints([1, 0, 2]))])
        if directions == 1, run.goBackwards {
            sequence = graph.op("Slice", [sequence, graph.int64s([-1]), graph.int64s([Int(Int64.min)]), graph.int64s([0]), graph.int64s([-1])],
                                base + "_reversed")
        }
        // Keras passes states [h(, c)] per direction; ONNX wants each kind stacked over directions.
        let perDirection = kind == .lstm ? 2 : 1
        var initial: [String] = []
        if !states.isEmpty {
            for k in 0..<perDirection {
                let parts = (0..<directions).map { d in graph.op("Unsqueeze", [states[d * perDirection + k], graph.int64s([0])], base + "_state") }
                initial.append(parts.count == 1 ? parts[0] : graph.op("Concat", parts, base + "_state", [("axis", .int(0))]))
            }
        }
        var attributes: [(String, ONNXGraph.Attribute)] = [
            ("hidden_size", .int(units)), ("direction", .string(directions == 2 ? "bidirectional" : "forward")),
            ("activations", .strings(Array(repeating: try activations.map(onnxActivation), count: directions).flatMap { $0 })),
        ]
        if case .gru(let resetAfter) = kind { attributes.append(("linear_before_reset", .int(resetAfter ? 1 : 0))) }
        let operands = [sequence, graph.weight(w, shape: [directions, gates, features], base + "/W"),
                        graph.weight(r, shape: [directions, gates, units], base + "/R"),
                        graph.weight(b, shape: [directions, 2 * gates], base + "/B"), ""] + initial
        let outs = graph.node(op, operands, outputs: kind == .lstm ? 3 : 2, base, attributes)
        let (y, lastH) = (outs[0], outs[1])
        var results: [String]
        if run.returnSequences {
            let batchMajor = graph.op("Transpose", [y], base + "_batch_major", [("perm", .ints([2, 0, 1, 3]))])  // (B, T, D, H)
            results = mergeDirections(batchMajor, axis: 2, merge: directions == 2 ? merge : .concat)
        } else {
            let batchMajor = graph.op("Transpose", [lastH], base + "_batch_major", [("perm", .ints([1, 0, 2]))])  // (B, D, H)
            results = mergeDirections(batchMajor, axis: 1, merge: directions == 2 ? merge : .concat)
        }
        if run.returnState {
            for d in 0..<directions {
                for state in outs.dropFirst() {
                    results.append(graph.op("Gather", [state, graph.int64Scalar(d)], base + "_state", [("axis", .int(0))]))
                }
            }
        }
        return results
    }

    /// The directions axis of (…, D, H) removed: concatenated over H, or summed, multiplied,
    /// averaged, or (no merge) one output per direction.
    private func mergeDirections(_ value: String, axis: Int, merge: Bidirectional.MergeMode?) -> [String] {
        guard let merge else {
            return (0..<2).map { d in graph.op("Gather", [value, graph.int64Scalar(d)], base, [("axis", .int(axis))]) }
        }
        switch merge {
        case .concat: return [graph.op("Reshape", [value, graph.int64s(Array(repeating: 0, count: axis) + [-1])], base)]
        case .sum: return [graph.op("ReduceSum", [value, graph.int64s([axis])], base, [("keepdims", .int(0))])]
        case .mul: return [graph.op("ReduceProd", [value], base, [("axes", .ints([axis])), ("keepdims", .int(0))])]
        case .ave: return [graph.op("ReduceMean", [value], base, [("axes", .ints([axis])), ("keepdims", .int(0))])]
        }
    }

    private func onnxActivation(_ f: ActivationFunction) throws -> String {
        switch f {
        case .sigmoid: return "Sigmoid"
        case .tanh: return "Tanh"
        case .relu(0, nil, 0): return "Relu"
        case .softsign: return "Softsign"
        case .softplus: return "Softplus"
        default: throw unsupported("the recurrent activation \(f.kerasName), which ONNX's recurrent ops lack")
        }
    }

    /// A Keras (rows, gates · units) kernel as ONNX's (gates · units, rows), gates in `order`.
    private static func gateRows(_ t: Tensor, order: [Int], units: Int) -> [Float] {
        let rows = t.shape[0], columns = t.shape[1], s = t.scalars
        var out: [Float] = []
        out.reserveCapacity(rows * columns)
        for g in order {
            for u in 0..<units {
                let column = g * units + u
                for row in 0..<rows { out.append(s[row * columns + column]) }
            }
        }
        return out
    }

    /// ONNX's [input biases, recurrent biases], gates in `order`: Keras's recurrent biases
    /// are the second row of a reset-after GRU's bias and zero otherwise.
    private static func biases(_ bias: Tensor?, kind: RecurrentCellKind, order: [Int], units: Int) -> [Float] {
        let gates = order.count * units
        guard let bias else { return Array(repeating: 0, count: 2 * gates) }
        let s = bias.scalars
        func reordered(_ row: Int) -> [Float] { order.flatMap { g in (0..<units).map { s[row * gates + g * units + $0] } } }
        if kind == .gru(resetAfter: true) { return reordered(0) + reordered(1) }
        return reordered(0) + Array(repeating: 0, count: gates)
    }
}

private extension ONNXLowering.Run {
    init(_ l: RecurrentLayer) {
        self.init(returnSequences: l.returnSequences, returnState: l.returnState, goBackwards: l.goBackwards, stateful: l.options.stateful)
    }
}
