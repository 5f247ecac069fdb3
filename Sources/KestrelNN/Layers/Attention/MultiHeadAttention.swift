import Foundation
import KestrelCore

/// Multi-head attention (Keras `MultiHeadAttention`, as in "Attention Is All You Need"):
/// query (N, T, dq), value (N, S, dv) and optional key (N, S, dk) are projected to `numHeads`
/// heads of `keyDim` (queries, keys) and `valueDim` (values) features; each head attends
/// with scores `q · kᵀ / √keyDim`, and the heads' outputs are projected back to the query's
/// features (or `outputShape`). The query mask, the value (key) mask, `attentionMask`
/// (N, T, S) and `useCausalMask` together decide which pairs may attend; the query mask
/// passes on. Weights in Keras's layout and order: query, key, value and output kernels
/// (dq, heads, keyDim) … (heads, valueDim, out), each followed by its bias.
public final class MultiHeadAttention: Layer {
    public let numHeads: Int
    public let keyDim: Int
    public let valueDim: Int
    public let dropout: Float
    public let useBias: Bool
    /// The output's feature size; nil for the query's.
    public let outputShape: Int?
    /// Whether query i attends to keys 0…i only (Keras's `use_causal_mask` call argument).
    public var useCausalMask: Bool
    /// Whether the last input is an attention mask (N, T, S) of allowed pairs rather than a
    /// key: how a functional graph passes Keras's `attention_mask` tensor argument.
    public var takesAttentionMask = false
    public let kernelInitializer: Initializer
    public let biasInitializer: Initializer
    private var projections: [(kernel: Parameter, bias: Parameter?)] = []

    public init(numHeads: Int, keyDim: Int, valueDim: Int? = nil, dropout: Float = 0, useBias: Bool = true,
                outputShape: Int? = nil, useCausalMask: Bool = false, kernelInitializer: Initializer = GlorotUniform(),
                biasInitializer: Initializer = Zeros(), name: String? = nil) {
        self.numHeads = numHeads
        self.keyDim = keyDim
        self.valueDim = valueDim ?? keyDim
        self.dropout = dropout
        self.useBias = useBias
        self.outputShape = outputShape
        self.useCausalMask = useCausalMask
        self.kernelInitializer = kernelInitializer
        self.biasInitializer = biasInitializer
        super.init(name: name)
    }

    public override func build(inputShapes: [[Int]]) throws {
        try require(numHeads > 0 && keyDim > 0 && valueDim > 0,
                    "numHeads, keyDim and valueDim must be positive, got \(numHeads), \(keyDim), \(valueDim)")
        try require(dropout >= 0 && dropout < 1, "dropout must be in [0, 1), got \(dropout)")
        if let outputShape { try require(outputShape > 0, "outputShape must be positive, got \(outputShape)") }
        let inputShapes = takesAttentionMask ? Array(inputShapes.dropLast()) : inputShapes
        try checkInputs(inputShapes)
        let query = inputShapes[0], value = inputShapes[1], key = inputShapes.count > 2 ? inputShapes[2] : value
        func projection(_ name: String, _ kernel: [Int], bias: [Int]) throws -> (Parameter, Parameter?) {
            let k = try addWeight("\(name)/kernel", shape: kernel, initializer: kernelInitializer)
            let b = useBias ? try addWeight("\(name)/bias", shape: bias, initializer: biasInitializer) : nil
            return (k, b)
        }
        let out = outputShape ?? query[2]
        projections = [
            try projection("query", [query[2], numHeads, keyDim], bias: [numHeads, keyDim]),
            try projection("key", [key[2], numHeads, keyDim], bias: [numHeads, keyDim]),
            try projection("value", [value[2], numHeads, valueDim], bias: [numHeads, valueDim]),
            try projection("attention_output", [numHeads, valueDim, out], bias: [out]),
        ]
    }

    private func checkInputs(_ shapes: [[Int]]) throws {
        let layer = "\(name) (MultiHeadAttention)"
        guard shapes.count == 2 || shapes.count == 3 else {
            throw KestrelError(.invalidArgument, "\(layer) expects [query, value] or [query, value, key], got \(shapes.count) input\(shapes.count == 1 ? "" : "s")")
        }
        let query = shapes[0], value = shapes[1], key = shapes.count > 2 ? shapes[2] : value
        guard query.count == 3, value.count == 3, key.count == 3 else {
            throw KestrelError(.unsupported, "\(layer) supports query, value and key of shape (samples, steps, features), got \(shapes); attention over other axes (attention_axes) is not supported")
        }
        guard query[0] == value[0], key[0] == value[0], key[1] == value[1] else {
            throw KestrelError(.shapeMismatch, "\(layer): query \(query), value \(value) and key \(key) must share the samples, and key and value the steps")
        }
    }

    public override func call(_ inputs: [Tensor], training: Bool) throws -> [Tensor] {
        try call(inputs, masks: [], training: training)
    }

    public override func call(_ inputs: [Tensor], masks: [Tensor?], training: Bool) throws -> [Tensor] {
        guard takesAttentionMask, let attentionMask = inputs.last, inputs.count > 2 else {
            return [try attend(inputs, masks: masks, attentionMask: nil, training: training)]
        }
        return [try attend(Array(inputs.dropLast()), masks: Array(masks.prefix(inputs.count - 1)), attentionMask: attentionMask,
                           training: training)]
    }

    /// The layer on `[query, value]` or `[query, value, key]` with the inputs' masks (nil
    /// where none) and an optional (N, T, S) 0/1 `attentionMask` of allowed pairs.
    public func attend(_ inputs: [Tensor], masks: [Tensor?] = [], attentionMask: Tensor?, training: Bool = false) throws -> Tensor {
        // Built from the shapes the layer is called with (with the mask when it is an input).
        try buildIfNeeded(inputShapes: inputs.map(\.shape) + (takesAttentionMask ? [attentionMask?.shape ?? []] : []))
        try checkInputs(inputs.map(\.shape))
        let query = inputs[0], value = inputs[1], key = inputs.count > 2 ? inputs[2] : inputs[1]
        let (n, t, s) = (query.shape[0], query.shape[1], value.shape[1])
        if let attentionMask, attentionMask.shape != [n, t, s] {
            throw KestrelError(.shapeMismatch, "\(name) (MultiHeadAttention): attentionMask has shape \(attentionMask.shape), expected \([n, t, s]) (samples, query steps, key steps)")
        }
        /// (N, L, d) → (N, L, heads·width) through one projection.
        func project(_ x: Tensor, _ p: (kernel: Parameter, bias: Parameter?), width: Int) -> Tensor {
            let y = matmul(x, p.kernel.value.reshaped([x.shape[2], numHeads * width]))
            return p.bias.map { y + $0.value.reshaped([numHeads * width]) } ?? y
        }
        let q = project(query, projections[0], width: keyDim)
        let k = project(key, projections[1], width: keyDim)
        let v = project(value, projections[2], width: valueDim)
        // Disallowed pairs get −1e9 in place of their score. Keras then takes one of two
        // paths: without dropout its fused dot_product_attention, where a query with no
        // allowed key attends to all keys equally; with dropout its masked Softmax, which
        // also zeroes the disallowed weights, so such a query gets none.
        let allowed = allowedPairs(masks: masks, attentionMask: attentionMask, queries: t, keys: s)
        let attention = ScaledDotProductAttention(heads: numHeads, scale: 1 / Float(keyDim).squareRoot(),
                                                  zeroesDisallowed: dropout > 0 && allowed != nil)
        let drop = training && dropout > 0 ? dropoutMask([n, numHeads, t, s], rate: dropout, generator: &generator) : nil
        let combined = attention(query: q, key: k, value: v, allowed: allowed, dropout: drop)
        let output = projections[3]
        var y = matmul(combined, output.kernel.value.reshaped([numHeads * valueDim, output.kernel.shape[2]]))
        if let bias = output.bias { y = y + bias.value }
        return y
    }

    /// Keras's `_compute_attention_mask`: query mask × value (key) mask × causal mask ×
    /// the given attention mask, as (N, T, S), or (1, T, S) when only the causal mask applies.
    private func allowedPairs(masks: [Tensor?], attentionMask: Tensor?, queries: Int, keys: Int) -> Tensor? {
        var allowed: Tensor?
        func join(_ m: Tensor) { allowed = allowed.map { $0 * m } ?? m }
        if masks.count > 0, let queryMask = masks[0] { join(queryMask.detached().expandingDimensions(at: -1)) }
        if masks.count > 1, let valueMask = masks[1] { join(valueMask.detached().expandingDimensions(at: 1)) }
        if masks.count > 2, let keyMask = masks[2] { join(keyMask.detached().expandingDimensions(at: 1)) }
        if useCausalMask { join(AttentionWeights.causalMask(queries: queries, keys: keys)) }
        if let attentionMask { join(attentionMask.detached()) }
        guard let allowed, Array(allowed.shape.suffix(2)) != [queries, keys] else { return allowed }
        return allowed * Tensor.ones([1, queries, keys])
    }

    /// The query's mask, as Keras passes it on.
    public override func computeMask(_ inputs: [Tensor], masks: [Tensor?]) -> Tensor? { masks.first ?? nil }

    /// Keras's `mha(query, value, key=…, attention_mask=…, use_causal_mask=…)`.
    public override func kerasCallArguments(_ inputs: [Any]) -> (args: [Any], kwargs: [String: Any]) {
        var tensors = inputs
        var kwargs: [String: Any] = [:]
        if takesAttentionMask, tensors.count > 2 { kwargs["attention_mask"] = tensors.removeLast() }
        if tensors.count > 2 { kwargs["key"] = tensors[2] }
        if useCausalMask { kwargs["use_causal_mask"] = true }
        return (Array(tensors.prefix(2)), kwargs)
    }

    /// Keras keeps each projection in its own dense sub-layer.
    public override var kerasWeightGroups: [KerasWeightGroup] {
        zip(["query_dense", "key_dense", "value_dense", "output_dense"], projections).map { name, p in
            KerasWeightGroup(path: name + "/vars", weights: [p.kernel] + (p.bias.map { [$0] } ?? []))
        }
    }

    public override var configuration: [String: Any] {
        ["num_heads": numHeads, "key_dim": keyDim, "value_dim": valueDim, "dropout": Double(dropout), "use_bias": useBias,
         "output_shape": outputShape.map { [$0] as Any } ?? NSNull(), "attention_axes": NSNull(),
         "kernel_initializer": kernelInitializer.kerasSerialized, "bias_initializer": biasInitializer.kerasSerialized,
         "kernel_regularizer": NSNull(), "bias_regularizer": NSNull(), "activity_regularizer": NSNull(),
         "kernel_constraint": NSNull(), "bias_constraint": NSNull()]
    }
}

extension MultiHeadAttention: KerasReadableLayer {
    /// The layer a Keras `MultiHeadAttention` config describes; absent keys take Keras's defaults.
    public static func fromKeras(_ c: KerasConfig) throws -> Layer {
        if let axes = c["attention_axes"], !(axes is NSNull) {
            let list = (axes as? [Any])?.compactMap { ($0 as? NSNumber)?.intValue } ?? [(axes as? NSNumber)?.intValue ?? 0]
            guard list == [1] || list == [-2] else {
                throw KestrelError(.unsupported, "\(c.name ?? "MultiHeadAttention") config: attention_axes \(axes) is not supported; Kestrel attends over the steps axis of (samples, steps, features) inputs (attention_axes [1])")
            }
        }
        try c.rejectUnlessNull("kernel_regularizer", "bias_regularizer", "activity_regularizer",
                               "kernel_constraint", "bias_constraint", "sliding_window")
        try c.requireUnset("use_gate", orEqualTo: false, what: "gated attention outputs")
        var outputShape: Int?
        if let entry = c["output_shape"], !(entry is NSNull) {
            let sizes = (entry as? [Any]).map { $0.compactMap { ($0 as? NSNumber)?.intValue } } ?? [(entry as? NSNumber)?.intValue].compactMap { $0 }
            guard sizes.count == 1 else {
                throw KestrelError(.unsupported, "\(c.name ?? "MultiHeadAttention") config: output_shape \(entry) is not supported; give one feature size")
            }
            outputShape = sizes[0]
        }
        return MultiHeadAttention(numHeads: try c.int("num_heads"), keyDim: try c.int("key_dim"),
                                  valueDim: try c.optionalInt("value_dim"), dropout: try c.float("dropout", default: 0),
                                  useBias: try c.bool("use_bias", default: true), outputShape: outputShape,
                                  kernelInitializer: try c.initializer("kernel_initializer", default: GlorotUniform()),
                                  biasInitializer: try c.initializer("bias_initializer", default: Zeros()), name: c.name)
    }
}
