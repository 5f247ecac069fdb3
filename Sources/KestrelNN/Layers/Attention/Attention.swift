import Foundation
import KestrelCore

/// Dot-product (Luong-style) attention (Keras `Attention`): inputs `[query, value]` or
/// `[query, value, key]` of shapes (N, Tq, dim), (N, Tv, dim), (N, Tv, dim) (the key is the
/// value when absent). Scores `query · keyᵀ` (times a learned `scale` with `useScale`), or
/// with `scoreMode: .concat` `concat_score_weight · Σ tanh(scale·(q + k))`; a softmax over
/// the keys weighs the values. The value's mask keeps padded keys out; the query's mask
/// zeroes padded query rows and passes on; `useCausalMask` lets query i see keys 0…i only.
public final class Attention: Layer {
    /// How queries and keys are scored.
    public enum ScoreMode: String, Sendable { case dot, concat }

    public let useScale: Bool
    public let scoreMode: ScoreMode
    public let dropout: Float
    /// Whether query i attends to keys 0…i only (Keras's `use_causal_mask` call argument).
    public var useCausalMask: Bool
    public private(set) var scale: Parameter?
    public private(set) var concatScoreWeight: Parameter?

    public init(useScale: Bool = false, scoreMode: ScoreMode = .dot, dropout: Float = 0, useCausalMask: Bool = false,
                name: String? = nil) {
        self.useScale = useScale
        self.scoreMode = scoreMode
        self.dropout = dropout
        self.useCausalMask = useCausalMask
        super.init(name: name)
    }

    public override func build(inputShapes: [[Int]]) throws {
        try require(dropout >= 0 && dropout < 1, "dropout must be in [0, 1), got \(dropout)")
        try AttentionInputs.check(inputShapes, layer: "\(name) (Attention)")
        if useScale { scale = try addWeight("scale", shape: [], initializer: Ones()) }
        if scoreMode == .concat { concatScoreWeight = try addWeight("concat_score_weight", shape: [], initializer: Ones()) }
    }

    public override func call(_ inputs: [Tensor], training: Bool) throws -> [Tensor] {
        try call(inputs, masks: [], training: training)
    }

    public override func call(_ inputs: [Tensor], masks: [Tensor?], training: Bool) throws -> [Tensor] {
        try AttentionInputs.check(inputs.map(\.shape), layer: "\(name) (Attention)")
        let query = inputs[0], value = inputs[1], key = inputs.count > 2 ? inputs[2] : inputs[1]
        var scores: Tensor
        switch scoreMode {
        case .dot:
            scores = matmul(query, key, transposeB: true)
            if let scale { scores = scores * scale.value }
        case .concat:
            var sum = query.expandingDimensions(at: -2) + key.expandingDimensions(at: -3)
            if let scale { sum = sum * scale.value }
            scores = concatScoreWeight!.value * tanh(sum).sum(alongAxis: -1)
        }
        return [AttentionWeights.apply(scores, to: value, masks: masks, causal: useCausalMask, dropout: dropout,
                                       training: training, generator: &generator)]
    }

    /// The query's mask, as Keras passes it on.
    public override func computeMask(_ inputs: [Tensor], masks: [Tensor?]) -> Tensor? { masks.first ?? nil }

    /// Keras's `attention([query, value, key], use_causal_mask=…)`.
    public override func kerasCallArguments(_ inputs: [Any]) -> (args: [Any], kwargs: [String: Any]) {
        ([inputs], useCausalMask ? ["use_causal_mask": true] : [:])
    }

    public override var configuration: [String: Any] {
        ["use_scale": useScale, "score_mode": scoreMode.rawValue, "dropout": Double(dropout)]
    }
}

extension Attention: KerasReadableLayer {
    /// The layer a Keras `Attention` config describes (Keras 2's `causal` included).
    public static func fromKeras(_ c: KerasConfig) throws -> Layer {
        let mode = try c.string("score_mode", default: "dot")
        guard let scoreMode = ScoreMode(rawValue: mode) else {
            throw KestrelError(.unsupported, "\(c.name ?? "Attention") config: score_mode \"\(mode)\" is not one of dot, concat")
        }
        return Attention(useScale: try c.bool("use_scale", default: false), scoreMode: scoreMode,
                         dropout: try c.float("dropout", default: 0), useCausalMask: try c.bool("causal", default: false),
                         name: c.name)
    }
}

/// Shape checks shared by `Attention` and `AdditiveAttention`.
package enum AttentionInputs {
    package static func check(_ shapes: [[Int]], layer: String) throws {
        guard shapes.count == 2 || shapes.count == 3 else {
            throw KestrelError(.invalidArgument, "\(layer) expects [query, value] or [query, value, key], got \(shapes.count) input\(shapes.count == 1 ? "" : "s")")
        }
        let query = shapes[0], value = shapes[1], key = shapes.count > 2 ? shapes[2] : shapes[1]
        guard query.count == 3, value.count == 3, key.count == 3 else {
            throw KestrelError(.shapeMismatch, "\(layer) expects query, value and key of shape (samples, steps, features), got \(shapes)")
        }
        guard query[0] == value[0], key[0] == value[0], key[1] == value[1], query[2] == key[2] else {
            throw KestrelError(.shapeMismatch, "\(layer): query \(query), value \(value) and key \(key) must share the samples, key and value the steps, query and key the features")
        }
    }
}
