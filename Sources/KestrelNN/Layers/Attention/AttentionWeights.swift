import KestrelCore

/// What Keras's attention layers share once the scores are computed: a 0/1 mask of the
/// allowed (query, key) pairs (padding keys, or keys after the query under a causal mask)
/// subtracts 1e9 from the other scores, a softmax over the keys gives the weights, and
/// dropout drops some of them while training.
package enum AttentionWeights {
    /// The lower-triangular (queries, keys) mask of a causal attention, shaped (1, Tq, Tv):
    /// query i may look at keys 0…i.
    package static func causalMask(queries: Int, keys: Int) -> Tensor {
        Tensor(shape: [1, queries, keys]) { p, _ in
            for i in 0..<queries { for j in 0..<keys { p[i * keys + j] = j <= i ? 1 : 0 } }
        }
    }

    /// Keras's `_apply_scores` of Attention and AdditiveAttention on scores (N, Tq, Tv):
    /// softmax over the allowed keys (the value's mask `masks[1]`, the causal mask), dropout
    /// while training, the weighted sum of `value`, and the padded queries (`masks[0]`) zeroed.
    package static func apply(_ scores: Tensor, to value: Tensor, masks: [Tensor?], causal: Bool, dropout rate: Float,
                              training: Bool, generator: inout RandomGenerator) -> Tensor {
        let queryMask = masks.count > 0 ? masks[0] : nil, valueMask = masks.count > 1 ? masks[1] : nil
        let allowed = keyMask(valueMask, queries: scores.shape[1], keys: scores.shape[2], causal: causal)
        let weights = dropout(softmaxWeights(scores, allowed: allowed), rate: rate, training: training, generator: &generator)
        let output = matmul(weights, value)
        guard let queryMask else { return output }
        return output * queryMask.detached().expandingDimensions(at: -1)
    }

    /// Keras's allowed-pairs mask of one attention call: the key mask `(N, Tv)` spread over
    /// the queries, combined with the causal mask when asked; nil when neither applies.
    private static func keyMask(_ keyMask: Tensor?, queries: Int, keys: Int, causal: Bool) -> Tensor? {
        var mask = keyMask.map { $0.detached().expandingDimensions(at: 1) }
        if causal {
            let triangle = causalMask(queries: queries, keys: keys)
            mask = mask.map { $0 * triangle } ?? triangle
        }
        return mask
    }

    /// Softmax over the last axis of `scores` with the disallowed pairs pushed to −1e9 first
    /// (Keras subtracts 1e9 · (1 − mask)).
    private static func softmaxWeights(_ scores: Tensor, allowed: Tensor?) -> Tensor {
        guard let allowed else { return softmax(scores, alongAxis: -1) }
        return softmax(scores - (1 - allowed) * 1e9, alongAxis: -1)
    }

    /// Inverted dropout of attention weights while training.
    package static func dropout(_ weights: Tensor, rate: Float, training: Bool, generator: inout RandomGenerator) -> Tensor {
        guard training, rate > 0 else { return weights }
        return weights * dropoutMask(weights.shape, rate: rate, generator: &generator)
    }
}

/// An attention layer that can be told to look only backwards in time (Keras's
/// `use_causal_mask` call argument, which functional configs record per call).
public protocol CausallyMaskable: AnyObject {
    var useCausalMask: Bool { get set }
}

extension Attention: CausallyMaskable {}
extension AdditiveAttention: CausallyMaskable {}
extension MultiHeadAttention: CausallyMaskable {}
