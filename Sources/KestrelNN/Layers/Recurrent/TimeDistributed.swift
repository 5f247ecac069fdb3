import Foundation
import KestrelCore

/// Applies one layer to every time step (Keras `TimeDistributed`): (N, T, …) is folded to
/// (N·T, …), run through the inner layer once, and unfolded, so every step shares the
/// inner layer's weights (which are this layer's weights).
public final class TimeDistributed: Layer {
    public let layer: Layer

    public init(_ layer: Layer, name: String? = nil) {
        self.layer = layer
        super.init(name: name)
    }

    private func folded(_ shape: [Int]) throws -> [Int] {
        guard shape.count >= 3 else {
            throw KestrelError(.shapeMismatch, "\(name): TimeDistributed expects (samples, time, …); got \(shape). Add a time axis, e.g. reshape to \([shape.first ?? 1, 1] + shape.dropFirst())")
        }
        return [shape[0] * shape[1]] + shape.dropFirst(2)
    }

    public override func build(inputShapes: [[Int]]) throws {
        try layer.buildIfNeeded(inputShapes: [try folded(inputShapes[0])])
    }

    public override var sublayers: [Layer] { [layer] }

    /// Keras keeps the wrapped layer's weights under `layer`.
    public override var kerasWeightGroups: [KerasWeightGroup] { layer.kerasWeightGroups.map { $0.nested(in: "layer") } }

    public override func call(_ inputs: [Tensor], training: Bool) throws -> [Tensor] {
        try expectInputs(inputs, count: 1)
        let x = inputs[0]
        let y = try layer([x.reshaped(try folded(x.shape))], training: training)[0]
        return [y.reshaped(Array(x.shape.prefix(2)) + y.shape.dropFirst())]
    }

    public override var supportsMasking: Bool { true }

    public override var configuration: [String: Any] {
        ["layer": layer.kerasSerialized]
    }
}

extension TimeDistributed: KerasReadableLayer {
    /// The layer a Keras `TimeDistributed` config describes; absent keys take Keras's defaults.
    public static func fromKeras(_ c: KerasConfig) throws -> Layer {
        TimeDistributed(try c.nestedLayer("layer"), name: c.name)
    }
}
