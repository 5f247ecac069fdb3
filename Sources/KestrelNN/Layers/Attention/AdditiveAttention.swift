import Foundation
import KestrelCore

/// Additive (Bahdanau-style) attention (Keras `AdditiveAttention`): inputs `[query, value]`
/// or `[query, value, key]` as for `Attention`; scores `Σ scale · tanh(q + k)` over the
/// features, with a learned `scale` per feature when `useScale` (the default). Masks and
/// `useCausalMask` act as in `Attention`.
public final class AdditiveAttention: Layer {
    public let useScale: Bool
    public let dropout: Float
    /// Whether query i attends to keys 0…i only (Keras's `use_causal_mask` call argument).
    public var useCausalMask: Bool
    public private(set) var scale: Parameter?

    public init(useScale: Bool = true, dropout: Float = 0, useCausalMask: Bool = false, name: String? = nil) {
        self.useScale = useScale
        self.dropout = dropout
        self.useCausalMask = useCausalMask
        super.init(name: name)
    }

    public override func build(inputShapes: [[Int]]) throws {
        try require(dropout >= 0 && dropout < 1, "dropout must be in [0, 1), got \(dropout)")
        try AttentionInputs.check(inputShapes, layer: "\(name) (AdditiveAttention)")
        if useScale { scale = try addWeight("scale", shape: [inputShapes[0][2]], initializer: GlorotUniform()) }
    }

    public override func call(_ inputs: [Tensor], training: Bool) throws -> [Tensor] {
        try call(inputs, masks: [], training: training)
    }

    public override func call(_ inputs: [Tensor], masks: [Tensor?], training: Bool) throws -> [Tensor] {
        try AttentionInputs.check(inputs.map(\.shape), layer: "\(name) (AdditiveAttention)")
        let query = inputs[0], value = inputs[1], key = inputs.count > 2 ? inputs[2] : inputs[1]
        var terms = tanh(query.expandingDimensions(at: -2) + key.expandingDimensions(at: -3))
        if let scale { terms = terms * scale.value }
        let scores = terms.sum(alongAxis: -1)
        return [AttentionWeights.apply(scores, to: value, masks: masks, causal: useCausalMask, dropout: dropout,
                                       training: training, generator: &generator)]
    }

    /// The query's mask, as Keras passes it on.
    public override func computeMask(_ inputs: [Tensor], masks: [Tensor?]) -> Tensor? { masks.first ?? nil }

    /// Keras's `attention([query, value, key], use_causal_mask=…)`.
    public override func kerasCallArguments(_ inputs: [Any]) -> (args: [Any], kwargs: [String: Any]) {
        ([inputs], useCausalMask ? ["use_causal_mask": true] : [:])
    }

    public override var configuration: [String: Any] { ["use_scale": useScale, "dropout": Double(dropout)] }
}

extension AdditiveAttention: KerasReadableLayer {
    /// The layer a Keras `AdditiveAttention` config describes (Keras 2's `causal` included).
    public static func fromKeras(_ c: KerasConfig) throws -> Layer {
        AdditiveAttention(useScale: try c.bool("use_scale", default: true), dropout: try c.float("dropout", default: 0),
                          useCausalMask: try c.bool("causal", default: false), name: c.name)
    }
}
