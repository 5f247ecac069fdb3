import Foundation
import KestrelCore

/// Reads a sequence in both directions (Keras `Bidirectional`): a forward copy of a recurrent
/// layer and a backward one (go_backwards) share one fused op, the backward outputs are
/// flipped back to forward time when sequences are returned, and the two are merged.
/// Weights: the forward layer's, then the backward layer's. Initial states and returned
/// states: forward ones, then backward ones. `mergeMode` nil returns `[y_fw, y_bw]`.
public final class Bidirectional: Layer {
    /// How the two directions' outputs combine (Keras `merge_mode`).
    public enum MergeMode: String, Sendable {
        case concat, sum, mul, ave
    }

    public let forwardLayer: RecurrentLayer
    public let backwardLayer: RecurrentLayer
    public let mergeMode: MergeMode?

    /// Wraps `layer`: Keras makes a fresh forward copy and a go_backwards copy of it.
    public convenience init(_ layer: RecurrentLayer, mergeMode: MergeMode? = .concat, name: String? = nil) {
        let zero = layer.returnSequences
        self.init(forward: layer.copy(name: "forward_" + layer.name, goBackwards: layer.goBackwards, zeroOutputForMask: zero),
                  backward: layer.copy(name: "backward_" + layer.name, goBackwards: !layer.goBackwards, zeroOutputForMask: zero),
                  mergeMode: mergeMode, name: name)
    }

    /// Both layers given (as a Keras config stores them).
    public init(forward: RecurrentLayer, backward: RecurrentLayer, mergeMode: MergeMode?, name: String? = nil) {
        forwardLayer = forward
        backwardLayer = backward
        self.mergeMode = mergeMode
        super.init(name: name)
    }

    public override func build(inputShapes: [[Int]]) throws {
        try forwardLayer.buildIfNeeded(inputShapes: [inputShapes[0]])
        try backwardLayer.buildIfNeeded(inputShapes: [inputShapes[0]])
    }

    public override var sublayers: [Layer] { [forwardLayer, backwardLayer] }

    public override func kerasCallArguments(_ inputs: [Any]) -> (args: [Any], kwargs: [String: Any]) {
        recurrentCallArguments(inputs)
    }

    public override var kerasWeightGroups: [KerasWeightGroup] {
        forwardLayer.kerasWeightGroups.map { $0.nested(in: "forward_layer") }
            + backwardLayer.kerasWeightGroups.map { $0.nested(in: "backward_layer") }
    }

    public override func call(_ inputs: [Tensor], training: Bool) throws -> [Tensor] {
        try call(inputs, mask: nil, training: training)
    }

    public override func call(_ inputs: [Tensor], mask: Tensor?, training: Bool) throws -> [Tensor] {
        let x = inputs[0]
        let states = Array(inputs.dropFirst())
        let half = forwardLayer.cellKind.stateCount
        guard states.isEmpty || states.count == 2 * half else {
            throw KestrelError(.invalidArgument, "\(name): Bidirectional takes x and \(2 * half) initial states (forward ones, then backward ones); got \(states.count)")
        }
        let fd = try forwardLayer.direction([x] + states.prefix(states.count / 2), training: training)
        let bd = try backwardLayer.direction([x] + states.suffix(states.count / 2), training: training)
        let m = try forwardLayer.checkedMask(mask, for: x)
        let fs = try forwardLayer.cellSpec, bs = try backwardLayer.cellSpec
        let fo: [Tensor], bo: [Tensor]
        if fs == bs {
            let packed = recurrentSequence(fs, [fd, bd], mask: m)
            fo = forwardLayer.outputs(from: packed, index: 0)
            bo = backwardLayer.outputs(from: packed, index: 1)
        } else {
            fo = forwardLayer.outputs(from: recurrentSequence(fs, [fd], mask: m), index: 0)
            bo = backwardLayer.outputs(from: recurrentSequence(bs, [bd], mask: m), index: 0)
        }
        let yf = fo[0]
        let yb = backwardLayer.returnSequences ? bo[0].flipped(alongAxis: 1) : bo[0]
        let finals = Array(fo.dropFirst()) + Array(bo.dropFirst())
        guard let mergeMode else { return [yf, yb] + finals }
        let merged: Tensor
        switch mergeMode {
        case .concat: merged = Tensor.concatenate([yf, yb], alongAxis: -1)
        case .sum: merged = yf + yb
        case .mul: merged = yf * yb
        case .ave: merged = (yf + yb) * 0.5
        }
        return [merged] + finals
    }

    public override var supportsMasking: Bool { true }

    public override func computeMask(_ inputs: [Tensor], mask: Tensor?) -> Tensor? {
        forwardLayer.returnSequences ? mask : nil
    }

    public override var configuration: [String: Any] {
        ["merge_mode": mergeMode?.rawValue ?? NSNull(), "layer": forwardLayer.kerasSerialized, "backward_layer": backwardLayer.kerasSerialized]
    }
}

extension Bidirectional: KerasReadableLayer {
    /// The layer a Keras `Bidirectional` config describes; absent keys take Keras's defaults.
    public static func fromKeras(_ c: KerasConfig) throws -> Layer {
        let mode = c.isNull("merge_mode") ? nil : try Bidirectional.MergeMode(rawValue: try c.string("merge_mode"))
            ?? { throw c.error("merge_mode", "concat, sum, mul, ave or null") }()
        let forward = try c.nestedRecurrentLayer("layer")
        if c.isNull("backward_layer") {
            return Bidirectional(forward, mergeMode: mode, name: c.name)
        }
        return Bidirectional(forward: forward, backward: try c.nestedRecurrentLayer("backward_layer"), mergeMode: mode, name: c.name)
    }
}
