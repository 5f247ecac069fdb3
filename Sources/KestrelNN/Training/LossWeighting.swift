import KestrelCore

/// How Keras 3 merges a mask and sample weights into the weights of the loss values
/// (`keras.losses.loss.apply_mask`, with `alignedRanks` as its `squeeze_or_expand_to_same_rank`),
/// shared by the losses and the metrics.
package enum LossWeighting {
    /// The mask (as 0/1) merged into `sampleWeight`. For `sumOverBatchSize` the mask is first
    /// scaled by `count / (valid + 1e-7)`, so that dividing the weighted sum by the count of
    /// values divides it by the number of valid positions instead; `.sum` (and metrics) keep
    /// the mask as it is. Nil when there is neither.
    package static func weights(_ sampleWeight: Tensor?, mask: Tensor?, scaledFor reduction: LossReduction) -> Tensor? {
        guard var mask else { return sampleWeight }
        if reduction == .sumOverBatchSize {
            let total = Float(mask.count), valid = mask.sum().scalar
            mask = mask * (total / (valid + ProbabilityClip.epsilon))
        }
        guard let sampleWeight else { return mask }
        let (m, w) = alignedRanks(mask, sampleWeight)
        return aligned(w, to: m) * m
    }

    /// `weight` shaped to multiply `values`: Keras's rank matching, then trailing size-1 axes
    /// so that a weight per sample covers every position of that sample.
    package static func aligned(_ weight: Tensor, to values: Tensor) -> Tensor {
        var (_, w) = alignedRanks(values, weight)
        if w.rank < values.rank, w.rank >= 1 { w = w.reshaped(w.shape + Array(repeating: 1, count: values.rank - w.rank)) }
        return w
    }
}
